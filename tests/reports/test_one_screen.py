"""Issue 14.9: an officer takes, starts, answers and closes a report from its one page, with fewer saves; each
move is recorded in the report's history and the audit log; the reporter reads each status change in
Vietnamese at /phan-anh/tra-cuu/; wrong phone numbers lock a code's lookup whatever the address."""

import re

import pytest
from django.core.exceptions import ValidationError

from apps.backoffice.models import AuditLogEntry
from apps.backoffice.roles import REPORT_HANDLER
from apps.reports.models import Report, ReportStatus
from apps.reports.services import report_advance, report_step_plan

from .factories import OfficerFactory, ReportFactory, WardUnitFactory

S = ReportStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return WardUnitFactory()


@pytest.fixture
def handler(ward):
    return OfficerFactory(units=[ward], groups=[REPORT_HANDLER])


def _management(report) -> dict:
    photos, events = report.photos.count(), report.events.count()
    return {
        "photos-TOTAL_FORMS": photos,
        "photos-INITIAL_FORMS": photos,
        "events-TOTAL_FORMS": events,
        "events-INITIAL_FORMS": events,
    }


# The plan of each button from each state, written out (not read from the code).
PLANS = {
    (S.RECEIVED, "take"): [S.ASSIGNED],
    (S.RECEIVED, "start"): [S.ASSIGNED, S.IN_PROGRESS],
    (S.RECEIVED, "answer"): [S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED],
    (S.RECEIVED, "answer_close"): [S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED],
    (S.RECEIVED, "close"): [S.CLOSED],
    (S.FORWARDED, "start"): [S.ASSIGNED, S.IN_PROGRESS],
    (S.ASSIGNED, "take"): [S.ASSIGNED],
    (S.ASSIGNED, "start"): [S.IN_PROGRESS],
    (S.ASSIGNED, "answer_close"): [S.IN_PROGRESS, S.ANSWERED, S.CLOSED],
    (S.IN_PROGRESS, "take"): [],
    (S.IN_PROGRESS, "start"): [],
    (S.IN_PROGRESS, "answer"): [S.ANSWERED],
    (S.IN_PROGRESS, "answer_close"): [S.ANSWERED, S.CLOSED],
    (S.ANSWERED, "answer"): [],
    (S.ANSWERED, "answer_close"): [],
    (S.ANSWERED, "close"): [S.CLOSED],
    (S.CLOSED, "close"): [],
    (S.CLOSED, "answer_close"): [],
    (S.RECEIVED, "nonsense"): [],
}


@pytest.mark.parametrize(("status", "step"), list(PLANS))
def test_each_button_plans_the_expected_moves(status, step):
    assert report_step_plan(report=Report(status=status), step=step) == PLANS[(status, step)]


def test_answer_and_close_from_a_new_report_records_and_audits_each_move(ward, handler):
    report = ReportFactory(unit=ward)
    report = report_advance(report=report, actor=handler, step="answer_close", answer="Đã xác minh.", note="Xong")
    assert (report.status, report.handler, report.answer) == (S.CLOSED, handler, "Đã xác minh.")
    assert list(report.events.values_list("from_status", "to_status", "actor", "note")) == [
        (S.RECEIVED, S.ASSIGNED, handler.pk, ""),
        (S.ASSIGNED, S.IN_PROGRESS, handler.pk, ""),
        (S.IN_PROGRESS, S.ANSWERED, handler.pk, ""),
        (S.ANSWERED, S.CLOSED, handler.pk, "Xong"),
    ]
    audited = AuditLogEntry.objects.filter(user=handler, action="transition", object_id=str(report.pk))
    assert list(audited.order_by("pk").values_list("detail", flat=True)) == [
        "received → assigned",
        "assigned → in_progress",
        "in_progress → answered",
        "answered → closed",
    ]


def test_a_refused_move_leaves_the_report_as_it_was(ward, handler):
    report = ReportFactory(unit=ward)
    with pytest.raises(ValidationError):
        report_advance(report=report, actor=handler, step="answer_close", answer="   ")  # no answer
    report.refresh_from_db()
    assert (report.status, report.handler, report.events.count()) == (S.RECEIVED, None, 0)
    assert not AuditLogEntry.objects.filter(action="transition").exists()


def test_another_officers_report_cannot_be_moved_by_a_colleague(ward, handler):
    colleague = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report = ReportFactory(unit=ward, status=S.ASSIGNED, handler=colleague)
    with pytest.raises(ValidationError) as exc:
        report_advance(report=report, actor=handler, step="start")
    assert exc.value.code == "not_handler"


def test_one_screen_two_saves_from_new_to_closed(client, ward, handler, django_capture_on_commit_callbacks):
    report = ReportFactory(unit=ward)
    url = f"/admin/reports/report/{report.pk}/change/"
    client.force_login(handler)
    page = client.get(url).content.decode()
    # The buttons a new report offers a handler, in Vietnamese (closing unanswered is for its handler or a
    # supervisor: services.report_close).
    buttons = re.findall(r'name="_step" value="(\w+)">([^<]+)</button>', page)
    assert buttons == [
        ("take", "Nhận xử lý"),
        ("start", "Nhận và bắt đầu xử lý"),
        ("answer", "Gửi trả lời"),
        ("answer_close", "Gửi trả lời và đóng"),
    ]
    # Save 1: take it and start; the officer stays on the report's page.
    response = client.post(url, {"_step": "start", "note": "", **_management(report)})
    assert response.status_code == 302 and response["Location"] == url
    report.refresh_from_db()
    assert (report.status, report.handler) == (S.IN_PROGRESS, handler)
    page = client.get(url).content.decode()
    assert re.findall(r'name="_step" value="(\w+)">([^<]+)</button>', page) == [
        ("answer", "Gửi trả lời"),
        ("answer_close", "Gửi trả lời và đóng"),
        ("close", "Đóng, không trả lời"),
    ]
    # Save 2, without an answer: refused next to the field, the note typed is kept.
    response = client.post(url, {"_step": "answer_close", "answer_text": "", "note": "ghi chú", **_management(report)})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["answer_text"] == ["Vui lòng nhập nội dung trả lời người phản ánh."]
    assert "ghi chú" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"_step": "answer_close", "answer_text": "Đã xử lý xong.", "note": "", **_management(report)}
        )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.answer) == (S.CLOSED, "Đã xử lý xong.")
    assert list(report.events.values_list("to_status", flat=True)) == [
        S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.CLOSED,
    ]  # fmt: skip
    assert "Không còn việc gì: phản ánh đã đóng." in client.get(url).content.decode()


def test_a_colleague_sees_no_step_on_a_report_assigned_to_someone_else_but_take(client, ward, handler):
    colleague = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report = ReportFactory(unit=ward, status=S.ASSIGNED, handler=colleague)
    client.force_login(handler)
    url = f"/admin/reports/report/{report.pk}/change/"
    page = client.get(url).content.decode()
    assert re.findall(r'name="_step" value="(\w+)"', page) == ["take"]
    response = client.post(url, {"_step": "start", **_management(report)})
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Chỉ cán bộ được giao hoặc lãnh đạo, chỉ huy mới được thực hiện thao tác này."
    ]
    assert Report.objects.get(pk=report.pk).status == S.ASSIGNED
