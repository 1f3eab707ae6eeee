from django import template
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()


@register.simple_tag(takes_context=True)
def switch_language_url(context, language: str) -> str:
    """The address of the current page in another language (same page, same query string)."""
    request = context.get("request")
    if request is None:
        return "/" if language == "vi" else f"/{language}/"
    home = "/" if language == "vi" else f"/{language}/"
    path = request.get_full_path()
    # Only a page of this site is offered in the other language; anything else (a 404 at "//evil.example/",
    # which a browser reads as another site) leads to the home page.
    try:
        resolve(request.path_info)
    except Resolver404:
        return home
    url = translate_url(path, language)
    if not url.startswith("/") or url.startswith("//") or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return home
    return url


@register.simple_tag
def portal_path(path: str) -> str:
    """A stable public path (the ones printed on posters and in the Zalo menu) in the current language."""
    language = translation.get_language()
    if language and language != "vi":
        return f"/{language}{path}"
    return path
