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
        """Everything a role page shows, in 20 queries whatever the catalog's size: the role,
        key functions, eight kinds of item, and the citations (with sources) of the role, of
        each kind of item and of the shared activities."""
        from catalog.models import (
            AntiPattern,
            Certification,
            Collaboration,
            Contribution,
            OccupationCode,
            Responsibility,
            Role,
            RoleKnowledge,
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
                    cited(Contribution), cited(Collaboration, "collaboration__citations")
                )
                .order_by("collaboration__order", "collaboration__title"),
            ),
            # How the role goes wrong, is certified and is classified: 2 queries each.
            Prefetch(
                "anti_patterns", queryset=AntiPattern.objects.prefetch_related(cited(AntiPattern))
            ),
            Prefetch(
                "certifications",
                queryset=Certification.objects.prefetch_related(cited(Certification)),
            ),
            Prefetch(
                "occupation_codes",
                queryset=OccupationCode.objects.prefetch_related(cited(OccupationCode)),
            ),
        )

    def with_shared_activities(self) -> RoleQuerySet:
        """After `with_page`: the responsibilities each of the role's parts exercises, so each
        responsibility can list its shared activities (`Responsibility.shared_activities`):
        1 query."""
        return self.prefetch_related("contributions__responsibilities")

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
        """Every source with every citation of it and the item cited, in 10 queries whatever
        the size: the sources, then one query per kind of citation."""
        from catalog.models import CITATION_MODELS

        # What each kind of item needs to name itself and link to its place on a page.
        item_relations = {
            "rolecitation": ["item"],
            "responsibilitycitation": ["item__role", "item__function"],
            "knowledgeareacitation": ["item"],
            "roleknowledgecitation": ["item__role", "item__area"],
            "traitcitation": ["item__role", "item__dimension"],
            "lifecyclestagecitation": ["item"],
            "stageinvolvementcitation": ["item__role", "item__stage"],
            "collaborationcitation": ["item"],
            "contributioncitation": ["item__role", "item__collaboration"],
        }
        return self.prefetch_related(
            *(
                Prefetch(
                    f"{model._meta.model_name}s",
                    queryset=model.objects.select_related(
                        *item_relations[model._meta.model_name]
                    ).order_by("item__pk", "order"),
                )
                for model in CITATION_MODELS
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
