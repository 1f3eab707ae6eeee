"""Citizens' data requests: find, export, correct, erase; an erasure leaves no trace of the card number or the phone
in any table except the audit entry of the erasure (and the request log, which keeps it masked), nor in the files
of background exports."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from apps.backoffice import roles
from apps.backoffice.models import AuditLogEntry
from apps.backoffice.services import audit_record
from apps.exports.models import ExportJob, exports_storage
from apps.filings.models import Filing
from apps.notifications.models import Notification, OtpChallenge, ZaloFollower
from apps.privacy.models import SubjectRequest
from apps.reports.models import ChatEntry, Report
from tests.backoffice.factories import OfficerFactory, appointment_create, declaration_create
from tests.filings.factories import filing_make
from tests.notifications.factories import NotificationFactory
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db

CARD = "079190123456"
ZALO_ID = "4455667788990011"
PHONE = "+84912000111"
OTHER_CARD, OTHER_PHONE = "079090654321", "+84988000222"


@pytest.fixture
def person(role_groups, ward_a):
    booking = appointment_create(
        unit=ward_a, starts_at=timezone.now() + timedelta(days=3), name="LÊ THỊ XUYẾN", id_number=CARD, phone=PHONE
    )
    declaration = declaration_create(appointment=booking, name="LÊ THỊ XUYẾN", id_number=CARD, phone=PHONE)
    filing = filing_make(holder_name="LÊ THỊ XUYẾN", id_number=CARD, phone=PHONE, answers={"id_number": CARD})
    NotificationFactory(phone=PHONE, context={"name": "LÊ THỊ XUYẾN", "code": declaration.code})
    OtpChallenge.objects.create(phone=PHONE, purpose="x", code_hash="h", expires_at=timezone.now())
    ReportFactory(unit=ward_a, contact_name="Lê Thị Xuyến", contact_phone=PHONE)
    officer = OfficerFactory(username="kiemtra", units=[ward_a], roles=[roles.REVIEWER])
    audit_record(user=officer, action="view", obj=declaration)
    audit_record(user=officer, action="change", obj=filing, detail=f"id_number: 079190000000 → {CARD}")
    # On Zalo: the follower shared the phone; their conversation (a report without a contact phone) and its chat.
    ZaloFollower.objects.create(user_id=ZALO_ID, shared_phone=PHONE, shared_name="Lê Thị Xuyến")
    chat_report = ReportFactory(unit=ward_a, contact_phone="", contact_name="", zalo_user_id=ZALO_ID)
    ChatEntry.objects.create(report=chat_report, direction="in", kind="text", text="Xin chào, nhà tôi bị trộm.")
    NotificationFactory(phone="", zalo_user_id=ZALO_ID, context={"text": "Công an phường đã nhận tin."})
    # The card number typed in a chat on someone else's conversation.
    other_report = ReportFactory(unit=ward_a, contact_phone=OTHER_PHONE)
    ChatEntry.objects.create(report=other_report, direction="in", kind="text", text=f"CCCD của chị ấy {CARD}")
    ChatEntry.objects.create(report=other_report, direction="in", kind="text", text="Cảm ơn.")
    # Background exports: a CSV listing the card number, an XLSX listing the phone as written (0912 000 111),
    # an export asked for with the card number as its search, and someone else's export.
    storage = exports_storage()
    for name, content, query in (
        ("a.csv", f"\ufeffHọ tên;Số định danh\nLÊ THỊ XUYẾN;{CARD}\n".encode(), ""),
        ("b.xlsx", _xlsx("0912 000 111"), ""),
        ("", b"", f"q={CARD}"),
        ("d.csv", f"TRẦN VĂN KHÁC;{OTHER_CARD}\n".encode(), ""),
    ):
        if name:
            storage.save(name, ContentFile(content))
        ExportJob.objects.create(
            user=officer, model_label="filings.filing", title="Hồ sơ", query_string=query, format="csv",
            status="done" if name else "queued", file_name=name,
        )  # fmt: skip
    # Someone else, who must be left alone.
    other = appointment_create(
        unit=ward_a, starts_at=timezone.now() + timedelta(days=4), id_number=OTHER_CARD, phone=OTHER_PHONE
    )
    declaration_create(appointment=other, name="TRẦN VĂN KHÁC", id_number=OTHER_CARD, phone=OTHER_PHONE)
    ReportFactory(unit=ward_a, contact_phone=OTHER_PHONE)
    return declaration


def _xlsx(cell: str) -> bytes:
    """A minimal workbook whose shared strings hold `cell` (what openpyxl writes for a text cell)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/sharedStrings.xml", f"<sst><si><t>LÊ THỊ XUYẾN</t></si><si><t>{cell}</t></si></sst>")
    return buffer.getvalue()


