"""A citizen's requests about their data (Decree 13/2023, Law 91/2025): find everything held about a card
number or a phone, export it for them, correct it, erase it. Each step is recorded with who and why
(`SubjectRequest` and the back office's audit log).

`HOLDERS` lists every place a citizen's identifiers are stored, in deletion order (a filing before the booking it
protects). What is linked to those rows without holding the identifier is found too (`_linked`): the drafts of the
filings found, the Zalo conversations (reports and their chat messages, messages sent) of a Zalo follower who
shared the phone, the chat messages of the reports found. Background exports (apps.exports) whose file, filters or
title hold the identifier are found by reading the files. Erasure deletes all of it (photo and export files too),
then scrubs the identifiers and the name out of the texts that only mention them (audit details, state-change
reasons), so nothing but the erasure's own audit entry names the person.
"""

import io
import json
import re
import zipfile
from datetime import date

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
    ("filings.FilingVersion", (), (), ("answers",)),
    ("filings.Filing", ("id_number",), ("phone",), ("answers",)),
    ("appointments.Appointment", ("id_number",), ("phone",), ()),
    ("notifications.OtpChallenge", (), ("phone",), ()),
    ("notifications.Notification", (), ("phone",), ("context", "body")),
    ("notifications.ZaloFollower", (), ("shared_phone",), ()),
    ("reports.ChatEntry", (), (), ("text",)),
    ("reports.Report", (), ("contact_phone",), ("description",)),
    ("exports.ExportJob", (), (), ("query_string", "title")),
)
EXPORT_JOB = "exports.ExportJob"
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
    """Every record held about the identifier, per kind of record (model label), in `HOLDERS`' order."""
    needles = subject_identifiers(query=query)
    found: dict[str, dict] = {}
    for label, id_fields, phone_fields, text_fields in HOLDERS:
        model = _model(label)
        if model is None:
            continue
        found[label] = {row.pk: row for row in _matches(model, id_fields, phone_fields, text_fields, needles)}
    _linked(found)
    if EXPORT_JOB in found:
        found[EXPORT_JOB].update({job.pk: job for job in _export_jobs_holding(needles)})
    return {label: list(rows.values()) for label, rows in found.items() if rows}


def _add(found: dict, label: str, queryset) -> None:
    if label in found:
        found[label].update({row.pk: row for row in queryset if row.pk not in found[label]})


def _linked(found: dict) -> None:
    """Rows that belong to the person through a row found, without holding the identifier themselves."""
    if "filings.Draft" in found and found.get("filings.Filing"):
        _add(
            found, "filings.Draft", _model("filings.Draft")._default_manager.filter(filing__in=found["filings.Filing"])
        )
    followers = [row.user_id for row in found.get("notifications.ZaloFollower", {}).values()]
    if followers:
        if "reports.Report" in found:
            _add(found, "reports.Report", _model("reports.Report")._default_manager.filter(zalo_user_id__in=followers))
        if "notifications.Notification" in found:
            notifications = _model("notifications.Notification")._default_manager.filter(zalo_user_id__in=followers)
            _add(found, "notifications.Notification", notifications)
    if "reports.ChatEntry" in found and found.get("reports.Report"):
        chat = _model("reports.ChatEntry")._default_manager.filter(report__in=list(found["reports.Report"]))
        _add(found, "reports.ChatEntry", chat)


def _digits_joined(text: str) -> str:
    """Spaces, dots and dashes between digits removed: "0912 345 678" as the needle 0912345678 is written."""
    return re.sub(r"(?<=\d)[ .\-](?=\d)", "", text)


def _export_file_text(job) -> str:
    """The text of an export's file: a CSV as is, an XLSX's XML parts (its cells are in sharedStrings/sheets)."""
    from apps.exports.models import exports_storage

    storage = exports_storage()
    if not job.file_name or not storage.exists(job.file_name):
        return ""
    with storage.open(job.file_name, "rb") as handle:
        data = handle.read()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml"))
    return data.decode("utf-8-sig", "replace")


