"""Drafts get a `key` (the resume link's and the cookie's secret, renewed when another browser opens the link),
a `version` (changes counted, so an older tab cannot save over newer answers) and `invalid_step`.

Drafts open when this runs keep working: their key is their id, which their cookies and links already carry.
"""

import uuid

from django.db import migrations, models


def key_from_id(apps, schema_editor):
    Draft = apps.get_model("filings", "Draft")
    for draft in Draft.objects.only("id").iterator():
        Draft.objects.filter(pk=draft.pk).update(key=draft.pk)


class Migration(migrations.Migration):
    dependencies = [("filings", "0006_events_from_state_transitions")]

    operations = [
        migrations.AddField(model_name="draft", name="key", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(key_from_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="draft",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
        migrations.AddField(model_name="draft", name="version", field=models.PositiveIntegerField(default=0)),
        migrations.AddField(
            model_name="draft", name="invalid_step", field=models.CharField(max_length=60, blank=True)
        ),
    ]
