"""Every (state, actor, target) against the table written here, not read from apps.filings.transitions: what is
allowed goes through (with a reason where one is required) and records its event; everything else is refused and
changes nothing, including moves that need a reason when none is given."""

import itertools

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from apps.filings.models import Filing, FilingEvent
from apps.filings.services import filing_transition
from tests.backoffice.factories import OfficerFactory

from .factories import filing_make

pytestmark = pytest.mark.django_db

STATES = (
    "submitted",
    "received",
    "returned",
    "in_progress",
    "ready",
    "collected",
    "posted",
    "no_show",
    "cancelled",
)
ACTORS = ("officer", "counter", "citizen")

# (state, actor) -> {target: the citizen is messaged, a reason is required}
ALLOWED = {
    ("submitted", "officer"): {"received": (False, False), "no_show": (True, False), "returned": (True, True),
                               "cancelled": (True, True)},
    ("received", "officer"): {"returned": (True, True), "in_progress": (True, False), "ready": (True, False)},
    ("returned", "officer"): {"received": (False, False), "cancelled": (True, True)},
    ("in_progress", "officer"): {"returned": (True, True), "ready": (True, False)},
    ("ready", "officer"): {"collected": (False, False), "posted": (True, False)},
    ("no_show", "officer"): {"received": (False, False), "cancelled": (True, True)},
    ("submitted", "counter"): {"received": (False, False), "no_show": (True, False)},
    ("received", "counter"): {"submitted": (False, False)},
    ("returned", "counter"): {"received": (False, False)},
    ("no_show", "counter"): {"received": (False, False)},
    ("submitted", "citizen"): {"cancelled": (False, False)},
    ("returned", "citizen"): {"submitted": (False, False), "cancelled": (False, False)},
}  # fmt: skip
CASES = [(s, a, t) for s, a, t in itertools.product(STATES, ACTORS, STATES) if s != t]


@pytest.fixture
def reviewer():
    user = OfficerFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_filing"))
    return user


def _filing_in(state: str) -> Filing:
    filing = filing_make()
    Filing.objects.filter(pk=filing.pk).update(state=state)
    filing.refresh_from_db()
    return filing


def test_the_table_has_the_refusals_the_issue_names():
    assert "collected" not in ALLOWED.get(("no_show", "officer"), {})
    assert "completed" not in STATES  # a filing's end is "collected" or "posted"
    assert len(CASES) == 9 * 3 * 8


@pytest.mark.parametrize(("state", "actor", "target"), CASES)
def test_every_move(state, actor, target, reviewer):
    from apps.notifications.models import Notification

    filing = _filing_in(state)
    user = reviewer if actor == "officer" else None
    expected = ALLOWED.get((state, actor), {}).get(target)
    if expected is None:
        with pytest.raises(ValidationError) as caught:
            filing_transition(filing=filing, target=target, actor=actor, user=user, reason="Lý do")
        assert caught.value.code == "invalid_transition"
        filing.refresh_from_db()
        assert filing.state == state
        assert FilingEvent.objects.filter(filing=filing).count() == 1
        return
    notifies, reason_required = expected
    if reason_required:
        for blank in ("", "   "):
            with pytest.raises(ValidationError) as caught:
                filing_transition(filing=filing, target=target, actor=actor, user=user, reason=blank)
            assert "reason" in caught.value.message_dict
        filing.refresh_from_db()
        assert filing.state == state
    event = filing_transition(filing=filing, target=target, actor=actor, user=user, reason="Lý do")
    filing.refresh_from_db()
    assert filing.state == target
    assert (event.source, event.state, event.reason) == (state, target, "Lý do")
    assert FilingEvent.objects.filter(filing=filing).count() == 2
    messaged = Notification.objects.filter(kind="filing_status_changed", phone="+84901234567")
    assert messaged.exists() is notifies
    if notifies:
        assert messaged.get().context["note"] == "Lý do"
