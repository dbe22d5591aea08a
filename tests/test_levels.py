"""Levels and moves: the ladder on role pages, move pages, comparisons, the API, the admin and
the committed content's citations and structure."""

from __future__ import annotations

import json
import re

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


# What was checked against the sources themselves (issue 26). A rung moved to a level, or cited
# at a skill level, that is not in these tables fails until someone checks it and adds it here.

# The levels each SFIA 9 skill is defined at, read on its SFIA 9 page (sfia-online.org/en/sfia-9).
SFIA_9_SKILL_LEVELS = {
    "BUSA": {2, 3, 4, 5, 6},
    "DEMG": {3, 4, 5, 6},
    "OFCL": {4, 5, 6},
    "PGMG": {6, 7},
    "PROD": {2, 3, 4, 5, 6},
    "PRMG": {4, 5, 6, 7},
    "REQM": {2, 3, 4, 5, 6},
}
DM, PG, SM = "delivery-manager", "programme-manager", "scrum-master"
# Each rung with an SFIA level: the level, and the SFIA 9 skill whose text at that level backs
# it (None where no skill is defined at the rung's level, so the generic attributes decide).
VERIFIED_RUNGS = {
    (BA, "trainee-business-analyst"): (2, "BUSA"),
    (BA, "business-analyst"): (4, "BUSA"),
    (BA, "senior-business-analyst"): (5, "BUSA"),
    (BA, "head-of-business-analysis"): (6, "BUSA"),
    (DM, "associate-delivery-manager"): (3, "DEMG"),
    (DM, "delivery-manager"): (4, "DEMG"),
    (DM, "senior-delivery-manager"): (5, "DEMG"),
    (DM, "head-of-delivery-management"): (6, "DEMG"),
    (PM, "associate-product-manager"): (3, None),
    (PM, "product-manager"): (5, "PROD"),
    (PM, "lead-product-manager"): (6, "PROD"),
    (PM, "head-of-product"): (7, None),
    (PG, "programme-manager"): (6, "PGMG"),
    (PG, "head-of-programme-delivery"): (7, "PGMG"),
    (PJM, "project-manager-small"): (4, "PRMG"),
    (PJM, "project-manager"): (5, "PRMG"),
    (PJM, "senior-project-manager"): (6, "PRMG"),
    (PJM, "head-of-project-delivery"): (7, "PRMG"),
}
# The DDaT role level of each rung that has one, as the framework's role page names it. Rungs
# not listed have none: the role has no DDaT role, or its name at that level was not verified.
VERIFIED_DDAT = {
    (BA, "trainee-business-analyst"): (
        "ddat-business-analyst",
        "Trainee business analyst (level 1 of 6)",
    ),
    (BA, "business-analyst"): ("ddat-business-analyst", "Business analyst (level 3 of 6)"),
    (BA, "senior-business-analyst"): (
        "ddat-business-analyst",
        "Senior business analyst or lead business analyst (levels 4 and 5 of 6)",
    ),
    (BA, "head-of-business-analysis"): (
        "ddat-business-analyst",
        "Head of business analysis (level 6 of 6)",
    ),
    (DM, "associate-delivery-manager"): (
        "ddat-delivery-manager",
        "Associate delivery manager (level 1 of 4)",
    ),
    (DM, "head-of-delivery-management"): (
        "ddat-delivery-manager",
        "Head of (agile) delivery management (level 4 of 4)",
    ),
    (PM, "associate-product-manager"): (
        "ddat-product-manager",
        "Associate product manager (level 1 of 5)",
    ),
    (PM, "product-manager"): ("ddat-product-manager", "Product manager (level 2 of 5)"),
    (PM, "lead-product-manager"): (
        "ddat-product-manager",
        "Senior product manager or lead product manager (levels 3 and 4 of 5)",
    ),
    (PM, "head-of-product"): ("ddat-product-manager", "Head of product (level 5 of 5)"),
}
LEVEL_LOCATOR = re.compile(r"^Level (\d)\b")


