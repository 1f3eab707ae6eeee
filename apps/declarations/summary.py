"""What the check page, the done page, the slip and the calendar file show, computed from stored answers."""

from datetime import date, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from apps.core.codes import code_format
from apps.core.forms.widgets import flat_choices
from apps.fees.money import vnd
from apps.fees.selectors import FeeQuote, fee_quote
from apps.filings.models import Filing
from apps.filings.selectors import filing_post_to
from apps.filings.tokens import qr_token
from apps.procedures.models import Procedure

from . import addresses, reference
from .eligibility import age_on

REQUEST_LABELS = dict(reference.REQUEST_CHOICES)
REASON_LABELS = dict(reference.REASON_CHOICES)


_GUIDE_CACHE: dict[tuple, str] = {}


def identity_fee(*, reason: str, on: date, age: int | None = None) -> FeeQuote | None:
    """The identity card's fee for a reason on the day of the visit (the fee schedule in apps.fees)."""
    return fee_quote(procedure=Procedure.IDENTITY_CARD, reason=reason, on=on, age=age)


def guide_html() -> str:
    """Step 1's guidance (each request type with its reasons, fee and what to bring), rendered once per language,
    day and fee schedule: it is the same for every citizen."""
    today = timezone.localdate()
    fees = {r.value: identity_fee(reason=r.value, on=today) for r in reference.REASONS}  # cached, no query
    key = (get_language() or "", today, tuple(fees.items()))
    if key not in _GUIDE_CACHE:
        _GUIDE_CACHE.clear()  # one day's texts at a time
        _GUIDE_CACHE[key] = render_to_string("declarations/_guide.html", {"groups": reasons_by_request(fees)})
    return _GUIDE_CACHE[key]


