import pytest

from tests.browser import page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_fits_a_360px_phone_without_horizontal_scroll(live_server, page, demo_data):
    page.goto(live_server.url + "/")
    assert page.locator("h1").count() == 1
    assert page.get_by_role("link", name="Khai tờ khai căn cước").is_visible()
    scroll_width = page_width(page)
    assert scroll_width <= 360
    # The stylesheet came from this server (no CDN) and was applied.
    assert page.evaluate("getComputedStyle(document.querySelector('.portal-header')).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )
