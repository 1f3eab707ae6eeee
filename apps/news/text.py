"""Text helpers shared by news, reports and the directory: diacritic-free search keys and safe HTML."""

import re

import markdown
import nh3

from apps.units.names import normalize_search

__all__ = ["body_to_html", "html_to_text", "markdown_to_html", "normalize_search", "sanitize_html"]
_SPACES = re.compile(r"\s+")

# What officers may use in a post body. No attribute that can run code (on*, style, src) is allowed, and
# links may only point to web pages, e-mail addresses or phone numbers: nh3 drops everything else.
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h2", "h3", "h4",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def html_to_text(html: str) -> str:
    """Plain text of sanitised HTML, for the search key and feed descriptions."""
    text = nh3.clean(html or "", tags=set())
    return _SPACES.sub(" ", text).strip()


# Markdown as officers type it: a blank line starts a paragraph, a single line break stays a line break, "- " and
# "1. " make lists, "#" headings start at <h2> (the page's title is its only <h1>), "|" tables.
MARKDOWN_EXTENSIONS = ["nl2br", "sane_lists", "tables", "toc"]
MARKDOWN_CONFIG = {"toc": {"baselevel": 2, "anchorlink": False, "permalink": False}}


def markdown_to_html(text: str) -> str:
    """Markdown rendered to HTML and then sanitised: HTML typed inside the Markdown goes through the same
    allow-list as an HTML body."""
    html = markdown.markdown(text or "", extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
    return sanitize_html(html)


def body_to_html(*, text: str, body_format: str) -> str:
    """A post body, in whichever format it was written (news.models.BodyFormat), as safe HTML."""
    if body_format == "markdown":
        return markdown_to_html(text)
    return sanitize_html(text)
