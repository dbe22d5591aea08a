"""Which catalog models live in which fixture file, in load order."""

from __future__ import annotations

from django.apps import apps
from django.db import models

# file name -> models it holds, each exported in this order.
FIXTURE_FILES: dict[str, list[str]] = {
    "sources.json": ["catalog.Source"],
    "functions.json": ["catalog.Function"],
    "roles.json": ["catalog.Role", "catalog.RoleSlugRedirect"],
    "dimensions.json": ["catalog.Dimension", "catalog.Trait"],
    "knowledge.json": ["catalog.KnowledgeArea", "catalog.RoleKnowledge"],
    "lifecycle.json": ["catalog.LifecycleStage", "catalog.StageInvolvement"],
    "responsibilities.json": ["catalog.Responsibility"],
    "collaborations.json": ["catalog.Collaboration", "catalog.Contribution"],
    "pairings.json": ["catalog.Pairing", "catalog.KeyDifference"],
}


def fixture_labels() -> list[str]:
    return list(FIXTURE_FILES)


def export_queryset(label: str) -> models.QuerySet:
    """Objects of one model in a stable order: by natural key."""
    model = apps.get_model(label)
    order_by = {
        "catalog.RoleSlugRedirect": ["old_slug"],
        "catalog.RoleKnowledge": ["role__slug", "area__slug"],
        "catalog.Trait": ["role__slug", "dimension__slug"],
        "catalog.StageInvolvement": ["role__slug", "stage__slug"],
        "catalog.Responsibility": ["role__slug", "slug"],
        "catalog.Contribution": ["collaboration__slug", "role__slug"],
        "catalog.Pairing": ["role_a__slug", "role_b__slug"],
        "catalog.KeyDifference": [
            "pairing__role_a__slug",
            "pairing__role_b__slug",
            "order",
            "dimension__slug",
        ],
    }
    return model._default_manager.order_by(*order_by.get(label, ["slug"]))
