"""The default Vietnamese and English message texts. Officers edit them in admin; existing ones are kept."""

from django.db import migrations

from apps.notifications.templating import DEFAULTS


def load_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (kind, language), (subject, body) in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            kind=str(kind), language=language, defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(load_templates, migrations.RunPython.noop)]
