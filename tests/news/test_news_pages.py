import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.news.models import Category
from apps.news.selectors import PAGE_SIZE
from apps.news.services import post_save

from .factories import PostFactory, image_upload


def _saved(**kwargs):
    post = PostFactory.build(**kwargs)
    post.unit.save()
    post.unit_id = post.unit.pk
    return post_save(post=post)


@pytest.mark.django_db
def test_scheduled_post_is_invisible_until_its_time(client):
    post = PostFactory(title="Lịch tiếp dân tháng sau", publish_at=timezone.now() + timedelta(hours=2))
    assert post.title not in client.get("/tin-tuc/").content.decode()
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title not in client.get("/tin-tuc/rss/").content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        # The cached list expires when the scheduled post is due, so it appears without any edit.
        assert post.title in client.get("/tin-tuc/").content.decode()
        assert client.get(post.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_drafts_are_never_shown(client):
    post = PostFactory(is_published=False)
    assert client.get(post.get_absolute_url()).status_code == 404
    assert post.title not in client.get("/tin-tuc/").content.decode()


@pytest.mark.django_db
def test_list_pins_first_filters_by_category_and_paginates(client, django_assert_max_num_queries):
    unit = PostFactory().unit
    for i in range(PAGE_SIZE + 2):
        PostFactory(unit=unit, title=f"Tin thường {i}", publish_at=timezone.now() - timedelta(hours=i + 1))
    PostFactory(unit=unit, title="Tin ghim", is_pinned=True, publish_at=timezone.now() - timedelta(days=30))
    PostFactory(unit=unit, title="Lịch tháng", category=Category.SCHEDULE)
    # Cold cache: count, page, next scheduled post, and the header's unit (units, phones, hours).
    with django_assert_max_num_queries(6):
        html = client.get("/tin-tuc/").content.decode()
    titles = re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">([^<]+)</a>', html)
    assert titles[0] == "Tin ghim" and len(titles) == PAGE_SIZE
    assert "trang=2" in html
    # The cached page costs no query at all.
    with django_assert_max_num_queries(0):
        client.get("/tin-tuc/")
    page2 = client.get("/tin-tuc/?trang=2").content.decode()
    assert 'rel="prev"' in page2 and 'rel="next"' not in page2 and "Trang 2 / 2" in page2
    schedule = client.get("/tin-tuc/?chuyen-muc=schedule").content.decode()
    assert "Lịch tháng" in schedule and "Tin ghim" not in schedule
    # Nonsense parameters never break the page.
    assert client.get("/tin-tuc/?trang=abc&chuyen-muc=<x>").status_code == 200
    assert client.get("/tin-tuc/?trang=999").status_code == 200


@pytest.mark.django_db
def test_search_ignores_diacritics_and_case(client):
    _saved(title="Lịch tiếp dân tháng 12", summary="Giờ làm việc.")
    _saved(title="Thông báo khác", summary="Không liên quan.")
    html = client.get("/tin-tuc/?q=LICH+tiep+dan").content.decode()
    assert "Lịch tiếp dân tháng 12" in html and "Thông báo khác" not in html
    assert "Lịch tiếp dân tháng 12" in client.get("/tin-tuc/?q=lịch tiếp").content.decode()
    assert "Thông báo khác" not in client.get("/tin-tuc/?q=tiep dan").content.decode()


@pytest.mark.django_db
def test_detail_has_open_graph_metadata_for_zalo_previews(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://dichvu.example.vn"
    post = _saved(title="Lịch tiếp dân", summary="Tóm tắt ngắn.")
    post = post_save(post=post, new_cover=image_upload(size=(2400, 1200)))
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Lịch tiếp dân">' in html
    assert '<meta property="og:description" content="Tóm tắt ngắn.">' in html
    assert f'<meta property="og:url" content="https://dichvu.example.vn/tin-tuc/{post.slug}/">' in html
    assert re.search(r'<meta property="og:image" content="https://dichvu\.example\.vn/media/news/[^"]+\.jpg">', html)
    # The cover was resized to a sensible width.
    assert (post.cover_width, post.cover_height) == (1200, 600)
    assert len(re.findall(r"<h1[\s>]", html)) == 1


@pytest.mark.django_db
def test_english_pages_use_the_translation_or_fall_back_to_vietnamese(client):
    translated = _saved(title="Lịch tiếp dân", title_en="Reception hours", body_en="<p>Hours</p>", summary_en="S")
    untranslated = _saved(title="Chỉ có tiếng Việt")
    en_list = client.get("/en/tin-tuc/").content.decode()
    assert "Reception hours" in en_list and "Chỉ có tiếng Việt" in en_list
    assert 'lang="vi"' in en_list
    assert "Reception hours" in client.get(f"/en/tin-tuc/{translated.slug}/").content.decode()
    html = client.get(f"/en/tin-tuc/{untranslated.slug}/").content.decode()
    assert "available in Vietnamese only" in html
    assert "Lịch tiếp dân" in client.get(f"/tin-tuc/{translated.slug}/").content.decode()


@pytest.mark.django_db
def test_rss_and_atom_feeds_list_visible_posts(client):
    visible = _saved(title="Lịch tiếp dân", summary="Tóm tắt.")
    PostFactory(title="Sắp đăng", publish_at=timezone.now() + timedelta(days=1))
    rss = client.get("/tin-tuc/rss/")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(rss.content).find("channel")  # noqa: S314 - our own feed
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Lịch tiếp dân"]
    assert items[0].findtext("link").endswith(f"/tin-tuc/{visible.slug}/")
    assert channel.findtext("language") == "vi"
    atom = client.get("/en/tin-tuc/atom/")
    assert atom["Content-Type"].startswith("application/atom+xml")
    entries = ET.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")  # noqa: S314 - our own feed
    assert len(entries) == 1
