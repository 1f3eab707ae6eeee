"""A news editor formats a post's body with the toolbar's buttons: they type the Markdown (issue 14.8)."""

import pytest

from apps.backoffice import roles
from apps.news.models import Post
from tests.backoffice.factories import OfficerFactory, browser_sign_in
from tests.units.factories import PoliceUnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_toolbar_types_markdown_and_the_post_shows_formatted(live_server, page):
    from apps.backoffice.services import roles_setup

    roles_setup()
    unit = PoliceUnitFactory()
    editor = OfficerFactory(username="bientap.q4", units=[unit], roles=[roles.NEWS_EDITOR])
    browser_sign_in(page, live_server.url + "/admin/news/post/add/", editor)
    page.wait_for_url("**/admin/news/post/add/")
    page.fill("#id_title", "Lịch tiếp dân thứ Bảy")
    page.fill("#id_summary", "Tiếp nhận hồ sơ sáng thứ Bảy.")
    body = page.locator("#id_body")
    toolbar = page.get_by_role("toolbar", name="Định dạng").first
    body.fill("Mang theo thẻ cũ")
    body.evaluate("area => area.setSelectionRange(10, 16)")  # "thẻ cũ"
    toolbar.get_by_role("button", name="Chữ đậm").click()
    assert body.input_value() == "Mang theo **thẻ cũ**"
    body.press("End")
    body.press("Enter")
    body.type("Sáng 7:30")
    toolbar.get_by_role("button", name="Danh sách", exact=True).click()
    # A list needs an empty line before it in Markdown: the button adds it.
    assert body.input_value() == "Mang theo **thẻ cũ**\n\n- Sáng 7:30"
    body.press("End")
    body.press("Enter")
    body.type("Chiều 13:30")
    toolbar.get_by_role("button", name="Danh sách", exact=True).click()
    assert body.input_value() == "Mang theo **thẻ cũ**\n\n- Sáng 7:30\n- Chiều 13:30"  # the list goes on
    # HTML bodies get no Markdown buttons.
    page.get_by_label("HTML").check()
    assert not toolbar.is_visible()
    page.get_by_label("Định dạng đơn giản (Markdown)").check()
    assert toolbar.is_visible()
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    page.wait_for_url("**/admin/news/post/")
    post = Post.objects.get()
    page.goto(live_server.url + post.get_absolute_url())
    assert page.locator(".news-body strong").inner_text() == "thẻ cũ"
    assert page.locator(".news-body li").all_inner_texts() == ["Sáng 7:30", "Chiều 13:30"]