def rungs() -> list[RoleLevel]:
    return list(RoleLevel.objects.select_related("role").prefetch_related("citations__source"))


def test_every_sfia_level_is_one_that_was_verified(seed_catalog):
    claimed = {
        (level.role.slug, level.slug): level.sfia_level
        for level in rungs()
        if level.sfia_level is not None
    }
    assert claimed == {rung: sfia for rung, (sfia, _) in VERIFIED_RUNGS.items()}
    for (role, slug), (sfia, code) in VERIFIED_RUNGS.items():
        if code is not None:
            assert sfia in SFIA_9_SKILL_LEVELS[code], f"{role}/{slug}: {code} has no level {sfia}"


def test_every_rung_with_an_sfia_level_cites_sfia_9_at_that_level(seed_catalog):
    for level in rungs():
        if level.sfia_level is None:
            continue
        rung = (level.role.slug, level.slug)
        citations = {c.source.slug: c.locator for c in level.citations.all()}
        generic = citations.get("sfia-responsibilities-9", "")
        assert generic.startswith(f"Level {level.sfia_level}:"), f"{rung}: {generic!r}"
        code = VERIFIED_RUNGS[rung][1]
        if code is not None:
            assert f"sfia-9-{code.lower()}" in citations, f"{rung} does not cite {code}"


def test_a_skill_cited_at_a_level_is_cited_at_the_rungs_level_and_a_defined_one(seed_catalog):
    for level in rungs():
        for citation in level.citations.all():
            found = LEVEL_LOCATOR.match(citation.locator)
            if not citation.source.slug.startswith("sfia-") or not found:
                continue
            cited = int(found.group(1))
            assert cited == level.sfia_level, f"{level.role.slug}/{level.slug}: {citation.locator}"
            code = citation.source.slug.removeprefix("sfia-9-").upper()
            if citation.source.slug.startswith("sfia-9-"):
                assert cited in SFIA_9_SKILL_LEVELS[code], f"{code} level {cited} not verified"


def test_a_skill_level_a_move_cites_is_one_the_skill_defines(seed_catalog):
    for move in RoleMove.objects.prefetch_related("citations__source"):
        for citation in move.citations.all():
            found = LEVEL_LOCATOR.match(citation.locator)
            if citation.source.slug.startswith("sfia-9-") and found:
                code = citation.source.slug.removeprefix("sfia-9-").upper()
                assert int(found.group(1)) in SFIA_9_SKILL_LEVELS[code], (move, citation.locator)


def test_every_ddat_level_is_verified_and_cited_to_the_ddat_role_page(seed_catalog):
    claimed = {
        (level.role.slug, level.slug): level.ddat_level for level in rungs() if level.ddat_level
    }
    assert claimed == {rung: name for rung, (_, name) in VERIFIED_DDAT.items()}
    for level in rungs():
        if level.ddat_level:
            source = VERIFIED_DDAT[(level.role.slug, level.slug)][0]
            assert source in {c.source.slug for c in level.citations.all()}, level


@pytest.mark.parametrize("role", ["product-owner", SM, "sponsor"])
def test_a_role_with_no_ladder_has_no_sfia_or_ddat_level(seed_catalog, role):
    (level,) = RoleLevel.objects.filter(role__slug=role)
    assert (level.sfia_level, level.ddat_level) == (None, "")


def test_every_move_cites_a_public_source(seed_catalog):
    moves = list(RoleMove.objects.prefetch_related("citations__source"))
    assert len(moves) >= len(MOVES)
    for move in moves:
        assert any(c.source.url for c in move.citations.all()), f"{move}: no public source"


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


# --- a comparison at a chosen level -----------------------------------------------------------

HX = {"HX-Request": "true"}
PAIR = f"/compare/{PM}/vs/{PJM}/"


