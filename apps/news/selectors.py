from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.prepared import BuiltFromRows, PreparedRead

from .models import HAS_ENGLISH, Category, Post, localized, shown_in_english
from .services import NEWS_CACHE_VERSION_KEY
from .text import normalize_search

PAGE_SIZE = 10
# Cached pages live at most this long; less when a scheduled post is due to appear sooner.
CACHE_SECONDS = 300
QUERY_MAX_LENGTH = 100
# Pinned notices shown on the home page (the newest first); the rest are on the news list.
HOME_PINNED_LIMIT = 3


@dataclass(frozen=True)
class NewsPage:
    posts: list[Post]
    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def _version() -> int:
    version = cache.get(NEWS_CACHE_VERSION_KEY)
    if version is None:
        cache.add(NEWS_CACHE_VERSION_KEY, 1, None)
        version = cache.get(NEWS_CACHE_VERSION_KEY, 1)
    return version


# Compiled once per process (apps.core.prepared): read on every home page and news page that is not cached.
_NEXT_SCHEDULED = PreparedRead(
    lambda now: (
        Post.objects.filter(is_published=True, publish_at__gt=now)
        .order_by("publish_at")
        .values_list("publish_at", flat=True)[:1]
    ),
    now=datetime,
)


def _next_scheduled(now: datetime) -> datetime | None:
    found = _NEXT_SCHEDULED(now=now)
    return found[0] if found else None


def post_list_published(*, category: str = "", query: str = "", now: datetime | None = None) -> QuerySet[Post]:
    qs = Post.objects.published(now=now).select_related("unit")
    if category:
        qs = qs.filter(category=category)
    for word in normalize_search(query[:QUERY_MAX_LENGTH]).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-is_pinned", "-publish_at", "-id")


def post_page(*, category: str = "", query: str = "", page: int = 1, now: datetime | None = None) -> NewsPage:
    """One page of the news list (not cached: see news_cached)."""
    if category not in Category.values:
        category = ""
    paginator = Paginator(post_list_published(category=category, query=query, now=now), PAGE_SIZE)
    page_obj = paginator.get_page(page)
    return NewsPage(
        posts=list(page_obj.object_list),
        number=page_obj.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
    )


def news_cached[T](*, key: str, build: Callable[[datetime], T]) -> T:
    """`build(now)`'s result, cached until a post changes (version) or the next scheduled post is due.

    The due time is checked on every read, not only through the cache's expiry, so a scheduled post appears on
    time whatever the cache backend.
    """
    now = timezone.now()
    full_key = f"news:{_version()}:{key}"
    cached = cache.get(full_key)
    if cached is not None and (cached[0] is None or now < cached[0]):
        return cached[1]
    value = build(now)
    valid_until = _next_scheduled(now)
    ttl = CACHE_SECONDS if valid_until is None else min(CACHE_SECONDS, int((valid_until - now).total_seconds()) + 1)
    cache.set(full_key, (valid_until, value), max(ttl, 1))
    return value


def post_get_published(*, slug: str) -> Post | None:
    """The post at this address if citizens may see it now (cached; visibility is checked on every call)."""
    key = f"news:post:{_version()}:{slug[:120]}"
    post = cache.get(key)
    if post is None:
        post = Post.objects.select_related("unit").filter(slug=slug).first() or False
        cache.set(key, post, CACHE_SECONDS)
    if not post or not post.is_published or post.publish_at > timezone.now():
        return None
    return post


def post_list_feed(*, limit: int = 20) -> list[Post]:
    return list(post_list_published().order_by("-publish_at", "-id")[:limit])


def post_list_pinned(*, now: datetime | None = None, limit: int = HOME_PINNED_LIMIT) -> list[Post]:
    """The pinned notices citizens may see now, newest first."""
    return list(post_list_published(now=now).filter(is_pinned=True).order_by("-publish_at", "-id")[:limit])


# The home page's pinned notices (post_list_pinned without the unit, which the notices do not show) as plain values:
# slug, title, title_en, summary, summary_en and whether the post has an English version (Post.has_english).
# Compiled once per process.
_HOME_PINNED = PreparedRead(
    lambda now: (
        Post.objects.published(now=now)
        .filter(is_pinned=True)
        .order_by("-publish_at", "-id")
        .annotate(has_en=ExpressionWrapper(HAS_ENGLISH, output_field=BooleanField()))
        .values_list("slug", "title", "title_en", "summary", "summary_en", "has_en")[:HOME_PINNED_LIMIT]
    ),
    now=datetime,
)


@dataclass(frozen=True)
class HomeNotice:
    url: str
    title: str  # in the language it is shown in
    summary: str
    language: str  # "en" on English pages when the post has an English version, else "vi" (Post.content_language)


# The pinned notices' HTML this process last rendered, per language, with the rows it was rendered from.
_home_pinned_built = BuiltFromRows()


def _home_pinned_render(rows: list) -> str:
    """The notices' HTML for these rows in the current language (Post's own rules: `localized`)."""
    notices = [
        HomeNotice(
            url=reverse("news:detail", kwargs={"slug": slug}),
            title=localized(title, title_en, has_english=has_en),
            summary=localized(summary, summary_en, has_english=has_en),
            language="en" if shown_in_english(has_english=has_en) else "vi",
        )
        for slug, title, title_en, summary, summary_en, has_en in rows
    ]
    return render_to_string("news/_home_pinned.html", {"notices": notices})


def news_home_pinned_html() -> str:
    """The home page's pinned notices, rendered in the current language and cached like the news pages: rebuilt
    when a post changes or when a scheduled post becomes due (news_cached). Costs no query when cached; otherwise
    one read of plain values (and no rendering when they are the same as last time)."""
    language = translation.get_language()

    def build(now: datetime) -> str:
        return _home_pinned_built.get(language, _HOME_PINNED(now=now), _home_pinned_render)

    return news_cached(key=f"home-pinned:{language}", build=build)
