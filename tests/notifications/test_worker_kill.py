"""A worker SIGKILLed in the middle of a send: the message is not lost (late acknowledgement), the next worker
takes it over with the same idempotency key, and a provider that honours the key delivers it exactly once."""

import time

import pytest

from apps.notifications.models import DeliveryAttempt, Outcome, Status

from .realworker import confirm, status_of, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_worker_killed_mid_send_leads_to_exactly_one_delivery(start_worker, real_broker):
    # An abandoned message becomes visible again after 3 s; a "sending" row is abandoned after 2 s.
    extra = {"TEST_VISIBILITY_TIMEOUT": "3", "NOTIFICATIONS_SENDING_LEASE_SECONDS": "2"}
    first = start_worker(**extra)
    zalo = real_broker["zalo"]
    zalo.state.answer_delay = 30  # the provider delivers, then answers slowly
    notification = confirm()
    wait_for(lambda: len(zalo.deliveries) == 1, what="the provider to receive the message", logs=[first])
    assert status_of(notification) == Status.SENDING
    first.kill()  # SIGKILL mid-send: no answer recorded, no acknowledgement sent to the broker
    zalo.state.answer_delay = 0
    time.sleep(3.5)  # the broker's visibility timeout: the unacknowledged message becomes visible again
    second = start_worker(**extra)
    wait_for(lambda: status_of(notification) == Status.SENT, what="the second worker to finish", logs=[first, second])
    assert len(zalo.deliveries) == 1  # delivered exactly once ...
    requests = zalo.requests
    assert len(requests) == 2 and {r["tracking_id"] for r in requests} == {notification.idempotency_key}  # same key
    outcomes = list(DeliveryAttempt.objects.filter(notification=notification).values_list("outcome", flat=True))
    assert outcomes == [Outcome.INTERRUPTED, Outcome.SENT]