def _export_jobs_holding(needles: list[str]) -> list:
    """Export jobs whose file lists the person (every file kept is read; `EXPORTS_KEEP_HOURS` keeps them few)."""
    jobs = _model(EXPORT_JOB)._default_manager.exclude(file_name="")
    return [job for job in jobs if any(n in _digits_joined(_export_file_text(job)) for n in needles)]


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
    names = {
        getattr(row, name)
        for rows in found.values()
        for row in rows
        for name in ("holder_name", "contact_name", "shared_name")
        if getattr(row, name, "")
    }
    appointments = set()
    for label, *_fields in HOLDERS:
        model = _model(label)
        if model is None or not found.get(label):
            continue
        ids = [row.pk for row in found[label]]
        rows = model._default_manager.filter(pk__in=ids)
        if _has(model, "appointment"):
            appointments |= {pk for pk in rows.values_list("appointment_id", flat=True) if pk}
        if label == "reports.Report":
            _delete_photo_files(report_ids=ids)
        if label == EXPORT_JOB:
            _delete_export_files(jobs=found[label])
        rows.delete()
    _model("appointments.Appointment")._default_manager.filter(pk__in=appointments).delete()
    _scrub(needles + sorted(names, key=len, reverse=True))
    audit_record(user=officer, action=AuditAction.DELETE, obj=request, detail=request.reason)
    return request


def _delete_photo_files(*, report_ids) -> None:
    from apps.reports.models import ReportPhoto

    files = [(p.image.storage, p.image.name) for p in ReportPhoto.objects.filter(report_id__in=report_ids)]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files if name])


def _delete_export_files(*, jobs) -> None:
    from apps.exports.models import exports_storage

    storage, names = exports_storage(), [job.file_name for job in jobs if job.file_name]
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


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


# --- Correction -------------------------------------------------------------------------------------------------
# The records a data protection officer corrects from the requests page, and the fields they may change.
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "filings.Filing": ("holder_name", "birth_date", "id_number", "phone", "email"),
    "appointments.Appointment": ("holder_name", "id_number", "phone"),
    "reports.Report": ("contact_name", "contact_phone"),
    "notifications.ZaloFollower": ("shared_name", "shared_phone", "shared_address"),
}
# Identifiers are written masked in the audit log's before/after summary (the rest in full, as other changes).
MASKED_FIELDS = ("id_number", "phone", "contact_phone", "shared_phone")
# A filing's columns and the same facts in its answers (the identity card's names for them).
ANSWER_KEYS = {"holder_name": "full_name", "birth_date": "birth_date", "id_number": "id_number", "phone": "phone",
               "email": "email"}  # fmt: skip
NOTHING_CHANGED = _("Nothing was changed: correct at least one item.")


def subject_record_get(*, label: str, pk) -> models.Model | None:
    """A record the requests page may correct (None for another kind of record or a missing one)."""
    if label not in CORRECTABLE or (model := _model(label)) is None:
        return None
    try:
        return model._default_manager.filter(pk=pk).first()
    except (ValueError, ValidationError):
        return None


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "as_e164", value))


def _shown(name: str, value: str) -> str:
    return _mask(value) if name in MASKED_FIELDS and value else (value or "—")


@transaction.atomic
def subject_data_correct(*, officer, record: models.Model, changes: dict, reason: str) -> SubjectRequest:
    """Correct a person's data on `record` (only `CORRECTABLE` fields), audited with who, why and what changed.

    A filing's answers holding the old value, and its booking, are corrected with it (the same facts)."""
    from apps.backoffice.models import AuditAction
    from apps.backoffice.services import audit_record

    label = record._meta.label
    fields = CORRECTABLE.get(label, ())
    record = type(record)._default_manager.select_for_update().get(pk=record.pk)
    before = {name: _plain(getattr(record, name)) for name in fields}
    changed = {name: value for name, value in changes.items() if name in fields and _plain(value) != before[name]}
    if not changed:
        raise ValidationError(NOTHING_CHANGED, code="nothing_changed")
    identifier = next((before[n] for n in MASKED_FIELDS if before.get(n)), "") or str(record.pk)
    request = _record(
        officer=officer, action=SubjectRequestAction.CORRECT, query=identifier, reason=reason, found={label: [record]}
    )
    for name, value in changed.items():
        setattr(record, name, value)
    if label == "filings.Filing":
        _correct_filing_extras(filing=record, before=before, changed=changed)
    record.full_clean()
    record.save()
    summary = "; ".join(
        f"{name}: {_shown(name, before[name])} → {_shown(name, _plain(value))}" for name, value in changed.items()
    )
    audit_record(user=officer, action=AuditAction.CHANGE, obj=record, detail=f"{request.reason} — {summary}")
    return request


def _correct_filing_extras(*, filing, before: dict, changed: dict) -> None:
    answers = dict(filing.answers or {})
    for name, value in changed.items():
        for key in {ANSWER_KEYS[name], name}:
            if key in answers and str(answers[key]) == before[name]:
                answers[key] = _plain(value)
    filing.answers = answers
    appointment = filing.appointment
    if appointment is not None:
        updates = {name: changed[name] for name in ("holder_name", "id_number", "phone") if name in changed}
        for name, value in updates.items():
            setattr(appointment, name, _plain(value))
        if updates:
            appointment.save(update_fields=list(updates))
