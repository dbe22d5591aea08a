"""Which catalog models live in which fixture file, in load order."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import models

# file name -> models it holds, each exported in this order.
FIXTURE_FILES: dict[str, list[str]] = {
    "sources.json": ["catalog.Source"],
    "functions.json": ["catalog.Function"],
    "roles.json": [
        "catalog.Role",
        "catalog.RoleSlugRedirect",
        "catalog.RoleCitation",
        "catalog.Confusion",
    ],
    "dimensions.json": ["catalog.Dimension", "catalog.Trait", "catalog.TraitCitation"],
    "knowledge.json": [
        "catalog.KnowledgeArea",
        "catalog.RoleKnowledge",
        "catalog.KnowledgeAreaCitation",
        "catalog.RoleKnowledgeCitation",
    ],
    "lifecycle.json": [
        "catalog.LifecycleStage",
        "catalog.StageInvolvement",
        "catalog.LifecycleStageCitation",
        "catalog.StageInvolvementCitation",
    ],
    "responsibilities.json": ["catalog.Responsibility", "catalog.ResponsibilityCitation"],
    "collaborations.json": [
        "catalog.Collaboration",
        "catalog.Contribution",
        "catalog.CollaborationCitation",
        "catalog.ContributionCitation",
    ],
    "pairings.json": ["catalog.Pairing", "catalog.PairingCitation", "catalog.KeyDifference"],
    "practice.json": [
        "catalog.AntiPattern",
        "catalog.AntiPatternCitation",
        "catalog.Certification",
        "catalog.CertificationCitation",
        "catalog.OccupationCode",
        "catalog.OccupationCodeCitation",
    ],
    "levels.json": [
        "catalog.RoleLevel",
        "catalog.RoleLevelCitation",
        "catalog.RoleMove",
        "catalog.RoleMoveCitation",
    ],
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
        "catalog.AntiPattern": ["role__slug", "slug"],
        "catalog.Certification": ["role__slug", "slug"],
        "catalog.OccupationCode": ["role__slug", "slug"],
        "catalog.RoleLevel": ["role__slug", "slug"],
        "catalog.RoleLevelCitation": ["item__role__slug", "item__slug", "source__slug"],
        "catalog.RoleMoveCitation": ["item__slug", "source__slug"],
        "catalog.AntiPatternCitation": ["item__role__slug", "item__slug", "source__slug"],
        "catalog.CertificationCitation": ["item__role__slug", "item__slug", "source__slug"],
        "catalog.OccupationCodeCitation": ["item__role__slug", "item__slug", "source__slug"],
        "catalog.Contribution": ["collaboration__slug", "role__slug"],
        "catalog.Confusion": ["role__slug", "order", "other__slug"],
        "catalog.KeyDifference": ["pairing__slug", "order", "dimension__slug"],
        "catalog.PairingCitation": ["item__slug", "source__slug"],
        "catalog.RoleCitation": ["item__slug", "source__slug"],
        "catalog.ResponsibilityCitation": ["item__role__slug", "item__slug", "source__slug"],
        "catalog.KnowledgeAreaCitation": ["item__slug", "source__slug"],
        "catalog.RoleKnowledgeCitation": ["item__role__slug", "item__area__slug", "source__slug"],
        "catalog.TraitCitation": ["item__role__slug", "item__dimension__slug", "source__slug"],
        "catalog.LifecycleStageCitation": ["item__slug", "source__slug"],
        "catalog.StageInvolvementCitation": [
            "item__role__slug",
            "item__stage__slug",
            "source__slug",
        ],
        "catalog.CollaborationCitation": ["item__slug", "source__slug"],
        "catalog.ContributionCitation": [
            "item__collaboration__slug",
            "item__role__slug",
            "source__slug",
        ],
    }
    ordered = model._default_manager.order_by(*order_by.get(label, ["slug"]))
    related = foreign_keys(model, depth=2)
    return ordered.select_related(*related) if related else ordered


def foreign_keys(model: type[models.Model], depth: int) -> list[str]:
    """Paths to the records a record's natural foreign keys name, and to the records their own
    natural keys name: fetched with it, not a query per key (4,000 queries for the catalog)."""
    paths = []
    for field in model._meta.concrete_fields:
        if field.many_to_one:
            paths.append(field.name)
            if depth > 1:
                paths += [
                    f"{field.name}__{path}" for path in foreign_keys(field.related_model, depth - 1)
                ]
    return paths


def render_fixture(labels: list[str]) -> str:
    """The models' records as one fixture file, as `export_catalog` writes it."""
    objects = [obj for label in labels for obj in export_queryset(label)]
    text = serializers.serialize(
        "json",
        objects,
        indent=2,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
        ensure_ascii=False,
    )
    return text + "\n"


def catalog_matches_fixtures() -> bool:
    """Whether exporting the catalog would write fixtures/ exactly as it is."""
    folder = Path(settings.FIXTURE_DIRS[0])
    return all(
        (folder / name).is_file()
        and (folder / name).read_text(encoding="utf-8") == render_fixture(labels)
        for name, labels in FIXTURE_FILES.items()
    )
