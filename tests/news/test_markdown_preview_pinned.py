"""Issue 14.8: officers write posts in Markdown (still sanitised), HTML bodies keep working, officers preview a
scheduled post that citizens cannot see, and pinned notices show on the home page as soon as they are due."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.backoffice.roles import NEWS_EDITOR
from apps.backoffice.services import roles_setup
from apps.news.models import Post
from apps.news.services import post_save
from apps.news.text import markdown_to_html
from tests.units.factories import PoliceUnitFactory

from .factories import PostFactory


def _saved(**kwargs) -> Post:
    post = PostFactory.build(**kwargs)
    post.unit.save()
    post.unit_id = post.unit.pk
    return post_save(post=post)


# --- Markdown ---------------------------------------------------------------------------------------------------
def test_markdown_gives_the_formatting_officers_expect():
    html = markdown_to_html(
        "# Giờ làm việc\n\nSáng **thứ Bảy**, *07:30*\nđến 11:30.\n\n- Phường 1\n- Phường 8\n\n"
        "1. Đặt lịch\n2. Đến đúng giờ\n\nGọi [113](tel:113) hoặc xem [trang](https://example.invalid/a)."
    )
    assert "<h2>Giờ làm việc</h2>" in html  # "#": the page's title is its only <h1>
    assert "<strong>thứ Bảy</strong>" in html and "<em>07:30</em>" in html
    assert "<em>07:30</em><br>\nđến 11:30." in html  # a single line break stays a line break
    assert "<ul>\n<li>Phường 1</li>\n<li>Phường 8</li>\n</ul>" in html
    assert "<ol>\n<li>Đặt lịch</li>\n<li>Đến đúng giờ</li>\n</ol>" in html
    assert '<a href="tel:113" rel="noopener noreferrer nofollow">113</a>' in html
    assert '<a href="https://example.invalid/a" rel="noopener noreferrer nofollow">trang</a>' in html


def test_headings_start_below_the_page_title():
    assert markdown_to_html("# Thông báo\n\n## Chi tiết") == "<h2>Thông báo</h2>\n<h3>Chi tiết</h3>"


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[bấm](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "![ảnh](javascript:alert(1))",
        '<p onclick="alert(1)" style="color:red">x</p>',
        "<iframe src='https://evil.example'></iframe>",
    ],
)
def test_markdown_goes_through_the_same_sanitiser(source):
    html = markdown_to_html(f"Lịch tiếp dân\n\n{source}").lower()
    for needle in ("<script", "onerror", "onclick", "javascript:", "<iframe", "style=", "<img"):
        assert needle not in html
    assert "lịch tiếp dân" in html


@pytest.mark.django_db
def test_a_markdown_post_is_kept_as_typed_and_shown_formatted(client):
    post = _saved(
        title="Lịch mới", body_format="markdown", body="> Lưu ý: mang **thẻ cũ**\n\n- Sáng\n- Chiều<script>x</script>"
    )
    post.refresh_from_db()
    assert post.body.startswith("> Lưu ý: mang **thẻ cũ**")  # the source, not HTML
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<blockquote>\n<p>Lưu ý: mang <strong>thẻ cũ</strong></p>\n</blockquote>" in page
    assert "<li>Sáng</li>" in page and "<script>x" not in page
    assert "the cu" in post.search_text and "**" not in post.search_text


@pytest.mark.django_db
def test_an_html_post_keeps_working(client):
    post = _saved(body_format="html", body="<p>Giờ <strong>làm việc</strong></p><p>**không phải Markdown**</p>")
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<p>Giờ <strong>làm việc</strong></p>" in page
    assert "<p>**không phải Markdown**</p>" in page


@pytest.mark.django_db(transaction=True)
def test_posts_written_before_markdown_stay_html():
    unit = PoliceUnitFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([("news", "0001_post")])
    old = executor.loader.project_state([("news", "0001_post")]).apps
    old.get_model("news", "Post").objects.create(
        title="Cũ", slug="cu", summary="s", body="<p>HTML cũ</p>", unit_id=unit.pk, publish_at=timezone.now()
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Post.objects.get(slug="cu").body_format == "html"
    assert Post(title="mới").body_format == "markdown"


# --- Preview ----------------------------------------------------------------------------------------------------
@pytest.fixture
def editors(db):
    roles_setup()
    own, other = PoliceUnitFactory(), PoliceUnitFactory()
    users = []
    for name, unit in (("bientap1", own), ("bientap2", other)):
        user = get_user_model().objects.create_user(name, password="x-long-password", is_staff=True)
        user.groups.add(Group.objects.get(name=NEWS_EDITOR))
        user.units.add(unit)
        users.append(user)
    return own, users


@pytest.mark.django_db
def test_officers_preview_a_scheduled_post_that_citizens_cannot_see(client, editors):
    unit, (editor, other_editor) = editors
    post = _saved(
        unit=unit, title="Tạm ngừng tiếp nhận", body_format="markdown", body="Nghỉ **thứ Hai**.",
        publish_at=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    preview = f"/admin/news/post/{post.pk}/preview/"
    # The public: not on the page, not in the list, and the preview asks for a sign-in.
    assert client.get(post.get_absolute_url()).status_code == 404
    assert "Tạm ngừng tiếp nhận" not in client.get("/tin-tuc/").content.decode()
    anonymous = client.get(preview)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    # Another unit's editor: as if there were no such post.
    client.force_login(other_editor)
    assert client.get(preview).status_code == 404
    # The unit's editor sees the page as it will be, marked as a preview, never cached.
    client.force_login(editor)
    response = client.get(preview)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tạm ngừng tiếp nhận" in page and "Nghỉ <strong>thứ Hai</strong>." in page
    assert "Bản xem trước cho cán bộ: người dân không thấy trang này. Trạng thái hiện tại: Hẹn giờ đăng." in page
    assert "no-cache" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex, nofollow"
    change_form = client.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    assert f'href="{preview}"' in change_form
    # Still hidden from the public after an officer previewed it.
    client.logout()
    assert client.get(post.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_an_editor_writes_a_post_in_markdown_from_the_admin(client, editors):
    unit, (editor, _) = editors
    client.force_login(editor)
    form = client.get("/admin/news/post/add/").content.decode()
    assert 'value="markdown"' in form and "checked" in form.split('value="markdown"')[1][:40]
    response = client.post(
        "/admin/news/post/add/",
        {
            "title": "Lịch tiếp dân", "summary": "Tóm tắt", "body_format": "markdown",
            "body": "Mang theo:\n\n- **thẻ cũ**\n- giấy hẹn", "category": "schedule", "unit": unit.pk,
            "publish_at_0": "2020-01-02", "publish_at_1": "08:00:00", "is_published": "on", "slug": "",
            "title_en": "", "summary_en": "", "body_en": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    client.logout()
    page = client.get("/tin-tuc/lich-tiep-dan/").content.decode()
    assert "<li><strong>thẻ cũ</strong></li>" in page


# --- Pinned notices on the home page --------------------------------------------------------------------------
@pytest.mark.django_db
def test_pinned_notices_appear_on_the_home_page(client, settings, django_capture_on_commit_callbacks):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pin"}}
    _saved(title="Tạm ngừng tiếp nhận hồ sơ ngày 2/9", summary="Nghỉ lễ Quốc khánh.", is_pinned=True)
    _saved(title="Tin thường", is_pinned=False)
    _saved(title="Ghim nhưng là bản nháp", is_pinned=True, is_published=False)
    scheduled = _saved(title="Ghim hẹn giờ", is_pinned=True, publish_at=timezone.now() + timedelta(hours=2))
    home = client.get("/").content.decode()
    assert "Thông báo" in home
    assert "Tạm ngừng tiếp nhận hồ sơ ngày 2/9" in home and "Nghỉ lễ Quốc khánh." in home
    for hidden in ("Tin thường", "Ghim nhưng là bản nháp", "Ghim hẹn giờ"):
        assert hidden not in home
    # The cached home page shows a new pinned notice at once (its cache key follows the notices)...
    with django_capture_on_commit_callbacks(execute=True):  # a saved post bumps the news cache after commit
        _saved(title="Thông báo mới ghim", is_pinned=True)
    assert "Thông báo mới ghim" in client.get("/").content.decode()
    # ...and a scheduled one as soon as it is due, without any edit.
    with time_machine.travel(scheduled.publish_at + timedelta(minutes=1)):
        assert "Ghim hẹn giờ" in client.get("/").content.decode()
    # An unpinned notice leaves the home page.
    first = Post.objects.get(title="Tạm ngừng tiếp nhận hồ sơ ngày 2/9")
    first.is_pinned = False
    with django_capture_on_commit_callbacks(execute=True):
        post_save(post=first)
    assert "Tạm ngừng tiếp nhận hồ sơ ngày 2/9" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_page_with_a_pinned_notice_costs_no_query_when_cached(client, settings, django_assert_num_queries):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pin2"}}
    _saved(title="Thông báo ghim", is_pinned=True)
    client.get("/")
    with django_assert_num_queries(0):
        assert "Thông báo ghim" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_body_has_formatting_buttons_in_vietnamese_without_a_cdn(client, editors):
    _unit, (editor, _) = editors
    client.force_login(editor)
    page = client.get("/admin/news/post/add/").content.decode()
    toolbar = page.split('<div class="news-md-toolbar"')[1].split("</div>")[0]
    assert 'data-for="id_body"' in toolbar and " hidden>" in toolbar  # shown by the script only
    buttons = re.findall(r'data-md="(\w+)"[^>]*>([^<]+)</button>', toolbar)
    assert buttons == [
        ("bold", "Chữ đậm"),
        ("italic", "Chữ nghiêng"),
        ("heading", "Tiêu đề"),
        ("list", "Danh sách"),
        ("numbered", "Danh sách đánh số"),
        ("link", "Liên kết"),
    ]
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert "/static/news/markdown-toolbar.js" in scripts
    assert all(src.startswith(("/static/", "/admin/")) for src in scripts)  # nothing from another site
