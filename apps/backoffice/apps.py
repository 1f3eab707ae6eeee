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
        # Sign-in with the authenticator code for roles that see personal data (and the session signal).
        from .signin import admin_site_setup

        admin_site_setup()
        # Every write made through any admin class is audited with a before/after summary (audit_writes.py).
        from .audit_writes import audit_every_admin

        audit_every_admin(admin.site)

        # The roles (groups and their permissions) exist in every database once it is migrated: this app comes
        # last in INSTALLED_APPS, so every other app's permissions have been created when its signal fires.
        from django.db.models.signals import post_migrate

        post_migrate.connect(_roles_setup, sender=self, dispatch_uid="backoffice_roles_setup")

        # The search's accent-free name function (PostgreSQL gets it from a migration).
        from django.db.backends.signals import connection_created

        connection_created.connect(_connection_created, dispatch_uid="backoffice_search_sqlite")


def _roles_setup(sender, using="default", **kwargs):
    from .services import roles_setup

    roles_setup()


def _connection_created(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        from .search import sqlite_register

        sqlite_register(connection.connection)
