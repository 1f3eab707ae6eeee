"""The resume rules every journey shares: a draft is found through a signed cookie (one per procedure) or the
resume link, lives 7 days from its last change, and a submitted or expired draft is never reopened.

Both the cookie and the link carry the draft's `key`. A draft belongs to one browser at a time. The resume link
opened in the browser that has the draft continues it at once; opened in any other browser it shows no answer
until the citizen proves the draft is theirs (`draft_resume_respond`): a code sent to the mobile number the draft
holds, or, for a draft with no number yet, its date of birth; a few wrong answers close the link to other
browsers. The check passed, the draft moves to that browser under a new key, so an old or leaked link stops
working, and whoever sent a link cannot read what its receiver types later (issue 12.5).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.forms.journey import (
    CodeForm,
    DayMonthYearField,
    JourneyForm,
    form_errors_keep,
    form_errors_pop,
    form_show_errors,
)
from apps.core.ratelimit import client_address
from apps.procedures.models import Procedure

from . import services
from .selectors import draft_get
from .services import DRAFT_LIFETIME, draft_confirm_from_earlier, draft_create, draft_save_step
from .tokens import DRAFT_COOKIE_SALT

MSG_RESUME_CODE_SENT = _("We sent a 6-digit code to the mobile number ending in %(end)s.")


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


@dataclass(frozen=True)
class ResumeFactors:
    """What a draft holds that only its citizen knows or has: the mobile number typed (E.164; a code is sent to
    it) and the date of birth. Each journey reads them from its own answers."""

    phone: str = ""
    birth_date: date | None = None


class ResumeBirthDateForm(JourneyForm):
    birth_date = DayMonthYearField(label=_("Date of birth given in the form"))


def _resume_session_key(draft) -> str:
    return f"filings:resume:{draft.id}"


def draft_resume_respond(request, *, key, procedure_slug: str, factors, continue_to, expired):
    """The resume link's page, for every journey. `factors(draft) -> ResumeFactors`; `continue_to(draft) -> url`
    (the step the draft reached); `expired() -> response` (no open draft behind the link).

    This browser's own draft continues at once. Any other browser sees only the check (no answer, not even the
    name): the code sent to the draft's number, else its date of birth, else nothing to check with (the draft
    continues only where it was started). Every POST ends in a redirect (issue 12.9)."""
    draft = draft_get(key=key, procedure_slug=procedure_slug)
    if draft is None:
        return expired()
    if draft_key_from_cookie(request, procedure_slug=procedure_slug) == str(draft.key):
        response = redirect(continue_to(draft))
        draft_cookie_set(response, draft=draft)
        return response
    found = factors(draft)
    page = _resume_session_key(draft)
    if request.method == "POST":
        return _resume_post(request, draft=draft, found=found, page=page, continue_to=continue_to)
    kept = form_errors_pop(request, page=page)
    challenge_id = request.session.get(page)
    context = {
        "procedure": Procedure.objects.filter(slug=procedure_slug).first(),
        "locked": services.draft_resume_locked(draft=draft),
        "by_code": bool(found.phone),
        "by_birth_date": not found.phone and found.birth_date is not None,
        "phone_end": found.phone[-3:],
        "code_sent": bool(challenge_id),
        "code_form": form_show_errors(CodeForm(), {k: v for k, v in kept.items() if k == "code"}),
        "birth_form": form_show_errors(ResumeBirthDateForm(), {k: v for k, v in kept.items() if k == "birth_date"}),
        "send_errors": kept.get("send", []),
        "start_url": reverse("declarations:start")
        if procedure_slug == Procedure.IDENTITY_CARD
        else reverse("procedures:start", kwargs={"slug": procedure_slug}),
    }
    return render(request, "filings/resume_check.html", context)


def _resume_post(request, *, draft, found: ResumeFactors, page: str, continue_to):
    here = request.path
    action = request.POST.get("action")
    try:
        if action == "send" and found.phone:
            challenge = services.draft_resume_send_code(
                draft=draft, phone=found.phone, language=get_language(), client=client_address(request) or "unknown"
            )
            request.session[page] = str(challenge.id)
            messages.info(request, MSG_RESUME_CODE_SENT % {"end": found.phone[-3:]})
            return redirect(here)
        if action == "code" and found.phone:
            form = CodeForm(data=request.POST)
            if not form.is_valid():
                form_errors_keep(request, page=page, errors=form.errors)
                return redirect(here)
            draft = services.draft_resume_by_code(
                draft=draft,
                phone=found.phone,
                challenge=_resume_challenge(request, page),
                code=form.cleaned_data["code"],
            )
        elif action == "birth" and not found.phone and found.birth_date is not None:
            form = ResumeBirthDateForm(data=request.POST)
            if not form.is_valid():
                form_errors_keep(request, page=page, errors=form.errors)
                return redirect(here)
            draft = services.draft_resume_by_birth_date(
                draft=draft, birth_date=form.cleaned_data["birth_date"], expected=found.birth_date
            )
        else:
            return redirect(here)
    except ValidationError as error:
        field = {"send": "send", "code": "code", "birth": "birth_date"}[action]
        form_errors_keep(request, page=page, errors={field: error.messages})
        return redirect(here)
    request.session.pop(page, None)
    response = redirect(continue_to(draft))
    draft_cookie_set(response, draft=draft)
    return response


def _resume_challenge(request, page: str):
    from apps.notifications.selectors import otp_challenge_get

    challenge_id = request.session.get(page)
    return otp_challenge_get(challenge_id=challenge_id) if challenge_id else None


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
