"""The 2023 Identity Law's age rules, from the law's table (cccd-facts.md §1.3–1.4), not from the code:

| age on the day      | who files            | visit                                  |
| under 6             | the representative   | none: online only (no biometrics)      |
| 6 to 13             | the representative   | the child comes with the representative |
| 14 and over         | the person           | the person comes                       |

Age-milestone exchange: at 14, 25, 40, 60; a card issued in the 2 years before a milestone lasts to the next one
(Art. 21(2)), so it may be asked from 2 years before; the portal allows it until 1 year after the birthday.
"""

from datetime import date

import pytest
import time_machine
from django.utils import timezone

from apps.declarations import eligibility
from apps.declarations.eligibility import Path
from apps.declarations.forms import AboutForm

from .factories import about_data


@pytest.mark.parametrize(
    ("birth", "on", "path"),
    [
        (date(2021, 1, 5), date(2027, 1, 4), Path.ONLINE_ONLY),  # 5, sixth birthday tomorrow
        (date(2021, 1, 4), date(2027, 1, 4), Path.WITH_REPRESENTATIVE),  # 6 today
        (date(2026, 12, 1), date(2027, 1, 4), Path.ONLINE_ONLY),  # a baby
        (date(2013, 1, 5), date(2027, 1, 4), Path.WITH_REPRESENTATIVE),  # 13, 14 tomorrow
        (date(2013, 1, 4), date(2027, 1, 4), Path.COUNTER),  # 14 today
        (date(2012, 2, 29), date(2026, 2, 28), Path.WITH_REPRESENTATIVE),  # leap-day birth: not 14 on 28/2
        (date(2012, 2, 29), date(2026, 3, 1), Path.COUNTER),  # ... but on 1/3 of a common year
        (date(2014, 2, 28), date(2028, 2, 29), Path.COUNTER),  # 14 since 28/2/2028
        (date(2014, 3, 1), date(2028, 2, 29), Path.WITH_REPRESENTATIVE),
        (date(1990, 9, 5), date(2028, 2, 29), Path.COUNTER),
    ],
)
def test_path_by_age_to_the_day(birth, on, path):
    assert eligibility.path_for(birth=birth, on=on) is path
    assert eligibility.needs_visit(birth=birth, on=on) is (path is not Path.ONLINE_ONLY)


def test_an_unknown_birth_date_needs_a_visit():
    assert eligibility.needs_visit(birth=None, on=date(2027, 1, 4))


@pytest.mark.parametrize(
    ("birth", "on", "allowed"),
    [
        (date(1993, 6, 15), date(2027, 1, 4), False),  # 33: nothing due until 38
        (date(1987, 6, 15), date(2027, 1, 4), True),  # 39: within 2 years before 40
        (date(1987, 1, 5), date(2025, 1, 4), False),  # 37, the day before the 2-year window of 40 opens
        (date(1987, 1, 5), date(2025, 1, 5), True),  # 38 today: the window opens
        (date(2002, 1, 4), date(2027, 1, 4), True),  # 25 today
        (date(2001, 1, 5), date(2027, 1, 4), True),  # 25, last day before turning 26
        (date(2001, 1, 4), date(2027, 1, 4), False),  # 26 today: too late
        (date(2015, 1, 4), date(2027, 1, 4), True),  # 12 today: from 2 years before 14
        (date(2015, 1, 5), date(2027, 1, 4), False),  # 11
        (date(1968, 3, 1), date(2028, 2, 29), True),  # 59: before 60
        (date(1960, 1, 1), date(2027, 1, 4), False),  # 67: no milestone after 60
        (date(1968, 2, 29), date(2028, 2, 29), True),  # 60 on a leap day
    ],
)
def test_age_milestone_exchange_window(birth, on, allowed):
    applicant = "self" if eligibility.age_on(birth, on) >= 14 else "child"
    errors = eligibility.request_check(reason="age_milestone", applicant=applicant, birth=birth, on=on)
    codes = [e.code for e in errors]
    assert (codes == []) is allowed, codes
    if not allowed:
        assert codes[0] in {"milestone_not_due", "milestone_none_left"}


def test_the_33_year_olds_refusal_names_the_next_milestone_and_its_first_day():
    (error,) = eligibility.request_check(
        reason="age_milestone", applicant="self", birth=date(1993, 6, 15), on=date(2027, 1, 4)
    )
    assert error.code == "milestone_not_due"
    assert error.params == {"age": 33, "next": 40, "from": "15/06/2031"}


def test_a_67_year_old_has_no_milestone_left():
    (error,) = eligibility.request_check(
        reason="age_milestone", applicant="self", birth=date(1960, 1, 1), on=date(2027, 1, 4)
    )
    assert error.code == "milestone_none_left"


@pytest.mark.parametrize(
    ("applicant", "birth", "code"),
    [
        ("self", date(2013, 1, 5), "self_under_14"),  # 13: the representative files
        ("self", date(2013, 1, 4), None),  # 14 today: files alone
        ("child", date(2013, 1, 4), "child_too_old"),
        ("child", date(2013, 1, 5), None),
        ("child", date(2026, 6, 1), None),  # a baby, filed by the parent
        ("limited", date(1980, 1, 1), None),
    ],
)
def test_who_files_by_age(applicant, birth, code):
    errors = eligibility.request_check(reason="first_card", applicant=applicant, birth=birth, on=date(2027, 1, 4))
    assert [e.code for e in errors] == ([code] if code else [])


def test_only_someone_14_or_over_can_swap_a_cccd():
    on = date(2027, 1, 4)
    assert eligibility.request_check(reason="cccd_to_card", applicant="self", birth=date(2013, 1, 4), on=on) == []
    (error,) = eligibility.request_check(reason="cccd_to_card", applicant="child", birth=date(2013, 1, 5), on=on)
    assert error.code == "switch_under_14"


@pytest.mark.parametrize("reason", ["first_card", "lost", "damaged", "own_request", "details_changed"])
def test_other_reasons_have_no_age_condition_for_an_adult(reason):
    assert (
        eligibility.request_check(reason=reason, applicant="self", birth=date(1993, 6, 15), on=date(2027, 1, 4)) == []
    )


def test_representative_required_under_14_or_with_limited_capacity():
    on = date(2027, 1, 4)
    assert eligibility.representative_required(applicant="child", birth=date(2013, 1, 5), on=on)
    assert not eligibility.representative_required(applicant="self", birth=date(2013, 1, 4), on=on)
    assert eligibility.representative_required(applicant="limited", birth=date(1980, 1, 1), on=on)


@time_machine.travel(timezone.make_aware(timezone.datetime(2027, 1, 4, 10)), tick=False)
def test_the_about_step_refuses_a_milestone_exchange_for_a_33_year_old():
    answers = {"reason": "age_milestone", "applicant": "self", "request_type": "exchange"}
    form = AboutForm(data=about_data(birth_date="15/06/1993"), answers=answers)
    assert not form.is_valid()
    messages = form.errors["birth_date"]
    assert any("33" in m and "40" in m and "15/06/2031" in m for m in messages), messages
    accepted = AboutForm(data=about_data(birth_date="15/06/1987"), answers=answers)
    accepted.is_valid()
    assert "birth_date" not in accepted.errors
