"""The operators' view: delivery log, resend through the service, templates with preview; no secrets shown."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from apps.notifications.models import Kind, MessageTemplate, Notification, OtpChallenge, OutboxMessage, ZaloToken
from apps.notifications.services import otp_issue, zalo_token_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def otp_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = otp_issue(phone="0912345678", purpose="declaration", language="vi", client="1.2.3.4")
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get(notification=challenge.notification).body).group(1)
    return challenge, code


def test_delivery_log_lists_filters_and_never_shows_codes(admin_client, otp_sent, send_confirmation):
    challenge, code = otp_sent
    other = send_confirmation()
    changelist = reverse("admin:notifications_notification_changelist")
    html = admin_client.get(changelist, {"status__exact": "sent", "kind__exact": "otp"}).content.decode()
    assert reverse("admin:notifications_notification_change", args=[challenge.notification_id]) in html
    assert reverse("admin:notifications_notification_change", args=[other.pk]) not in html
    assert "+84912345678" in html
    detail = admin_client.get(reverse("admin:notifications_notification_change", args=[challenge.notification_id]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "••••••" in page and code not in page
    otp_page = admin_client.get(reverse("admin:notifications_otpchallenge_change", args=[challenge.pk])).content
    assert code.encode() not in otp_page and challenge.code_hash.encode() not in otp_page


def test_resend_action_goes_through_the_service(
    admin_client, otp_sent, send_confirmation, django_capture_on_commit_callbacks
):
    challenge, _code = otp_sent
    with django_capture_on_commit_callbacks(execute=True):
        original = send_confirmation()
    changelist = reverse("admin:notifications_notification_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist,
            {"action": "resend", "_selected_action": [original.pk, challenge.notification_id]},
            follow=True,
        )
    html = response.content.decode()
    assert "1 message queued again." in html or "Đã đưa 1 tin nhắn" in html
    assert "Cán bộ không gửi lại mã xác nhận" in html or "Confirmation codes are not resent by officers" in html
    copy = Notification.objects.get(resent_from=original)
    assert copy.status == "sent" and copy.kind == Kind.FILING_CONFIRMED
    assert not Notification.objects.filter(resent_from_id=challenge.notification_id).exists()


def test_resend_needs_its_own_permission_is_bounded_and_audited(
    client, settings, send_confirmation, django_capture_on_commit_callbacks
):
    from apps.backoffice.models import AuditLogEntry
    from tests.reports.factories import OfficerFactory

    settings.NOTIFICATIONS_RESEND_MAX_PER_ACTION = 3
    settings.NOTIFICATIONS_RESEND_PER_OFFICER_PER_HOUR = 4
    settings.NOTIFICATIONS_RESEND_MAX_PER_MESSAGE = 1
    with django_capture_on_commit_callbacks(execute=True):
        sent = [send_confirmation() for _ in range(5)]
    changelist = reverse("admin:notifications_notification_changelist")
    viewer = OfficerFactory(username="xem.tin", permissions=["notifications.view_notification"])
    client.force_login(viewer)
    assert 'value="resend"' not in client.get(changelist).content.decode()  # reading the log is not enough
    response = client.post(changelist, {"action": "resend", "_selected_action": [sent[0].pk]})
    assert not Notification.objects.filter(resent_from__isnull=False).exists()

    sender = OfficerFactory(
        username="gui.lai",
        permissions=["notifications.view_notification", "notifications.resend_notification"],
    )
    client.force_login(sender)

    def resend(*notifications):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                changelist, {"action": "resend", "_selected_action": [n.pk for n in notifications]}, follow=True
            )
        return response.content.decode()

    assert "tối đa 3 tin nhắn" in resend(*sent[:4])  # more than one action may resend
    assert not Notification.objects.filter(resent_from__isnull=False).exists()
    assert "Đã đưa 3 tin nhắn" in resend(*sent[:3])
    assert "đã được gửi lại đủ số lần" in resend(sent[0])  # each message at most once here
    assert "trong một giờ" in resend(sent[3], sent[4])  # 3 + 2 > 4 per officer per hour
    assert Notification.objects.filter(resent_from__isnull=False).count() == 3
    audit = AuditLogEntry.objects.filter(action="resend").order_by("id")
    copies = {n.resent_from_id: n.pk for n in Notification.objects.filter(resent_from__isnull=False)}
    assert sorted((e.username, e.object_id, e.detail) for e in audit) == sorted(
        ("gui.lai", str(n.pk), f"→ #{copies[n.pk]}") for n in sent[:3]
    )
    assert response.status_code in (200, 302)


def test_template_admin_shows_a_preview_and_refuses_unknown_placeholders(admin_client):
    template, _ = MessageTemplate.objects.get_or_create(
        kind=Kind.REPORT_RECEIVED, language="vi", defaults={"body": "Đã nhận phản ánh {reference}."}
    )
    url = reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    html = admin_client.get(url).content.decode()
    assert "{reference}, {url}" in html  # the placeholders this kind offers
    assert "K7MX-3PQ9-R" in html  # the preview, with sample data
    response = admin_client.post(
        url, {"kind": template.kind, "language": "vi", "subject": "", "body": "Xin chào {ten}", "zns_template_id": ""}
    )
    assert response.status_code == 200
    assert "{ten}" in response.content.decode()
    template.refresh_from_db()
    assert "{ten}" not in template.body
    response = admin_client.post(
        url,
        {"kind": template.kind, "language": "vi", "subject": "", "body": "Mới: {reference}", "zns_template_id": "9"},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Mới: {reference}"


def test_zalo_token_page_shows_state_not_tokens(admin_client):
    zalo_token_store(access_token="ACCESS-SECRET-1", refresh_token="REFRESH-SECRET-1", expires_in=90000)
    token = ZaloToken.objects.get()
    html = admin_client.get(reverse("admin:notifications_zalotoken_change", args=[token.pk])).content.decode()
    assert "SECRET" not in html and token.refresh_token_sealed not in html


def test_admin_is_under_the_configured_path(admin_client):
    assert admin_client.get(f"/{settings.ADMIN_URL}notifications/notification/").status_code == 200
    assert OtpChallenge.objects.count() == 0


def test_operators_can_refresh_the_zalo_token_now(admin_client, providers):
    from apps.notifications.services import zalo_token_get

    zalo = providers["zalo"]
    first = zalo_token_get()
    token = ZaloToken.objects.get()
    changelist = reverse("admin:notifications_zalotoken_changelist")
    response = admin_client.post(changelist, {"action": "refresh_now", "_selected_action": [token.pk]}, follow=True)
    assert zalo.refreshes == 2 and zalo_token_get() != first
    assert "Mã truy cập đã được làm mới." in response.content.decode()
    zalo.refresh_token = "revoked"
    response = admin_client.post(changelist, {"action": "refresh_now", "_selected_action": [token.pk]}, follow=True)
    assert "Zalo từ chối làm mới" in response.content.decode()


def test_refresh_if_due_refreshes_early_but_not_every_hour(providers, settings):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from apps.notifications.services import zalo_token_get, zalo_token_refresh_if_due

    zalo = providers["zalo"]
    zalo_token_get()  # valid for 25 hours
    assert zalo_token_refresh_if_due() is False
    with time_machine.travel(timezone.now() + timedelta(hours=21)):
        assert zalo_token_refresh_if_due() is True
    assert zalo.refreshes == 2
