from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from apps.backoffice.scoping import user_sees_all_units, user_unit_ids
from apps.units.models import PoliceUnit

from .images import image_reencode
from .models import BodyFormat, Post
from .text import body_to_html, html_to_text, normalize_search, sanitize_html

COVER_MAX_WIDTH = 1200
NEWS_CACHE_VERSION_KEY = "news:version"

NOT_YOUR_UNIT = _("You can only write news for your own unit.")


def news_cache_bump() -> None:
    """Invalidate every cached news page (they are keyed by this version)."""
    try:
        cache.incr(NEWS_CACHE_VERSION_KEY)
    except ValueError:
        cache.set(NEWS_CACHE_VERSION_KEY, 2, None)


def post_unit_allowed(*, user, unit: PoliceUnit) -> bool:
    return user_sees_all_units(user) or unit.pk in user_unit_ids(user)


def _unique_slug(post: Post) -> str:
    base = slugify(normalize_search(post.title))[:100] or "tin"
    slug, n = base, 2
    while Post.objects.filter(slug=slug).exclude(pk=post.pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def post_save(*, post: Post, user=None, new_cover=None) -> Post:
    """Create or update a post: sanitise both bodies, refresh the search key, re-encode a new cover image.

    `new_cover` is an uploaded file already validated by the form (images.image_validate).
    """
    if user is not None:
        if not post_unit_allowed(user=user, unit=post.unit):
            raise ValidationError({"unit": NOT_YOUR_UNIT}, code="not_your_unit")
        if post.author_id is None:
            post.author = user
    if post.body_format == BodyFormat.HTML:
        post.body = sanitize_html(post.body)
        post.body_en = sanitize_html(post.body_en)
    # A Markdown body is kept as typed (sanitising it as HTML would spoil "> quote" and "<" in text): it is
    # rendered and sanitised on output (text.body_to_html).
    if not post.slug:
        post.slug = _unique_slug(post)
    parts = [post.title, post.summary, html_to_text(body_to_html(text=post.body, body_format=post.body_format))]
    parts += [
        post.title_en,
        post.summary_en,
        html_to_text(body_to_html(text=post.body_en, body_format=post.body_format)),
    ]
    post.search_text = normalize_search(" ".join(parts))
    if new_cover is not None:
        clean = image_reencode(upload=new_cover, max_width=COVER_MAX_WIDTH, name=f"{post.slug}.jpg")
        post.cover = clean.content
        post.cover_width, post.cover_height = clean.width, clean.height
    post.full_clean(exclude=["cover"] if new_cover is not None else None)
    post.save()
    transaction.on_commit(news_cache_bump)
    return post


@transaction.atomic
def post_delete(*, post: Post, user) -> None:
    if not post_unit_allowed(user=user, unit=post.unit):
        raise ValidationError(NOT_YOUR_UNIT, code="not_your_unit")
    post.delete()
    transaction.on_commit(news_cache_bump)
