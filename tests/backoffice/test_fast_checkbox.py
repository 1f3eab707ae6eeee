"""Big lists write each row's action checkbox directly (`FastActionCheckboxMixin`): the same HTML Django's widget
renders (checked against Django's own output, in Vietnamese), so "select all" and the actions work as before."""

import pytest
from django.urls import reverse

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
