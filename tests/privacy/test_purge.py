"""The retention schedule: one purge deletes (or blanks) exactly what is older than each limit, keeps the rest,
removes report photos from storage, and logs counts only."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command

from apps.appointments.models import Appointment
from apps.backoffice.models import AuditLogEntry
from apps.exports.models import ExportJob, exports_storage
from apps.filings.models import Draft, Filing, FilingEvent
from apps.notifications.models import DeliveryAttempt, Notification, OtpChallenge, OutboxMessage
from apps.privacy.services.purge import personal_data_purge_expired
from apps.reports.models import ChatEntry, Report, ReportPhoto
from tests.backoffice.factories import OfficerFactory, appointment_create, declaration_create
from tests.filings.factories import filing_make
from tests.notifications.factories import NotificationFactory
from tests.reports.factories import ReportFactory
from tests.units.factories import WardUnitFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 3, 0, tzinfo=UTC)
DAYS = {
    "drafts": 7,
    "holds": 1,
    "otp_challenges": 1,
    "message_bodies": 30,
    "messages": 365,
    "filings": 180,
    "unconfirmed_reports": 1,
    "reports": 730,
    "report_photos": 180,
    "sessions": 0,
    "sign_in_records": 90,
    "audit_log": 730,
}


def test_the_default_schedule_is_the_one_the_readme_documents():
    assert settings.PRIVACY_RETENTION_DAYS == DAYS


def _at(days_ago: float, *, hours: float = 0):
    return NOW - timedelta(days=days_ago, hours=hours)


def _older(step):
    return _at(DAYS[step], hours=1)


def _younger(step):
    return _at(DAYS[step], hours=-1)


@pytest.fixture
def photo_root(settings, tmp_path):
    settings.REPORTS_PHOTO_ROOT = tmp_path / "photos"
    return settings.REPORTS_PHOTO_ROOT


def _photo(report, name):
    photo = ReportPhoto(report=report, width=1, height=1)
    photo.image.save(name, ContentFile(b"\xff\xd8jpeg"), save=False)
    photo.save()
    return photo


def test_purge_deletes_exactly_what_is_older_than_each_limit(photo_root, django_capture_on_commit_callbacks, caplog):
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    unit = WardUnitFactory()
    keep, gone = {}, {}

    def make(when, factory):
        with time_machine.travel(when, tick=False):
            return factory()

    # Drafts: after their last change.
    gone["draft"] = make(_older("drafts"), lambda: Draft.objects.create(expires_at=NOW))
    keep["draft"] = make(_younger("drafts"), lambda: Draft.objects.create(expires_at=NOW))
    # Expired holds, after they expired.
    gone["hold"] = appointment_create(unit=unit, starts_at=NOW + timedelta(days=3), status="held")
    Appointment.objects.filter(pk=gone["hold"].pk).update(hold_expires_at=_older("holds"))
    keep["hold"] = appointment_create(unit=unit, starts_at=NOW + timedelta(days=3, minutes=15), status="expired")
    Appointment.objects.filter(pk=keep["hold"].pk).update(hold_expires_at=_younger("holds"))
    # Confirmation-code challenges.
    gone["otp"] = OtpChallenge.objects.create(
        phone="+84912345678", purpose="x", code_hash="h", created_at=_older("otp_challenges"), expires_at=NOW
    )
    keep["otp"] = OtpChallenge.objects.create(
        phone="+84912345678", purpose="x", code_hash="h", created_at=_younger("otp_challenges"), expires_at=NOW
    )
    # Message texts (the delivery record stays), then whole messages.
    blanked = make(_older("message_bodies"), lambda: NotificationFactory(status="sent", body="Mã hồ sơ K7MX3PQ9R"))
    DeliveryAttempt.objects.create(
        notification=blanked, channel="sms", outcome="sent", provider_answer='{"phone": "0912"}'
    )
    OutboxMessage.objects.create(notification=blanked, recipient="+84912345678", body="Mã hồ sơ K7MX3PQ9R")
    keep["text"] = make(
        _younger("message_bodies"), lambda: NotificationFactory(status="sent", body="Mã hồ sơ K7MX3PQ9R")
    )
    queued_old = make(_older("message_bodies"), lambda: NotificationFactory(status="queued", body="chưa gửi"))
    gone["message"] = make(_older("messages"), lambda: NotificationFactory(status="sent"))
    # Filings (every procedure's): one whose appointment is older than the limit, one whose appointment is not, one
    # whose appointment is old but was moved along recently.
    old_slot = appointment_create(unit=unit, starts_at=_older("filings"))
    recent_slot = appointment_create(unit=unit, starts_at=_younger("filings"))
    gone["declaration"] = make(_at(200), lambda: declaration_create(appointment=old_slot))
    keep["declaration"] = make(_at(200), lambda: declaration_create(appointment=recent_slot))
    reviewed_slot = appointment_create(unit=unit, starts_at=_at(300))
    keep["reviewed"] = make(_at(300), lambda: declaration_create(appointment=reviewed_slot))
    Filing.objects.filter(pk=keep["reviewed"].pk).update(updated_at=_younger("filings"))
    filing_slot = appointment_create(unit=unit, starts_at=_older("filings"))
    gone["filing"] = make(_at(200), lambda: filing_make(appointment=filing_slot))
    Draft.objects.create(filing=gone["filing"], expires_at=NOW)  # touched now, but goes with its filing
    keep["filing"] = make(_younger("filings"), lambda: filing_make())
    gone["orphan_booking"] = appointment_create(unit=unit, starts_at=_older("filings"), status="cancelled")
    # Reports: unconfirmed after a day; closed ones after their limit; photos of closed ones earlier.
    gone["unconfirmed"] = ReportFactory(unit=unit, confirmed_at=None, created_at=_older("unconfirmed_reports"))
    keep["unconfirmed"] = ReportFactory(unit=unit, confirmed_at=None, created_at=_younger("unconfirmed_reports"))
    old_report = make(_older("reports"), lambda: ReportFactory(unit=unit, status="closed"))
    old_report_photo = _photo(old_report, "a.jpg")
    photo_only = make(_older("report_photos"), lambda: ReportFactory(unit=unit, status="answered"))
    photo_gone = _photo(photo_only, "b.jpg")
    open_report = make(_older("reports"), lambda: ReportFactory(unit=unit, status="in_progress"))
    photo_kept = _photo(open_report, "c.jpg")
    recent_closed = make(_younger("report_photos"), lambda: ReportFactory(unit=unit, status="closed"))
    photo_kept_too = _photo(recent_closed, "d.jpg")
    # A report's Zalo conversation goes with it.
    ChatEntry.objects.create(report=old_report, direction="in", kind="text", text="tin nhắn cũ")
    ChatEntry.objects.create(report=open_report, direction="in", kind="text", text="tin nhắn giữ lại")
    # Officers' background exports and their files, after EXPORTS_KEEP_HOURS (24).
    officer = OfficerFactory()
    storage = exports_storage()
    for name, hours in (("old.csv", 25), ("recent.csv", 23)):
        storage.save(name, ContentFile(b"079203001234"))
        job = ExportJob.objects.create(user=officer, model_label="filings.filing", title="x", format="csv",
                                       status="done", file_name=name)  # fmt: skip
        ExportJob.objects.filter(pk=job.pk).update(created_at=NOW - timedelta(hours=hours))
    # Sessions, after they expire.
    for expiry, key in ((_at(0, hours=1), "gone"), (_at(0, hours=-1), "keep")):
        store = SessionStore()
        store["x"] = key
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expiry)
    # Officers' sign-in records and the audit log.
    from axes.models import AccessAttempt, AccessLog

    for model, name, when in (
        (AccessLog, "a", _older("sign_in_records")),
        (AccessLog, "b", _younger("sign_in_records")),
        (AccessAttempt, "c", _older("sign_in_records")),
    ):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        row = model.objects.create(username=name, ip_address="127.0.0.1", user_agent="x", **extra)
        model.objects.filter(pk=row.pk).update(attempt_time=when)  # auto_now_add otherwise
    AuditLogEntry.objects.create(action="view", at=_older("audit_log"), object_repr="old")
    AuditLogEntry.objects.create(action="view", at=_younger("audit_log"), object_repr="recent")

    files = [p.image.path for p in (old_report_photo, photo_gone, photo_kept, photo_kept_too)]
    assert all(__import__("os").path.exists(f) for f in files)

    caplog.set_level(logging.INFO, logger="apps.privacy")
    with django_capture_on_commit_callbacks(execute=True):
        counts = personal_data_purge_expired()
    traveller.stop()

    assert counts == {
        "drafts": 1,
        "holds": 1,
        "otp_challenges": 1,
        "message_bodies": 3,  # two finished messages blanked (one is also past its whole limit), an outbox copy
        "messages": 1,
        "filings": 2,
        "bookings": 1,
        "unconfirmed_reports": 1,
        "reports": 1,
        "report_photos": 1,
        "exports": 1,
        "sessions": 1,
        "sign_in_records": 2,
        "audit_log": 1,
    }
    assert set(Draft.objects.values_list("pk", flat=True)) == {keep["draft"].pk}
    assert not Appointment.objects.filter(pk__in=[gone["hold"].pk, old_slot.pk, gone["orphan_booking"].pk]).exists()
    assert Appointment.objects.filter(pk__in=[keep["hold"].pk, recent_slot.pk, reviewed_slot.pk]).count() == 3
    assert list(OtpChallenge.objects.all()) == [keep["otp"]]
    blanked.refresh_from_db()
    assert (blanked.body, blanked.context, blanked.status, blanked.phone) == ("", {}, "sent", "+84912345678")
    assert DeliveryAttempt.objects.get(notification=blanked).provider_answer == ""
    assert not OutboxMessage.objects.exists()
    assert Notification.objects.get(pk=keep["text"].pk).body == "Mã hồ sơ K7MX3PQ9R"
    assert Notification.objects.get(pk=queued_old.pk).body == "chưa gửi"  # not finished: still needed
    assert not Notification.objects.filter(pk=gone["message"].pk).exists()
    kept = {keep["declaration"].pk, keep["reviewed"].pk, keep["filing"].pk}
    assert set(Filing.objects.values_list("pk", flat=True)) == kept
    assert set(FilingEvent.objects.values_list("filing_id", flat=True)) == {keep["filing"].pk}
    assert set(Report.objects.values_list("pk", flat=True)) == {
        keep["unconfirmed"].pk,
        photo_only.pk,
        open_report.pk,
        recent_closed.pk,
    }
    assert set(ReportPhoto.objects.values_list("pk", flat=True)) == {photo_kept.pk, photo_kept_too.pk}
    assert [__import__("os").path.exists(f) for f in files] == [False, False, True, True]
    assert list(ChatEntry.objects.values_list("text", flat=True)) == ["tin nhắn giữ lại"]
    assert list(ExportJob.objects.values_list("file_name", flat=True)) == ["recent.csv"]
    assert [storage.exists("old.csv"), storage.exists("recent.csv")] == [False, True]
    assert list(Session.objects.values_list("expire_date", flat=True)) == [_at(0, hours=-1)]
    assert list(AccessLog.objects.values_list("username", flat=True)) == ["b"]
    assert not AccessAttempt.objects.exists()
    assert list(AuditLogEntry.objects.values_list("object_repr", flat=True)) == ["recent"]

    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("apps.privacy"))
    assert "drafts=1" in logged and "audit_log=1" in logged
    for secret in ("K7MX3PQ9R", "NGUYỄN", "079203001234", "+8490", "0912"):
        assert secret not in logged

    # A second run finds nothing more.
    with time_machine.travel(NOW, tick=False):
        assert set(personal_data_purge_expired().values()) == {0}


def test_the_command_and_the_beat_task_run_the_purge(capsys):
    from apps.privacy.tasks import purge_expired

    with time_machine.travel(NOW, tick=False):
        Draft.objects.create(expires_at=NOW)
        Draft.objects.filter().update(updated_at=_older("drafts"))
        call_command("purge_expired")
    assert capsys.readouterr().out.startswith("drafts: 1; holds: 0;")
    assert (
        settings.CELERY_BEAT_SCHEDULE["privacy-purge-expired"]["task"] == purge_expired.name == "privacy.purge_expired"
    )