def levels_section(page: str) -> str:
    start = page.index('<section id="levels"')
    return page[start : page.index("</section>", start)]


def test_comparison_shows_each_role_at_its_usual_level_after_the_first_screen(client, seed_catalog):
    response = client.get(PAIR)
    page = response.content.decode()
    assert [rung.level.slug for rung in response.context_data["comparison"].rungs] == [PM, PJM]
    section = levels_section(page)
    assert "All at SFIA level 5" in section
    assert 'name="level"' in section and '<option value="project-manager" selected>' in section
    # The rungs side by side wait in a closed fold until a level is chosen.
    assert '<details class="fold">' in section
    # The first screen still answers how the roles differ: the chooser comes after it.
    assert page.index('id="key-differences"') < page.index('id="levels"')
    assert page.index('id="collaborate"') < page.index('id="levels"')


def test_a_chosen_level_has_its_own_address_and_shows_scope_sfia_and_ddat(client, seed_catalog):
    response = client.get(f"{PAIR}?level=head-of-product&level=senior-project-manager")
    assert response.status_code == 200
    section = levels_section(response.content.decode())
    head = RoleLevel.objects.get(role__slug=PM, slug="head-of-product")
    assert "<strong>Head of product</strong>" in section and "<strong>Senior project" in section
    assert head.ddat_level in section and "Level 7" in section and "Level 6" in section
    assert head.what_changes[:40] in section
    assert "Head of product at SFIA level 7; Senior project manager at SFIA level 6." in section
    assert '<option value="head-of-product" selected>' in section
    assert '<details class="fold" open>' in section
    # The values' order does not matter: each names a rung on one role's ladder.
    again = client.get(f"{PAIR}?level=senior-project-manager&level=head-of-product")
    assert levels_section(again.content.decode()) == section
    # One view of one comparison: the canonical link stays the plain address.
    assert response.context_data["canonical_url"] == f"http://testserver{PAIR}"


def test_other_controls_keep_the_chosen_level_and_the_chooser_keeps_theirs(client, seed_catalog):
    response = client.get(f"{PAIR}?level=head-of-product&diff=1&function=strategy")
    comparison = response.context_data["comparison"]
    assert comparison.chosen_levels == ["head-of-product"]
    assert "level=head-of-product" in comparison.swapped_url
    assert comparison.url_everything == f"{PAIR}?function=strategy&level=head-of-product"
    assert comparison.url_usual_levels == f"{PAIR}?function=strategy&diff=1"
    chooser = levels_section(response.content.decode())
    assert '<input type="hidden" name="diff" value="1">' in chooser
    assert '<input type="hidden" name="function" value="strategy">' in chooser


def test_the_chooser_is_a_plain_get_form_to_the_comparison(client, seed_catalog):
    section = levels_section(client.get(PAIR).content.decode())
    assert f'<form id="level-chooser" class="picker level-chooser controls" action="{PAIR}"' in (
        section
    )
    assert 'method="get"' in section and '<button type="submit">' in section
    assert '<label for="level-product-manager">' in section


def test_htmx_chooser_swaps_the_levels_and_the_controls_that_carry_them(client, seed_catalog):
    response = client.get(
        f"{PAIR}?level=lead-product-manager", headers={**HX, "HX-Target": "levels"}
    )
    assert response.status_code == 200
    assert response.template_name == "catalog/compare.html#levels_swap"
    assert "HX-Request" in response["Vary"]
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert fragment.lstrip().startswith('<section id="levels"')
    assert '<details class="fold" open>' in fragment
    assert 'data-announce="Showing Product manager as Senior or lead product manager' in fragment
    # Out of band: the controls whose links carry the view state now carry the level.
    for oob in ('id="view-toggle"', 'id="swap-sides"', 'id="function-filter"'):
        assert oob in fragment
    assert fragment.count('data-hx-swap-oob="true"') == 3
    assert "?diff=1&amp;level=lead-product-manager" in fragment


