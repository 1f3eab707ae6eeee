"""What the check page, the done page, the slip and the calendar file show, computed from stored answers."""

from datetime import date, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from apps.core.codes import code_format
from apps.filings.tokens import qr_token

from . import addresses, forms, reference
from .models import Declaration
from .widgets import flat_choices

REQUEST_LABELS = dict(reference.REQUEST_CHOICES)
REASON_LABELS = dict(reference.REASON_CHOICES)


_GUIDE_CACHE: dict[tuple[str, date], str] = {}


def guide_html() -> str:
    """Step 1's guidance (each request type with its reasons, fee and what to bring), rendered once per language
    and day: it is the same for every citizen."""
    today = timezone.localdate()
    key = (get_language() or "", today)
    if key not in _GUIDE_CACHE:
        _GUIDE_CACHE.clear()  # one day's texts at a time
        _GUIDE_CACHE[key] = render_to_string("declarations/_guide.html", {"groups": reasons_by_request(today)})
    return _GUIDE_CACHE[key]


def reasons_by_request(today: date) -> list[dict]:
    return [
        {
            "label": str(label),
            "reasons": [
                {"label": str(r.label), "fee": reference.fee_for(reason=r.value, on=today)}
                for r in reference.REASONS
                if r.request == value
            ],
            "bring": [str(item) for item in reference.WHAT_TO_BRING[value]],
        }
        for value, label in reference.REQUEST_CHOICES
    ]


def _display(field, value) -> str:
    if value in (None, "", False):
        return "—" if value is not False else _("No")
    if value is True:
        return _("Yes")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    choices = getattr(field, "choices", None)
    if choices:
        for choice, label in flat_choices(choices):
            if str(choice) == str(value):
                return str(label)
    if hasattr(value, "as_national"):
        return value.as_national
    return str(value)


def answer_sections(answers: dict) -> list[dict]:
    """Every answer, grouped by step, with the step to change it (the check page)."""
    sections = []
    for step in forms_steps():
        form = step.form_class(answers=answers, initial=answers)
        rows = []
        for name, field in form.fields.items():
            if name.endswith("_old_name"):
                continue
            if name.startswith("current_") and name != "current_same" and answers.get("current_same"):
                continue
            value = answers.get(name)
            if name.endswith("_province") and step.slug == "dia-chi":
                text = addresses.province_name(value) if value else "—"
            elif name.endswith("_ward"):
                text = addresses.ward_name(value) if value else "—"
            else:
                text = _display(field, value)
            rows.append({"label": field.label, "value": text, "name": name})
        url = reverse("declarations:start") if not step.slug else reverse("declarations:step", args=[step.slug])
        sections.append({"title": step.title, "change_url": url + "?sua=1", "rows": rows})
    return sections


def forms_steps():
    from .selectors import FORM_STEPS

    return FORM_STEPS


def fee_for_answers(answers: dict, *, on: date) -> reference.Fee:
    birth = answers.get("birth_date")
    age = forms.age_on(birth, on) if birth else None
    return reference.fee_for(reason=answers["reason"], on=on, age=age)


def address_text(answers: dict, prefix: str) -> str:
    if prefix == "current" and answers.get("current_same"):
        prefix = "permanent"
    parts = [
        answers.get(f"{prefix}_street") or "",
        addresses.ward_name(answers.get(f"{prefix}_ward")) if answers.get(f"{prefix}_ward") else "",
        addresses.province_name(answers.get(f"{prefix}_province")) if answers.get(f"{prefix}_province") else "",
    ]
    return ", ".join(p for p in parts if p)


def _appointment(declaration: Declaration):
    return getattr(declaration, "appointment", None)


def done_context(declaration: Declaration, *, token: str) -> dict:
    appointment = _appointment(declaration)
    visit_day = appointment.starts_at.date() if appointment else date.today()
    birth = declaration.birth_date
    fee = reference.fee_for(reason=declaration.reason, on=visit_day, age=forms.age_on(birth, visit_day))
    bring = (*reference.WHAT_TO_BRING[declaration.request_type], *reference.WHAT_TO_BRING_ALWAYS)
    return {
        "declaration": declaration,
        "code_display": code_format(declaration.code),
        "request_label": REQUEST_LABELS.get(declaration.request_type, ""),
        "reason_label": REASON_LABELS.get(declaration.reason, ""),
        "appointment": appointment,
        "fee": fee,
        "bring": bring,
        "token": token,
        "qr_url": reverse("declarations:receipt-qr", args=[token]),
        "slip_url": reverse("declarations:slip", args=[token]),
        "slip_png_url": reverse("declarations:slip-png", args=[token]),
        "ics_url": reverse("declarations:ics", args=[token]) if appointment else "",
        "done_url": reverse("declarations:done", args=[token]),
        "qr_token": qr_token(declaration.code),
    }


def slip_lines(context: dict) -> list[tuple[str, str]]:
    declaration = context["declaration"]
    appointment = context["appointment"]
    lines = [
        (_("Name"), declaration.holder_name),
        (_("Request"), f"{context['request_label']}: {context['reason_label']}"),
    ]
    if appointment:
        lines.append((_("Place"), f"{appointment.unit.display_name}, {appointment.unit.address}"))
        lines.append((_("Date and time"), date_format(appointment.starts_at, "l d/m/Y H:i")))
    fee = context["fee"]
    lines.append((pgettext("receipt", "Fee"), _("Free") if not fee.amount else f"{fee.amount:,} đ".replace(",", ".")))
    return lines


def calendar_event(declaration: Declaration) -> dict | None:
    appointment = _appointment(declaration)
    if appointment is None:
        return None
    ends_at = getattr(appointment, "ends_at", None) or appointment.starts_at + timedelta(minutes=30)
    return {
        "uid": f"{declaration.code}@cccd-portal",
        "starts_at": appointment.starts_at,
        "ends_at": ends_at,
        "summary": _("Identity card appointment – code %(code)s") % {"code": code_format(declaration.code)},
        "location": f"{appointment.unit.display_name}, {appointment.unit.address}",
        "description": _("Bring this code and your current card. Look up or change: %(url)s")
        % {"url": settings.SITE_URL + reverse("declarations:lookup")},
        "url": settings.SITE_URL + reverse("declarations:lookup"),
    }
