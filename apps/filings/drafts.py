"""The resume rules every journey shares: a draft is found through a signed cookie (one per procedure) or the
resume link, lives 7 days from its last change, and a submitted or expired draft is never reopened.

Both the cookie and the link carry the draft's `key`. A draft belongs to one browser at a time: the resume link
opened in another browser moves the draft there under a new key (`draft_resume`), so the sender of a link cannot
read what its receiver types later, and an old link stops working once used elsewhere (issue 12.5).
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import draft_get
from .services import DRAFT_LIFETIME, draft_confirm_from_earlier, draft_create, draft_rekey, draft_save_step
from .tokens import DRAFT_COOKIE_SALT


def draft_cookie_name(procedure_slug: str) -> str:
    # The identity card's cookie keeps the name it had before every procedure had drafts.
    return "cccd_draft" if procedure_slug == "cap-cccd" else f"draft_{procedure_slug}"


def draft_key_from_cookie(request, *, procedure_slug: str) -> str | None:
    return request.get_signed_cookie(
        draft_cookie_name(procedure_slug),
        default=None,
        salt=DRAFT_COOKIE_SALT,
        max_age=DRAFT_LIFETIME.total_seconds(),
    )


def draft_from_cookie(request, *, procedure_slug: str):
    return draft_get(key=draft_key_from_cookie(request, procedure_slug=procedure_slug), procedure_slug=procedure_slug)


def draft_resume(request, *, key, procedure_slug: str):
    """The draft behind a resume link, for this browser: unchanged when this browser already has it, else moved
    here under a new key (the caller sets the cookie from `draft.key`). None when expired or submitted."""
    draft = draft_get(key=key, procedure_slug=procedure_slug)
    if draft is None:
        return None
    if draft_key_from_cookie(request, procedure_slug=procedure_slug) != str(draft.key):
        draft_rekey(draft=draft)
    return draft


def draft_posted_version(request) -> int | None:
    """The draft version a journey page was rendered with (its hidden `draft_version`), None when absent."""
    try:
        return int(request.POST["draft_version"])
    except (KeyError, ValueError):
        return None


def draft_save_posted(request, *, draft, procedure_slug: str, step: str, data: dict, invalid: bool):
    """Save a journey page's POST into this browser's draft, creating the draft when the browser has none.

    Returns `(draft, created)`; a created draft needs its cookie (`draft_cookie_set`). The page's version is
    checked (DraftConflict when another tab changed the draft since); a new draft has nothing to conflict with.
    """
    created = draft is None
    if created:
        draft = draft_create(procedure_slug=procedure_slug)
    draft_save_step(
        draft=draft,
        step=step,
        data=data,
        version=None if created else draft_posted_version(request),
        invalid=invalid,
    )
    return draft, created


def draft_cookie_set(response, *, draft) -> None:
    response.set_signed_cookie(
        draft_cookie_name(draft.procedure_slug),
        str(draft.key),
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


def draft_lost_redirect(request, *, procedure_slug: str):
    """To the page explaining that this browser's answers were not found (issue 12.10): no draft cookie (cookies
    cleared or blocked, another device) or one whose draft is gone (expired, or continued in another browser)."""
    url = reverse("filings:draft-lost", kwargs={"slug": procedure_slug})
    if draft_key_from_cookie(request, procedure_slug=procedure_slug):
        url += "?het-han=1"
    return redirect(url)
