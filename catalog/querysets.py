"""Chainable QuerySet methods that fetch whole pages in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import DateTimeField, F, OuterRef, Prefetch
from django.db.models.functions import Coalesce, Greatest

if TYPE_CHECKING:
    from catalog.models import Role


class SlugManager(models.Manager):
    """Natural key (slug,) for models that are identified by their own slug."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


def newest_child(model: type[models.Model], parent: str) -> Coalesce:
    """The latest `updated` among `model` rows pointing at the outer row, else the row's own."""
    rows = model.objects.filter(**{parent: OuterRef("pk")}).order_by("-updated").values("updated")
    return Coalesce(rows[:1], F("updated"), output_field=DateTimeField())


class RoleQuerySet(models.QuerySet):
    def with_changed(self) -> RoleQuerySet:
        """Annotate `changed`: the latest edit to a role or anything that belongs to it."""
        from catalog.models import (
            Contribution,
            Responsibility,
            RoleKnowledge,
            StageInvolvement,
            Trait,
        )

        return self.annotate(
            changed=Greatest(
                F("updated"),
                *(
                    newest_child(model, "role")
                    for model in (
                        Responsibility,
                        RoleKnowledge,
                        Trait,
                        StageInvolvement,
                        Contribution,
                    )
                ),
                output_field=DateTimeField(),
            )
        )

    def changed_since(self, moment: datetime | None) -> RoleQuerySet:
        """Roles changed at or after `moment` (all when None), with `changed`."""
        roles = self.with_changed()
        return roles if moment is None else roles.filter(changed__gte=moment)

    def renamed(self, slugs: Iterable[str]) -> dict[str, str]:
        """Old slug → current slug, for any of `slugs` that belonged to a renamed role."""
        from catalog.models import RoleSlugRedirect

        return dict(
            RoleSlugRedirect.objects.filter(old_slug__in=set(slugs)).values_list(
                "old_slug", "role__slug"
            )
        )

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

    def in_order(self, *slugs: str) -> list[Role]:
        """The roles named by slug, fully loaded, in the order asked (a slug may repeat); a slug
        that names no role is left out."""
        roles = {role.slug: role for role in self.filter(slug__in=set(slugs)).with_page()}
        return [roles[slug] for slug in slugs if slug in roles]

    def for_comparison(self, a: str, b: str) -> list[Role]:
        """The two roles of a comparison (a may equal b), as `in_order`."""
        return self.in_order(a, b)

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
    def with_changed(self) -> CollaborationQuerySet:
        """Annotate `changed`: the latest edit to the activity or any role's part in it."""
        from catalog.models import Contribution

        return self.annotate(
            changed=Greatest(
                F("updated"),
                newest_child(Contribution, "collaboration"),
                output_field=DateTimeField(),
            )
        )

    def changed_since(self, moment: datetime | None) -> CollaborationQuerySet:
        """Activities changed at or after `moment` (all when None), with `changed`."""
        activities = self.with_changed()
        return activities if moment is None else activities.filter(changed__gte=moment)

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
    def changed_since(self, moment: datetime | None) -> SourceQuerySet:
        """Sources edited at or after `moment`; all when it is None."""
        return self if moment is None else self.filter(updated__gte=moment)

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


class PairingQuerySet(models.QuerySet):
    def for_roles(self, roles: list[Role]) -> PairingQuerySet:
        """The pairing of exactly these two roles (either order), with its citation and chosen
        dimensions, in 2 queries; none for any other number of roles."""
        from catalog.models import KeyDifference

        if len(roles) != 2 or roles[0].pk == roles[1].pk:
            return self.none()
        a, b = roles
        return (
            self.filter(
                models.Q(role_a=a, role_b=b) | models.Q(role_a=b, role_b=a),
            )
            .select_related("source")
            .prefetch_related(
                Prefetch(
                    "key_differences",
                    queryset=KeyDifference.objects.select_related("dimension").order_by(
                        "order", "dimension__order", "dimension__name"
                    ),
                )
            )
        )
