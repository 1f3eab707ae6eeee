"""The resume rules every journey shares: a draft is found through a signed cookie (one per procedure) or the
resume link, lives 7 days from its last change, and a submitted or expired draft is never reopened."""

from django.conf import settings

from .selectors import draft_get
from .services import DRAFT_LIFETIME, draft_confirm_from_earlier
from .tokens import DRAFT_COOKIE_SALT


def draft_cookie_name(procedure_slug: str) -> str:
    # The identity card's cookie keeps the name it had before every procedure had drafts.
    return "cccd_draft" if procedure_slug == "cap-cccd" else f"draft_{procedure_slug}"


def draft_from_cookie(request, *, procedure_slug: str):
    draft_id = request.get_signed_cookie(
        draft_cookie_name(procedure_slug),
        default=None,
        salt=DRAFT_COOKIE_SALT,
        max_age=DRAFT_LIFETIME.total_seconds(),
    )
    return draft_get(draft_id=draft_id, procedure_slug=procedure_slug)


def draft_cookie_set(response, *, draft) -> None:
    response.set_signed_cookie(
        draft_cookie_name(draft.procedure_slug),
        str(draft.id),
        salt=DRAFT_COOKIE_SALT,
        max_age=int(DRAFT_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def draft_cookie_delete(response, *, procedure_slug: str) -> None:
    response.delete_cookie(draft_cookie_name(procedure_slug))


# Families (issue 12.13): the session remembers, per phone, the confirmation that covered this browser's last
# filing, so the next child's filing in the same session needs no second code (see draft_confirm_from_earlier).
CONFIRMED_KEY = "procedures:confirmed"


def draft_confirmed_in_session(request, *, draft, phone: str) -> bool:
    """Whether `phone` (E.164) is confirmed for `draft`: by its own code, or by a family's earlier confirmation in
    this browser session (then recorded on the draft)."""
    if draft.verified_phone == phone:
        return True
    earlier = request.session.get(CONFIRMED_KEY, {}).get(phone)
    return draft_confirm_from_earlier(draft=draft, phone=phone, challenge_id=earlier)


def draft_confirmation_remember(request, *, draft, phone: str) -> None:
    """After a submission: the confirmation that covered it covers the family's next filings in this session."""
    if draft.otp_challenge_id and draft.verified_phone == phone:
        confirmed = dict(request.session.get(CONFIRMED_KEY, {}))
        confirmed[phone] = str(draft.otp_challenge_id)
        request.session[CONFIRMED_KEY] = confirmed
