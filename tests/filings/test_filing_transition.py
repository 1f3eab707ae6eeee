"""The one transition table: officers, the counter and the citizen move a filing only along it."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from apps.filings.models import FilingEvent, FilingState
from apps.filings.services import filing_transition
from apps.notifications.models import Notification
from tests.backoffice.factories import OfficerFactory

from .factories import filing_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user = OfficerFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_filing"))
    return user


def test_the_road_of_a_filing_is_recorded_as_events(officer):
    filing = filing_make()
    filing_transition(filing=filing, target="received", actor="counter")
    filing_transition(filing=filing, target="in_progress", user=officer)
    filing_transition(filing=filing, target="ready", user=officer)
    filing_transition(filing=filing, target="collected", user=officer)

    filing.refresh_from_db()
    assert filing.state == "collected"
    events = list(FilingEvent.objects.filter(filing=filing).values_list("source", "state", "username"))
    assert events == [
        ("", "submitted", ""),
        ("submitted", "received", ""),
        ("received", "in_progress", officer.username),
        ("in_progress", "ready", officer.username),
        ("ready", "collected", officer.username),
    ]


def test_a_move_not_in_the_table_is_refused_and_nothing_changes(officer):
    filing = filing_make()
    with pytest.raises(ValidationError) as caught:
        filing_transition(filing=filing, target="ready", user=officer)
    assert caught.value.code == "invalid_transition"
    filing.refresh_from_db()
    assert filing.state == "submitted"
    assert FilingEvent.objects.filter(filing=filing).count() == 1


def test_returning_needs_a_reason_which_the_citizen_receives(officer, django_capture_on_commit_callbacks):
    filing = filing_make()
    with pytest.raises(ValidationError):
        filing_transition(filing=filing, target="returned", user=officer, reason="  ")
    assert not Notification.objects.filter(kind="filing_status_changed").exists()

    filing_transition(filing=filing, target="returned", user=officer, reason="Ảnh chân dung bị mờ.")

    message = Notification.objects.get(kind="filing_status_changed")
    assert message.phone == "+84901234567"
    assert message.context["note"] == "Ảnh chân dung bị mờ."
    assert message.context["status"] == "Trả lại để bổ sung, sửa đổi"
    assert message.context["reference"] == f"{filing.code[:4]}-{filing.code[4:8]}-{filing.code[8:]}"


def test_an_officer_without_the_permission_cannot_move_a_filing():
    filing = filing_make()
    with pytest.raises(PermissionDenied):
        filing_transition(filing=filing, target="received", user=OfficerFactory())
    filing.refresh_from_db()
    assert filing.state == FilingState.SUBMITTED


def test_the_citizen_may_only_send_back_a_returned_filing_or_cancel(officer):
    filing = filing_make()
    with pytest.raises(ValidationError):
        filing_transition(filing=filing, target="received", actor="citizen")
    filing_transition(filing=filing, target="returned", user=officer, reason="Thiếu giấy khai sinh.")
    filing_transition(filing=filing, target="submitted", actor="citizen")
    filing_transition(filing=filing, target="cancelled", actor="citizen")
    filing.refresh_from_db()
    assert filing.state == "cancelled"


def test_a_card_ready_message_says_card_ready(officer):
    filing = filing_make(slug="cap-cccd")
    filing_transition(filing=filing, target="received", actor="counter")
    filing_transition(filing=filing, target="ready", user=officer)
    message = Notification.objects.filter(kind="filing_status_changed").latest("id")
    assert message.context["status"] == "Thẻ căn cước đã sẵn sàng"
