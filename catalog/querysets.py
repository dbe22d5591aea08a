"""Chainable QuerySet methods that fetch whole pages in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from django.db import models
from django.db.models import DateTimeField, F, OuterRef, Prefetch
from django.db.models.functions import Coalesce, Greatest

if TYPE_CHECKING:
    from catalog.models import Role


def cited(model: type[models.Model], lookup: str = "citations") -> Prefetch:
    """An item's citations with their sources, in their order: one query per kind of item."""
    citation = model._meta.get_field("citations").related_model
    return Prefetch(lookup, queryset=citation.objects.select_related("source"))


class SlugManager(models.Manager):
    """Natural key (slug,) for models that are identified by their own slug."""

    def get_by_natural_key(self, slug: str):
        return self.get(slug=slug)


def newest_child(model: type[models.Model], parent: str) -> Coalesce:
    """The latest `updated` among `model` rows pointing at the outer row, else the row's own."""
    rows = model.objects.filter(**{parent: OuterRef("pk")}).order_by("-updated").values("updated")
    return Coalesce(rows[:1], F("updated"), output_field=DateTimeField())


class Resolved(NamedTuple):
    """Roles asked for by slug: all `roles` found; else the current slugs when some were
    renamed (`moved`), or the slugs that name no role (`unknown`)."""

    roles: list[Role]
    moved: list[str] | None = None
    unknown: list[str] = []


