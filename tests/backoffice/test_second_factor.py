"""Officers whose roles see personal data sign in with a TOTP code (django-otp), end to end; sessions end after
a working day without activity."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.backoffice import roles

from .factories import PASSWORD, OfficerFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 6, 1, 2, 0, tzinfo=UTC)


def _code(device: TOTPDevice, at: datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():0{device.digits}d}"


def _sign_in(client, username, code=""):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": PASSWORD, "otp_token": code, "next": reverse("admin:index")},
    )


def test_a_reviewer_enrols_an_authenticator_and_then_needs_its_code(client, role_groups, ward_a):
    OfficerFactory(username="kiemtra.p1", units=[ward_a], roles=[roles.REVIEWER])
    setup = reverse("backoffice:second-factor-setup")
    with time_machine.travel(T0, tick=False):
        # The password alone opens only the set-up page: every back-office page leads there.
        assert _sign_in(client, "kiemtra.p1").status_code == 302
        assert client.get(reverse("admin:index"))["Location"] == setup
        assert client.get("/admin/filings/filing/")["Location"] == setup
        page = client.get(setup)
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user__username="kiemtra.p1")
        assert not device.confirmed
        assert "<svg" in page.content.decode()
        response = client.post(setup, {"token": "000000" if _code(device, T0) != "000000" else "111111"})
        assert "Mã này không đúng" in response.content.decode()
    retry = T0 + timedelta(seconds=5)  # a wrong code slows the next try down (django-otp throttling)
    with time_machine.travel(retry, tick=False):
        assert client.post(setup, {"token": _code(device, retry)})["Location"] == reverse("admin:index")
        assert client.get(reverse("admin:index")).status_code == 200
        client.logout()

    later = T0 + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        device.refresh_from_db()
        assert device.confirmed
        # Now the password alone is refused, and so is a wrong code.
        response = _sign_in(client, "kiemtra.p1")
        assert response.status_code == 200 and "Nhập mã 6 số" in response.content.decode()
        assert "_auth_user_id" not in client.session
        wrong = "123456" if _code(device, later) != "123456" else "654321"
        assert _sign_in(client, "kiemtra.p1", wrong).status_code == 200
        assert "_auth_user_id" not in client.session
    later = later + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        assert _sign_in(client, "kiemtra.p1", _code(device, later))["Location"] == reverse("admin:index")
        assert client.get(reverse("admin:index")).status_code == 200
        # The set-up page cannot be used again to add a device.
        assert client.get(setup)["Location"] == reverse("admin:index")
        assert TOTPDevice.objects.filter(user__username="kiemtra.p1").count() == 1


def test_a_news_editor_signs_in_with_the_password_only(client, role_groups, ward_a):
    OfficerFactory(username="tintuc.p1", units=[ward_a], roles=[roles.NEWS_EDITOR])
    assert _sign_in(client, "tintuc.p1")["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.real_second_factor
def test_a_session_without_the_code_is_sent_back_to_sign_in(client, role_groups, ward_a):
    officer = OfficerFactory(username="quay.p1", units=[ward_a], roles=[roles.COUNTER_OFFICER])
    TOTPDevice.objects.create(user=officer, name="app", confirmed=True)
    client.force_login(officer)
    response = client.get("/admin/quay/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert "_auth_user_id" not in client.session


def test_officer_sessions_end_after_a_working_day_without_activity(client, role_groups, ward_a):
    OfficerFactory(username="tintuc.p2", units=[ward_a], roles=[roles.NEWS_EDITOR])
    with time_machine.travel(T0, tick=False):
        _sign_in(client, "tintuc.p2")
        assert client.session.get_expiry_age() == 10 * 3600
    with time_machine.travel(T0 + timedelta(hours=9, minutes=50), tick=False):
        assert client.get(reverse("admin:index")).status_code == 200  # activity keeps it alive
    with time_machine.travel(T0 + timedelta(hours=19, minutes=40), tick=False):
        assert client.get(reverse("admin:index")).status_code == 200
    with time_machine.travel(T0 + timedelta(hours=29, minutes=41), tick=False):
        assert client.get(reverse("admin:index")).status_code == 302  # 10 hours idle: signed out


def test_demo_officers_sign_in_with_the_printed_code(client, settings):
    from io import StringIO

    from django.core.management import call_command

    from apps.accounts.demo import DEMO_PASSWORD

    settings.DEBUG = True
    out = StringIO()
    with time_machine.travel(T0, tick=False):
        call_command("load_demo", stdout=out)
        assert "otp_demo_code" in out.getvalue()
        code = StringIO()
        call_command("otp_demo_code", stdout=code)
        response = client.post(
            reverse("admin:login"),
            {"username": "canbo.phuong1", "password": DEMO_PASSWORD, "otp_token": code.getvalue()[:6]},
        )
        # Read inside the travel: the officer session lasts a working day from T0, and the suite's own clock
        # (--clock) may be any day, long after that day has ended.
        assert response.status_code == 302
        assert client.session["otp_device_id"]
