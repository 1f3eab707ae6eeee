import pytest

from apps.backoffice.masking import mask_id_number, mask_phone
from apps.backoffice.text import search_normalize


@pytest.mark.parametrize(
    ("value", "masked"),
    [("079203001234", "********1234"), ("123", "***"), ("", ""), (None, "")],
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("+84901234567", "090****567"), ("0901234567", "090****567"), ("0283940", "028*940"), ("", "")],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("NGUYỄN VĂN A", "nguyen van a"),
        ("nguyen van a", "nguyen van a"),
        ("  Đặng   Thị  Ánh  ", "dang thi anh"),
        ("Trần Thị Ngọc Diễm", "tran thi ngoc diem"),
        ("Nguyễn Văn A", "nguyen van a"),  # decomposed (NFD) input, as some phone keyboards send it
        ("", ""),
        (None, ""),
    ],
)
def test_search_normalize(value, normalized):
    import unicodedata

    assert search_normalize(value) == normalized
    if value:
        assert search_normalize(unicodedata.normalize("NFD", value)) == normalized
