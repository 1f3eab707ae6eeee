"""Issue 11: notification kinds named for the filing, not the declaration (declaration_confirmed → filing_confirmed,
declaration_status_changed → filing_status_changed), in every stored message, limit record and template; and one name
per code in the stored texts: the citizen's code of a filing is "mã hồ sơ {reference}" / "filing code {reference}"
(the identity card's texts said "{code}", the placeholder of the one-time confirmation code), a report's is "mã tra
cứu {reference}" / "tracking code {reference}".

A template still holding the shipped text gets the new shipped text; one an officer edited keeps its words, with the
code's placeholder and name put right. A Zalo ZNS template registered with the old parameters must be registered
again (the parameters are the placeholders: see docs/zalo.md).
"""

import re

from django.db import migrations, models

RENAMED = {"declaration_confirmed": "filing_confirmed", "declaration_status_changed": "filing_status_changed"}
FILING_KINDS = {
    "filing_confirmed",
    "procedure_booked",
    "appointment_reminder",
    "appointment_moved",
    "appointment_cancelled",
    "filing_status_changed",
}
REPORT_KINDS = {"report_received", "report_answered", "report_reply", "contact_request"}
NAMES = {
    ("filing", "vi"): "mã hồ sơ",
    ("filing", "en"): "filing code",
    ("report", "vi"): "mã tra cứu",
    ("report", "en"): "tracking code",
}
# The code's name as the old texts (or an officer) wrote it just before the placeholder, replaced by the one name.
BEFORE = {
    "vi": re.compile(r"(?:[Mm]ã\s+(?:hồ\s+sơ\s+|tra\s+cứu\s+|phản\s+ánh\s+)?)?\{reference\}"),
    "en": re.compile(r"(?:(?:[Ff]ile\s+|[Ff]iling\s+|[Tt]racking\s+|[Rr]eport\s+)?[Cc]ode\s+)?\{reference\}"),
}
OLD_SUBJECTS = {("filing_status_changed", "en"): "Your file was updated"}
# The texts shipped before this migration (by the old kind names): a row still equal to one gets the new text.
OLD_BODIES = {
    ("otp", "vi"): (
        "Mã xác nhận của bạn là {code}, có hiệu lực trong {minutes} phút. Không cung cấp mã này cho bất kỳ ai."
    ),
    ("otp", "en"): ("Your confirmation code is {code}. It is valid for {minutes} minutes. Do not give it to anyone."),
    ("declaration_confirmed", "vi"): (
        "Công an đã nhận tờ khai căn cước của {name}, mã hồ sơ {code}. "
        "Mời bạn đến {unit}, {address} lúc {time} ngày {date}. Xem hồ sơ: {url}"
    ),
    ("declaration_confirmed", "en"): (
        "The police received the identity card declaration of {name}, file code {code}. "
        "Please come to {unit}, {address} at {time} on {date}. Your file: {url}"
    ),
    ("procedure_booked", "vi"): (
        "Đã đặt lịch thủ tục {procedure} cho {name}, mã hồ sơ {reference}. "
        "Mời bạn đến {unit}, {address} lúc {time} ngày {date}. Xem lịch hẹn: {url}"
    ),
    ("procedure_booked", "en"): (
        "{procedure}: {name} is booked, file code {reference}. "
        "Please come to {unit}, {address} at {time} on {date}. Your booking: {url}"
    ),
    ("appointment_reminder", "vi"): (
        "Nhắc lịch: ngày mai {date} lúc {time}, {name} có lịch hẹn tại {unit}, {address} (mã {reference}). "
        "Vui lòng mang theo giấy tờ cần thiết."
    ),
    ("appointment_reminder", "en"): (
        "Reminder: tomorrow {date} at {time}, {name} has an appointment at {unit}, {address} (code {reference}). "
        "Please bring the required documents."
    ),
    ("appointment_moved", "vi"): (
        "Lịch hẹn mã {reference} đã được chuyển sang {time} ngày {date} tại {unit}, {address}."
    ),
    ("appointment_moved", "en"): ("Appointment {reference} has been moved to {time} on {date} at {unit}, {address}."),
    ("appointment_cancelled", "vi"): (
        "Lịch hẹn mã {reference} lúc {time} ngày {date} tại {unit} đã bị hủy. {reason} "
        "Bạn có thể đặt lịch mới trên cổng dịch vụ."
    ),
    ("appointment_cancelled", "en"): (
        "Appointment {reference} at {time} on {date} at {unit} has been cancelled. {reason} "
        "You can book a new one on the portal."
    ),
    ("declaration_status_changed", "vi"): (
        "Hồ sơ {code} của {name} đã chuyển sang trạng thái: {status}. {note} Xem chi tiết: {url}"
    ),
    ("declaration_status_changed", "en"): ("File {code} of {name} is now: {status}. {note} Details: {url}"),
    ("report_received", "vi"): ("Công an đã nhận phản ánh của bạn, mã {reference}. Theo dõi kết quả tại {url}"),
    ("report_received", "en"): ("The police received your report, code {reference}. Follow it at {url}"),
    ("report_answered", "vi"): ("Phản ánh mã {reference} của bạn đã được trả lời. Xem câu trả lời tại {url}"),
    ("report_answered", "en"): ("Your report {reference} has been answered. Read the answer at {url}"),
    ("report_reply", "vi"): ("Công an trả lời phản ánh {reference}: {text}"),
    ("report_reply", "en"): ("The police answer your report {reference}: {text}"),
    ("contact_request", "vi"): (
        "Để cán bộ liên hệ lại về phản ánh {reference}, bạn vui lòng bấm vào đây và chia sẻ tên, số điện thoại."
    ),
    ("contact_request", "en"): (
        "So that an officer can call you back about report {reference}, please tap here to share your name and phone."
    ),
}


