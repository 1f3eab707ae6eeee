"""One purge for the whole retention schedule (settings.PRIVACY_RETENTION_DAYS, README "Personal data").

Run by Celery beat (`privacy.purge_expired`) and by `manage.py purge_expired` (and `run_periodic_tasks`). Each
step deletes or blanks what is older than its limit and nothing else, in its own transaction, and the run logs
one line of counts: never a name, a number or a text.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# The order matters: filings go before the bookings they protect, reports before their photos' own limit. A report
# goes with its Zalo conversation (ChatEntry) and photos; a filing with its drafts, timeline and messages.
STEPS = (
    "drafts",
    "holds",
    "otp_challenges",
    "message_bodies",
    "messages",
    "filings",
    "bookings",
    "unconfirmed_reports",
    "reports",
    "report_photos",
    "exports",
    "sessions",
    "sign_in_records",
    "audit_log",
)


def retention_days() -> dict[str, int]:
    return dict(settings.PRIVACY_RETENTION_DAYS)


def _cutoff(now, step: str):
    return now - timedelta(days=retention_days()[step])


def _delete(queryset) -> int:
    """Rows of the queryset's own model deleted (not the rows that cascade with them)."""
    _total, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)


def _delete_files(files) -> None:
    """Photo files go once the rows are gone for good (after commit), so a rollback never leaves a row without
    its file."""
    files = [(f.storage, f.name) for f in files if f.name]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


def _forget_subjects(model, ids) -> None:
    """Rows of other apps that point at a deleted filing or report generically (messages)."""
    from apps.notifications.models import Notification

    if not ids:
        return
    content_type = ContentType.objects.get_for_model(model)
    keys = [str(pk) for pk in ids]
    Notification.objects.filter(subject_type=content_type, subject_id__in=keys).delete()


def _purge_drafts(now) -> int:
    from apps.filings.models import Draft

    return _delete(Draft.objects.filter(updated_at__lt=_cutoff(now, "drafts"), filing__isnull=True))


def _protected_appointment_ids():
    from apps.filings.models import Filing

    return Filing.objects.filter(appointment__isnull=False).values_list("appointment_id", flat=True)


def _purge_holds(now) -> int:
    from apps.appointments.models import Appointment, AppointmentStatus

    stale = Appointment.objects.filter(
        status__in=(AppointmentStatus.HELD, AppointmentStatus.EXPIRED), hold_expires_at__lt=_cutoff(now, "holds")
    ).exclude(pk__in=_protected_appointment_ids())
    deleted = _delete(stale)
    return deleted


def _purge_otp_challenges(now) -> int:
    from apps.notifications.models import OtpChallenge

    deleted = _delete(OtpChallenge.objects.filter(created_at__lt=_cutoff(now, "otp_challenges")))
    return deleted


