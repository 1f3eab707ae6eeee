from django import template
from django.urls import translate_url
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def switch_language_url(context, language: str) -> str:
    """The address of the current page in another language (same page, same query string)."""
    request = context.get("request")
    if request is None:
        return "/" if language == "vi" else f"/{language}/"
    url = translate_url(request.get_full_path(), language)
    return url


@register.simple_tag
def portal_path(path: str) -> str:
    """A stable public path (the ones printed on posters and in the Zalo menu) in the current language."""
    language = translation.get_language()
    if language and language != "vi":
        return f"/{language}{path}"
    return path
