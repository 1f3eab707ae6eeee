from django.db import migrations

# The "moved" texts shipped by 0011_filing_kinds_and_code_names, before they said why.
OLD = {
    "vi": "Lịch hẹn của {name}, mã hồ sơ {reference}, đã được chuyển sang {time} ngày {date} tại {unit}, {address}.",
    "en": (
        "The appointment of {name}, filing code {reference}, has been moved to {time} on {date} at {unit}, {address}."
    ),
}


def add_reason(apps, schema_editor):
    """The "moved" message tells why an officer moved the booking (a closed day): the shipped texts gain {reason};
    a text officers have edited is left as they wrote it."""
    from apps.notifications.templating import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for language, body in OLD.items():
        MessageTemplate.objects.filter(kind="appointment_moved", language=language, body=body).update(
            body=DEFAULTS[("appointment_moved", language)][1]
        )


def remove_reason(apps, schema_editor):
    from apps.notifications.templating import DEFAULTS

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for language, body in OLD.items():
        MessageTemplate.objects.filter(
            kind="appointment_moved", language=language, body=DEFAULTS[("appointment_moved", language)][1]
        ).update(body=body)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0011_filing_kinds_and_code_names")]

    operations = [migrations.RunPython(add_reason, remove_reason)]
