"""The back office's own history of state changes (backoffice.StateTransition) goes: a filing's moves are its
timeline (FilingEvent), the one record. Every change recorded there for a filing and missing from its timeline is
copied in before the table is dropped (backoffice 0007); other records' rows were copied by 0003."""

from django.db import migrations


def forwards(apps, schema_editor):
    StateTransition = apps.get_model("backoffice", "StateTransition")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Filing = apps.get_model("filings", "Filing")
    FilingEvent = apps.get_model("filings", "FilingEvent")
    content_type = ContentType.objects.filter(app_label="filings", model="filing").first()
    if content_type is None:
        return
    ids = set(Filing.objects.values_list("pk", flat=True))
    for change in StateTransition.objects.filter(content_type=content_type).order_by("at", "id").iterator():
        if not change.object_id.isdigit() or int(change.object_id) not in ids:
            continue
        filing_id = int(change.object_id)
        recorded = FilingEvent.objects.filter(
            filing_id=filing_id, source=change.source, state=change.target, reason=change.reason
        ).exists()
        if not recorded:
            FilingEvent.objects.create(
                filing_id=filing_id,
                at=change.at,
                source=change.source,
                state=change.target,
                reason=change.reason,
                user_id=change.user_id,
                username=change.username,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("filings", "0005_correction_versions"),
        ("backoffice", "0006_delete_filingreview"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
