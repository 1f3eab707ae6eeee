from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from .models import Category
from .selectors import QUERY_MAX_LENGTH, news_cached, post_get_published, post_page
from .text import normalize_search


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


class NewsListView(TemplateView):
    """The list is rendered once per language, category, page and search and kept in the cache until a post
    changes or a scheduled post is due, so a content page costs no query and little rendering."""

    template_name = "news/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        category = self.request.GET.get("chuyen-muc", "")
        if category not in Category.values:
            category = ""
        query = self.request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
        page = _page_number(self.request.GET.get("trang"))
        language = translation.get_language()
        search_key = normalize_search(query).replace(" ", "_")

        def build(now) -> tuple[str, str]:
            fragment_context = {
                "news_page": post_page(category=category, query=query, page=page, now=now),
                "categories": Category.choices,
                "category": category,
                "query": query,
            }
            return (
                render_to_string("news/_list_head.html", fragment_context),
                render_to_string("news/_list_content.html", fragment_context),
            )

        head, content = news_cached(key=f"list:{language}:{category}:{page}:{search_key}", build=build)
        context.update(
            # Rendered by our own autoescaping templates.
            head_html=mark_safe(head),  # noqa: S308
            content_html=mark_safe(content),  # noqa: S308
            category_label=Category(category).label if category else "",
        )
        return context


class NewsDetailView(TemplateView):
    template_name = "news/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = post_get_published(slug=self.kwargs["slug"])
        if post is None:
            raise Http404
        context["post"] = post
        context["share_url"] = settings.SITE_URL + self.request.path
        context["cover_url"] = settings.SITE_URL + post.cover.url if post.cover else ""
        return context
