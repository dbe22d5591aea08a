"""sitemap.xml: the public pages, every role, every pair of roles compared once (a before b), and
the larger sets editors compare (the confused trios and fours); confused sets rank higher."""

from __future__ import annotations

from itertools import combinations
from typing import NamedTuple

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Pairing, Role, comparison_url


class PageSitemap(Sitemap):
    priority = 0.6

    def items(self) -> list[str]:
        return [
            "catalog:home",
            "catalog:role-list",
            "catalog:collaboration",
            "catalog:sources",
            "catalog:changes",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class RoleSitemap(Sitemap):
    priority = 0.8

    def items(self):
        return Role.objects.all()

    def lastmod(self, role: Role):
        return role.updated


class Compared(NamedTuple):
    slugs: tuple[str, ...]  # in the catalog's order
    confused: bool  # editors wrote a pairing for exactly these roles


class ComparisonSitemap(Sitemap):
    def items(self) -> list[Compared]:
        """Each pair once, in the roles' display order (a/vs/b, never b/vs/a as well), then each
        pairing of three or four roles: 2 queries."""
        slugs = Role.objects.values_list("slug", flat=True)
        confused = {
            tuple(role.slug for role in pairing.ordered_roles)
            for pairing in Pairing.objects.with_roles()
        }
        pairs = [Compared(pair, pair in confused) for pair in combinations(slugs, 2)]
        larger = sorted(Compared(roles, True) for roles in confused if len(roles) > 2)
        return pairs + larger

    def location(self, item: Compared) -> str:
        return comparison_url(list(item.slugs))

    def priority(self, item: Compared) -> float:
        return 0.9 if item.confused else 0.7


SITEMAPS = {"pages": PageSitemap, "roles": RoleSitemap, "comparisons": ComparisonSitemap}
