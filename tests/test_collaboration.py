"""The RACI matrix (/collaboration/): rows are activities, columns every role taking part."""

from __future__ import annotations

import re

import pytest

from catalog.comparison import RaciMatrix
from catalog.models import Collaboration, Role
from tests.compare_catalog import PJM, PM, PO, make_compare_catalog
from tests.factories import make_catalog

URL = "/collaboration/"
HX = {"HX-Request": "true"}


@pytest.fixture
def roles(db) -> dict[str, Role]:
    return make_compare_catalog()


def matrix(role: str | None = None) -> RaciMatrix:
    return RaciMatrix(Collaboration.objects.with_contributions(), role=role)


def test_collaboration_page_is_the_whole_page(client, roles):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.template_name == "catalog/collaboration.html"
    assert html.startswith("<!doctype html>")
    assert 'id="matrix"' in html
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_collaboration_meta_and_vary(client, roles):
    response = client.get(URL)
    html = response.content.decode()
    assert "<title>Who does what: shared activities and RACI · Roles</title>" in html
    assert '<meta property="og:title" content="Who does what: shared activities and RACI">' in html
    assert '<link rel="canonical" href="http://testserver/collaboration/">' in html
    assert "HX-Request" in response["Vary"]


def test_legend_explains_each_letter_in_words_and_the_single_accountable(client, roles):
    html = client.get(URL).content.decode()
    for letter, word, meaning in [
        ("r", "Responsible", "Does the work."),
        ("a", "Accountable", "Owns the outcome."),
        ("c", "Consulted", "Is asked before."),
        ("i", "Informed", "Is told after."),
    ]:
        assert f'<span class="raci raci--{letter}">{letter.upper()}</span> {word}</dt>' in html
        assert f"<dd>{meaning}</dd>" in html
    assert "Every activity has exactly one Accountable role" in html


def test_matrix_rows_are_activities_and_columns_the_roles_taking_part(roles):
    table = matrix()
    assert [row.collaboration.slug for row in table.rows] == [
        "strategy-to-execution",
        "roadmap-to-plan",
        "backlog-refinement",
        "status-reporting",
    ]
    assert [role.slug for role in table.roles] == [PM, PJM, PO]
    status = table.rows[3]
    assert [cell.contribution.raci for cell in status.cells] == ["I", "A", "I"]
    assert table.rows[0].cells[2].contribution is None


def test_each_cell_shows_the_letter_its_meaning_and_the_part(client, roles):
    html = client.get(URL).content.decode()
    assert '<tr class="item" id="collaboration-status-reporting">' in html
    assert 'class="item-link" href="#collaboration-status-reporting"' in html
    assert "Accountable: owns the outcome" in html
    assert "Informed: is told after" in html
    assert "Product owner part in Backlog refinement" in html
    assert "no part</span>" in html
    assert '<span class="cell-role role-tag">Product owner</span>' in html


def test_any_number_of_roles_become_columns(client, db):
    make_catalog(roles=5)
    html = client.get(URL).content.decode()
    header = html.split("<thead>")[1].split("</thead>")[0]
    assert header.count('scope="col"') == 1 + 5


def test_role_filter_keeps_that_roles_activities(client, roles):
    response = client.get(URL, {"role": PO})
    html = response.content.decode()
    assert 'id="collaboration-backlog-refinement"' in html
    assert 'id="collaboration-status-reporting"' in html
    assert 'id="collaboration-strategy-to-execution"' not in html
    assert "Activities the Product owner takes part in" in html
    assert (
        f'href="/collaboration/?role={PO}" hx-get="/collaboration/?role={PO}" aria-current="true"'
        in html
    )


@pytest.mark.parametrize("query", [{"role": "nobody"}, {"role": ""}, {"role": "<b>"}, {"x": "1"}])
def test_bad_role_filter_is_ignored(client, roles, query):
    response = client.get(URL, query)
    assert response.status_code == 200
    assert response.context_data["matrix"].role is None
    assert len(response.context_data["matrix"].rows) == 4


def test_htmx_filter_gets_only_the_matrix(client, roles):
    response = client.get(URL, {"role": PM}, headers={**HX, "HX-Target": "matrix"})
    html = response.content.decode().strip()
    assert response.template_name == "catalog/collaboration.html#matrix"
    assert html.startswith('<section id="matrix"')
    assert "<html" not in html
    assert "How to read it" not in html
    assert 'data-announce="Showing the activities Product manager takes part in"' in html
    assert '<h2 id="matrix-title" tabindex="-1">' in html


def test_history_restore_gets_the_whole_page(client, roles):
    response = client.get(URL, headers={**HX, "HX-History-Restore-Request": "true"})
    assert response.template_name == "catalog/collaboration.html"


def test_repeat_visit_is_a_304(client, roles):
    etag = client.get(URL)["ETag"]
    assert client.get(URL, headers={"If-None-Match": etag}).status_code == 304


def test_empty_catalog_says_so(client, db):
    html = client.get(URL).content.decode()
    assert "No shared activities are recorded yet." in html


@pytest.mark.parametrize(("count", "scale"), [(2, 1), (20, 10)])
@pytest.mark.parametrize("headers", [{}, {**HX, "HX-Target": "matrix"}])
def test_query_count_is_fixed_whatever_the_catalog_size(
    client, db, django_assert_num_queries, count, scale, headers
):
    make_catalog(roles=count, scale=scale)
    # catalog version, activities, their citations, contributions with roles, their citations.
    with django_assert_num_queries(5):
        assert client.get(URL, {"role": "role-1"}, headers=headers).status_code == 200
