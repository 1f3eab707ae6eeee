"""The catalogue's identity-card fee is rendered from the fee schedule for the day the page is shown: the 50 %
reduction (TT 64/2025) until 31/12/2026, the full TT 73/2024 amounts from 1/1/2027, in both languages."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.fees.selectors import fee_text_render

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def fee_shown(client, path: str) -> str:
    html = client.get(path).content.decode()
    found = re.search(r'<dd id="procedure-fee">(.*?)</dd>', html, flags=re.S)
    assert found, html[:500]
    return " ".join(found.group(1).split())


@pytest.mark.parametrize(
    ("path", "last_day", "first_day"),
    [
        (
            "/thu-tuc/cap-cccd/gioi-thieu/",
            "Miễn phí khi cấp lần đầu và khi đổi ở tuổi 14, 25, 40, 60. Cấp đổi 25.000 đ, cấp lại 35.000 đ. "
            "Bằng 50% mức thu đến hết ngày 31/12/2026 (Thông tư 64/2025/TT-BTC).",
            "Miễn phí khi cấp lần đầu và khi đổi ở tuổi 14, 25, 40, 60. Cấp đổi 50.000 đ, cấp lại 70.000 đ.",
        ),
        (
            "/en/thu-tuc/cap-cccd/gioi-thieu/",
            "Free for a first card and for the exchange at ages 14, 25, 40 and 60. Exchange 25.000 đ, re-issue "
            "35.000 đ. Half of the standard fee until 31/12/2026 (TT 64/2025/TT-BTC).",
            "Free for a first card and for the exchange at ages 14, 25, 40 and 60. Exchange 50.000 đ, re-issue "
            "70.000 đ.",
        ),
    ],
)
def test_the_fee_follows_the_schedule_across_the_end_of_the_reduction(client, demo_data, path, last_day, first_day):
    with time_machine.travel(datetime(2026, 12, 31, 23, 50, tzinfo=VN), tick=False):
        assert fee_shown(client, path) == last_day
    # Same cache, ten minutes later: the page is not the one kept from the day before.
    with time_machine.travel(datetime(2027, 1, 1, 0, 0, tzinfo=VN), tick=False):
        assert fee_shown(client, path) == first_day
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=VN), tick=False):
        assert fee_shown(client, path) == first_day


def test_a_schedule_change_shows_at_once(client, demo_data):
    from apps.fees.models import FeeRule

    with time_machine.travel(datetime(2027, 3, 1, 9, 0, tzinfo=VN), tick=False):
        assert "cấp lại 70.000 đ." in fee_shown(client, "/thu-tuc/cap-cccd/gioi-thieu/")
        FeeRule.objects.create(
            procedure_slug="cap-cccd", reason="lost", amount=80_000, starts_on=date(2027, 3, 1), basis="TT mới"
        )
        assert "cấp lại 80.000 đ." in fee_shown(client, "/thu-tuc/cap-cccd/gioi-thieu/")


def test_fee_text_render_placeholders(demo_data):
    text = "Đổi {own_request}; lần đầu {first_card}; khác {no_such_reason}. {reduction} {not a placeholder}"
    assert fee_text_render(procedure="cap-cccd", text=text, on=date(2027, 1, 1)) == (
        "Đổi 50.000 đ; lần đầu miễn phí; khác thông báo tại nơi tiếp nhận. {not a placeholder}"
    )
    assert fee_text_render(procedure="cap-cccd", text="{own_request}", on=date(2026, 7, 1)) == "25.000 đ"
