"""Admin login protection (django-axes): repeated wrong passwords lock the officer out for a while."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings

from apps.core.ratelimit import client_address


class LoginAttemptBackend(AxesStandaloneBackend):
    """Axes' lockout check for every login made through a web request.

    `authenticate()` without a request cannot come from a login form (it is code calling it: a management
    command, the test client's `login()`), so there is nothing to count and the check is skipped instead of
    failing as Axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The address failures are counted against. Behind our TLS proxy (DJANGO_BEHIND_PROXY), the client is the
    last address the proxy appended to X-Forwarded-For; earlier entries are whatever the client claims."""
    return client_address(request) or None


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while an account is locked (AXES_LOCKOUT_CALLABLE)."""
    from axes.helpers import get_cool_off, get_failure_limit
    from django.contrib import admin
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "backoffice/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
