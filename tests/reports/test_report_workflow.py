"""The report state machine, assignment and the per-unit queue."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.backoffice.roles import DISTRICT_ADMINISTRATOR, REPORT_HANDLER
from apps.reports.models import Report, ReportStatus
from apps.reports.selectors import report_list_for_user
from apps.reports.services import (
    TRANSITIONS,
    report_answer,
    report_assign,
    report_close,
    report_forward,
    report_start,
    report_take,
)

from .factories import OfficerFactory, ReportFactory, WardUnitFactory

S = ReportStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return WardUnitFactory()


@pytest.fixture
def supervisor(ward):
    return OfficerFactory(units=[ward.parent], groups=[REPORT_HANDLER], permissions=["reports.assign_report"])


@pytest.fixture
def handler(ward):
    return OfficerFactory(units=[ward], groups=[REPORT_HANDLER])


def test_full_happy_path_records_who_when_and_why(ward, supervisor, handler):
    report = ReportFactory(unit=ward)
    report = report_assign(report=report, handler=handler, actor=supervisor, note="Xử lý trong ngày")
    assert (report.status, report.handler) == (S.ASSIGNED, handler)
    report = report_start(report=report, actor=handler)
    report = report_answer(report=report, actor=handler, answer="Đã xác minh, đang truy tìm đối tượng.")
    report = report_close(report=report, actor=supervisor, note="Hoàn tất")
    events = list(report.events.values_list("from_status", "to_status", "actor__username", "note"))
    assert events == [
        (S.RECEIVED, S.ASSIGNED, supervisor.username, "Xử lý trong ngày"),
        (S.ASSIGNED, S.IN_PROGRESS, handler.username, ""),
        (S.IN_PROGRESS, S.ANSWERED, handler.username, ""),
        (S.ANSWERED, S.CLOSED, supervisor.username, "Hoàn tất"),
    ]
    assert all(e.created_at <= timezone.now() for e in report.events.all())
    assert Report.objects.get(pk=report.pk).answer.startswith("Đã xác minh")


@pytest.mark.parametrize("status", list(S))
def test_every_transition_outside_the_table_is_impossible(status, ward, supervisor):
    report = ReportFactory(unit=ward, status=status, handler=supervisor)
    moves = {
        S.IN_PROGRESS: lambda: report_start(report=report, actor=supervisor),
        S.ANSWERED: lambda: report_answer(report=report, actor=supervisor, answer="Trả lời"),
        S.CLOSED: lambda: report_close(report=report, actor=supervisor),
        S.FORWARDED: lambda: report_forward(report=report, to_unit=WardUnitFactory(), actor=supervisor),
        S.ASSIGNED: lambda: report_assign(report=report, handler=supervisor, actor=supervisor),
    }
    for target, move in moves.items():
        report.refresh_from_db()
        report.status = status
        Report.objects.filter(pk=report.pk).update(status=status, unit=ward)
        if target in TRANSITIONS[status]:
            assert move().status == target
        else:
            with pytest.raises(ValidationError) as exc:
                move()
            assert exc.value.code == "invalid_transition"
            assert Report.objects.get(pk=report.pk).status == status


def test_closed_is_final(ward, supervisor):
    report = report_close(report=ReportFactory(unit=ward), actor=supervisor)
    with pytest.raises(ValidationError):
        report_take(report=report, actor=supervisor)


def test_an_officer_takes_a_report_of_own_unit(ward, handler):
    report = report_take(report=ReportFactory(unit=ward), actor=handler)
    assert report.handler == handler and report.status == S.ASSIGNED


def test_a_handler_cannot_assign_to_someone_else(ward, handler):
    colleague = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    with pytest.raises(ValidationError) as exc:
        report_assign(report=ReportFactory(unit=ward), handler=colleague, actor=handler)
    assert exc.value.code == "not_supervisor"


def test_the_handler_must_work_for_the_reports_unit(ward, supervisor):
    stranger = OfficerFactory(units=[WardUnitFactory()], groups=[REPORT_HANDLER])
    with pytest.raises(ValidationError) as exc:
        report_assign(report=ReportFactory(unit=ward), handler=stranger, actor=supervisor)
    assert "handler" in exc.value.message_dict


def test_officers_of_other_units_cannot_touch_the_report(ward):
    stranger = OfficerFactory(units=[WardUnitFactory()], groups=[REPORT_HANDLER], permissions=["reports.assign_report"])
    with pytest.raises(ValidationError) as exc:
        report_take(report=ReportFactory(unit=ward), actor=stranger)
    assert exc.value.code == "not_allowed"


def test_only_the_handler_or_a_supervisor_moves_an_assigned_report(ward, handler):
    colleague = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report = report_take(report=ReportFactory(unit=ward), actor=handler)
    with pytest.raises(ValidationError) as exc:
        report_start(report=report, actor=colleague)
    assert exc.value.code == "not_handler"


def test_forwarding_moves_the_report_to_the_other_units_queue(ward, handler, supervisor):
    other = WardUnitFactory(parent=ward.parent)
    other_officer = OfficerFactory(units=[other])
    report = report_take(report=ReportFactory(unit=ward), actor=handler)
    report = report_forward(report=report, to_unit=other, actor=handler, note="Địa bàn phường khác")
    assert (report.status, report.unit, report.handler) == (S.FORWARDED, other, None)
    assert report.events.last().to_unit == other
    assert list(report_list_for_user(user=other_officer)) == [report]
    assert list(report_list_for_user(user=handler)) == []
    # The district still sees it, and the new unit takes it.
    assert list(report_list_for_user(user=supervisor)) == [report]
    assert report_take(report=report, actor=other_officer).status == S.ASSIGNED


def test_answer_needs_text(ward, handler):
    report = report_start(report=report_take(report=ReportFactory(unit=ward), actor=handler), actor=handler)
    with pytest.raises(ValidationError) as exc:
        report_answer(report=report, actor=handler, answer="  ")
    assert "answer" in exc.value.message_dict


def test_queue_is_scoped_by_unit_and_hides_unconfirmed_reports(ward, handler, supervisor):
    mine = ReportFactory(unit=ward)
    ReportFactory(unit=ward, confirmed_at=None)
    elsewhere = ReportFactory()
    assert list(report_list_for_user(user=handler)) == [mine]
    assert set(report_list_for_user(user=supervisor)) == {mine}
    root = OfficerFactory(is_superuser=True)
    assert set(report_list_for_user(user=root)) == {mine, elsewhere}


def test_overdue_reports_are_highlighted_and_counted_in_admin(client, ward, handler):
    late = ReportFactory(unit=ward, due_at=timezone.now() - timedelta(hours=1))
    ReportFactory(unit=ward, due_at=timezone.now() + timedelta(hours=2))
    ReportFactory(unit=ward, due_at=timezone.now() - timedelta(hours=5), status=S.CLOSED)
    client.force_login(handler)
    html = client.get("/admin/reports/report/").content.decode()
    assert "Quá hạn (1)" in html and "Đến hạn trong 24 giờ (1)" in html
    assert html.count('class="reports-overdue"') == 1
    filtered = client.get("/admin/reports/report/?deadline=overdue").content.decode()
    assert late.code in filtered and filtered.count('class="field-code"') == 1


def _management(report) -> dict:
    """The inline formsets' management data, as the change page's form sends it."""
    photos, events = report.photos.count(), report.events.count()
    return {
        "photos-TOTAL_FORMS": photos,
        "photos-INITIAL_FORMS": photos,
        "events-TOTAL_FORMS": events,
        "events-INITIAL_FORMS": events,
    }


def test_admin_workflow_take_then_answer(client, ward, handler, django_capture_on_commit_callbacks):
    report = ReportFactory(unit=ward)
    client.force_login(handler)
    url = f"/admin/reports/report/{report.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "take", "note": "", **_management(report)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.handler) == (S.ASSIGNED, handler)
    client.post(url, {"action": "start", **_management(report)})
    response = client.post(url, {"action": "answer", "answer_text": "", **_management(report)})
    assert response.status_code == 200  # error next to the answer field
    assert "answer_text" in response.context["adminform"].form.errors
    client.post(url, {"action": "answer", "answer_text": "Đã xử lý.", **_management(report)})
    report.refresh_from_db()
    assert (report.status, report.answer) == (S.ANSWERED, "Đã xử lý.")


def test_admin_refuses_assigning_without_supervisor_rights(client, ward, handler):
    colleague = OfficerFactory(units=[ward], groups=[REPORT_HANDLER])
    report = ReportFactory(unit=ward)
    client.force_login(handler)
    response = client.post(
        f"/admin/reports/report/{report.pk}/change/",
        {"action": "assign", "handler_choice": colleague.pk, **_management(report)},
    )
    assert response.status_code == 200 and "action" in response.context["adminform"].form.errors
    assert Report.objects.get(pk=report.pk).status == S.RECEIVED


def test_admin_take_action_on_the_list(client, ward, handler):
    reports = [ReportFactory(unit=ward) for _ in range(2)]
    client.force_login(handler)
    client.post(
        "/admin/reports/report/",
        {"action": "take_selected", "_selected_action": [r.pk for r in reports]},
    )
    assert set(Report.objects.values_list("handler", flat=True)) == {handler.pk}


def test_officers_of_another_unit_cannot_open_the_report(client, ward):
    report = ReportFactory(unit=ward)
    stranger = OfficerFactory(units=[WardUnitFactory()], groups=[REPORT_HANDLER])
    client.force_login(stranger)
    assert client.get(f"/admin/reports/report/{report.pk}/change/").status_code == 404
    assert report.code not in client.get("/admin/reports/report/").content.decode()


def test_a_district_administrator_sees_and_assigns_every_units_reports(ward, handler):
    from apps.reports.services import report_assign as assign

    report = ReportFactory()  # a ward of another district
    admin_officer = OfficerFactory(groups=[DISTRICT_ADMINISTRATOR])
    assert report in report_list_for_user(user=admin_officer)
    other_handler = OfficerFactory(units=[report.unit], groups=[REPORT_HANDLER])
    assert assign(report=report, handler=other_handler, actor=admin_officer).handler == other_handler


def test_opening_a_report_and_its_steps_are_audited(client, ward, handler):
    from apps.backoffice.models import AuditLogEntry

    report = ReportFactory(unit=ward)
    client.force_login(handler)
    client.get(f"/admin/reports/report/{report.pk}/change/")
    client.post(f"/admin/reports/report/{report.pk}/change/", {"action": "take", **_management(report)})
    entries = AuditLogEntry.objects.filter(user=handler).order_by("pk")
    # The move itself ("received → assigned") and the form's save (issue 14.9: each move is audited).
    assert list(entries.values_list("action", flat=True)) == ["view", "transition", "change"]


def test_the_answer_is_sent_to_the_reporter_through_the_notifications(
    ward, handler, django_capture_on_commit_callbacks
):
    from apps.notifications.models import Notification

    report = report_start(report=report_take(report=ReportFactory(unit=ward), actor=handler), actor=handler)
    with django_capture_on_commit_callbacks(execute=True):
        report_answer(report=report, actor=handler, answer="Công an phường đã xử lý.")
    notification = Notification.objects.get(kind="report_answered")
    assert notification.phone == "+84912345678" and notification.language == "vi"
    assert "Công an phường đã xử lý" not in notification.body  # the answer stays on the status page


def test_an_anonymous_reporter_gets_no_message(ward, handler):
    from apps.notifications.models import Notification

    report = ReportFactory(unit=ward, is_anonymous=True, contact_phone="")
    report = report_start(report=report_take(report=report, actor=handler), actor=handler)
    report_answer(report=report, actor=handler, answer="Đã xử lý.")
    assert not Notification.objects.exists()


def test_the_queue_costs_the_same_queries_for_many_reports(client, ward, handler, django_assert_max_num_queries):
    for _ in range(3):
        ReportFactory(unit=ward, handler=handler, status=S.ASSIGNED)
    client.force_login(handler)
    client.get("/admin/reports/report/")
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/reports/report/")
    for _ in range(20):
        ReportFactory(unit=ward, handler=handler, status=S.ASSIGNED)
    with django_assert_max_num_queries(len(few)):
        assert client.get("/admin/reports/report/").status_code == 200


def test_photos_are_private_and_shown_only_to_officers_of_the_unit(client, ward, handler):
    from apps.reports.models import ReportPhoto
    from apps.reports.services import report_submit
    from tests.news.factories import image_upload

    report = report_submit(
        category="crime", description="Có trộm vào nhà.", unit=ward, is_anonymous=True, photos=[image_upload()]
    )
    photo = ReportPhoto.objects.get(report=report)
    with pytest.raises(ValueError, match="not accessible via a URL"):
        photo.image.url  # noqa: B018 - no public address at all
    url = f"/admin/reports/report/{report.pk}/photo/{photo.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(handler)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    change_page = client.get(f"/admin/reports/report/{report.pk}/change/").content.decode()
    assert url in change_page
    assert change_page.count('class="field-to_status"') >= 1  # the history is shown to the handler too
    stranger = OfficerFactory(units=[WardUnitFactory()], groups=[REPORT_HANDLER])
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_queue_summary_counts_open_unassigned_and_overdue(ward, handler):
    from apps.reports.selectors import report_queue_summary

    ReportFactory(unit=ward)
    ReportFactory(unit=ward, handler=handler, status=S.ASSIGNED, due_at=timezone.now() - timedelta(hours=1))
    ReportFactory(unit=ward, status=S.CLOSED, due_at=timezone.now() - timedelta(hours=1))
    ReportFactory()  # another unit's
    summary = report_queue_summary(user=handler)
    assert (summary.open, summary.unassigned, summary.overdue) == (2, 1, 1)