class RoleQuerySet(models.QuerySet):
    def with_changed(self) -> RoleQuerySet:
        """Annotate `changed`: the latest edit to a role or any content row that points at it
        (its responsibilities, levels, moves either way, …), found from the models."""
        from catalog.models import TimeStamped
        from catalog.registry import content_models

        children = [
            (model, field.name)
            for model in content_models()
            if issubclass(model, TimeStamped)
            for field in model._meta.get_fields()
            if field.many_to_one and field.related_model is self.model
        ]
        return self.annotate(
            changed=Greatest(
                F("updated"),
                *(newest_child(model, field) for model, field in children),
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

    def resolve(self, *slugs: str) -> Resolved:
        """The roles named, fully loaded, in the order asked; else where a renamed role's old
        slugs now lead, or which slugs name no role. Pages, API and downloads all ask this."""
        found = self.in_order(*slugs)
        if len(found) == len(slugs):
            return Resolved(found)
        known = {role.slug for role in found}
        moves = self.renamed(set(slugs) - known)
        unknown = [slug for slug in dict.fromkeys(slugs) if slug not in known | moves.keys()]
        moved = None if unknown else [moves.get(slug, slug) for slug in slugs]
        return Resolved(found, moved=moved, unknown=unknown)

    def with_page(self) -> RoleQuerySet:
        """Everything a role page shows, in 27 queries whatever the catalog's size: the role,
        key functions, nine kinds of item, the moves out and in, the responsibilities behind each
        part in a shared activity, and the citations (with sources) of the role, of each kind of
        item and of the shared activities."""
        from catalog.models import (
            AntiPattern,
            Certification,
            Collaboration,
            Contribution,
            OccupationCode,
            Responsibility,
            Role,
            RoleKnowledge,
            RoleLevel,
            RoleMove,
            StageInvolvement,
            Trait,
        )

        return self.prefetch_related(
            "key_functions",
            cited(Role),
            Prefetch(
                "responsibilities",
                queryset=Responsibility.objects.select_related("function")
                .prefetch_related(cited(Responsibility))
                .order_by("function__order", "function__name", "order", "slug"),
            ),
            Prefetch(
                "knowledge",
                queryset=RoleKnowledge.objects.select_related("area")
                .prefetch_related(cited(RoleKnowledge))
                .order_by("area__order", "area__name"),
            ),
            Prefetch(
                "traits",
                queryset=Trait.objects.select_related("dimension")
                .prefetch_related(cited(Trait))
                .order_by("dimension__order", "dimension__name"),
            ),
            Prefetch(
                "involvements",
                queryset=StageInvolvement.objects.select_related("stage")
                .prefetch_related(cited(StageInvolvement))
                .order_by("stage__order", "stage__name"),
            ),
            Prefetch(
                "contributions",
                queryset=Contribution.objects.select_related("collaboration")
                .prefetch_related(
                    # With their role, for their links (one join, no query more).
                    Prefetch(
                        "responsibilities", queryset=Responsibility.objects.select_related("role")
                    ),
                    cited(Contribution),
                    cited(Collaboration, "collaboration__citations"),
                )
                .order_by("collaboration__order", "collaboration__title"),
            ),
            # How the role goes wrong, is certified and is classified: 2 queries each.
            Prefetch(
                "anti_patterns",
                # With the role each is confused with, for its link (a join, no query more).
                queryset=AntiPattern.objects.select_related("confused_with").prefetch_related(
                    cited(AntiPattern)
                ),
            ),
            Prefetch(
                "certifications",
                queryset=Certification.objects.prefetch_related(cited(Certification)),
            ),
            Prefetch(
                "occupation_codes",
                queryset=OccupationCode.objects.prefetch_related(cited(OccupationCode)),
            ),
            # Its ladder and the written moves out of and into it, each with its citations for
            # the role's source list (2 queries each).
            Prefetch("levels", queryset=RoleLevel.objects.prefetch_related(cited(RoleLevel))),
            Prefetch(
                "moves_out",
                queryset=RoleMove.objects.select_related("to_role").prefetch_related(
                    cited(RoleMove)
                ),
            ),
            Prefetch(
                "moves_in",
                queryset=RoleMove.objects.select_related("from_role").prefetch_related(
                    cited(RoleMove)
                ),
            ),
        )

    def with_confusions(self) -> RoleQuerySet:
        """The roles each is often confused with, and why, in the editors' order: 1 query."""
        from catalog.models import Confusion

        return self.prefetch_related(
            Prefetch(
                "confusions",
                queryset=Confusion.objects.select_related("other").order_by(
                    "order", "other__order"
                ),
            )
        )

    def in_order(self, *slugs: str) -> list[Role]:
        """The roles named by slug, fully loaded, in the order asked (a slug may repeat); a slug
        that names no role is left out."""
        roles = {role.slug: role for role in self.filter(slug__in=set(slugs)).with_page()}
        return [roles[slug] for slug in slugs if slug in roles]

    def for_comparison(self, *slugs: str) -> list[Role]:
        """The roles of a comparison, in column order (a slug may repeat), as `in_order`."""
        return self.in_order(*slugs)

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

    def with_contributions(self, *, citations: bool = True) -> CollaborationQuerySet:
        """Activities with each role's part: 2 queries, and 2 more with their citations."""
        from catalog.models import Collaboration, Contribution

        contributions = Contribution.objects.select_related("role").order_by(
            "role__order", "role__name"
        )
        if not citations:
            return self.prefetch_related(Prefetch("contributions", queryset=contributions))
        return self.prefetch_related(
            cited(Collaboration),
            Prefetch("contributions", queryset=contributions.prefetch_related(cited(Contribution))),
        )

    def with_responsibilities(self) -> CollaborationQuerySet:
        """After `with_contributions`: the responsibilities behind each part, with their role
        for the link to the role page: 1 query."""
        from catalog.models import Responsibility

        return self.prefetch_related(
            Prefetch(
                "contributions__responsibilities",
                queryset=Responsibility.objects.select_related("role"),
            )
        )


# --- public pages: cards, sources ----------------------------------------------------------

KEY_QUESTION = "key-question"


class SourceQuerySet(models.QuerySet):
    def changed_since(self, moment: datetime | None) -> SourceQuerySet:
        """Sources edited at or after `moment`; all when it is None."""
        return self if moment is None else self.filter(updated__gte=moment)

    def with_citations(self) -> SourceQuerySet:
        """Every source with every citation of it and the item cited, whatever the size: the
        sources, then one query per kind of citation (and one for the roles of pairings)."""
        from catalog.models import Role
        from catalog.registry import citation_models, cited_from, cited_model

        def cited_items(citation: type[models.Model]) -> models.QuerySet:
            # What each item needs to name itself and link to its place on a page: its parents,
            # and the roles of an item that belongs to several (a pairing).
            item = cited_model(citation)._meta
            parents = [f"item__{f.name}" for f in item.concrete_fields if f.many_to_one]
            roles = [f"item__{f.name}" for f in item.many_to_many if f.related_model is Role]
            return (
                citation.objects.select_related("item", *parents)
                .prefetch_related(*roles)
                .order_by("item__pk", "order")
            )

        return self.prefetch_related(
            *(
                Prefetch(cited_from(model), queryset=cited_items(model))
                for model in citation_models()
            )
        )


class PairingQuerySet(models.QuerySet):
    def for_roles(self, roles: list[Role]) -> PairingQuerySet:
        """The pairing of exactly this set of roles (any order), with its citations and chosen
        dimensions, in 3 queries; none for a set that can't have one."""
        from catalog.models import PAIRING_ROLES_MAX, PAIRING_ROLES_MIN, KeyDifference, Pairing

        ids = {role.pk for role in roles}
        if len(ids) != len(roles) or not PAIRING_ROLES_MIN <= len(ids) <= PAIRING_ROLES_MAX:
            return self.none()
        return (
            self.annotate(
                role_count=models.Count("roles", distinct=True),
                matching=models.Count("roles", filter=models.Q(roles__in=ids), distinct=True),
            )
            .filter(role_count=len(ids), matching=len(ids))
            .prefetch_related(
                Prefetch(
                    "key_differences",
                    queryset=KeyDifference.objects.select_related("dimension").order_by(
                        "order", "dimension__order", "dimension__name"
                    ),
                ),
                cited(Pairing),
            )
        )

    def with_roles(self) -> PairingQuerySet:
        """Pairings with their roles: 2 queries."""
        return self.prefetch_related("roles")

    def in_catalog_order(self) -> list:
        """The pairings (with their roles) in the catalog's order of their roles: the pairs of
        the first role first, a pair before the larger sets that start like it."""
        return sorted(
            self.with_roles(),
            key=lambda pairing: [(role.order, role.name) for role in pairing.ordered_roles],
        )


class RoleMoveQuerySet(models.QuerySet):
    def with_page(self) -> RoleMoveQuerySet:
        """Everything a move's page shows, in 10 queries: the move and both roles, its citations,
        the knowledge and certifications that close the gap, the old role's anti-patterns with
        their citations, and each role's ladder with its citations."""
        from catalog.models import AntiPattern, Certification, RoleLevel, RoleMove

        levels = RoleLevel.objects.prefetch_related(cited(RoleLevel))
        return self.select_related("from_role", "to_role").prefetch_related(
            cited(RoleMove),
            "knowledge_areas",
            Prefetch("certifications", queryset=Certification.objects.select_related("role")),
            Prefetch(
                "anti_patterns",
                queryset=AntiPattern.objects.select_related("role").prefetch_related(
                    cited(AntiPattern)
                ),
            ),
            Prefetch("from_role__levels", queryset=levels),
            Prefetch("to_role__levels", queryset=levels),
        )
