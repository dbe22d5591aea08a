"""Top-level URLs: the public catalog pages and the editors' admin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from catalog.sitemaps import SITEMAPS
from catalog.views import robots_txt
from roles_site.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path(settings.ADMIN_URL, admin.site.urls),
    # Pages first: their patterns and the API's never match the same path (the slug converter
    # takes no dots, so /roles/<slug>.md is the API's), and pages are most of what is asked.
    path("", include("catalog.urls")),
    path("", include("catalog.api_urls")),
    path("", include("teams.urls")),
]

handler404 = "catalog.views.page_not_found"
