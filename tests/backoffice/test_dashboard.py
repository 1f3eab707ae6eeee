import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from apps.backoffice.models import StateTransition
from apps.backoffice.selectors import Bar, Chart
from apps.units.models import PoliceUnit

pytestmark = pytest.mark.django_db


def test_chart_rows_scale_to_the_largest_bar_or_to_their_total():
    chart = Chart(title="t", bars=[Bar("a", 5), Bar("b", 10)])
    assert [r["percent"] for r in chart.rows] == [50, 100]
    chart = Chart(title="t", bars=[Bar("a", 3, total=12), Bar("b", 0, total=0)])
    assert [r["percent"] for r in chart.rows] == [25, 0]


def test_dashboard_on_the_admin_index_counts_only_own_units(client, counter_a, ward_a, ward_b):
    ct = ContentType.objects.get_for_model(PoliceUnit)
    for unit, target in ((ward_a, "checked"), (ward_b, "rejected")):
        StateTransition.objects.create(
            content_type=ct, object_id="1", unit=unit, source="submitted", target=target, username="x"
        )
    client.force_login(counter_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    assert "checked" in page
    assert "rejected" not in page
    assert "Thay đổi trạng thái hôm nay" in page
