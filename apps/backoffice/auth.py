"""Admin login protection (django-axes): repeated wrong passwords lock the officer out for a while."""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

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
    from django.contrib import admin
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    context = {
        **admin.site.each_context(request),
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": max(1, round(cool_off.total_seconds() / 60)) if cool_off else None,
    }
    return render(request, "backoffice/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with two more limits than "one user name from one address" (AXES_FAILURE_LIMIT):

    * one account from any number of addresses (BACKOFFICE_LOCKOUT_PER_ACCOUNT): a guesser who changes address
      still locks the account they aim at;
    * one address over any number of accounts (BACKOFFICE_LOCKOUT_PER_ADDRESS): 4 guesses on each of 6 accounts
      from one address lock that address. It is higher than the others because a station's officers share one.

    Counted over the cool-off period, like Axes' own count. Reported to Axes as "at the failure limit", so its
    lockout page, signal and reset commands (`axes_reset_username`, `axes_reset_ip`) work unchanged.
    """

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        attempts = AccessAttempt.objects.all()
        cool_off = get_cool_off(request)
        if cool_off:
            attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
        username = get_client_username(request, credentials)
        address = get_client_ip_address(request)
        per_account = _failures(attempts.filter(username=username)) if username else 0
        per_address = _failures(attempts.filter(ip_address=address)) if address else 0
        if (
            per_account >= settings.BACKOFFICE_LOCKOUT_PER_ACCOUNT
            or per_address >= settings.BACKOFFICE_LOCKOUT_PER_ADDRESS
        ):
            return limit
        return failures


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
