"""News and reports scope their own admin by unit; the back office checks that an officer of one ward never
lists nor opens another ward's posts or reports, whatever the URL."""

import pytest
from django.urls import reverse

from apps.backoffice import roles
from tests.news.factories import PostFactory
from tests.reports.factories import ReportFactory

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db


def test_news_editor_sees_only_own_units_posts(client, role_groups, ward_a, ward_b):
    editor = OfficerFactory(units=[ward_a], roles=[roles.NEWS_EDITOR])
    own = PostFactory(unit=ward_a, title="Tin phường một")
    other = PostFactory(unit=ward_b, title="Tin phường tám")
    client.force_login(editor)
    response = client.get(reverse("admin:news_post_changelist"))
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:news_post_change", args=[own.pk])).status_code == 200
    response = client.get(reverse("admin:news_post_change", args=[other.pk]))
    assert response.status_code in (302, 403, 404)
    assert "Tin phường tám" not in response.content.decode()


def test_report_handler_sees_only_own_units_reports(client, role_groups, ward_a, ward_b):
    handler = OfficerFactory(units=[ward_a], roles=[roles.REPORT_HANDLER])
    own = ReportFactory(unit=ward_a, description="Phản ánh phường một")
    other = ReportFactory(unit=ward_b, description="Phản ánh phường tám")
    client.force_login(handler)
    response = client.get(reverse("admin:reports_report_changelist"))
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:reports_report_change", args=[own.pk])).status_code == 200
    response = client.get(reverse("admin:reports_report_change", args=[other.pk]))
    assert response.status_code in (302, 403, 404)
    assert "Phản ánh phường tám" not in response.content.decode()


def test_opening_a_report_is_audited(client, role_groups, ward_a):
    from apps.backoffice.models import AuditLogEntry

    handler = OfficerFactory(units=[ward_a], roles=[roles.REPORT_HANDLER])
    report = ReportFactory(unit=ward_a)
    client.force_login(handler)
    client.get(reverse("admin:reports_report_change", args=[report.pk]))
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.user, entry.object_id, entry.unit) == ("view", handler, str(report.pk), ward_a)
