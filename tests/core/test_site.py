"""Site-wide checks: pages render with one <h1> in both languages, the language switch, headers, health."""

import re

import pytest

PAGES = ["/", "/lien-he/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_page_renders_with_one_h1(client, demo_data, path, prefix):
    response = client.get(prefix + path)
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert f'<html lang="{"en" if prefix else "vi"}">' in html


@pytest.mark.django_db
def test_vietnamese_is_default_and_english_is_under_en(client, demo_data):
    vi = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    en = client.get("/en/").content.decode()
    # An English browser still gets Vietnamese at the unprefixed address.
    assert "Khai tờ khai căn cước" in vi
    assert "Fill in the identity card declaration" in en
    assert "Công an Quận 4" in vi and "District 4 Police" in en


@pytest.mark.django_db
def test_language_switch_keeps_the_page(client, demo_data):
    html = client.get("/lien-he/?q=1").content.decode()
    assert 'href="/en/lien-he/?q=1"' in html
    html = client.get("/en/lien-he/").content.decode()
    assert 'href="/lien-he/"' in html


@pytest.mark.django_db
def test_header_shows_unit_name_and_hotline_and_navigation(client, demo_data):
    html = client.get("/").content.decode()
    assert "Công an Quận 4" in html
    assert 'href="tel:02839400155"' in html
    for path in ("/thu-tuc/", "/tin-tuc/", "/lien-he/", "/tra-cuu/"):
        assert f'href="{path}"' in html
    assert 'href="tel:113"' in html


@pytest.mark.django_db
def test_pages_load_nothing_from_third_parties(client, demo_data):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    html = response.content.decode()
    for url in re.findall(r'(?:src|href)="(https?:)?//[^"]*"', html):
        pytest.fail(f"third-party address in page: {url}")


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_server_error_page_renders_without_database(rf):
    from apps.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "113" in response.content.decode()


@pytest.mark.django_db
def test_home_is_served_from_the_cache_per_language(client, demo_data, django_assert_num_queries):
    client.get("/")
    client.get("/en/")
    with django_assert_num_queries(0):
        vi = client.get("/").content.decode()
        en = client.get("/en/").content.decode()
    assert "Khai tờ khai căn cước" in vi
    assert "Fill in the identity card declaration" in en
