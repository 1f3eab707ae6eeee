"""Uploaded photos: proven to be images by decoding them with Pillow, then re-encoded so that no metadata
(EXIF GPS position, camera serial, author) and no hidden payload survives. Used by news covers and reports."""

from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
# Decompression bombs: refuse anything above this many pixels before decoding it fully.
MAX_PIXELS = 40_000_000

NOT_AN_IMAGE = _("This file is not a photo. Please choose a JPEG, PNG or WebP image.")
TOO_LARGE = _("This photo is too large (%(size)s). The limit is %(limit)s per photo.")
TOO_MANY_PIXELS = _("This photo has too many pixels. Please send a smaller photo.")


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int


def image_validate(*, upload, max_bytes: int) -> None:
    """Raise a translated ValidationError unless `upload` is a real, reasonably sized image."""
    if upload.size > max_bytes:
        raise ValidationError(
            TOO_LARGE,
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(NOT_AN_IMAGE, code="not_an_image")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from exc
    finally:
        upload.seek(0)


def image_reencode(*, upload, max_width: int, name: str) -> CleanImage:
    """A JPEG copy of a validated upload, turned upright, at most `max_width` wide, without any metadata."""
    upload.seek(0)
    with Image.open(upload) as source:
        source.seek(0)  # first frame of an animation
        image = ImageOps.exif_transpose(source)
        image = image.convert("RGB")
        if image.width > max_width:
            height = round(image.height * max_width / image.width)
            image = image.resize((max_width, max(height, 1)), Image.Resampling.LANCZOS)
        out = BytesIO()
        # A fresh image written without exif/icc/comment parameters carries no metadata at all.
        image.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    return CleanImage(content=ContentFile(out.getvalue(), name=name), width=image.width, height=image.height)
