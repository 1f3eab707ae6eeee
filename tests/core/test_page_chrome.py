"""The pages' shared frame (header, footer, language link) and what is built once per process for it: fixed
text rendered once per language ({% fixed %}), the directory's cards and the home page's notices rebuilt only when
their rows change. Whatever is kept in the process must follow the database at once, even without any cache (as
on a node whose Redis is down): an edit in admin shows on the next request."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.utils import timezone, translation

from apps.news.models import Post
from apps.units.models import PoliceUnit, UnitPhone

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _language_link(html: str) -> tuple[str, str]:
    """The header's link to the other language: (href, hreflang)."""
    nav = re.search(r'<nav class="portal-lang"[^>]*>(.*?)</nav>', html, re.S).group(1)
    found = re.search(r'<a href="([^"]*)" lang="(\w+)" hreflang="(\w+)">', nav)
    assert found.group(2) == found.group(3)
    return found.group(1), found.group(3)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "other"),
    [
        ("/", "/en/"),
        ("/en/", "/"),
        ("/lien-he/", "/en/lien-he/"),
        ("/en/lien-he/", "/lien-he/"),
        ("/lien-he/?dia-chi=Kh%C3%A1nh+H%E1%BB%99i", "/en/lien-he/?dia-chi=Kh%C3%A1nh+H%E1%BB%99i"),
        ("/tin-tuc/?chuyen-muc=schedule&trang=1", "/en/tin-tuc/?chuyen-muc=schedule&amp;trang=1"),
        ("/en/tin-tuc/lich-tiep-dan-cap-can-cuoc-thang-nay/", "/tin-tuc/lich-tiep-dan-cap-can-cuoc-thang-nay/"),
        ("/thu-tuc/", "/en/thu-tuc/"),
        ("/thu-tuc/cap-cccd/gioi-thieu/", "/en/thu-tuc/cap-cccd/gioi-thieu/"),
        ("/en/tra-cuu/", "/tra-cuu/"),
        ("/phan-anh/", "/en/phan-anh/"),
        # A page that resolves but is not found keeps its address; one that does not resolve leads home.
        ("/tin-tuc/khong-co-tin-nay/", "/en/tin-tuc/khong-co-tin-nay/"),
        ("/khong-co-trang-nay/", "/en/"),
    ],
)
def test_every_page_links_to_itself_in_the_other_language(client, demo_data, path, other):
    response = client.get(path)
    assert response.status_code in (200, 404)
    href, language = _language_link(response.content.decode())
    assert href == other
    assert language == ("vi" if path.startswith("/en/") else "en")


@pytest.mark.django_db
def test_fixed_text_is_rendered_in_each_language_and_the_rest_of_the_page_per_request(client, demo_data):
    for _ in range(2):  # the second round is served from what the first one kept
        vietnamese = client.get("/").content.decode()
        english = client.get("/en/").content.decode()
        assert '<a class="visually-hidden-focusable skip-link" href="#main">Chuyển đến nội dung</a>' in vietnamese
        assert '<li><a href="/thu-tuc/">Thủ tục</a></li>' in vietnamese
        assert '<a href="/kiem-tra-tin-nhan/">Tin nhắn có thật do chúng tôi gửi? Kiểm tra tại đây.</a>' in vietnamese
        assert "Skip to content" not in vietnamese
        assert '<li><a href="/en/thu-tuc/">Procedures</a></li>' in english
        assert '<a href="/en/kiem-tra-tin-nhan/">Is this message really from us? Check it here.</a>' in english
        assert "Chuyển đến nội dung" not in english
        assert "<title>Dịch vụ trực tuyến · Dịch vụ công dân</title>" in vietnamese
        assert "<title>Online services · Citizen services</title>" in english


def test_fixed_text_follows_the_active_language():
    template = Template(
        "{% load i18n portal %}"
        '{% fixed %}<a href="{% portal_path "/tra-cuu/" %}">{% translate "Lookup" %}</a>{% endfixed %}'
    )
    with translation.override("vi"):
        assert template.render(Context()) == '<a href="/tra-cuu/">Tra cứu</a>'
    with translation.override("en"):
        assert template.render(Context()) == '<a href="/en/tra-cuu/">Lookup</a>'
    with translation.override("vi"):
        assert template.render(Context()) == '<a href="/tra-cuu/">Tra cứu</a>'


@pytest.mark.parametrize(
    "inside",
    [
        "{{ home_unit_name }}",
        "{% translate greeting %}",
        '{% translate "Lookup" as label %}',
        '{% translate "Lookup"|upper %}',
        "{% portal_path path %}",
        "{% if home_unit %}x{% endif %}",
        "{% switch_language_url 'en' %}",
        "{% static name %}",
    ],
)
def test_fixed_refuses_anything_that_could_differ_between_requests(inside):
    with pytest.raises(TemplateSyntaxError, match="fixed"):
        Template("{% load i18n static portal %}{% fixed %}<p>" + inside + "</p>{% endfixed %}")


@pytest.mark.django_db
@override_settings(CACHES=NO_CACHE)
def test_without_a_cache_a_unit_edited_in_admin_shows_on_the_next_directory_page(client, demo_data):
    first = client.get("/lien-he/").content.decode()
    assert "Công an Quận 4" in first and "Công an Quận Bốn" not in first
    assert client.get("/lien-he/").content.decode() == first  # the same rows: the same page

    # Written straight to the database, as another node's admin would (no signal reaches this process).
    PoliceUnit.objects.filter(slug="cong-an-quan-4").update(name="Công an Quận Bốn")
    unit = PoliceUnit.objects.get(slug="cong-an-quan-4")
    UnitPhone.objects.create(unit=unit, number="028 1111 2222", label="Trực ban đêm", order=99)
    html = client.get("/lien-he/").content.decode()
    assert '<h3 class="h6 mb-1">Công an Quận Bốn</h3>' in html
    assert 'href="tel:02811112222">Trực ban đêm: 028 1111 2222</a>' in html
    assert "Công an Quận Bốn" in client.get("/").content.decode()  # header and footer too

    PoliceUnit.objects.filter(slug="cong-an-quan-4").update(is_active=False)
    assert 'id="cong-an-quan-4"' not in client.get("/lien-he/").content.decode()
    assert 'id="cong-an-quan-4"' in first


@pytest.mark.django_db
@override_settings(CACHES=NO_CACHE)
def test_without_a_cache_a_notice_edited_in_admin_shows_on_the_next_home_page(client, demo_data):
    pinned = Post.objects.filter(is_pinned=True, is_published=True).order_by("-publish_at").first()
    assert pinned.title in client.get("/").content.decode()
    assert pinned.title_en in client.get("/en/").content.decode()

    Post.objects.filter(pk=pinned.pk).update(title="Thông báo đã sửa", title_en="Edited notice")
    assert "Thông báo đã sửa" in client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert '<a class="fw-semibold" href="/en/tin-tuc/' + pinned.slug + '/">Edited notice</a>' in english

    # Without an English body the English page shows the Vietnamese notice, marked as Vietnamese.
    Post.objects.filter(pk=pinned.pk).update(body_en="")
    english = client.get("/en/").content.decode()
    assert re.search(r'<li class="portal-card mb-2" lang="vi">\s*<a [^>]*>Thông báo đã sửa</a>', english)

    Post.objects.filter(pk=pinned.pk).update(publish_at=timezone.now() + timedelta(days=1))  # scheduled again
    assert "Thông báo đã sửa" not in client.get("/").content.decode()
