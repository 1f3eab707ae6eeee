"""Issue 12.6: uploads. The pixel count comes from the header and is checked before anything is decoded; JPEG
comments (and every other metadata) are gone from the re-encoded photo."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from apps.news.images import image_reencode, image_validate


def _upload(image: Image.Image, fmt: str, name: str, **save) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_tiny_png_claiming_40_million_pixels_is_refused_without_decoding(monkeypatch):
    bomb = _upload(Image.new("1", (8000, 5000)), "PNG", "bomb.png", optimize=True)
    assert bomb.size < 10_000  # about 5 KB on disk

    def no_decoding(self):
        raise AssertionError("the image was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ValidationError) as caught:
        image_validate(upload=bomb, max_bytes=5 * 1024 * 1024)
    assert caught.value.code == "too_many_pixels"


def test_a_phone_photo_is_accepted():
    photo = _upload(Image.new("RGB", (4032, 3024), "gray"), "JPEG", "photo.jpg", quality=30)
    image_validate(upload=photo, max_bytes=5 * 1024 * 1024)


def test_jpeg_comments_are_dropped():
    photo = _upload(Image.new("RGB", (64, 48), "red"), "JPEG", "c.jpg", comment=b"Phone 0912345678, 4 Xom Chieu")
    clean = image_reencode(upload=photo, max_width=1600, name="clean.jpg")
    data = clean.content.read()
    assert b"0912345678" not in data and b"Xom Chieu" not in data
    assert "comment" not in Image.open(io.BytesIO(data)).info


def test_a_large_jpeg_is_decoded_at_a_reduced_scale():
    photo = _upload(Image.new("RGB", (6000, 4000), "blue"), "JPEG", "big.jpg", quality=30)
    clean = image_reencode(upload=photo, max_width=1600, name="big.jpg")
    assert (clean.width, clean.height) == (1600, 1067)
