from django.db import migrations

OLD = {
    "vi": "Lịch hẹn mã {reference} đã được chuyển sang {time} ngày {date} tại {unit}, {address}.",
    "en": "Appointment {reference} has been moved to {time} on {date} at {unit}, {address}.",
}


def add_reason(apps, schema_editor):
    """The "moved" message tells why an officer moved the booking (a closure): the default texts gain {reason};
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
    dependencies = [("notifications", "0010_lean_indexes")]

    operations = [migrations.RunPython(add_reason, remove_reason)]
