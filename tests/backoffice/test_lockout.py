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
