from django import template
from django.utils.safestring import mark_safe

from apps.news.text import body_to_html, sanitize_html

register = template.Library()


@register.filter
def safe_body(html: str) -> str:
    """Post bodies are sanitised when saved; sanitising again on output keeps rows written elsewhere safe too."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - nh3 output contains no script or event handler


@register.filter
def post_body(post) -> str:
    """The post's body in the page's language, rendered from its format (Markdown or HTML) and sanitised."""
    return mark_safe(body_to_html(text=post.display_body, body_format=post.body_format))  # noqa: S308 - sanitised
