"""Chainable QuerySet methods that fetch whole pages in a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Prefetch

if TYPE_CHECKING:
    from catalog.models import Role


class SlugManager(models.Manager):
    """Natural key (slug,) for models that are identified by their own slug."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


class RoleQuerySet(models.QuerySet):
    def with_page(self) -> RoleQuerySet:
        """Everything a role page shows, in 8 queries whatever the catalog's size."""
        from catalog.models import (
            Contribution,
            Responsibility,
            RoleKnowledge,
            StageInvolvement,
            Trait,
        )

        return self.prefetch_related(
            "key_functions",
            "sources",
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("function", "source").order_by(
                    "function__order", "function__name", "order", "slug"
                ),
            ),
            Prefetch(
                "knowledge",
                queryset=RoleKnowledge.objects.select_related("area", "source").order_by(
                    "area__order", "area__name"
                ),
            ),
            Prefetch(
                "traits",
                queryset=Trait.objects.select_related("dimension", "source").order_by(
                    "dimension__order", "dimension__name"
                ),
            ),
            Prefetch(
                "involvements",
                queryset=StageInvolvement.objects.select_related("stage", "source").order_by(
                    "stage__order", "stage__name"
                ),
            ),
            Prefetch(
                "contributions",
                queryset=Contribution.objects.select_related(
                    "collaboration", "collaboration__source"
                ).order_by("collaboration__order", "collaboration__title"),
            ),
        )

    def for_comparison(self, a: str, b: str) -> list[Role]:
        """The two roles named by slug, fully loaded, in the order asked (a may equal b)."""
        roles = {role.slug: role for role in self.filter(slug__in={a, b}).with_page()}
        return [roles[slug] for slug in (a, b) if slug in roles]

    def with_cards(self) -> RoleQuerySet:
        """Roles as cards: key functions and the key-question trait, in 3 queries."""
        from catalog.models import Trait

        return self.prefetch_related(
            "key_functions",
            Prefetch(
                "traits",
                queryset=Trait.objects.filter(dimension__slug=KEY_QUESTION).select_related(
                    "dimension"
                ),
                to_attr="key_question_traits",
            ),
        )


class CollaborationQuerySet(models.QuerySet):
    def with_contributions(self) -> CollaborationQuerySet:
        from catalog.models import Contribution

        return self.select_related("source").prefetch_related(
            Prefetch(
                "contributions",
                queryset=Contribution.objects.select_related("role").order_by(
                    "role__order", "role__name"
                ),
            )
        )


# --- public pages: cards, sources ----------------------------------------------------------

KEY_QUESTION = "key-question"


class SourceQuerySet(models.QuerySet):
    def with_citations(self) -> SourceQuerySet:
        """Every source with everything that cites it, in 10 queries whatever the size."""
        from catalog.models import (
            KnowledgeArea,
            Responsibility,
            RoleKnowledge,
            StageInvolvement,
            Trait,
        )

        return self.prefetch_related(
            "roles",
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("role", "function"),
            ),
            Prefetch(
                "traits",
                queryset=Trait.objects.select_related("role", "dimension").order_by(
                    "role__order", "dimension__order"
                ),
            ),
            Prefetch(
                "role_knowledge",
                queryset=RoleKnowledge.objects.select_related("role", "area"),
            ),
            Prefetch(
                "knowledge_areas",
                queryset=KnowledgeArea.objects.prefetch_related(
                    Prefetch(
                        "holders",
                        queryset=RoleKnowledge.objects.select_related("role", "area"),
                    )
                ),
            ),
            Prefetch(
                "involvements",
                queryset=StageInvolvement.objects.select_related("role", "stage").order_by(
                    "role__order", "stage__order"
                ),
            ),
            "lifecycle_stages",
            "collaborations",
        )
