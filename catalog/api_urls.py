"""URLs of the read-only API (/api/v1/) and the downloads: the catalog as JSON or CSV, and a
role or comparison as Markdown.

The Markdown URLs sit beside the pages they belong to (/roles/<slug>.md next to
/roles/<slug>/); the slug converter does not match dots, so the two never clash.
"""

from __future__ import annotations

from django.urls import path, re_path

from catalog import api, downloads

app_name = "api"

urlpatterns = [
    path("api/v1/", api.index, name="index"),
    path("api/v1/roles/", api.role_list, name="role-list"),
    path("api/v1/roles/<slug:slug>/", api.role_detail, name="role-detail"),
    path("api/v1/compare/<slug:a>/vs/<slug:b>/", api.compare, name="compare"),
    path("api/v1/collaborations/", api.collaboration_list, name="collaboration-list"),
    path(
        "api/v1/collaborations/<slug:slug>/",
        api.collaboration_detail,
        name="collaboration-detail",
    ),
    path("api/v1/sources/", api.source_list, name="source-list"),
    path("api/v1/sources/<slug:slug>/", api.source_detail, name="source-detail"),
    path("api/v1/openapi.json", api.openapi, name="openapi"),
    # Anything else under /api/ (a prefix match: no "$") answers in JSON too, not with the
    # site's HTML 404.
    re_path(r"^api/", api.not_found),
    path("downloads/catalog.json", downloads.catalog_json, name="catalog-json"),
    path("downloads/catalog-csv.zip", downloads.catalog_csv, name="catalog-csv"),
    path("roles/<slug:slug>.md", downloads.role_markdown, name="role-markdown"),
    path("compare/<slug:a>/vs/<slug:b>.md", downloads.compare_markdown, name="compare-markdown"),
    # A Markdown URL whose slug is malformed is a JSON 404 like an unknown slug.
    re_path(r"^roles/[^/]*\.md$", api.not_found),
    re_path(r"^compare/[^/]*/vs/[^/]*\.md$", api.not_found),
]
