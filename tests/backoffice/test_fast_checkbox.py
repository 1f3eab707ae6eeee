"""Big lists write each row's action checkbox directly (`FastActionCheckboxMixin`): the same HTML Django's widget
renders (checked against Django's own output, in Vietnamese), so "select all" and the actions work as before."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_messages_list_writes_the_same_checkbox_as_django(admin_client):
    from tests.notifications.factories import NotificationFactory

    message = NotificationFactory()
    html = admin_client.get(reverse("admin:notifications_notification_changelist")).content.decode()
    expected = (
        f'<input type="checkbox" name="_selected_action" value="{message.pk}" class="action-select" '
        f'aria-label="Chọn dòng này để thực hiện thao tác - Xác nhận hồ sơ #{message.pk}">'
    )
    assert expected in html
    assert '<input type="checkbox" id="action-toggle"' in html


def test_the_big_lists_use_it():
    from django.contrib import admin

    from apps.appointments.models import Appointment
    from apps.backoffice.admin_mixins import FastActionCheckboxMixin
    from apps.filings.models import Filing
    from apps.notifications.models import Notification

    for model in (Appointment, Filing, Notification):
        assert isinstance(admin.site._registry[model], FastActionCheckboxMixin), model


@pytest.mark.parametrize(
    ("model_path", "query"),
    [
        ("appointments.Appointment", {"q": "nguyen van an"}),
        ("appointments.Appointment", {"q": "nguyen van an", "status__exact": "booked", "o": "-1"}),
        ("filings.Filing", {"q": "nguyen"}),
        ("filings.Filing", {}),
    ],
)
def test_the_rows_link_to_their_page_with_the_lists_filters_as_django_does(admin_client, model_path, query):
    """`FastRowLinksChangeList`: each row's link is the one Django's `add_preserved_filters` makes (the list's
    query kept in `_changelist_filters`), without resolving each row's URL."""
    from django.apps import apps
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.contrib.admin.views.main import ChangeList

    from apps.backoffice.admin_mixins import FastRowLinksChangeList
    from tests.backoffice.factories import appointment_create, declaration_create
    from tests.units.factories import PoliceUnitFactory

    appointment = appointment_create(
        unit=PoliceUnitFactory(), starts_at=timezone.now() + timedelta(days=1), name="Nguyễn Văn An"
    )
    declaration_create(appointment=appointment, name="Nguyễn Văn An")
    model = apps.get_model(model_path)
    response = admin_client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"), query)
    cl = response.context["cl"]
    assert isinstance(cl, FastRowLinksChangeList) and len(cl.result_list) == 1
    row = cl.result_list[0]
    django_link = add_preserved_filters(
        {"preserved_filters": cl.model_admin.get_preserved_filters(response.wsgi_request), "opts": cl.opts},
        ChangeList.url_for_result(cl, row),
    )
    assert cl.url_for_result(row) == django_link
    assert f'href="{django_link}"'.replace("&", "&amp;") in response.content.decode()
    if query:
        assert "?_changelist_filters=" in django_link
