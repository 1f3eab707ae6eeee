"""News editors write and schedule posts for their own units only."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.backoffice.roles import DISTRICT_ADMINISTRATOR, NEWS_EDITOR
from apps.backoffice.services import roles_setup
from apps.news.models import Post
from tests.units.factories import PoliceUnitFactory

from .factories import PostFactory, exif_with_gps, image_upload


@pytest.fixture
def units(db):
    return PoliceUnitFactory(), PoliceUnitFactory()


@pytest.fixture
def editor(units):
    user = get_user_model().objects.create_user("bientap", password="x-long-password", is_staff=True)
    roles_setup()
    user.groups.add(Group.objects.get(name=NEWS_EDITOR))
    user.units.add(units[0])
    return user


def _form(unit, **extra):
    data = {
        "title": "Lịch tiếp dân",
        "summary": "Tóm tắt",
        "body": "<p>Nội dung</p><script>alert(1)</script>",
        "body_format": "html",
        "category": "schedule",
        "unit": unit.pk,
        "publish_at_0": "2030-01-02",
        "publish_at_1": "08:00:00",
        "is_published": "on",
        "slug": "",
        "title_en": "",
        "summary_en": "",
        "body_en": "",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_editor_creates_and_schedules_a_post_for_own_unit(client, editor, units):
    client.force_login(editor)
    response = client.post("/admin/news/post/add/", _form(units[0]))
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    assert post.unit == units[0] and post.author == editor
    assert "script" not in post.body
    assert post.publish_at.year == 2030  # scheduled
    assert post.slug == "lich-tiep-dan"


@pytest.mark.django_db
def test_editor_cannot_write_for_another_unit(client, editor, units):
    client.force_login(editor)
    response = client.post("/admin/news/post/add/", _form(units[1]))
    assert response.status_code == 200
    assert not Post.objects.exists()
    form = response.context["adminform"].form
    assert "unit" in form.errors
    assert list(form.fields["unit"].queryset) == [units[0]]


@pytest.mark.django_db
def test_editor_sees_and_changes_only_own_units_posts(client, editor, units):
    own, other = PostFactory(unit=units[0], title="Của mình"), PostFactory(unit=units[1], title="Của đơn vị khác")
    client.force_login(editor)
    listing = client.get("/admin/news/post/").content.decode()
    assert "Của mình" in listing and "Của đơn vị khác" not in listing
    assert client.get(f"/admin/news/post/{own.pk}/change/").status_code == 200
    assert client.get(f"/admin/news/post/{other.pk}/change/").status_code == 404
    client.post(f"/admin/news/post/{other.pk}/delete/", {"post": "yes"})
    assert Post.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_district_administrator_writes_for_any_unit(client, units):
    roles_setup()
    officer = get_user_model().objects.create_user("quantri", password="x-long-password", is_staff=True)
    officer.groups.add(Group.objects.get(name=DISTRICT_ADMINISTRATOR))
    client.force_login(officer)
    assert client.post("/admin/news/post/add/", _form(units[1])).status_code == 302
    assert Post.objects.get().unit == units[1]


@pytest.mark.django_db
def test_superuser_sees_every_unit(client, units):
    admin = get_user_model().objects.create_superuser("root", password="x-long-password")
    PostFactory(unit=units[0], title="Một"), PostFactory(unit=units[1], title="Hai")
    client.force_login(admin)
    listing = client.get("/admin/news/post/").content.decode()
    assert "Một" in listing and "Hai" in listing


@pytest.mark.django_db
def test_cover_must_be_a_real_image_and_is_stripped_of_metadata(client, editor, units, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor)
    fake = SimpleUploadedFile("cover.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = client.post("/admin/news/post/add/", _form(units[0], cover=fake))
    assert response.status_code == 200 and not Post.objects.exists()
    assert "cover" in response.context["adminform"].form.errors

    settings.NEWS_COVER_MAX_BYTES = 1000
    big = image_upload(size=(400, 400))
    response = client.post("/admin/news/post/add/", _form(units[0], cover=big))
    assert "quá lớn" in str(response.context["adminform"].form.errors["cover"])

    settings.NEWS_COVER_MAX_BYTES = 5 * 1024 * 1024
    photo = image_upload(size=(1600, 800), exif=exif_with_gps())
    response = client.post("/admin/news/post/add/", _form(units[0], cover=photo))
    assert response.status_code == 302
    post = Post.objects.get()
    data = post.cover.read()
    assert b"SecretCamera" not in data and b"PhoneMaker" not in data and b"Exif" not in data
    assert (post.cover_width, post.cover_height) == (1200, 600)


@pytest.mark.django_db
def test_slug_transliterates_the_vietnamese_title(client, editor, units):
    client.force_login(editor)
    page = client.get("/admin/news/post/add/").content.decode()
    assert 'data-prepopulated-fields="[]"' in page  # admin's script would drop the Vietnamese letters
    response = client.post("/admin/news/post/add/", _form(units[0], title="Tạm ngừng tiếp nhận hồ sơ"))
    assert response.status_code == 302
    assert Post.objects.get().slug == "tam-ngung-tiep-nhan-ho-so"
    client.post("/admin/news/post/add/", _form(units[0], title="Đăng ký thường trú: Đường Đoàn Văn Bơ"))
    assert Post.objects.order_by("pk").last().slug == "dang-ky-thuong-tru-duong-doan-van-bo"
