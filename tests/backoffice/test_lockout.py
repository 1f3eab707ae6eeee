"""Admin sign-in is locked after repeated wrong passwords (django-axes), with a clear translated page."""

import pytest
from django.test import override_settings
from django.urls import reverse

from .factories import PASSWORD, OfficerFactory

pytestmark = pytest.mark.django_db


def _attempt(client, username, password):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password, "next": reverse("admin:index")}
    )


def test_wrong_passwords_lock_the_account_from_that_address(client, settings):
    OfficerFactory(username="canbo.khoa")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _attempt(client, "canbo.khoa", "sai-mat-khau")
        assert response.status_code == 200  # the login form again, with Django's error
    response = _attempt(client, "canbo.khoa", "sai-mat-khau")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Đăng nhập bị tạm khóa" in page
    assert "30 phút" in page
    # Even the right password is refused while locked.
    response = _attempt(client, "canbo.khoa", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_page_in_english(client, settings):
    OfficerFactory(username="canbo.khoa")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            "/en/" + settings.ADMIN_URL + "login/", {"username": "canbo.khoa", "password": "wrong-password"}
        )
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()


def test_another_officer_is_not_locked_by_someone_elses_failures(client, settings):
    OfficerFactory(username="canbo.khoa")
    OfficerFactory(username="canbo.khac")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "canbo.khoa", "sai-mat-khau")
    response = _attempt(client, "canbo.khac", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_success_resets_the_count(client, settings):
    OfficerFactory(username="canbo.quen")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "canbo.quen", "sai-mat-khau")
    assert _attempt(client, "canbo.quen", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "canbo.quen", "sai-mat-khau").status_code == 200
    assert _attempt(client, "canbo.quen", PASSWORD).status_code == 302


@override_settings(AXES_COOLOFF_TIME=None)
def test_test_client_login_still_works(client):
    OfficerFactory(username="canbo.test")
    assert client.login(username="canbo.test", password=PASSWORD)


def _attempt_from(client, username, password, address):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_guesses_spread_over_accounts_lock_the_address(client):
    # 24 wrong passwords over 6 accounts (4 each, under the per-account-and-address limit of 5) from one address.
    for n in range(6):
        OfficerFactory(username=f"canbo.{n}")
    OfficerFactory(username="canbo.dung")
    statuses = [
        _attempt_from(client, f"canbo.{n}", "sai-mat-khau", "203.0.113.7").status_code
        for n in range(6)
        for _ in range(4)
    ]
    assert statuses[:19] == [200] * 19  # the form again, with Django's error
    assert statuses[19:] == [429] * 5  # the 20th failure from this address locks it
    # Even an officer with the right password is refused from that address, and allowed from another one.
    assert _attempt_from(client, "canbo.dung", PASSWORD, "203.0.113.7").status_code == 429
    assert _attempt_from(client, "canbo.dung", PASSWORD, "198.51.100.2").status_code == 302


def test_guesses_from_many_addresses_lock_the_account(client):
    OfficerFactory(username="canbo.muc.tieu")
    OfficerFactory(username="canbo.khac")
    statuses = [
        _attempt_from(client, "canbo.muc.tieu", "sai-mat-khau", f"198.51.100.{n}").status_code
        for n in range(1, 6)
        for _ in range(2)
    ]
    assert statuses == [200] * 9 + [429]  # 10 failures of one account from 5 addresses
    assert _attempt_from(client, "canbo.muc.tieu", PASSWORD, "192.0.2.99").status_code == 429
    client.logout()
    assert _attempt_from(client, "canbo.khac", PASSWORD, "198.51.100.1").status_code == 302
