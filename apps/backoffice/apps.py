from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "apps.backoffice"
    verbose_name = _("Back office")

    def ready(self):
        from django.contrib import admin

        admin.site.site_header = _("Citizen ID portal: back office")
        admin.site.site_title = _("Back office")
        admin.site.index_title = _("Today at a glance")
        # The dashboard (bookings, utilisation, filings, reports of the officer's units) above the app list.
        admin.site.index_template = "backoffice/admin_index.html"
