"""Reads of filings: finding one (lookup, signed addresses), its timeline in plain words, drafts."""

from dataclasses import dataclass
from datetime import date, datetime

from django.core import signing
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from apps.core.codes import code_is_valid, code_normalize

from .models import Draft, Filing, FilingEvent, FilingState, FilingVersion
from .transitions import CHANGEABLE, CITIZEN, OFFICER, Move, moves_from

# The identity card's result is the card itself: its "ready" reads "card ready".
READY_LABELS = {"cap-cccd": _("Card ready")}
# The usual road of a filing, shown ahead of where it stands so the citizen sees what comes next.
ROAD = (FilingState.SUBMITTED, FilingState.RECEIVED, FilingState.IN_PROGRESS, FilingState.READY)


def _filings():
    return Filing.objects.select_related("procedure", "appointment__unit", "appointment__slot")


def filing_get(*, code: str) -> Filing | None:
    return _filings().filter(code=code_normalize(code)).first()


def filing_find(*, code: str, phone=None, birth_date: date | None = None) -> Filing | None:
    """The filing with this code, only when the second factor matches too (the code alone reveals nothing)."""
    code = code_normalize(code)
    if not code_is_valid(code) or (phone is None and birth_date is None):
        return None
    filing = _filings().filter(code=code).first()
    if filing is None:
        return None
    if phone is not None and filing.phone != phone:
        return None
    if birth_date is not None and filing.birth_date != birth_date:
        return None
    return filing


def filing_from_token(*, token: str, unsign, slug: str | None = None) -> Filing | None:
    """The filing behind a signed address (`unsign` is one of `tokens.*_code`), or None when forged/expired."""
    try:
        code = unsign(token)
    except signing.BadSignature:
        return None
    filings = _filings().filter(code=code)
    if slug is not None:
        filings = filings.filter(procedure__slug=slug)
    return filings.first()


def filing_state_label(*, filing: Filing, state: str | None = None) -> str | Promise:
    state = state or filing.state
    if state == FilingState.READY and filing.procedure.slug in READY_LABELS:
        return READY_LABELS[filing.procedure.slug]
    return dict(FilingState.choices).get(state, state)


@dataclass(frozen=True)
class TimelineEntry:
    state: str
    label: str | Promise
    at: datetime | None  # None: a step still to come
    reason: str = ""
    current: bool = False


def filing_timeline(*, filing: Filing, events: list[FilingEvent] | None = None) -> list[TimelineEntry]:
    """What happened to the filing, oldest first, then the usual steps still ahead (without a time)."""
    if events is None:
        events = list(FilingEvent.objects.filter(filing=filing).order_by("at", "id"))
    entries = [
        TimelineEntry(
            state=e.state,
            label=filing_state_label(filing=filing, state=e.state),
            at=e.at,
            reason=e.reason,
            current=i == len(events) - 1,
        )
        for i, e in enumerate(events)
    ]
    if filing.state in ROAD:
        for state in ROAD[ROAD.index(filing.state) + 1 :]:
            entries.append(TimelineEntry(state=state, label=filing_state_label(filing=filing, state=state), at=None))
    return entries


def filing_post_to(*, filing: Filing) -> str:
    """The address the result is posted to (DC02 III(11)) when the citizen chose delivery by post, else ""."""
    answers = filing.answers or {}
    return answers.get("delivery_address", "") if answers.get("delivery") == "post" else ""


def filing_last_reason(*, filing: Filing) -> str:
    """The reason given for the filing's current state (e.g. what to correct), or ""."""
    event = FilingEvent.objects.filter(filing=filing, state=filing.state).order_by("-at", "-id").first()
    return event.reason if event else ""


def filing_moves(*, filing: Filing, actor: str = OFFICER) -> list[Move]:
    """The moves `actor` may make from where the filing stands (for the officers' buttons)."""
    return moves_from(state=filing.state, actor=actor)


def filing_can_correct(*, filing: Filing) -> bool:
    """A filing returned for correction: the citizen may send it back corrected."""
    return any(m.target == FilingState.SUBMITTED for m in moves_from(state=filing.state, actor=CITIZEN))


def filing_is_changeable(*, filing: Filing) -> bool:
    return filing.state in CHANGEABLE


