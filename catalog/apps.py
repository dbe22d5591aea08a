from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Role catalog"

    def ready(self) -> None:
        from catalog import signals  # noqa: F401


class CatalogAdminConfig(admin_apps.AdminConfig):
    """The admin, on a site that groups the catalog's models by what editors do with them."""

    default = False
    default_site = "catalog.admin_site.CatalogAdminSite"
