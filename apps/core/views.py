import hashlib
import logging
import mimetypes

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_page, never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from . import health
from .storage import public_media_allowed

logger = logging.getLogger(__name__)

HOME_CACHE_SECONDS = 60


class _HomePage(TemplateView):
    template_name = "core/home.html"


def home_view(request: HttpRequest):
    """The page every Zalo menu tap opens: the same for everyone, so it is served from the cache (per language)
    for a minute. A visitor with a message waiting (e.g. "we sent a code to 0912…") gets their own uncached copy:
    a cached page must never carry one visitor's message to the next.

    The pinned news notices come from the news cache (rebuilt when a post changes or a scheduled one is due);
    the page's cache key carries their digest, so a new, changed or unpinned notice shows at once."""
    from django.contrib.messages import get_messages

    from apps.news.selectors import news_home_pinned_html

    pinned = news_home_pinned_html()
    # Rendered by the news app's own autoescaping template.
    view = _HomePage.as_view(extra_context={"pinned_html": mark_safe(pinned)})  # noqa: S308
    if len(get_messages(request)):  # counts without marking the messages as shown
        return never_cache(view)(request)
    digest = hashlib.blake2b(pinned.encode(), digest_size=8).hexdigest()
    return cache_page(HOME_CACHE_SECONDS, key_prefix=f"home-{digest}")(view)(request)


def csrf_failure(request: HttpRequest, reason: str = ""):
    """Django's CSRF refusal, as a Vietnamese page that explains and offers the way back (issue 12.7 / 12.10):
    the usual cause is a form left open for hours, or cookies that were cleared (in-app browsers do that)."""
    logger.info("CSRF refusal on %s: %s", request.path, reason)
    response = render(request, "errors/403_csrf.html", {"retry_url": _same_site_path(request.path)}, status=403)
    response["Cache-Control"] = "no-store"
    return response


def _same_site_path(path: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    if path.startswith("/") and not path.startswith("//") and url_has_allowed_host_and_scheme(path, None):
        return path
    return "/"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    found = health.readiness()
    return JsonResponse(found.body, status=found.status_code)


PUBLIC_MEDIA_CACHE_SECONDS = 7 * 24 * 3600


@require_GET
def public_media(request: HttpRequest, name: str) -> FileResponse:
    """A public file (news image) from the default storage: works the same on local disk and in a bucket, on every
    node. Stored names never change content (a new upload gets a new name), so browsers and nginx may cache them."""
    if not public_media_allowed(name) or not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={PUBLIC_MEDIA_CACHE_SECONDS}"
    return response


# Error pages: friendly, translated, and never another error. 500 renders without the database.
@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    body = loader.get_template("errors/500.html").render({"emergency_number": settings.EMERGENCY_NUMBER})
    return HttpResponseServerError(body)
