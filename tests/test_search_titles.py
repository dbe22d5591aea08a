"""Search finds a role by the other titles people use for it ("PO", "TPM", "program manager",
"agile coach", "BA", "SRO"), case-insensitively, says which title matched, and matches a short
abbreviation only exactly: "PO" never finds "PM", "portfolio" or "point"."""

from __future__ import annotations

import pytest

from catalog.search import search
from tests.factories import make_role

pytestmark = pytest.mark.django_db
LIVE = {"HX-Request": "true", "HX-Target": "live-results"}

TITLES = {
    "product-manager": ("PM, product lead", "Owns the product's direction."),
    "project-manager": ("PM, project lead", "Delivers projects on time and in scope."),
    "product-owner": ("PO, Scrum product owner", "Orders the backlog for one team."),
    "scrum-master": ("SM, agile coach, team coach", "Helps one team use Scrum well."),
    "programme-manager": (
        "program manager, programme delivery manager, PgM, TPM, technical program manager",
        "Runs a portfolio of related projects for shared benefits, point by point.",
    ),
    "business-analyst": (
        "BA, business systems analyst, requirements analyst",
        "Works out what a change must do, based on evidence.",
    ),
    "sponsor": (
        "project sponsor, executive sponsor, senior responsible owner, SRO",
        "Owns the investment and the go/no-go.",
    ),
}


@pytest.fixture
def roles():
    return {
        slug: make_role(slug, other_titles=titles, summary=summary, order=i)
        for i, (slug, (titles, summary)) in enumerate(TITLES.items(), start=1)
    }


def roles_found(query: str) -> list[tuple[str, str]]:
    """(role name, the other title that matched) for every role the query finds, best first."""
    return [(hit.document.title, hit.matched_title) for hit in search(query) if hit.kind == "Role"]


@pytest.mark.parametrize(
    ("query", "role", "title"),
    [
        ("PO", "Product owner", "PO"),
        ("po", "Product owner", "PO"),
        ("TPM", "Programme manager", "TPM"),
        ("tpm", "Programme manager", "TPM"),
        ("program manager", "Programme manager", "program manager"),
        ("Program Manager", "Programme manager", "program manager"),
        ("technical program manager", "Programme manager", "technical program manager"),
        ("agile coach", "Scrum master", "agile coach"),
        ("Agile Coach", "Scrum master", "agile coach"),
        ("BA", "Business analyst", "BA"),
        ("SRO", "Sponsor", "SRO"),
        ("senior responsible owner", "Sponsor", "senior responsible owner"),
        ("executive sponsor", "Sponsor", "executive sponsor"),
    ],
)
def test_a_role_is_found_first_by_its_other_title_and_says_which(roles, query, role, title):
    assert roles_found(query)[0] == (role, title)


@pytest.mark.parametrize(
    ("query", "role"),
    [("programme", "Programme manager"), ("Scrum Master", "Scrum master"), ("sponsor", "Sponsor")],
)
def test_found_by_its_own_name_it_names_no_other_title(roles, query, role):
    assert roles_found(query)[0] == (role, "")


@pytest.mark.parametrize(
    ("query", "only"),
    [
        ("PO", "Product owner"),  # not the PMs, not "portfolio" or "point"
        ("BA", "Business analyst"),  # not "backlog" or "based"
        ("SM", "Scrum master"),
        ("SRO", "Sponsor"),
    ],
)
def test_an_abbreviation_matches_only_itself(roles, query, only):
    assert [hit.document.title for hit in search(query)] == [only]


def test_an_abbreviation_two_roles_share_finds_both(roles):
    assert roles_found("PM") == [("Product manager", "PM"), ("Project manager", "PM")]


def test_a_half_typed_word_still_finds_by_its_start(roles):
    assert ("Programme manager", "") in roles_found("progr")
    assert roles_found("agile co")[0] == ("Scrum master", "agile coach")


def test_search_page_says_which_title_matched(client, roles):
    html = client.get("/search/", {"q": "po"}).content.decode()
    assert (
        '<a href="/roles/product-owner/">Product owner</a> '
        '<span class="result__also">also called “<mark>PO</mark>”</span>'
    ) in html
    assert "Product manager" not in html.split('id="results"')[1]


def test_live_suggestions_say_which_title_matched(client, roles):
    html = client.get("/search/", {"q": "TPM"}, headers=LIVE).content.decode()
    assert (
        '<span class="live-option__title">Programme manager</span> '
        '<span class="live-option__also">also called <mark>TPM</mark></span>'
    ) in html
