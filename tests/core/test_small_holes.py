"""Issue 12.7: the smaller holes. The language switch never leads off-site, a cached home page never carries one
visitor's message to another, every page has a Permissions-Policy, and a CSRF refusal is a Vietnamese page."""

import pytest
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.test import Client
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


def _flash(request):
    messages.success(request, "Chúng tôi đã gửi mã tới 0912 345 678.")
    return HttpResponseRedirect("/")


urlpatterns = [path("test-flash/", _flash), *project_urlpatterns]


@pytest.mark.parametrize("evil", ["//evil.example/", "//evil.example/en/"])
def test_the_language_switch_on_a_404_stays_on_site(client, evil):
    response = client.get("/", PATH_INFO=evil)  # the test client would read "//host/" as another host
    assert response.status_code == 404
    html = response.content.decode()
    assert "evil.example" not in html.split("<main", 1)[0]  # header links
    assert 'href="/en/"' in html


def test_the_language_switch_keeps_the_page(client):
    assert 'href="/en/lien-he/"' in client.get("/lien-he/").content.decode()


@pytest.mark.urls("tests.core.test_small_holes")
def test_a_cached_home_page_never_shows_another_visitors_message(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "home"}}
    first = Client()
    page = first.get("/test-flash/", follow=True).content.decode()
    assert "0912 345 678" in page
    assert "0912 345 678" not in Client().get("/").content.decode()
    # and the anonymous page is still cached for everyone
    assert "max-age=60" in Client().get("/")["Cache-Control"]


def test_every_page_has_a_permissions_policy(client):
    policy = client.get("/")["Permissions-Policy"]
    assert "geolocation=()" in policy and "camera=()" in policy and "microphone=()" in policy


def test_a_csrf_refusal_is_a_vietnamese_page_with_the_way_back():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/tra-cuu/", {"code": "K7MX3PQ9R", "phone": "0912345678"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Vui lòng gửi lại" in html
    assert 'href="/tra-cuu/"' in html
    assert "CSRF" not in html and "Forbidden" not in html
    assert response["Cache-Control"] == "no-store"
