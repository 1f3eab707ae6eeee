import pytest

from apps.news.services import post_save
from apps.news.text import normalize_search, sanitize_html

from .factories import PostFactory

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">bấm</a>',
    '<p onclick="alert(1)" style="background:url(javascript:alert(1))">x</p>',
    '<svg onload="alert(1)"><circle /></svg>',
    '<iframe src="https://evil.example"></iframe>',
    "<scr<script>ipt>alert(1)</script>",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<object data="x.swf"></object><embed src="x">',
    "<style>body{display:none}</style>",
    '<form action="/x"><input name="a"></form>',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_script_or_event_handler_survives(payload):
    clean = sanitize_html(f"<p>Lịch tiếp dân</p>{payload}").lower()
    for needle in ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg", "<style", "<form",
                   "<object", "<embed", "style="):  # fmt: skip
        assert needle not in clean
    assert "lịch tiếp dân" in clean


def test_formatting_and_safe_links_are_kept():
    clean = sanitize_html('<h2>Giờ</h2><ul><li><strong>Sáng</strong></li></ul><a href="tel:113">113</a>')
    assert "<h2>Giờ</h2>" in clean and "<strong>Sáng</strong>" in clean
    assert 'href="tel:113"' in clean and 'rel="noopener noreferrer nofollow"' in clean


@pytest.mark.django_db
def test_post_save_sanitises_both_languages_and_the_page_shows_no_script(client):
    post = PostFactory.build(
        body='<p>Xin chào</p><script>alert("vi")</script><img src=x onerror=alert(1)>',
        body_en='<p onmouseover="alert(2)">Hello</p>',
        title_en="Hello",
    )
    post.unit.save()
    post.unit_id = post.unit.pk
    post_save(post=post)
    post.refresh_from_db()
    assert "script" not in post.body and "onerror" not in post.body
    assert "onmouseover" not in post.body_en
    html = client.get(post.get_absolute_url()).content.decode()
    assert "alert(" not in html


@pytest.mark.django_db
def test_rows_written_around_the_service_are_still_sanitised_on_output(client):
    post = PostFactory(body='<p>ok</p><script>alert("x")</script><b onclick="alert(1)">b</b>')
    html = client.get(post.get_absolute_url()).content.decode()
    assert "alert(" not in html and "<b>b</b>" in html


def test_search_key_ignores_diacritics_and_case():
    assert normalize_search("Lịch TIẾP dân – Đoàn Như Hài!") == "lich tiep dan doan nhu hai"


def test_the_allow_lists_are_exactly_these():
    from apps.news import text

    assert {
        "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h2", "h3", "h4",
        "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
    } == text.ALLOWED_TAGS  # fmt: skip
    assert {
        "a": {"href", "title"},
        "th": {"colspan", "rowspan"},
        "td": {"colspan", "rowspan"},
    } == text.ALLOWED_ATTRIBUTES
    assert {"http", "https", "mailto", "tel"} == text.ALLOWED_URL_SCHEMES


def test_a_style_on_a_link_and_an_image_are_stripped():
    clean = sanitize_html('<a href="https://cand.com.vn" style="color:red" class="x" id="y">Bộ Công an</a>')
    assert clean == '<a href="https://cand.com.vn" rel="noopener noreferrer nofollow">Bộ Công an</a>'
    assert sanitize_html('<p>Ảnh <img src="https://cand.com.vn/a.png" alt="a"></p>') == "<p>Ảnh </p>"
    assert sanitize_html('<a href="data:text/html,x">x</a>') == '<a rel="noopener noreferrer nofollow">x</a>'


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/tin-tuc/rss/", "/tin-tuc/atom/"])
def test_feed_summaries_go_through_the_same_sanitiser(client, path):
    PostFactory(
        summary='Lịch <img src=x onerror="alert(1)"><a href="https://a.vn" style="color:red">tiếp dân</a>'
        "<script>alert(2)</script>"
    )
    xml = client.get(path).content.decode()
    assert "Lịch " in xml and "tiếp dân" in xml
    for needle in ("img", "onerror", "style=", "&lt;script", "<script", "alert("):
        assert needle not in xml
