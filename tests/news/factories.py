from datetime import timedelta
from io import BytesIO

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from apps.news.models import BodyFormat, Category, Post
from tests.units.factories import PoliceUnitFactory


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Thông báo số {n}")
    slug = factory.Sequence(lambda n: f"thong-bao-{n}")
    summary = "Tóm tắt thông báo."
    body = "<p>Nội dung thông báo.</p>"
    body_format = BodyFormat.HTML
    category = Category.ANNOUNCEMENT
    unit = factory.SubFactory(PoliceUnitFactory)
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


def image_upload(name="photo.jpg", size=(64, 48), fmt="JPEG", exif: bytes | None = None) -> SimpleUploadedFile:
    buffer = BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {"exif": exif} if exif else {}
    image.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "SecretCamera 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (10.0, 45.0, 30.0)}  # GPS
    return exif.tobytes()
