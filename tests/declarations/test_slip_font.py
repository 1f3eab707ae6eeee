"""The slip image draws Vietnamese letters with the bundled Noto Sans, on a machine without any system font."""

from io import BytesIO
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from apps.filings import outputs

VIETNAMESE = "ăâđêôơưĂÂĐÊÔƠƯáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"


def test_the_font_files_and_their_licence_ship_in_the_project():
    folder = Path(settings.BASE_DIR) / "apps" / "core" / "fonts"
    assert {p.name for p in folder.iterdir()} >= {"NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "OFL.txt"}
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "OFL.txt").read_text()


def _drawn(font, text: str) -> bytes:
    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((8, 8), text, font=font, fill=255)
    return image.tobytes()


def test_every_vietnamese_letter_has_a_glyph_in_the_bundled_font():
    for bold in (False, True):
        font = outputs._font(24, bold)
        assert Path(font.path).is_relative_to(settings.BASE_DIR)
        # A code point no font covers is drawn as the "missing glyph" box (.notdef): a letter drawn the same is tofu.
        tofu = _drawn(font, "\U0010fffd")
        assert _drawn(font, "中") == tofu  # the check sees a letter the font lacks (Noto Sans has no CJK)
        missing = [ch for ch in VIETNAMESE if _drawn(font, ch) == tofu]
        assert missing == []


def test_slip_renders_with_no_system_fonts(monkeypatch):
    """Any attempt to open a font outside the project (Debian's /usr/share/fonts) fails the test."""
    real_truetype = ImageFont.truetype
    opened = []

    def project_fonts_only(path, *args, **kwargs):
        assert Path(path).is_relative_to(settings.BASE_DIR), f"system font opened: {path}"
        opened.append(Path(path).name)
        return real_truetype(path, *args, **kwargs)

    monkeypatch.setattr(ImageFont, "truetype", project_fonts_only)
    monkeypatch.setattr(ImageFont, "load_default", lambda *a, **k: (_ for _ in ()).throw(AssertionError("bitmap")))
    outputs._font.cache_clear()
    try:
        png = outputs.slip_png(
            title="Phiếu hẹn làm căn cước",
            code="K7MX3PQ9R",
            lines=[("Họ và tên", "Nguyễn Thị Hồng Nhung"), ("Nơi làm thủ tục", "Công an Phường Xóm Chiếu")],
            qr_data="https://cong.example.vn/q/K7MX3PQ9R",
            footer="Mang theo giấy tờ khi đến.",
        )
    finally:
        outputs._font.cache_clear()
    assert {"NotoSans-Regular.ttf", "NotoSans-Bold.ttf"} <= set(opened)
    image = Image.open(BytesIO(png))
    assert image.format == "PNG" and image.width == 720
