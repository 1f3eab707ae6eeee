"""The resume rules every journey shares: a draft is found through a signed cookie (one per procedure) or the
resume link, lives 7 days from its last change, and a submitted or expired draft is never reopened."""

from django.conf import settings

from .selectors import draft_get
from .services import DRAFT_LIFETIME
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
