"""Levels and moves: the ladder on role pages, move pages, comparisons, the API, the admin and
the committed content's citations and structure."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import AntiPattern, Role, RoleLevel, RoleMove
from tests.factories import make_admin_catalog, make_level, make_move, make_role

BA, PO, PM, PJM = "business-analyst", "product-owner", "product-manager", "project-manager"
ROLES = [
    BA,
    "delivery-manager",
    PM,
    PO,
    "programme-manager",
    PJM,
    "scrum-master",
    "sponsor",
]
# The moves the issue asks for, at least.
MOVES = [
    (BA, PO),
    (PO, PM),
    (PJM, PM),
    (PJM, "programme-manager"),
    ("scrum-master", "delivery-manager"),
    ("delivery-manager", PJM),
]


@pytest.fixture
def catalog(db) -> dict:
    """Two roles with a level and a move; the product manager was once "product-owner"."""
    return make_admin_catalog()


# --- the committed content --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_a_cited_ladder_or_says_it_has_none(seed_catalog, role):
    levels = list(RoleLevel.objects.filter(role__slug=role).prefetch_related("citations__source"))
    assert levels, role
    for level in levels:
        assert level.what_changes.strip(), level
        kinds = {citation.source.kind for citation in level.citations.all()}
        assert kinds - {"editorial"}, f"{role}: {level} needs a public source"
    if any(level.sfia_level is None for level in levels):
        assert len(levels) == 1 and "no ladder" in levels[0].name.lower(), role
    else:
        sfia = [level.sfia_level for level in levels]
        assert sfia == sorted(sfia), f"{role}: rungs go up the SFIA levels"


@pytest.mark.parametrize(("old", "new"), MOVES)
def test_each_asked_for_move_is_written_cited_and_brings_the_old_roles_habits(
    seed_catalog, old, new
):
    move = RoleMove.objects.get(from_role__slug=old, to_role__slug=new)
    assert move.slug == f"{old}-to-{new}"
    assert move.summary and move.transfers and move.to_learn
    assert move.knowledge_areas.exists()
    patterns = list(move.anti_patterns.all())
    assert patterns and {p.role.slug for p in patterns} == {old}
    assert move.citations.exclude(source__kind="editorial").exists()


def test_every_move_brings_only_its_old_roles_anti_patterns(seed_catalog):
    for move in RoleMove.objects.prefetch_related("anti_patterns"):
        assert all(p.role_id == move.from_role_id for p in move.anti_patterns.all()), move


# --- the models ---------------------------------------------------------------------------------


def test_a_move_goes_between_two_roles_and_is_named_by_them(db):
    role = make_role("a-role")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_move(role, role)
    other = make_role("b-role")
    move = make_move(role, other, slug="wrong")
    with pytest.raises(ValidationError):
        move.full_clean()


def test_an_sfia_level_is_one_to_seven(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_level(make_role("a-role"), "too-high", sfia_level=8)


# --- pages ------------------------------------------------------------------------------------


def test_move_page_answers_first_then_transfers_learning_gap_and_habits(client, seed_catalog):
    response = client.get(f"/roles/{BA}/to/{PO}/")
    assert response.status_code == 200
    page = response.content.decode()
    move = RoleMove.objects.get(slug=f"{BA}-to-{PO}")
    order = [
        move.summary,
        "What transfers",
        "What to learn",
        "What closes the gap",
        "Habits to leave behind",
        "Levels on each side",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Order taker" in page and "Professional Scrum Product Owner" in page
    assert f'href="/compare/{BA}/vs/{PO}/"' in page


def test_unknown_move_is_a_helpful_404_listing_written_moves(client, seed_catalog):
    response = client.get(f"/roles/sponsor/to/{PO}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'href="/roles/{BA}/to/{PO}/"' in page
    assert f'href="/compare/sponsor/vs/{PO}/"' in page
    assert client.get("/roles/nobody/to/sponsor/").status_code == 404


def test_a_renamed_roles_old_slug_redirects_the_move(client, catalog):
    # The test catalog's product manager was once "product-owner".
    response = client.get("/roles/project-manager/to/product-owner/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/roles/project-manager/to/product-manager/?x=1"


def test_role_page_shows_its_ladder_and_links_both_ways(client, seed_catalog):
    page = client.get(f"/roles/{PJM}/").content.decode()
    assert 'id="levels"' in page and "SFIA 7" in page
    assert f'href="/roles/{PJM}/to/programme-manager/"' in page
    assert f'href="/roles/delivery-manager/to/{PJM}/"' in page
    # The first screen still answers what the role is: the ladder comes after it.
    assert page.index('id="about"') < page.index('id="levels"')


def test_sponsor_page_says_it_has_no_ladder(client, seed_catalog):
    assert "No ladder of its own" in client.get("/roles/sponsor/").content.decode()


def test_comparison_of_a_pair_links_its_written_moves(client, seed_catalog):
    page = client.get(f"/compare/{PO}/vs/{PM}/").content.decode()
    assert f'href="/roles/{PO}/to/{PM}/"' in page


# --- API and downloads ------------------------------------------------------------------------


def test_api_serves_a_move_as_the_page_does(client, seed_catalog):
    body = client.get(f"/api/v1/moves/{BA}/to/{PO}/").json()
    move = RoleMove.objects.get(slug=f"{BA}-to-{PO}")
    assert body["summary"] == move.summary
    assert body["html_url"].endswith(f"/roles/{BA}/to/{PO}/")
    assert {p["slug"] for p in body["anti_patterns"]} == {"order-taker", "document-factory"}
    assert body["from_levels"][0]["sfia_level"] == 2
    assert body["citations"]
    assert client.get(f"/api/v1/moves/sponsor/to/{PO}/").status_code == 404


def test_api_role_has_levels_and_moves(client, seed_catalog):
    body = client.get(f"/api/v1/roles/{PJM}/").json()
    assert body["levels"][0]["slug"] == "project-manager-small"
    assert f"{PJM}-to-programme-manager" in {move["slug"] for move in body["moves"]}


def test_a_renamed_roles_old_slug_redirects_the_api_move(client, catalog):
    response = client.get("/api/v1/moves/project-manager/to/product-owner/")
    assert response.status_code == 301
    assert response["Location"].endswith("/api/v1/moves/project-manager/to/product-manager/")


def test_catalog_download_holds_levels_and_moves(client, seed_catalog):
    document = json.loads(client.get(reverse("api:catalog-json")).content)
    tables = {"levels", "moves_between_roles", "role_level_citations", "role_move_citations"}
    assert tables <= set(document)
    assert len(document["moves_between_roles"]) == RoleMove.objects.count()
    assert len(document["levels"]) == RoleLevel.objects.count()


# --- admin ------------------------------------------------------------------------------------


def test_levels_are_edited_inline_on_the_role_and_moves_on_their_own_page(admin_client, catalog):
    role = catalog[Role]
    page = admin_client.get(reverse("admin:catalog_role_change", args=[role.pk]))
    assert "levels-TOTAL_FORMS" in page.content.decode()
    move = catalog[RoleMove]
    page = admin_client.get(reverse("admin:catalog_rolemove_change", args=[move.pk]))
    assert page.status_code == 200
    assert "citations" in page.content.decode()
    assert AntiPattern.objects.filter(moves=move).exists()
    history = admin_client.get(reverse("admin:catalog_rolemove_history", args=[move.pk]))
    assert history.status_code == 200
