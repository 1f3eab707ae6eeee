"""The privacy notice: shipped version 1 with the declaration statement, new versions added in admin (a published
one never changes), rendered in the page's language, and the consent fields a journey's first step uses."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from apps.declarations.forms import RequestForm
from apps.privacy.models import PrivacyNotice
from apps.privacy.services.notices import privacy_notice_current
from apps.procedures.forms.passport import PassportForm

pytestmark = pytest.mark.django_db


def test_version_1_is_shipped_with_the_paper_forms_statement():
    notice = privacy_notice_current()
    assert notice.version == 1
    assert notice.declaration == "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật."
    assert "Công an Quận 4" in notice.notice and "180 ngày" in notice.notice
    assert "Dân tộc, tôn giáo và nhóm máu" in notice.sensitive_consent


def test_admin_adds_a_new_version_and_never_changes_a_published_one(admin_client):
    # Version 1 (the data migration's) is in force since a fixed day, whatever day the suite runs on (--clock).
    PrivacyNotice.objects.filter(version=1).update(published_at=datetime(2026, 1, 1, tzinfo=UTC))
    add = reverse("admin:privacy_privacynotice_add")
    initial = admin_client.get(add).content.decode()
    assert "Tôi xin cam đoan" in initial  # the new version starts from the one in force
    data = {
        "published_at_0": "01/01/2027",
        "published_at_1": "00:00:00",
        "notice": "Thông báo mới.",
        "notice_en": "New notice.",
        "sensitive_consent": "Đồng ý dữ liệu nhạy cảm.",
        "sensitive_consent_en": "",
        "declaration": "Tôi xin cam đoan.",
        "declaration_en": "",
    }
    assert admin_client.post(add, data).status_code == 302
    assert list(PrivacyNotice.objects.values_list("version", flat=True)) == [2, 1]
    first = PrivacyNotice.objects.get(version=1)
    assert admin_client.post(reverse("admin:privacy_privacynotice_change", args=[first.pk]), data).status_code == 403
    assert "Tôi xin cam đoan những thông tin" in PrivacyNotice.objects.get(version=1).declaration
    with time_machine.travel(datetime(2026, 12, 31, 12, tzinfo=UTC)):
        assert privacy_notice_current().version == 1  # not in force yet
    with time_machine.travel(datetime(2027, 1, 2, tzinfo=UTC)):
        assert privacy_notice_current().version == 2


@pytest.mark.parametrize(
    ("language", "expected"), [("vi", "Công an Quận 4 (Thành phố"), ("en", "District 4 Police (Ho")]
)
def test_the_notice_renders_in_the_pages_language(language, expected):
    with translation.override(language):
        html = Template("{% load privacy_tags %}{% privacy_notice sensitive=True %}").render(Context())
    assert expected in html
    assert ("nhóm máu" if language == "vi" else "blood group") in html


def test_the_first_steps_box_records_the_version_shown():
    base = {"reason": "first_card", "applicant": "self"}
    form = RequestForm(data={**base, "accept_notice": "1"})
    assert form.is_valid(), form.errors
    assert (form.notice_version, form.sensitive_consent) == (1, None)  # the identity card asks no sensitive data
    with translation.override("vi"):
        form = RequestForm(data=base)
        assert not form.is_valid()
        assert form.errors == {
            "accept_notice": ["Đánh dấu vào ô để chấp nhận thông báo: không thể gửi yêu cầu nếu chưa chấp nhận."]
        }
    # A version not yet published is refused (the box carries the version shown).
    assert not RequestForm(data={**base, "accept_notice": "2"}).is_valid()


def test_a_procedure_asks_for_the_notice_and_the_declaration_statement_not_for_sensitive_consent():
    form = PassportForm(data={})
    assert {"accept_notice", "accept_declaration"} <= set(form.errors)
    assert "accept_sensitive" not in form.fields
    with translation.override("vi"):
        label = str(PassportForm().fields["accept_declaration"].label)
    assert label == "Tôi xin cam đoan những thông tin kê khai trên là đúng sự thật."
    assert [f.name for f in PassportForm().consent_fields()] == ["accept_notice", "accept_declaration"]
