from __future__ import annotations

from django.urls import path

from catalog import changes, views

app_name = "catalog"

urlpatterns = [
    path("", views.home, name="home"),
    path("roles/", views.role_list, name="role-list"),
    path("roles/<slug:slug>/", views.role_detail, name="role-detail"),
    path("compare/", views.compare_start, name="compare-start"),
    path("compare/<slug:a>/vs/<slug:b>/", views.compare, name="compare"),
    path("collaboration/", views.collaboration, name="collaboration"),
    path("search/", views.search, name="search"),
    path("sources/", views.sources, name="sources"),
    # Link-preview images (og:image), named like the pages they preview.
    path("cards/home.png", views.card_home, name="card-home"),
    path("cards/roles/<slug:slug>.png", views.card_role, name="card-role"),
    path("cards/compare/<slug:a>/vs/<slug:b>.png", views.card_compare, name="card-compare"),
    path("changes/", changes.change_log, name="changes"),
    path("changes/feed/", changes.ChangeFeed(), name="changes-feed"),
]
