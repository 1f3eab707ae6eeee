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
# Decompression bombs: the pixel count is read from the file's header and checked before anything is decoded. A
# JPEG is decoded at a reduced scale (draft mode), so a phone's 24-megapixel photo is cheap; other formats are
# decoded in full (a 5 KB PNG can claim 40 million pixels: 120 MB and seconds of CPU), so their limit is lower.
MAX_PIXELS = 24_000_000  # JPEG, e.g. 6000 x 4000
MAX_PIXELS_LOSSLESS = 12_000_000  # PNG, WebP, GIF, e.g. 4000 x 3000

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
            limit = MAX_PIXELS if image.format in {"JPEG", "MPO"} else MAX_PIXELS_LOSSLESS
            if image.width * image.height > limit:
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
        if source.format in {"JPEG", "MPO"}:
            # Decode at the smallest scale (1/2, 1/4, 1/8) still at least max_width wide: far less memory and CPU.
            source.draft("RGB", (max_width, max_width))
        image = ImageOps.exif_transpose(source)
        image = image.convert("RGB")
        if image.width > max_width:
            height = round(image.height * max_width / image.width)
            image = image.resize((max_width, max(height, 1)), Image.Resampling.LANCZOS)
        out = BytesIO()
        # Pillow carries a source's info (JPEG comment, ICC profile, EXIF…) into a converted copy and writes it
        # back on save: forget it, and say explicitly that there is no comment.
        image.info = {}
        image.save(out, format="JPEG", quality=82, optimize=True, progressive=True, comment=b"")
    return CleanImage(content=ContentFile(out.getvalue(), name=name), width=image.width, height=image.height)
