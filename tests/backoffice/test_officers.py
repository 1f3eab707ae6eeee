"""Officers in the back office: names in Vietnamese order, pickers that list only officers holding the role,
permissions named in Vietnamese."""

import pytest
from django.contrib.auth.models import Permission

from apps.backoffice import roles
from apps.backoffice.admin_mixins import permission_label
from apps.backoffice.selectors import officer_list_with_permission

from .factories import OfficerFactory

pytestmark = pytest.mark.django_db


def test_names_in_vietnamese_order(db):
    officer = OfficerFactory(username="canbo.x", last_name="Nguyễn Thị", first_name="Hồng Nhung")
    assert officer.get_full_name() == "Nguyễn Thị Hồng Nhung"
    assert str(officer) == "Nguyễn Thị Hồng Nhung"
    assert str(OfficerFactory(username="kythuat", last_name="", first_name="")) == "kythuat"


def test_report_handler_picker_lists_only_report_handlers(role_groups, ward_a, ward_b, district):
    from apps.reports.selectors import report_handler_choices
    from tests.reports.factories import ReportFactory

    handler = OfficerFactory(username="pa.p1", units=[ward_a], roles=[roles.REPORT_HANDLER], last_name="Trần")
    admin_a = OfficerFactory(username="qt.p1", units=[ward_a], roles=[roles.UNIT_ADMINISTRATOR], last_name="Lê")
    OfficerFactory(username="quay.p1", units=[ward_a], roles=[roles.COUNTER_OFFICER])  # no report role
    OfficerFactory(username="tin.p1", units=[ward_a], roles=[roles.NEWS_EDITOR])
    OfficerFactory(username="pa.p8", units=[ward_b], roles=[roles.REPORT_HANDLER])  # another ward
    OfficerFactory(username="nghi", units=[ward_a], roles=[roles.REPORT_HANDLER], is_active=False)
    district_handler = OfficerFactory(username="pa.q4", units=[district], roles=[roles.REPORT_HANDLER], last_name="Võ")
    report = ReportFactory(unit=ward_a)
    assert list(report_handler_choices(report=report)) == [admin_a, handler, district_handler]  # Lê, Trần, Võ


def test_officer_list_with_permission_without_units(role_groups, ward_a, ward_b):
    a = OfficerFactory(username="quay.a", units=[ward_a], roles=[roles.COUNTER_OFFICER], last_name="An")
    b = OfficerFactory(username="quay.b", units=[ward_b], roles=[roles.COUNTER_OFFICER], last_name="Bình")
    OfficerFactory(username="tin.a", units=[ward_a], roles=[roles.NEWS_EDITOR])
    assert list(officer_list_with_permission(permission="backoffice.check_in")) == [a, b]
    assert list(officer_list_with_permission(permission="backoffice.check_in", unit_ids=[ward_b.pk])) == [b]


def test_permission_names_in_vietnamese(db):
    add_report = Permission.objects.get(codename="add_report", content_type__app_label="reports")
    assert permission_label(add_report).endswith("| Được thêm phản ánh")
    check_in = Permission.objects.get(codename="check_in")
    assert permission_label(check_in).endswith("| Được tiếp đón công dân tại quầy")
