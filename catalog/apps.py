from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Role catalog"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from catalog import signals

        # After auth's own post_migrate handler has made this app's permissions.
        post_migrate.connect(signals.after_migrate, sender=self)


class CatalogAdminConfig(admin_apps.AdminConfig):
    """The admin, on a site that groups the catalog's models by what editors do with them."""

    default = False
    default_site = "catalog.admin_site.CatalogAdminSite"
