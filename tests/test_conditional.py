"""ETag / Last-Modified from the catalog version: one per representation, new after an edit."""

from __future__ import annotations

import pytest
from django_htmx.middleware import HtmxDetails

from catalog.conditional import catalog_validators
from catalog.models import CatalogVersion, Role

pytestmark = pytest.mark.django_db

VARIANTS = [
    {},
    {"HX-Request": "true"},
    {"HX-Request": "true", "HX-Target": "details"},
]


def validators(rf, headers: dict) -> tuple[str, int | None]:
    request = rf.get("/compare/a/vs/b/", headers=headers)
    request.htmx = HtmxDetails(request)
    return catalog_validators(request)


def test_each_representation_has_its_own_etag(rf):
    etags = {validators(rf, headers)[0] for headers in VARIANTS}
    assert len(etags) == len(VARIANTS)


def test_a_history_restore_gets_the_full_pages_etag(rf):
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true", "HX-Target": "x"}
    assert validators(rf, restore) == validators(rf, {})


def test_an_edit_changes_etag_and_last_modified(rf):
    before = validators(rf, {})
    Role.objects.create(slug="pm", name="PM", summary="s", main_goal="g")
    after = validators(rf, {})
    assert after[0] != before[0]
    assert after[1] is not None and after[1] >= before[1]


def test_no_version_row_still_answers(rf):
    CatalogVersion.objects.all().delete()
    etag, last_modified = validators(rf, {})
    assert etag.startswith('"c0-')
    assert last_modified is None
