"""Every page links its downloads, and the links work."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/(?:downloads/[^"]+|api/v1/[^"]*|[^"]+\.md))"')


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            reverse("catalog:role-detail", args=["product-manager"]),
            {"/roles/product-manager.md", "/api/v1/roles/product-manager/"},
        ),
        (
            reverse("catalog:compare", args=["product-manager", "project-manager"]),
            {
                "/compare/product-manager/vs/project-manager.md",
                "/api/v1/compare/product-manager/vs/project-manager/",
            },
        ),
        (reverse("catalog:home"), {"/downloads/catalog.json", "/downloads/catalog-csv.zip"}),
    ],
    ids=["role", "compare", "footer"],
)
def test_pages_link_their_downloads_and_each_link_answers(client, seed_catalog, page, expected):
    html = client.get(page).content.decode()
    links = set(LINK.findall(html))
    assert expected <= links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_a_swapped_comparison_links_the_swapped_download(client, seed_catalog):
    url = reverse("catalog:compare", args=["project-manager", "product-manager"])
    html = client.get(url, headers={"HX-Request": "true", "HX-Target": "comparison"}).content
    assert b'href="/compare/project-manager/vs/product-manager.md"' in html
