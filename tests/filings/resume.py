"""Opening a draft's resume link in another browser: the check that the draft is the citizen's (issue 12.5)."""

import re

from apps.notifications.models import OutboxMessage


def last_code(phone_tail: str) -> str:
    body = OutboxMessage.objects.filter(recipient__contains=phone_tail).order_by("-id").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


def resume_with_code(client, link: str, capture, *, phone_tail: str):
    """Open `link` in `client` (a browser without the draft), ask for the code, type it: the redirect after."""
    assert client.get(link).status_code == 200  # the check page, no answer shown
    with capture(execute=True):
        assert client.post(link, {"action": "send"}).status_code == 302
    response = client.post(link, {"action": "code", "code": last_code(phone_tail)})
    assert response.status_code == 302
    return response
