"""A citizen's requests about their data (Decree 13/2023, Law 91/2025): find everything held about a card
number or a phone, export it for them, erase it. Each step is recorded with who and why (`SubjectRequest` and
the back office's audit log); corrections are made on each record's own admin page, which the audit log keeps.

`HOLDERS` lists every place a citizen's identifiers are stored, in deletion order (a filing before the booking it
protects). Erasure deletes those rows, then scrubs the identifiers out of the texts that only mention them (audit
details, state-change reasons), so nothing but the erasure's own audit entry names the person.
"""

import json
import re

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from apps.privacy.models import SubjectRequest, SubjectRequestAction

NOT_AN_IDENTIFIER = _("Enter a 12-digit personal ID number or a Vietnamese mobile number.")
REASON_REQUIRED = _("Say why: the request and its reference (e.g. the citizen's letter of 3 March).")
ERASED = "[đã xóa]"

# (model label, fields holding the card number, fields holding the phone, JSON/text fields that may hold either)
HOLDERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("filings.Draft", (), ("verified_phone",), ("data",)),
    ("filings.FilingVersion", (), (), ("answers",)),
    ("filings.Filing", ("id_number",), ("phone",), ("answers",)),
    ("appointments.Appointment", ("id_number",), ("phone",), ()),
    ("notifications.OtpChallenge", (), ("phone",), ()),
    ("notifications.Notification", (), ("phone",), ("context", "body")),
    ("notifications.ZaloFollower", (), ("shared_phone",), ()),
    ("reports.Report", (), ("contact_phone",), ("description",)),
)
# Texts that may mention a person without being theirs: scrubbed, not deleted.
MENTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("backoffice.AuditLogEntry", ("object_repr", "detail")),
    ("filings.FilingEvent", ("reason",)),
    ("reports.ReportEvent", ("note",)),
)


def subject_identifiers(*, query: str) -> list[str]:
    """The forms an identifier is stored in: a card number as typed; a phone as E.164 and as dialled (0…)."""
    digits = re.sub(r"\D", "", query or "")
    if len(digits) == 12 and not query.strip().startswith("+"):
        return [digits]
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if digits.startswith("0") and len(digits) == 10:
        return ["+84" + digits[1:], digits]
    raise ValidationError({"query": ValidationError(NOT_AN_IDENTIFIER, code="not_an_identifier")})


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:  # an app not installed in this deployment
        return None


def _matches(model, id_fields, phone_fields, text_fields, needles):
    q = models.Q()
    for needle in needles:
        for name in id_fields + phone_fields:
            q |= models.Q(**{name: needle})
        for name in text_fields:
            q |= models.Q(**{f"_text_{name}__contains": needle})
    annotations = {f"_text_{name}": Cast(name, models.TextField()) for name in text_fields}
    return model._default_manager.annotate(**annotations).filter(q)


def subject_data_find(*, query: str) -> dict[str, list]:
    """Every record held about the identifier, per kind of record (model label)."""
    needles = subject_identifiers(query=query)
    found = {}
    for label, id_fields, phone_fields, text_fields in HOLDERS:
        model = _model(label)
        if model is None:
            continue
        rows = list(_matches(model, id_fields, phone_fields, text_fields, needles))
        if rows:
            found[label] = rows
    return found


def _mask(query: str) -> str:
    digits = re.sub(r"\D", "", query)
    return "•" * max(0, len(digits) - 3) + digits[-3:]


def _record(*, officer, action, query, reason, found) -> SubjectRequest:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ValidationError(REASON_REQUIRED, code="reason_required")})
    request = SubjectRequest(
        officer=officer,
        action=action,
        subject=_mask(query),
        reason=reason,
        counts={label: len(rows) for label, rows in found.items()},
    )
    request.full_clean()
    request.save()
    return request


def subject_data_search(*, officer, query: str, reason: str) -> tuple[SubjectRequest, dict[str, list]]:
    from apps.backoffice.models import AuditAction
    from apps.backoffice.services import audit_record

    found = subject_data_find(query=query)
    request = _record(officer=officer, action=SubjectRequestAction.FIND, query=query, reason=reason, found=found)
    audit_record(user=officer, action=AuditAction.VIEW, obj=request, detail=request.reason)
    return request, found


def subject_data_export(*, officer, query: str, reason: str) -> bytes:
    """A JSON file of every record held about the identifier, to hand to the citizen."""
    from apps.backoffice.models import AuditAction
    from apps.backoffice.services import audit_record

    found = subject_data_find(query=query)
    request = _record(officer=officer, action=SubjectRequestAction.EXPORT, query=query, reason=reason, found=found)
    audit_record(user=officer, action=AuditAction.EXPORT, obj=request, detail=request.reason)
    document = {label: json.loads(serializers.serialize("json", rows)) for label, rows in found.items()}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()


@transaction.atomic
def subject_data_erase(*, officer, query: str, reason: str) -> SubjectRequest:
    """Delete every record held about the identifier and scrub it from texts that mention it; audited."""
    from apps.backoffice.models import AuditAction
    from apps.backoffice.services import audit_record

    needles = subject_identifiers(query=query)
    found = subject_data_find(query=query)
    request = _record(officer=officer, action=SubjectRequestAction.ERASE, query=query, reason=reason, found=found)
    names = {row.holder_name for rows in found.values() for row in rows if getattr(row, "holder_name", "")}
    appointments = set()
    for label, id_fields, phone_fields, text_fields in HOLDERS:
        model = _model(label)
        if model is None:
            continue
        ids = list(_matches(model, id_fields, phone_fields, text_fields, needles).values_list("pk", flat=True))
        rows = model._default_manager.filter(pk__in=ids)
        if _has(model, "appointment"):
            appointments |= {pk for pk in rows.values_list("appointment_id", flat=True) if pk}
        if label == "reports.Report":
            _delete_photo_files(report_ids=ids)
        rows.delete()
    _model("appointments.Appointment")._default_manager.filter(pk__in=appointments).delete()
    _scrub(needles + sorted(names, key=len, reverse=True))
    audit_record(user=officer, action=AuditAction.DELETE, obj=request, detail=request.reason)
    return request


def _delete_photo_files(*, report_ids) -> None:
    from apps.reports.models import ReportPhoto

    files = [(p.image.storage, p.image.name) for p in ReportPhoto.objects.filter(report_id__in=report_ids)]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files if name])


def _has(model, name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _scrub(needles: list[str]) -> None:
    for label, fields in MENTIONS:
        model = _model(label)
        if model is None:
            continue
        q = models.Q()
        for needle in needles:
            for name in fields:
                q |= models.Q(**{f"{name}__contains": needle})
        for row in model._default_manager.filter(q):
            values = {}
            for name in fields:
                text = getattr(row, name)
                for needle in needles:
                    text = text.replace(needle, ERASED)
                values[name] = text
            # A queryset update: these logs are never edited through their models, only scrubbed here.
            model._default_manager.filter(pk=row.pk).update(**values)
