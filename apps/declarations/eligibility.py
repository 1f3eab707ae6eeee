"""Who may ask for what, and how, under the 2023 Identity Law (Luật Căn cước 26/2023/QH15, in force 1/7/2024).

The rules of the identity-card journey that depend on the person's age, in one place (cccd-facts.md §1.3, §1.4):

* a card can be issued from birth; it is compulsory from 14. Under 14 the legal representative files (DC02
  section II). Under 6 the whole procedure can be done online: no biometrics, so no visit. From 6 to 13 the child
  comes to the counter with the representative (face, fingerprints and iris are taken from age 6);
* the exchange at an age milestone is for ages 14, 25, 40 and 60; a card issued or exchanged in the 2 years before
  a milestone stays valid until the next one (Art. 21(2)), so the exchange can be asked from 2 years before the
  milestone birthday. The portal accepts it until 1 year after that birthday (a product rule: later, the citizen
  picks another reason, e.g. "at my own request"); so a 33-year-old is refused;
* a CCCD was only ever issued from age 14, so only someone aged 14 or over can swap one for the new card.

Ages are counted to the day: a person is 14 from their 14th birthday (born 29 February: from 1 March in a common
year).
"""

import enum
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CARD_COMPULSORY_AGE = 14  # below: the representative files for the child
BIOMETRICS_AGE = 6  # below: no face, fingerprint or iris capture, so no visit
MILESTONE_AGES = (14, 25, 40, 60)
MILESTONE_EARLY_YEARS = 2  # Art. 21(2): a card issued in the 2 years before a milestone lasts to the next one
MILESTONE_LATE_YEARS = 1  # product rule: the milestone reason is offered until 1 year after the birthday

MSG_MILESTONE_NOT_DUE = _(
    "You are %(age)s: the exchange for reaching age 14, 25, 40 or 60 can be asked from 2 years before until 1 year "
    "after such a birthday (your next one: age %(next)s, from %(from)s). Go back to the first step and choose the "
    "reason that applies, for example “At my own request”."
)
MSG_MILESTONE_NONE_LEFT = _(
    "You are %(age)s: there is no exchange for reaching an age after 60 (a card issued from age 58 never expires). "
    "Go back to the first step and choose the reason that applies."
)
MSG_SELF_UNDER_14 = _(
    "This person is under 14: the card is asked for by the parent or legal representative. Go back to the first step "
    "and choose “My child or a child in my care, under 14”."
)
MSG_CHILD_TOO_OLD = _(
    "You said you are filing for a child under 14, but this date of birth is of a person aged 14 or over. "
    "Go back to the first step and choose who the card is for."
)
MSG_SWITCH_UNDER_14 = _(
    "A citizen-ID card (CCCD) was only issued from age 14, so this person cannot have one to change. Go back to "
    "the first step and choose the reason that applies."
)


class Path(enum.StrEnum):
    ONLINE_ONLY = "online_only"  # under 6: filed by the representative, no visit
    WITH_REPRESENTATIVE = "with_representative"  # 6–13: the child comes to the counter with the representative
    COUNTER = "counter"  # 14 and over: the person comes to the counter


def age_on(birth: date, day: date) -> int:
    """Completed years on `day` (a birthday counts from the day itself)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birthday(birth: date, age: int) -> date:
    """The day a person born on `birth` turns `age` (29 February: 1 March in a common year)."""
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:
        return date(birth.year + age, 3, 1)


def path_for(*, birth: date, on: date) -> Path:
    age = age_on(birth, on)
    if age < BIOMETRICS_AGE:
        return Path.ONLINE_ONLY
    if age < CARD_COMPULSORY_AGE:
        return Path.WITH_REPRESENTATIVE
    return Path.COUNTER


def needs_visit(*, birth: date | None, on: date) -> bool:
    """Whether the card needs a visit to the counter (an appointment); unknown birth date: yes."""
    return birth is None or path_for(birth=birth, on=on) is not Path.ONLINE_ONLY


def milestone_window(*, birth: date, milestone: int) -> tuple[date, date]:
    """First and last day on which the exchange for reaching `milestone` can be asked."""
    first = birthday(birth, milestone - MILESTONE_EARLY_YEARS)
    last = birthday(birth, milestone + MILESTONE_LATE_YEARS).toordinal() - 1
    return first, date.fromordinal(last)


def milestone_due(*, birth: date, on: date) -> int | None:
    """The milestone age whose exchange window contains `on`, if any."""
    for milestone in MILESTONE_AGES:
        first, last = milestone_window(birth=birth, milestone=milestone)
        if first <= on <= last:
            return milestone
    return None


def request_check(*, reason: str, applicant: str, birth: date, on: date) -> list[ValidationError]:
    """Whether this person (born `birth`) may ask for `reason` as `applicant` ("self", "child", "limited") on
    `on`; the refusals, each with a code, as errors to show next to the date of birth."""
    age = age_on(birth, on)
    errors = []
    if applicant == "self" and age < CARD_COMPULSORY_AGE:
        errors.append(ValidationError(MSG_SELF_UNDER_14, code="self_under_14"))
    if applicant == "child" and age >= CARD_COMPULSORY_AGE:
        errors.append(ValidationError(MSG_CHILD_TOO_OLD, code="child_too_old"))
    if reason == "age_milestone" and milestone_due(birth=birth, on=on) is None:
        upcoming = [m for m in MILESTONE_AGES if milestone_window(birth=birth, milestone=m)[0] > on]
        if not upcoming:
            errors.append(ValidationError(MSG_MILESTONE_NONE_LEFT, code="milestone_none_left", params={"age": age}))
        else:
            first, _last = milestone_window(birth=birth, milestone=upcoming[0])
            params = {"age": age, "next": upcoming[0], "from": first.strftime("%d/%m/%Y")}
            errors.append(ValidationError(MSG_MILESTONE_NOT_DUE, code="milestone_not_due", params=params))
    if reason == "cccd_to_card" and age < CARD_COMPULSORY_AGE:
        errors.append(ValidationError(MSG_SWITCH_UNDER_14, code="switch_under_14"))
    return errors


def representative_required(*, applicant: str, birth: date | None, on: date) -> bool:
    """A representative files for a child under 14; adults with lost or limited capacity attend with one."""
    if applicant == "limited":
        return True
    return birth is not None and age_on(birth, on) < CARD_COMPULSORY_AGE
