from django.conf import settings
from django.http import Http404
from django.views.generic import TemplateView

from .models import Category
from .selectors import QUERY_MAX_LENGTH, post_get_published, post_page


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


class NewsListView(TemplateView):
    template_name = "news/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        category = self.request.GET.get("chuyen-muc", "")
        if category not in Category.values:
            category = ""
        query = self.request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
        news_page = post_page(category=category, query=query, page=_page_number(self.request.GET.get("trang")))
        context.update(
            news_page=news_page,
            categories=Category.choices,
            category=category,
            category_label=Category(category).label if category else "",
            query=query,
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
