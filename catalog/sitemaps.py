"""sitemap.xml: the public pages, every role, and every pair of roles compared once (a before b)."""

from __future__ import annotations

from itertools import combinations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Role


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


class ComparisonSitemap(Sitemap):
    priority = 0.8

    def items(self) -> list[tuple[str, str]]:
        """Each pair once, in the roles' display order: a/vs/b, never b/vs/a as well."""
        slugs = Role.objects.values_list("slug", flat=True)
        return list(combinations(slugs, 2))

    def location(self, pair: tuple[str, str]) -> str:
        return reverse("catalog:compare", args=pair)


SITEMAPS = {"pages": PageSitemap, "roles": RoleSitemap, "comparisons": ComparisonSitemap}