def _purge_message_bodies(now) -> int:
    """Finished messages keep their delivery record (kind, channel, status, times) and lose their text."""
    from apps.notifications.models import DeliveryAttempt, Notification, OutboxMessage, Status

    finished = Notification.objects.filter(
        status__in=(Status.SENT, Status.FAILED, Status.PERMANENT_FAILURE),
        created_at__lt=_cutoff(now, "message_bodies"),
    )
    ids = list(
        finished.exclude(body="", context={}, sealed_context="", provider_answer="").values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(body="", context={}, sealed_context="", provider_answer="")
    DeliveryAttempt.objects.filter(notification__in=finished).exclude(provider_answer="").update(provider_answer="")
    outbox = _delete(OutboxMessage.objects.filter(notification__in=finished))
    return len(ids) + outbox


def _purge_messages(now) -> int:
    from apps.notifications.models import Notification

    deleted = _delete(Notification.objects.filter(created_at__lt=_cutoff(now, "messages")))
    return deleted


def _purge_filings(now) -> int:
    """Filings whose every date (submitted, cancelled, appointment, last review step) is older than the limit."""
    from apps.appointments.models import Appointment
    from apps.filings.models import Draft as FilingDraft
    from apps.filings.models import Filing

    cutoff = _cutoff(now, "filings")
    filings = Filing.objects.filter(submitted_at__lt=cutoff, updated_at__lt=cutoff).filter(
        Q(appointment__isnull=True) | Q(appointment__slot__starts_at__lt=cutoff)
    )
    rows = list(filings.values_list("pk", "appointment_id"))
    ids = [pk for pk, _ in rows]
    _forget_subjects(Filing, ids)
    FilingDraft.objects.filter(filing_id__in=ids).delete()
    Filing.objects.filter(pk__in=ids).delete()  # with its timeline (FilingEvent)
    Appointment.objects.filter(pk__in=[a for _, a in rows if a]).delete()
    return len(ids)


def _purge_bookings(now) -> int:
    """Appointments left without a filing (bookings of a filing already gone) once their time is that old."""
    from apps.appointments.models import Appointment

    stale = Appointment.objects.filter(slot__starts_at__lt=_cutoff(now, "filings")).exclude(
        pk__in=_protected_appointment_ids()
    )
    deleted = _delete(stale)
    return deleted


def _delete_reports(reports) -> int:
    from apps.reports.models import Report, ReportPhoto

    ids = list(reports.values_list("pk", flat=True))
    _delete_files(photo.image for photo in ReportPhoto.objects.filter(report_id__in=ids))
    _forget_subjects(Report, ids)
    count = len(ids)
    Report.objects.filter(pk__in=ids).delete()
    return count


def _purge_unconfirmed_reports(now) -> int:
    from apps.reports.models import Report

    return _delete_reports(
        Report.objects.filter(confirmed_at__isnull=True, created_at__lt=_cutoff(now, "unconfirmed_reports"))
    )


def _purge_reports(now) -> int:
    from apps.reports.models import Report, ReportStatus

    return _delete_reports(
        Report.objects.filter(
            status__in=(ReportStatus.ANSWERED, ReportStatus.CLOSED), updated_at__lt=_cutoff(now, "reports")
        )
    )


def _purge_report_photos(now) -> int:
    from apps.reports.models import ReportPhoto, ReportStatus

    photos = ReportPhoto.objects.filter(
        report__status__in=(ReportStatus.ANSWERED, ReportStatus.CLOSED),
        report__updated_at__lt=_cutoff(now, "report_photos"),
    )
    stale = list(photos)
    _delete_files(photo.image for photo in stale)
    ReportPhoto.objects.filter(pk__in=[p.pk for p in stale]).delete()
    return len(stale)


def _purge_exports(now) -> int:
    """Officers' background exports and their files, after EXPORTS_KEEP_HOURS (apps.exports' own limit, also run
    by its beat task): a file lists many citizens."""
    from apps.exports.services import export_job_purge_expired

    return export_job_purge_expired(now=now)


def _purge_sessions(now) -> int:
    deleted = _delete(Session.objects.filter(expire_date__lt=_cutoff(now, "sessions")))
    return deleted


def _purge_sign_in_records(now) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = _cutoff(now, "sign_in_records")
    total = 0
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        total += _delete(model.objects.filter(attempt_time__lt=cutoff))
    return total


def _purge_audit_log(now) -> int:
    from apps.backoffice.models import AuditLogEntry

    deleted = _delete(AuditLogEntry.objects.filter(at__lt=_cutoff(now, "audit_log")))
    return deleted


def personal_data_purge_expired(*, now=None) -> dict[str, int]:
    """Apply the retention schedule once. Returns the number of rows deleted or blanked per step."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for step in STEPS:
        with transaction.atomic():
            counts[step] = globals()[f"_purge_{step}"](now)
    logger.info("Personal data purge: %s", ", ".join(f"{step}={count}" for step, count in counts.items()))
    return counts
