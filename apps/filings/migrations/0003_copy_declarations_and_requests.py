"""Every identity-card declaration and every other procedure's request becomes one Filing, with its timeline.

Codes, answers and appointments are kept as they are (QR codes and links already sent keep working). The old
review states map onto the filing's states; the recorded state changes become FilingEvents. Unsubmitted
identity-card drafts move to the one Draft model; unconfirmed requests of other procedures (a form filled in,
the phone never confirmed) are not filings and are left behind.
"""

from django.db import migrations

REVIEW_TO_STATE = {
    "submitted": "submitted",
    "checked": "submitted",
    "needs_correction": "returned",
    "rejected": "cancelled",
    "attended": "received",
    "no_show": "no_show",
    "completed": "ready",
}
REQUEST_TO_STATE = {
    "submitted": "submitted",
    "accepted": "in_progress",
    "returned": "returned",
    "completed": "ready",
    "cancelled": "cancelled",
}


def _history(apps, app_label, model, object_id, mapping):
    StateTransition = apps.get_model("backoffice", "StateTransition")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
    if content_type is None:
        return []
    return [
        (t.at, mapping.get(t.source, t.source), mapping.get(t.target, t.target), t.reason, t.user_id, t.username)
        for t in StateTransition.objects.filter(content_type=content_type, object_id=str(object_id)).order_by("at", "id")
    ]


def forwards(apps, schema_editor):
    Filing = apps.get_model("filings", "Filing")
    FilingEvent = apps.get_model("filings", "FilingEvent")
    Draft = apps.get_model("filings", "Draft")
    Declaration = apps.get_model("declarations", "Declaration")
    OldDraft = apps.get_model("declarations", "Draft")
    ProcedureRequest = apps.get_model("procedures", "ProcedureRequest")
    FilingReview = apps.get_model("backoffice", "FilingReview")

    reviews = dict(FilingReview.objects.values_list("declaration_id", "pk"))
    review_states = dict(FilingReview.objects.values_list("declaration_id", "state"))
    taken_appointments = set()
    by_declaration = {}

    def add(filing, events):
        if filing.appointment_id in taken_appointments:
            filing.appointment_id = None
        if filing.appointment_id:
            taken_appointments.add(filing.appointment_id)
        filing.save()
        FilingEvent.objects.create(filing=filing, at=filing.submitted_at, source="", state="submitted")
        for at, source, target, reason, user_id, username in events:
            if source != target:
                FilingEvent.objects.create(
                    filing=filing, at=at, source=source, state=target, reason=reason, user_id=user_id, username=username
                )
        return filing

    for d in Declaration.objects.order_by("pk").iterator():
        if d.status == "cancelled":
            state = "cancelled"
        else:
            state = REVIEW_TO_STATE.get(review_states.get(d.pk, "submitted"), "submitted")
        answers = dict(d.answers or {})
        answers.setdefault("request_type", d.request_type)
        answers.setdefault("reason", d.reason)
        answers.setdefault("sex", d.sex)
        events = _history(apps, "backoffice", "filingreview", reviews.get(d.pk), REVIEW_TO_STATE) if d.pk in reviews else []
        if d.status == "cancelled":
            events.append((d.cancelled_at or d.submitted_at, events[-1][2] if events else "submitted", "cancelled", "", None, ""))
        by_declaration[d.pk] = add(
            Filing(
                code=d.code,
                procedure_id=d.procedure_id,
                holder_name=d.holder_name,
                birth_date=d.birth_date,
                id_number=d.id_number,
                phone=d.phone,
                email=d.email,
                language=d.language or "vi",
                notify_channel=d.notify_channel or "sms",
                answers=answers,
                form_version=1,
                appointment_id=d.appointment_id,
                state=state,
                submitted_at=d.submitted_at,
            ),
            events,
        )

    for r in ProcedureRequest.objects.exclude(status="draft").order_by("pk").iterator():
        data = dict(r.data or {})
        add(
            Filing(
                code=r.code,
                procedure_id=r.procedure_id,
                holder_name=r.holder_name,
                id_number=str(data.get("id_number") or "")[:12],
                phone=r.phone,
                language=r.language or "vi",
                answers=data,
                form_version=1,
                appointment_id=r.appointment_id,
                state=REQUEST_TO_STATE.get(r.status, "submitted"),
                officer_note=r.officer_note,
                submitted_at=r.submitted_at or r.created_at,
            ),
            _history(apps, "procedures", "procedurerequest", r.pk, REQUEST_TO_STATE),
        )

    for old in OldDraft.objects.order_by("created_at").iterator():
        filing = by_declaration.get(old.declaration_id)
        Draft.objects.create(
            id=old.id,
            procedure_slug=old.procedure_slug,
            data=old.data,
            expires_at=old.expires_at,
            filing=filing,
            hold_id=old.hold_id,
            otp_challenge_id=old.otp_challenge_id,
            verified_phone=old.verified_phone,
        )
        Draft.objects.filter(id=old.id).update(created_at=old.created_at, updated_at=old.updated_at)


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0002_submitted_index"),
        ("declarations", "0001_initial"),
        ("procedures", "0004_officer_note_help"),
        ("backoffice", "0004_search_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
