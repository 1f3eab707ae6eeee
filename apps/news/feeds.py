from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .selectors import post_list_feed
from .text import body_to_html, html_to_text, sanitize_html


class LatestPostsFeed(Feed):
    title = _("News from the police")
    description = _("Reception schedule, places and opening hours, and announcements.")

    def link(self):
        return reverse("news:list")

    def items(self):
        return post_list_feed()

    def item_title(self, item):
        return item.display_title

    def item_description(self, item):
        # Feed readers render the description as HTML: the summary goes through the body's sanitiser.
        if item.display_summary:
            return sanitize_html(item.display_summary)
        return html_to_text(body_to_html(text=item.display_body, body_format=item.body_format))[:300]

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [str(item.get_category_display())]

    def item_author_name(self, item):
        return item.unit.display_name

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        feed.feed["language"] = translation.get_language()
        return feed


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description