@pytest.fixture
def dpo(role_groups, district):
    return OfficerFactory(username="baove.dulieu", units=[district], roles=[roles.DATA_PROTECTION_OFFICER])


def _rows_mentioning(needle: str) -> dict[str, int]:
    """Every table and text-like column in the project holding `needle`."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            count = (
                model._default_manager.annotate(_t=Cast(field.name, models.TextField()))
                .filter(_t__contains=needle)
                .count()
            )
            if count:
                found[f"{model._meta.label}.{field.name}"] = count
    return found


def test_only_the_dedicated_role_opens_the_page(client, person, dpo):
    url = reverse("privacy:subject-requests")
    client.force_login(OfficerFactory(username="quantri", roles=[roles.DISTRICT_ADMINISTRATOR]))
    assert client.get(url).status_code == 403
    client.force_login(dpo)
    assert client.get(url).status_code == 200


def test_find_lists_everything_and_records_who_and_why(client, person, dpo):
    client.force_login(dpo)
    response = client.post(
        reverse("privacy:subject-requests"), {"query": "0912 000 111", "reason": "Đơn ngày 1/12", "action": "find"}
    )
    html = response.content.decode()
    for label in ("filings.Filing", "appointments.Appointment", "reports.Report"):
        assert label in html
    request = SubjectRequest.objects.get()
    assert (request.officer, request.action, request.subject, request.reason) == (
        dpo,
        "find",
        "•••••••111",
        "Đơn ngày 1/12",
    )
    # The messages sent to the phone and to the Zalo follower who shared it.
    assert request.counts["notifications.Notification"] == 2
    assert request.counts["appointments.Appointment"] == 1
    assert request.counts["notifications.ZaloFollower"] == 1
    assert request.counts["reports.Report"] == 2  # the web report and the Zalo conversation
    assert request.counts["reports.ChatEntry"] == 1  # the conversation's message
    assert request.counts["exports.ExportJob"] == 1  # the XLSX listing the phone
    card = client.post(reverse("privacy:subject-requests"), {"query": CARD, "reason": "Đơn", "action": "find"})
    counts = SubjectRequest.objects.latest("at").counts
    assert counts["reports.ChatEntry"] == 1  # the other conversation's message with the card number
    assert counts["exports.ExportJob"] == 2  # the CSV listing it, the export searched by it
    filing = Filing.objects.get(id_number=CARD, appointment__isnull=True)
    assert reverse("privacy:subject-correct", args=["filings.Filing", filing.pk]) in card.content.decode()


def test_export_is_a_json_file_of_the_persons_records_only(client, person, dpo):
    client.force_login(dpo)
    response = client.post(
        reverse("privacy:subject-requests"), {"query": CARD, "reason": "Yêu cầu cung cấp dữ liệu", "action": "export"}
    )
    assert response["Content-Disposition"] == 'attachment; filename="du-lieu-ca-nhan.json"'
    document = json.loads(response.content)
    assert set(document) == {"filings.Filing", "appointments.Appointment", "reports.ChatEntry", "exports.ExportJob"}
    assert OTHER_CARD not in response.content.decode()
    assert [row["fields"]["text"] for row in document["reports.ChatEntry"]] == [f"CCCD của chị ấy {CARD}"]
    assert AuditLogEntry.objects.filter(action="export", username="baove.dulieu").count() == 1


def test_erasure_leaves_no_trace_of_the_card_number_or_phone(client, person, dpo, django_capture_on_commit_callbacks):
    assert _rows_mentioning(CARD)  # the scan finds them before
    client.force_login(dpo)
    url = reverse("privacy:subject-requests")
    refused = client.post(url, {"query": CARD, "reason": "Yêu cầu xóa", "action": "erase"})
    assert "Đánh dấu vào ô" in refused.content.decode()  # nothing erased without the confirmation
    assert _rows_mentioning(CARD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"query": CARD, "reason": "Yêu cầu xóa số 12", "action": "erase", "confirm_erase": "on"})
        client.post(url, {"query": PHONE, "reason": "Yêu cầu xóa số 12", "action": "erase", "confirm_erase": "on"})
    assert _rows_mentioning(CARD) == {}
    assert _rows_mentioning(PHONE) == {}
    assert _rows_mentioning("LÊ THỊ XUYẾN") == {}
    assert _rows_mentioning("Lê Thị Xuyến") == {}
    assert _rows_mentioning(ZALO_ID) == {}  # the follower, their conversation, chat and messages
    assert _rows_mentioning("nhà tôi bị trộm") == {}
    # The export files that listed the person are gone; someone else's stays.
    storage = exports_storage()
    assert [storage.exists(n) for n in ("a.csv", "b.xlsx", "d.csv")] == [False, False, True]
    assert list(ExportJob.objects.values_list("file_name", flat=True)) == ["d.csv"]
    assert ChatEntry.objects.filter(text="Cảm ơn.").count() == 1  # the other conversation's other message
    erasures = AuditLogEntry.objects.filter(action="delete", username="baove.dulieu")
    assert [e.detail for e in erasures] == ["Yêu cầu xóa số 12", "Yêu cầu xóa số 12"]
    # The other citizen is untouched.
    assert _rows_mentioning(OTHER_CARD)
    # (their report, and their conversation where the person's card number was typed: only that message went)
    assert Report.objects.filter(contact_phone=OTHER_PHONE).count() == 2
    assert not Notification.objects.filter(phone=PHONE).exists()


def test_correction_changes_the_record_and_records_who_and_why(client, person, dpo):
    filing = Filing.objects.get(id_number=CARD, appointment__isnull=True)  # answers {"id_number": CARD}
    url = reverse("privacy:subject-correct", args=["filings.Filing", filing.pk])
    client.force_login(OfficerFactory(username="kiemtra2", roles=[roles.REVIEWER]))
    assert client.get(url).status_code == 403  # the dedicated role only
    client.force_login(dpo)
    assert 'value="LÊ THỊ XUYẾN"' in client.get(url).content.decode()
    data = {"holder_name": "LÊ THỊ XUYẾN", "birth_date": "", "id_number": "079190123457", "phone": "0912000111",
            "email": "", "reason": ""}  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 200 and Filing.objects.get(pk=filing.pk).id_number == CARD  # no reason, no change
    response = client.post(url, {**data, "reason": "Đơn đề nghị sửa số 7, bản sao CCCD"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert (filing.id_number, filing.answers["id_number"], str(filing.phone)) == ("079190123457", "079190123457", PHONE)
    request = SubjectRequest.objects.get(action="correct")
    assert (request.officer, request.subject, request.reason) == (
        dpo,
        "•••••••••456",
        "Đơn đề nghị sửa số 7, bản sao CCCD",
    )
    entry = AuditLogEntry.objects.get(action="change", username="baove.dulieu")
    assert entry.detail == "Đơn đề nghị sửa số 7, bản sao CCCD — id_number: •••••••••456 → •••••••••457"
    assert entry.object_id == str(filing.pk)
    nothing = client.post(url, {**data, "reason": "Lần nữa"})
    assert nothing.status_code == 200 and SubjectRequest.objects.filter(action="correct").count() == 1


def test_correcting_a_filing_corrects_its_booking(person, dpo):
    from apps.privacy.services.subject_requests import subject_data_correct

    subject_data_correct(officer=dpo, record=person, changes={"holder_name": "LÊ THỊ XUYÊN"}, reason="Giấy khai sinh")
    person.appointment.refresh_from_db()
    assert person.appointment.holder_name == "LÊ THỊ XUYÊN"
    assert Filing.objects.get(pk=person.pk).holder_name == "LÊ THỊ XUYÊN"


def test_every_table_and_column_the_requests_name_exists():
    """`_model` skips an app not installed; a model or column removed or renamed must not be skipped silently."""
    from apps.privacy.services.subject_requests import CORRECTABLE, HOLDERS, MENTIONS

    named = [(label, {*ids, *phones, *texts}) for label, ids, phones, texts in HOLDERS]
    named += [(label, set(fields)) for label, fields in MENTIONS]
    named += [(label, set(fields)) for label, fields in CORRECTABLE.items()]
    for label, fields in named:
        model = apps.get_model(label)  # LookupError for a model that no longer exists
        assert fields <= {f.name for f in model._meta.get_fields()}, label
