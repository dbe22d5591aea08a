"""The admin site, with the catalog's models grouped by what editors do with them.

Django lists an app's models alphabetically under the app's name; editors look for "the roles",
"the comparison table" or "who does what", so the index and the side bar show those groups.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

# (group heading, [(model_name, label shown to editors)]) in the order editors need them.
GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Roles and what they do",
        [
            ("role", "Roles"),
            ("responsibility", "Responsibilities"),
            ("roleknowledge", "Knowledge a role holds"),
            ("stageinvolvement", "Part in each lifecycle stage"),
            ("roleslugredirect", "Old role addresses (redirects)"),
        ],
    ),
    (
        "Comparing roles",
        [
            ("pairing", "Pairs of roles: bottom line and key differences"),
            ("dimension", "Rows of the side-by-side table"),
            ("trait", "Each role's answer on a row"),
        ],
    ),
    (
        "Working together",
        [
            ("collaboration", "Shared activities (RACI)"),
            ("contribution", "Each role's part in an activity"),
        ],
    ),
    (
        "Shared lists",
        [
            ("function", "Functions"),
            ("knowledgearea", "Knowledge areas"),
            ("lifecyclestage", "Lifecycle stages"),
        ],
    ),
    ("Sources", [("source", "Sources")]),
]


class CatalogAdminSite(admin.AdminSite):
    site_header = "Roles admin"
    site_title = "Roles admin"
    index_title = "Catalog content"

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        app_list = super().get_app_list(request, app_label)
        grouped: list[dict] = []
        for app in app_list:
            if app["app_label"] != "catalog":
                grouped.append(app)
                continue
            by_name = {model["object_name"].lower(): model for model in app["models"]}
            for heading, members in GROUPS:
                models = []
                for name, label in members:
                    if name in by_name:
                        models.append({**by_name.pop(name), "name": label})
                if models:
                    grouped.append({**app, "name": heading, "models": models})
            if by_name:  # a model added later but not placed in a group yet
                grouped.append({**app, "models": list(by_name.values())})
        return grouped