@pytest.mark.parametrize("target", ["details", "responsibilities"])
def test_a_filters_answer_sends_the_chooser_along_with_the_new_state(client, seed_catalog, target):
    fragment = client.get(
        f"{PAIR}?diff=1&level=lead-product-manager", headers={**HX, "HX-Target": target}
    ).content.decode()
    start = fragment.index('<form id="level-chooser"')
    chooser = fragment[start : fragment.index("</form>", start)]
    assert 'data-hx-swap-oob="true"' in chooser
    assert 'name="diff" value="1"' in chooser
    assert '<option value="lead-product-manager" selected>' in chooser


def test_roles_without_a_ladder_get_no_chooser_and_no_out_of_band_one(client, seed_catalog):
    url = f"/compare/{PO}/vs/scrum-master/"
    section = levels_section(client.get(url).content.decode())
    assert "level-chooser" not in section
    assert "Product owner: no ladder of its own; Scrum master: no ladder of its own." in section
    assert 'data-announce="Showing Product owner, which has no ladder of its own, Scrum' in section
    asked = levels_section(client.get(f"{url}?level=senior").content.decode())
    assert "has a ladder of its own, so none has a level called “senior”." in asked
    details = client.get(url, headers={**HX, "HX-Target": "details"}).content.decode()
    assert "level-chooser" not in details


@pytest.mark.parametrize(
    "query",
    [
        "level=nobody",
        "level=" + "x" * 5000,
        "level=%3Cscript%3E",
        "level=none&level=nobody",
        "&".join(f"level=l{i}" for i in range(200)),
    ],
)
def test_unknown_levels_are_named_and_the_usual_levels_shown(client, seed_catalog, query):
    response = client.get(f"{PAIR}?{query}")
    assert response.status_code == 200
    section = levels_section(response.content.decode())
    assert "None of these roles has a level called" in section
    assert "<script>" not in section
    assert len(section) < 20_000  # a long or repeated value is shortened, not echoed whole
    assert [r.level.slug for r in response.context_data["comparison"].rungs] == [PM, PJM]


@pytest.mark.parametrize("query", ["level=", "level=&level=", "level=head-of-product&level="])
def test_empty_levels_are_ignored(client, seed_catalog, query):
    response = client.get(f"{PAIR}?{query}")
    assert response.status_code == 200
    assert "None of these roles has a level called" not in response.content.decode()


def test_each_chosen_level_is_its_own_cache_entry(client, seed_catalog, settings):
    settings.DEBUG = False
    plain, chosen = client.get(PAIR), client.get(f"{PAIR}?level=head-of-product")
    assert plain["ETag"] != chosen["ETag"]
    repeat = client.get(f"{PAIR}?level=head-of-product", headers={"If-None-Match": chosen["ETag"]})
    assert repeat.status_code == 304


# --- sources, downloads and API ----------------------------------------------------------------


def test_role_page_lists_the_sources_its_levels_and_moves_cite(client, db):
    from tests.factories import cite, make_source

    old, new = make_role("old-role", order=1), make_role("new-role", order=2)
    level = make_level(old, "senior")
    move = make_move(old, new)
    cite([level], make_source("ladder-guide", title="A ladder guide"), "Level 5")
    cite([move], make_source("move-guide", title="A move guide"), "Chapter 2")
    old_page = client.get("/roles/old-role/")
    assert [s.slug for s in old_page.context_data["sources"]] == ["ladder-guide", "move-guide"]
    new_sources = client.get("/roles/new-role/").context_data["sources"]
    assert [s.slug for s in new_sources] == ["move-guide"]
    assert 'href="/sources/#source-move-guide"' in client.get("/roles/new-role/").content.decode()


