from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "apps.reports"
    verbose_name = _("Citizens' reports")

    def ready(self):
        from .services import report_groups_ensure

        # After every migrate (and test-database flush), once auth has created this app's permissions.
        post_migrate.connect(
            lambda sender, **kwargs: report_groups_ensure(), sender=self, weak=False, dispatch_uid="reports_groups"
        )