def _named(body: str, *, kind: str, language: str) -> str:
    if kind in RENAMED.values():
        body = body.replace("{code}", "{reference}")
    group = "filing" if kind in FILING_KINDS else "report" if kind in REPORT_KINDS else None
    if group is None or language not in BEFORE:
        return body
    name = NAMES[(group, language)]
    return BEFORE[language].sub(name + " {reference}", body)


def _rename_kinds(apps, renames: dict[str, str]) -> None:
    """Every row naming a kind `old` (messages, ceiling records, templates) names `new` instead."""
    for model in ("Notification", "CeilingTrip", "MessageTemplate"):
        Model = apps.get_model("notifications", model)
        for old, new in renames.items():
            Model.objects.filter(kind=old).update(kind=new)


def forwards(apps, schema_editor):
    from apps.notifications.templating import DEFAULTS

    _rename_kinds(apps, RENAMED)
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    shipped = {(RENAMED.get(kind, kind), language): body for (kind, language), body in OLD_BODIES.items()}
    new_texts = {(str(kind), language): text for (kind, language), text in DEFAULTS.items()}
    for template in MessageTemplate.objects.all():
        key = (template.kind, template.language)
        if key in new_texts and template.body == shipped.get(key):
            subject, template.body = new_texts[key]
            if template.subject == OLD_SUBJECTS.get(key):
                template.subject = subject
        else:
            template.body = _named(template.body, kind=template.kind, language=template.language)
        template.save(update_fields=["subject", "body"])


def backwards(apps, schema_editor):
    _rename_kinds(apps, {new: old for old, new in RENAMED.items()})
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for template in MessageTemplate.objects.filter(kind__in=list(RENAMED)):
        template.body = template.body.replace("{reference}", "{code}")
        template.save(update_fields=["body"])


KIND_CHOICES = [
    ("otp", "Confirmation code"),
    ("filing_confirmed", "Filing confirmation"),
    ("procedure_booked", "Procedure booking confirmation"),
    ("appointment_reminder", "Appointment reminder"),
    ("appointment_moved", "Appointment moved"),
    ("appointment_cancelled", "Appointment cancelled"),
    ("filing_status_changed", "Filing status changed"),
    ("report_received", "Report received"),
    ("report_answered", "Report answered"),
    ("report_reply", "Reply to a report"),
    ("contact_request", "Request for contact details"),
]


def _kind_field() -> models.CharField:
    # One new field per operation: an operation keeps (and may change) the field instance it is given.
    return models.CharField(choices=KIND_CHOICES, max_length=40, verbose_name="kind")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0010_lean_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ceilingtrip",
            name="kind",
            field=_kind_field(),
        ),
        migrations.AlterField(
            model_name="messagetemplate",
            name="kind",
            field=_kind_field(),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=_kind_field(),
        ),
        migrations.RunPython(forwards, backwards),
    ]
