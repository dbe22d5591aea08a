"""Chainable QuerySet methods that fetch whole pages in a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Prefetch

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


class RoleQuerySet(models.QuerySet):
    def with_page(self) -> RoleQuerySet:
        """Everything a role page shows, in 14 queries whatever the catalog's size: the role,
        key functions, five kinds of item, and the citations (with sources) of the role, of
        each kind of item and of the shared activities."""
        from catalog.models import (
            Collaboration,
            Contribution,
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

    def matching(self, words: list[str]) -> RoleQuerySet:
        """Roles whose name, summary, goal or description holds every word."""
        return matching_all(
            self, words, ["name", "short_name", "summary", "main_goal", "description"]
        )


class CollaborationQuerySet(models.QuerySet):
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

    def matching(self, words: list[str]) -> CollaborationQuerySet:
        """Activities whose title, description or any role's part holds every word."""
        return (
            matching_all(self, words, ["title", "description", "contributions__text"])
            .with_contributions(citations=False)
            .distinct()
        )


# --- public pages: cards, search, sources ------------------------------------------------------

KEY_QUESTION = "key-question"
SEARCH_MAX_LENGTH = 200
SEARCH_MAX_WORDS = 8


def search_terms(query: str) -> list[str]:
    """The distinct words of a search, in order, at most SEARCH_MAX_WORDS of them."""
    words: list[str] = []
    for word in query.split():
        if word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return words[:SEARCH_MAX_WORDS]


def matching_all(queryset: models.QuerySet, words: list[str], fields: list[str]):
    """Rows where each word occurs (case-insensitively) in at least one of `fields`.

    One filter() per word, so across a multi-valued relation each word may match another row.
    """
    if not words:
        return queryset.none()
    for word in words:
        any_field = models.Q()
        for field in fields:
            any_field |= models.Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(any_field)
    return queryset


class ResponsibilityQuerySet(models.QuerySet):
    def matching(self, words: list[str]) -> ResponsibilityQuerySet:
        """Responsibilities whose title, description or function holds every word."""
        return (
            matching_all(self, words, ["title", "description", "function__name"])
            .select_related("role", "function")
            .order_by("role__order", "function__order", "order", "slug")
        )


class KnowledgeAreaQuerySet(models.QuerySet):
    def matching(self, words: list[str]) -> KnowledgeAreaQuerySet:
        """Knowledge areas whose name, description or any holder's note holds every word."""
        from catalog.models import RoleKnowledge

        return (
            matching_all(self, words, ["name", "description", "holders__note"])
            .prefetch_related(
                Prefetch(
                    "holders",
                    queryset=RoleKnowledge.objects.select_related("role", "area").order_by(
                        "role__order", "role__name"
                    ),
                )
            )
            .distinct()
        )


class TraitQuerySet(models.QuerySet):
    def matching(self, words: list[str]) -> TraitQuerySet:
        """Traits whose text or dimension name holds every word."""
        return (
            matching_all(self, words, ["text", "dimension__name"])
            .select_related("role", "dimension")
            .order_by("dimension__order", "role__order")
        )


class SourceQuerySet(models.QuerySet):
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