def draft_get(*, key, procedure_slug: str | None = None) -> Draft | None:
    """A draft still open (not expired, not yet submitted), found by its key (the cookie's or the link's)."""
    if not key:
        return None
    drafts = Draft.objects.select_related("hold__unit", "hold__slot", "otp_challenge").filter(
        key=key, expires_at__gt=timezone.now(), filing__isnull=True
    )
    if procedure_slug is not None:
        drafts = drafts.filter(procedure_slug=procedure_slug)
    return drafts.first()


def filing_done_path(*, filing: Filing) -> str:
    """The filing's done page (code, QR, slip), the same address shape for every procedure:
    `/thu-tuc/<slug>/hoan-tat/<signed code>/`, in the current language."""
    from .tokens import receipt_token

    return f"{filing.procedure.start_path}hoan-tat/{receipt_token(filing.code)}/"


def filing_answer_rows(*, filing: Filing) -> list:
    """The filing's current answers as labelled fields (`answers.AnswerRow`), in the current language."""
    from .answers import answers_rows

    return answers_rows(procedure_slug=filing.procedure.slug, holder_name=filing.holder_name, answers=filing.answers)


@dataclass(frozen=True)
class FilingCorrection:
    version: FilingVersion  # the answers the correction replaced
    at: datetime
    changes: list  # [answers.AnswerChange]
    number: int = 1  # the first correction is 1
    reason: str = ""  # what the officer asked to correct (the return's reason)
    returned_by: str = ""  # the officer who returned it (user name)


def filing_corrections(*, filing: Filing) -> list[FilingCorrection]:
    """Every correction the citizen sent, newest first: when, the officer's return it answered (reason, who), and
    which labelled fields changed from the answers it replaced to the answers that followed (the next correction's
    replaced ones, or the filing's current answers for the latest). Empty when never corrected. Two queries."""
    from .answers import answers_changes, answers_rows

    versions = list(FilingVersion.objects.filter(filing=filing).select_related("event").order_by("number"))
    if not versions:
        return []
    returns = list(
        FilingEvent.objects.filter(filing=filing, state=FilingState.RETURNED)
        .order_by("at", "id")
        .values("at", "reason", "username")
    )
    slug = filing.procedure.slug
    rows = [answers_rows(procedure_slug=slug, holder_name=v.holder_name, answers=v.answers) for v in versions]
    rows.append(filing_answer_rows(filing=filing))
    corrections = []
    for index, version in enumerate(versions):
        sent_at = version.event.at if version.event else version.replaced_at
        answered = [r for r in returns if r["at"] <= sent_at]
        last_return = answered[-1] if answered else {}
        corrections.append(
            FilingCorrection(
                version=version,
                at=version.replaced_at,
                changes=answers_changes(before=rows[index], after=rows[index + 1]),
                number=index + 1,
                reason=last_return.get("reason", ""),
                returned_by=last_return.get("username", ""),
            )
        )
    return corrections[::-1]


def filing_last_correction(*, filing: Filing) -> FilingCorrection | None:
    """The citizen's latest correction (see filing_corrections), or None when the answers were never corrected."""
    corrections = filing_corrections(filing=filing)
    return corrections[0] if corrections else None


def filing_resubmitted() -> Q:
    """Filings the citizen corrected and sent again that no officer has handled since: back in "submitted" after a
    correction (`corrected_at`, partial index `filing_waiting_recheck`: reads only those, however many corrections
    the table keeps). What the review queue and the dashboard make stand out."""
    return Q(state=FilingState.SUBMITTED, corrected_at__isnull=False)


def filing_returned_by() -> Subquery:
    """The user id of the officer who last returned the filing for correction (annotate with it)."""
    return Subquery(
        FilingEvent.objects.filter(filing=OuterRef("pk"), state=FilingState.RETURNED)
        .order_by("-at", "-id")
        .values("user")[:1]
    )


@dataclass(frozen=True)
class ResubmittedCount:
    total: int
    returned_by_me: int


def filing_resubmitted_count(*, filings, user) -> ResubmittedCount:
    """Among `filings` (already scoped to the officer's units): those corrected and waiting for a new check, and
    those of them the officer `user` had returned. One query."""
    from django.db.models import Count

    waiting = filings.filter(filing_resubmitted()).annotate(returned_by=filing_returned_by())
    counts = waiting.aggregate(total=Count("pk"), mine=Count("pk", filter=Q(returned_by=user.pk)))
    return ResubmittedCount(total=counts["total"], returned_by_me=counts["mine"])