def reasons_by_request(fees: dict[str, FeeQuote | None]) -> list[dict]:
    return [
        {
            "label": str(label),
            "reasons": [{"label": str(r.label), "fee": fees[r.value]} for r in reference.REASONS if r.request == value],
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
            if name == "accept_notice":
                continue  # required to get this far; its version is not for the citizen (Filing.notice_version)
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


def fee_for_answers(answers: dict, *, on: date) -> FeeQuote | None:
    birth = answers.get("birth_date")
    age = age_on(birth, on) if birth else None
    return identity_fee(reason=answers["reason"], on=on, age=age)


# Sending a result by post is its own schedule (a postal charge, not a fee: the identity card's reductions do not
# apply); officers add its rows in admin, per procedure posted (reason) or for all (reason left empty).
POSTAL_DELIVERY = "chuyen-phat"


def postal_fee(answers: dict, *, on: date) -> FeeQuote | None | bool:
    """The charge for sending the card by post when the citizen asked for it (None: told at the counter), else
    False."""
    if answers.get("delivery") != "post":
        return False
    return fee_quote(procedure=POSTAL_DELIVERY, reason=Procedure.IDENTITY_CARD, on=on)


def fee_change_notice(answers: dict, *, day: date, today: date) -> str:
    """The slot picker's warning when a visit on `day` would cost another amount than one today (the fee quoted on
    step 1): a reduction ending, a new circular. Empty when the fee is the same."""
    if not answers.get("reason"):
        return ""
    on_day, now = fee_for_answers(answers, on=day), fee_for_answers(answers, on=today)
    if on_day is None or now is None or on_day.amount == now.amount:
        return ""

    def amount(fee: FeeQuote) -> str:
        return vnd(fee.amount) if fee.amount else pgettext("fee", "free")

    return _("The fee for a visit on %(day)s is %(amount)s, not %(today)s as today (%(basis)s).") % {
        "day": day.strftime("%d/%m/%Y"),
        "amount": amount(on_day),
        "today": amount(now),
        "basis": on_day.basis,
    }


def address_text(answers: dict, prefix: str) -> str:
    if prefix == "current" and answers.get("current_same"):
        prefix = "permanent"
    parts = [
        answers.get(f"{prefix}_street") or "",
        addresses.ward_name(answers.get(f"{prefix}_ward")) if answers.get(f"{prefix}_ward") else "",
        addresses.province_name(answers.get(f"{prefix}_province")) if answers.get(f"{prefix}_province") else "",
    ]
    return ", ".join(p for p in parts if p)


def _appointment(declaration: Filing):
    return getattr(declaration, "appointment", None)


def done_context(declaration: Filing, *, token: str) -> dict:
    appointment = _appointment(declaration)
    # The fee is the one in force on the day of the visit (Vietnam's calendar day), not on the day of filing.
    visit_day = timezone.localdate(appointment.starts_at) if appointment else timezone.localdate()
    birth = declaration.birth_date
    answers = declaration.answers
    fee = identity_fee(reason=answers["reason"], on=visit_day, age=age_on(birth, visit_day))
    bring = (*reference.WHAT_TO_BRING[answers["request_type"]], *reference.WHAT_TO_BRING_ALWAYS)
    # A cancelled booking's QR, slip and calendar file are no longer offered (issue 12.12): the counter would
    # refuse them, and the citizen can book again.
    live = declaration.state != "cancelled"
    return {
        "declaration": declaration,
        "code_display": code_format(declaration.code),
        "request_label": REQUEST_LABELS.get(answers["request_type"], ""),
        "reason_label": REASON_LABELS.get(answers["reason"], ""),
        "appointment": appointment,
        "fee": fee,
        "post_to": filing_post_to(filing=declaration),
        "bring": bring,
        "token": token,
        "cancelled": not live,
        "qr_url": reverse("declarations:receipt-qr", args=[token]) if live else "",
        "slip_url": reverse("declarations:slip", args=[token]) if live else "",
        "slip_png_url": reverse("declarations:slip-png", args=[token]) if live else "",
        "ics_url": reverse("declarations:ics", args=[token]) if appointment and live else "",
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
        lines.append((_("Place"), f"{appointment.unit.display_name}, {appointment.unit.display_address}"))
        lines.append((_("Date and time"), date_format(timezone.localtime(appointment.starts_at), "l d/m/Y H:i")))
    fee = context["fee"]
    fee_text = _("Free") if fee is not None and not fee.amount else _("Told at the counter")
    lines.append((pgettext("receipt", "Fee"), vnd(fee.amount) if fee is not None and fee.amount else fee_text))
    return lines


def calendar_event(declaration: Filing) -> dict | None:
    appointment = _appointment(declaration)
    if appointment is None:
        return None
    ends_at = getattr(appointment, "ends_at", None) or appointment.starts_at + timedelta(minutes=30)
    return {
        "uid": f"{declaration.code}@cccd-portal",
        "starts_at": appointment.starts_at,
        "ends_at": ends_at,
        "summary": _("Identity card appointment – filing code %(code)s") % {"code": code_format(declaration.code)},
        "location": f"{appointment.unit.display_name}, {appointment.unit.display_address}",
        "description": _("Bring this code and your current card. Look up or change: %(url)s")
        % {"url": settings.SITE_URL + reverse("filings:lookup")},
        "url": settings.SITE_URL + reverse("filings:lookup"),
    }


# --- A stored filing's answers (JSON), for officers and for a correction -----------------------------------------
def answers_from_json(stored: dict) -> dict:
    """The stored answers (dates as ISO text, the phone as E.164) back as the step forms' cleaned values."""
    import contextlib
    import re

    from phonenumber_field.phonenumber import PhoneNumber

    answers = {}
    for name, value in (stored or {}).items():
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        elif name == "phone" and isinstance(value, str) and value.startswith("+"):
            value = PhoneNumber.from_string(value)
        answers[name] = value
    return answers


# The CC01-era questions (form version 1, before DC02): no longer asked, still shown for the filings that have them.
LEGACY_FIELDS = (
    ("other_name", gettext_lazy("Other name, if any")),
    ("ethnicity", gettext_lazy("Ethnic group")),
    ("religion", gettext_lazy("Religion")),
    ("nationality", gettext_lazy("Nationality")),
    ("marital_status", gettext_lazy("Marital status")),
    ("blood_group", gettext_lazy("Blood group, if known from a test")),
    ("birth_province", gettext_lazy("Province where your birth was registered")),
    ("birth_place", gettext_lazy("Commune and district of birth registration")),
    ("hometown", gettext_lazy("Home town (quê quán)")),
    ("father_name", gettext_lazy("Father's full name")),
    ("father_id", gettext_lazy("Father's ID number, if known")),
    ("mother_name", gettext_lazy("Mother's full name")),
    ("mother_id", gettext_lazy("Mother's ID number, if known")),
    ("spouse_name", gettext_lazy("Wife's or husband's full name")),
    ("spouse_id", gettext_lazy("Wife's or husband's ID number, if known")),
    ("head_name", gettext_lazy("Household head's full name")),
    ("head_id", gettext_lazy("Household head's ID number, if known")),
    ("head_relation", gettext_lazy("Your relation to the household head")),
    ("occupation", gettext_lazy("Occupation")),
    ("education", gettext_lazy("Highest education level")),
)
LEGACY_SECTION = gettext_lazy("Asked before 1 July 2024 (form CC01)")


def _legacy_value(name: str, value) -> str:
    if name == "marital_status":
        return str(dict(reference.MARITAL_CHOICES).get(value, value))
    if name == "birth_province":
        return reference.BIRTH_PROVINCES.get(value, value)
    if name == "head_relation":
        from .forms import RELATION_CHOICES

        return str(dict(RELATION_CHOICES).get(value, value))
    return str(value)


def stored_answer_rows(stored: dict) -> list:
    """Every answer of a stored identity-card filing as labelled fields, section by section (the officer's review
    and the comparison of a corrected filing with the answers it replaced)."""
    from apps.filings.answers import AnswerRow

    rows = [
        AnswerRow(key=row["name"], label=row["label"], value=row["value"], section=section["title"])
        for section in answer_sections(answers_from_json(stored))
        for row in section["rows"]
    ]
    stored = stored or {}
    rows += [
        AnswerRow(key=name, label=label, value=_legacy_value(name, stored[name]), section=LEGACY_SECTION)
        for name, label in LEGACY_FIELDS
        if stored.get(name) not in (None, "")
    ]
    return rows


def step_data_from_json(stored: dict) -> dict[str, dict[str, str]]:
    """The stored answers as each step's form data (what the citizen would have typed), to reopen the journey
    prefilled for a correction."""
    answers = answers_from_json(stored)
    data = {}
    for step in forms_steps():
        form = step.form_class(answers=answers, initial=answers)
        raw = {}
        for name in form.fields:
            value = answers.get(name)
            if name not in answers or value is None or value is False:
                continue
            if value is True:
                raw[name] = "on"
            elif isinstance(value, date):
                raw[name] = value.strftime("%d/%m/%Y")
            elif hasattr(value, "as_national"):
                raw[name] = "".join(value.as_national.split())
            else:
                raw[name] = str(value)
        data[step.slug] = raw
    return data