def test_role_markdown_has_its_ladder_and_moves(client, seed_catalog):
    text = client.get(f"/roles/{PJM}.md").content.decode()
    assert "## Levels" in text and "## Moves" in text
    assert "| Head of project delivery [^sfia-9-prmg] [^sfia-responsibilities-9] | 7 | — |" in text
    assert (
        f"- [To Programme manager](<http://testserver/roles/{PJM}/to/programme-manager/>)" in text
    )
    assert (
        f"- [From Delivery manager](<http://testserver/roles/delivery-manager/to/{PJM}/>)" in text
    )
    assert "[^sfia-responsibilities-9]: " in text


def test_comparison_markdown_has_both_ladders_and_the_moves_between(client, seed_catalog):
    text = client.get(f"/compare/{PO}/vs/{PM}.md").content.decode()
    levels = text[text.index("## Levels") :]
    assert levels.index("### Product owner") < levels.index("### Product manager")
    assert "- **No ladder of its own**: " in levels
    assert "- **Head of product** (SFIA 7; DDaT: Head of product (level 5 of 5)): " in levels
    assert "## Moving between these roles" in text
    assert f"(<http://testserver/roles/{PO}/to/{PM}/>)" in text


def test_api_comparison_has_each_ladder_and_the_moves_between(client, seed_catalog):
    body = client.get(f"/api/v1/compare/{PJM}/vs/programme-manager/").json()
    assert [ladder["role"] for ladder in body["levels"]] == [PJM, "programme-manager"]
    assert [len(ladder["levels"]) for ladder in body["levels"]] == [4, 2]
    assert {move["slug"] for move in body["moves"]} == {
        f"{PJM}-to-programme-manager",
        f"programme-manager-to-{PJM}",
    }
    assert body["moves"][0]["url"].startswith("http://testserver/api/v1/moves/")
    assert "sfia-responsibilities-9" in {source["slug"] for source in body["sources"]}


def test_api_index_links_the_move_resource(client, seed_catalog):
    links = client.get("/api/v1/").json()["links"]
    assert links["move"] == "http://testserver/api/v1/moves/{a}/to/{b}/"
    move = links["move"].replace("{a}", BA).replace("{b}", PO)
    assert client.get(move.removeprefix("http://testserver")).status_code == 200


def test_catalog_csv_holds_levels_and_moves(client, seed_catalog):
    import csv
    import io
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(client.get(reverse("api:catalog-csv")).content))
    for name, model in [("levels", RoleLevel), ("moves_between_roles", RoleMove)]:
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))
        assert len(rows) == model.objects.count()
    levels = list(csv.DictReader(io.StringIO(archive.read("levels.csv").decode())))
    assert {"role", "slug", "sfia_level", "ddat_level", "what_changes"} <= set(levels[0])


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize(("roles", "scale"), [(2, 1), (20, 10)])
@pytest.mark.parametrize(
    ("url", "headers", "queries"),
    [
        # As tests/test_pages.py's 24, plus the citations of the ladder, of the moves out and of
        # the moves in, which the test catalog there does not have.
        ("/roles/role-1/", {}, 27),
        # As tests/test_compare.py's page (25) plus the same three; a chosen level reads nothing.
        ("/compare/role-0/vs/role-1/", {}, 28),
        ("/compare/role-0/vs/role-1/?level=role-1-rung-2&diff=1", {}, 28),
        ("/compare/role-0/vs/role-1/?level=role-0-rung-1", {**HX, "HX-Target": "levels"}, 26),
    ],
)
def test_ladders_and_moves_cost_a_fixed_number_of_queries(
    client, db, django_assert_num_queries, roles, scale, url, headers, queries
):
    from tests.factories import cite, make_catalog, make_source

    made = make_catalog(roles=roles, scale=scale)
    source = make_source("ladder-source")
    rungs = [make_level(role, f"{role.slug}-rung-{i}", order=i) for role in made for i in range(3)]
    cite(rungs, source)
    cite([make_move(old, new) for old, new in zip(made, made[1:] + made[:1], strict=True)], source)
    with django_assert_num_queries(queries):
        assert client.get(url, headers=headers).status_code == 200
