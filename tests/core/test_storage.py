"""Uploaded files through Django's storage API: news images public at /media/ (DEBUG on or off, disk or bucket),
report photos private (no URL; only officers who may see the report, through the admin)."""

import urllib.error
import urllib.request

import pytest
from django.core.files.storage import default_storage

from apps.backoffice.roles import REPORT_HANDLER
from apps.news.services import post_save
from apps.reports.models import ReportPhoto
from apps.reports.services import report_submit
from tests.news.factories import PostFactory, image_upload
from tests.reports.factories import OfficerFactory, WardUnitFactory


def _post_with_cover():
    post = PostFactory.build(title="Lịch tiếp dân")
    post.unit.save()
    post.unit_id = post.unit.pk
    return post_save(post=post_save(post=post), new_cover=image_upload(size=(800, 400)))


def _photo_report(ward):
    return report_submit(
        category="crime", description="Có trộm vào nhà.", unit=ward, is_anonymous=True, photos=[image_upload()]
    )


@pytest.mark.django_db
def test_news_image_is_served_with_debug_off_from_local_disk(client, settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path
    post = _post_with_cover()
    assert post.cover.url.startswith("/media/news/")
    assert (tmp_path / post.cover.name).is_file()
    response = client.get(post.cover.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=604800"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["private/2026/12/a.jpg", "exports/roster.csv", "news/../private/a.jpg", "news//x.jpg", "news/none.jpg"]
)
def test_only_existing_public_prefixes_are_served(client, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    for folder in ("private/2026/12", "exports"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "private/2026/12/a.jpg").write_bytes(b"secret")
    (tmp_path / "exports/roster.csv").write_bytes(b"secret")
    assert client.get(f"/media/{name}").status_code == 404


@pytest.mark.django_db
def test_news_image_in_a_bucket_is_served_through_the_portal(client, s3_storage):
    post = _post_with_cover()
    assert post.cover.url == f"/media/{post.cover.name}"  # the portal's origin, never the bucket's
    stored = s3_storage.get_object(Bucket=s3_storage.bucket, Key=f"media/{post.cover.name}")
    assert stored["ContentLength"] > 0
    response = client.get(post.cover.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored["Body"].read()


@pytest.mark.django_db
def test_report_photo_in_a_bucket_is_private_and_shown_only_to_officers(client, s3_storage, tmp_path, settings):
    settings.REPORTS_PHOTO_ROOT = tmp_path / "must-stay-empty"
    ward = WardUnitFactory()
    report = _photo_report(ward)
    photo = ReportPhoto.objects.get(report=report)
    key = f"private/{photo.image.name}"
    stored = s3_storage.get_object(Bucket=s3_storage.bucket, Key=key)["Body"].read()
    assert stored[:2] == b"\xff\xd8"
    assert not settings.REPORTS_PHOTO_ROOT.exists()
    # Private in the bucket: only the owner is granted anything, and an unsigned request is refused.
    grants = s3_storage.get_object_acl(Bucket=s3_storage.bucket, Key=key)["Grants"]
    assert [g["Grantee"].get("URI") for g in grants] == [None]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_storage.meta.endpoint_url}/{s3_storage.bucket}/{key}", timeout=5)
    assert refused.value.code == 403
    with pytest.raises(ValueError, match="not accessible via a URL"):
        photo.image.url  # noqa: B018
    # Not public media either.
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    assert not default_storage.exists(photo.image.name)

    url = f"/admin/reports/report/{report.pk}/photo/{photo.pk}/"
    assert client.get(url).status_code == 302
    client.force_login(OfficerFactory(units=[WardUnitFactory()], groups=[REPORT_HANDLER]))
    assert client.get(url).status_code == 404
    client.force_login(OfficerFactory(units=[ward], groups=[REPORT_HANDLER]))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private, no-store")
    assert b"".join(response.streaming_content) == stored
