"""The catalog's models are read from the models themselves (catalog.registry): a new content
model is downloaded, versioned, permitted to editors and, when it cites, on /sources/ and in
`cited_by`, without anyone listing it."""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from catalog.models import CatalogVersion, Change, Citation, Role, Source
from catalog.registry import citation_models, content_models
from tests.factories import make_catalog, make_pairing


def test_every_catalog_model_but_the_bookkeeping_is_content():
    models = set(apps.get_app_config("catalog").get_models())
    assert models - set(content_models()) == {CatalogVersion, Change}
    edited = {model for model in admin.site._registry if model._meta.app_label == "catalog"}
    assert edited <= set(content_models())


def test_every_citation_model_is_registered():
    def concrete(cls: type) -> set[type]:
        found = set()
        for sub in cls.__subclasses__():
            found |= concrete(sub) | ({sub} if not sub._meta.abstract else set())
        return found

    assert set(citation_models()) == concrete(Citation)
    # Levels and moves added RoleLevelCitation and RoleMoveCitation.
    assert len(citation_models()) == 15


def test_editors_may_edit_every_content_model_and_nothing_else(db):
    granted = {
        permission.content_type
        for permission in Group.objects.get(name="Editors").permissions.all()
    }
    catalog = {kind for kind in granted if kind.app_label == "catalog"}
    assert catalog == set(ContentType.objects.get_for_models(*content_models()).values())
    # Beyond the catalog, only teams, which editors may find and delete (teams.signals).
    assert {kind.app_label for kind in granted - catalog} == {"teams"}


def pairing_cited(source: Source) -> Role:
    roles = make_catalog(roles=2)
    make_pairing(*roles, source=source, locator="The bottom line")
    return roles[0]


def test_pairing_citations_are_on_the_sources_page(client, db):
    pairing_cited(Source.objects.create(slug="cited", title="Cited"))
    page = client.get("/sources/").content.decode()
    assert "<dt>Comparisons</dt>" in page
    assert (
        '<a href="/compare/role-0/vs/role-1/">Role 0 and Role 1</a> '
        '<span class="muted">— The bottom line</span>'
    ) in page


def test_pairing_citations_are_in_cited_by(client, db):
    pairing_cited(Source.objects.create(slug="cited", title="Cited"))
    cited_by = client.get("/api/v1/sources/cited/").json()["cited_by"]
    assert cited_by == [
        {
            "kind": "pairing",
            "slug": "role-0-vs-role-1",
            "title": "Role 0 and Role 1",
            "role": None,
            "locator": "The bottom line",
            "url": "http://testserver/api/v1/compare/role-0/vs/role-1/",
            "html_url": "http://testserver/compare/role-0/vs/role-1/",
        }
    ]
