"""The CC01 items (22) and the DC02 request, as officers print them from admin."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.filings.models import Filing

from . import reference, summary

SEX_LABELS = dict(reference.SEX_CHOICES)
MARITAL_LABELS = dict(reference.MARITAL_CHOICES)


def _date(value: str | None) -> str:
    if not value:
        return ""
    return date.fromisoformat(value).strftime("%d/%m/%Y")


def _person(answers: dict, prefix: str, *, nationality: bool = True) -> str:
    name = answers.get(f"{prefix}_name") or ""
    if not name:
        return ""
    parts = [name]
    if nationality:
        parts.append(_("nationality: %(n)s") % {"n": reference.NATIONALITY_VN})
    if answers.get(f"{prefix}_id"):
        parts.append(_("ID number: %(n)s") % {"n": answers[f"{prefix}_id"]})
    return "; ".join(parts)


def cc01_items(declaration: Filing) -> list[tuple[int, str, str]]:
    a = declaration.answers
    birth_province = reference.BIRTH_PROVINCES.get(a.get("birth_province", ""), "")
    relation = dict(_relation_choices()).get(a.get("head_relation", ""), "")
    representative = _person(a, "rep", nationality=False)
    if representative and a.get("rep_relation"):
        representative += "; " + _("relation: %(r)s") % {"r": a["rep_relation"]}
    numbers = a.get("id_number", "")
    if a.get("old_id_number"):
        numbers += " / " + _("old ID card: %(n)s") % {"n": a["old_id_number"]}
    request_label = summary.REQUEST_LABELS.get(declaration.answers.get("request_type", ""), "")
    request = f"{request_label}: {summary.REASON_LABELS.get(declaration.answers.get('reason', ''), '')}"
    request += "; " + (
        _("confirm the old ID number: yes") if a.get("old_id_number") else _("confirm the old ID number: no")
    )
    request += "; " + _("delivery by post: no")
    return [
        (1, pgettext("cc01", "Full name"), a.get("full_name", "")),
        (2, _("Other name"), a.get("other_name", "")),
        (3, _("Date of birth"), _date(a.get("birth_date"))),
        (4, _("Sex"), str(SEX_LABELS.get(a.get("sex"), ""))),
        (5, _("ID card number"), numbers),
        (6, _("Ethnic group"), a.get("ethnicity", "")),
        (7, _("Religion"), a.get("religion", "")),
        (8, _("Nationality"), a.get("nationality", "")),
        (9, _("Marital status"), str(MARITAL_LABELS.get(a.get("marital_status"), ""))),
        (10, _("Blood group"), a.get("blood_group", "")),
        (11, _("Place of birth registration"), ", ".join(p for p in (a.get("birth_place", ""), birth_province) if p)),
        (12, _("Home town"), a.get("hometown", "")),
        (13, _("Permanent residence"), summary.address_text(a, "permanent")),
        (14, _("Current residence"), summary.address_text(a, "current")),
        (15, _("Occupation"), a.get("occupation", "")),
        (16, _("Education"), a.get("education", "")),
        (17, _("Father"), _person(a, "father")),
        (18, _("Mother"), _person(a, "mother")),
        (19, _("Wife or husband"), _person(a, "spouse")),
        (20, _("Legal representative"), representative),
        (21, _("Household head"), "; ".join(p for p in (_person(a, "head", nationality=False), str(relation)) if p)),
        (22, _("Citizen's request"), request),
    ]


def _relation_choices():
    from .forms import RELATION_CHOICES

    return RELATION_CHOICES


def dc02_sections(declaration: Filing) -> dict:
    a = declaration.answers
    representative = None
    if a.get("rep_name"):
        representative = {
            "name": a["rep_name"],
            "birth_date": _date(a.get("rep_birth_date")),
            "id_number": a.get("rep_id", ""),
            "relation": a.get("rep_relation", ""),
            "sex": SEX_LABELS.get(a.get("rep_sex"), ""),
        }
    requests = [f"(1) {summary.REQUEST_LABELS.get(declaration.answers.get('request_type', ''), '')}"]
    if a.get("old_id_number") and len(a["old_id_number"]) == 9:
        requests.append(
            "(2) "
            + _("Confirm the personal ID number and the 9-digit ID card number %(n)s") % {"n": a["old_id_number"]}
        )
    if a.get("delivery") == "post" and a.get("delivery_address"):
        requests.append("(11) " + _("Result: sent by post to %(address)s") % {"address": a["delivery_address"]})
    else:
        requests.append("(11) " + _("Result: collected at the receiving police station"))
    appointment = getattr(declaration, "appointment", None)
    return {
        "office": appointment.unit.display_name if appointment else "",
        "name": a.get("full_name", ""),
        "birth_date": _date(a.get("birth_date")),
        "sex": SEX_LABELS.get(a.get("sex"), ""),
        "id_number": a.get("id_number", ""),
        "residence": summary.address_text(a, "permanent"),
        "representative": representative,
        "requests": requests,
        "reason": summary.REASON_LABELS.get(declaration.answers.get("reason", ""), ""),
    }
