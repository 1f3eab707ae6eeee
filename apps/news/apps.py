from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "apps.news"
    verbose_name = _("News")

    def ready(self):
        from .services import news_editors_group_ensure

        # After every migrate (and test-database flush), once auth has created this app's permissions.
        post_migrate.connect(
            lambda sender, **kwargs: news_editors_group_ensure(), sender=self, weak=False, dispatch_uid="news_group"
        )
