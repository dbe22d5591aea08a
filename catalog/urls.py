from __future__ import annotations

from django.urls import path, re_path

from catalog import changes, views
from catalog.comparison import MAX_ROLES

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("roles/", views.role_list, name="role-list"),
    path("roles/<slug:slug>/", views.role_detail, name="role-detail"),
    path("roles/<slug:a>/to/<slug:b>/", views.role_move, name="role-move"),
    path("compare/", views.compare_start, name="compare-start"),
    # Two, three or four roles, in column order: one name, so reverse() picks the pattern by
    # the number of slugs it is given.
    path("compare/<slug:a>/vs/<slug:b>/", views.compare, name="compare"),
    path("compare/<slug:a>/vs/<slug:b>/vs/<slug:c>/", views.compare, name="compare"),
    path("compare/<slug:a>/vs/<slug:b>/vs/<slug:c>/vs/<slug:d>/", views.compare, name="compare"),
    re_path(
        rf"^compare/(?P<slugs>[-a-zA-Z0-9_]+(?:/vs/[-a-zA-Z0-9_]+){{{MAX_ROLES},}})/$",
        views.compare_too_many,
        name="compare-too-many",
    ),
    path("collaboration/", views.collaboration, name="collaboration"),
    path("search/", views.search, name="search"),
    path("sources/", views.sources, name="sources"),
    # Link-preview images (og:image), named like the pages they preview.
    path("cards/home.png", views.card_home, name="card-home"),
    path("cards/roles/<slug:slug>.png", views.card_role, name="card-role"),
    path("cards/compare/<slug:a>/vs/<slug:b>.png", views.card_compare, name="card-compare"),
    path(
        "cards/compare/<slug:a>/vs/<slug:b>/vs/<slug:c>.png",
        views.card_compare,
        name="card-compare",
    ),
    path(
        "cards/compare/<slug:a>/vs/<slug:b>/vs/<slug:c>/vs/<slug:d>.png",
        views.card_compare,
        name="card-compare",
    ),
    path("changes/", changes.change_log, name="changes"),
    path("changes/feed/", changes.ChangeFeed(), name="changes-feed"),
]
