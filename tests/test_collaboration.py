"""The RACI grid (/collaboration/): rows are activities, columns every role taking part, then
each activity's details; the role filter keeps the activities the chosen roles do or own."""

from __future__ import annotations

import re

import pytest

from catalog.models import Collaboration, Role
from catalog.raci import RaciMatrix, abbreviations
from tests.factories import (
    EIGHT_ROLES,
    PJM,
    PM,
    PO,
    make_admin_catalog,
    make_catalog,
    make_compare_catalog,
    make_raci_catalog,
    make_role,
)

URL = "/collaboration/"
HX = {"HX-Request": "true"}


@pytest.fixture
def roles(db) -> dict[str, Role]:
    return make_compare_catalog()


def matrix(*roles: str) -> RaciMatrix:
    return RaciMatrix(Collaboration.objects.with_contributions(), roles=roles)


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


def test_key_explains_each_letter_in_words_and_the_single_accountable(client, roles):
    html = client.get(URL).content.decode()
    for letter, word, meaning in [
        ("r", "Responsible", "does the work"),
        ("a", "Accountable", "owns the outcome"),
        ("c", "Consulted", "is asked before"),
        ("i", "Informed", "is told after"),
    ]:
        assert (
            f'<dt><span class="raci raci--{letter}" aria-hidden="true">{letter.upper()}</span> '
            f"{word}</dt><dd>{meaning}</dd>"
        ) in html
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


def grid(html: str) -> str:
    return html.split('<table class="raci-grid">')[1].split("</table>")[0]


def test_each_cell_is_a_letter_with_an_accessible_name(client, roles):
    table = grid(client.get(URL).content.decode())
    row = table.split('<tr id="raci-status-reporting">')[1].split("</tr>")[0]
    assert (
        '<th scope="row"><a href="#collaboration-status-reporting">Status reporting</a></th>' in row
    )
    assert (
        '<abbr class="raci raci--a" title="Accountable: owns the outcome">'
        '<span aria-hidden="true">A</span><span class="visually-hidden">Accountable</span></abbr>'
    ) in row
    assert row.count('<span class="visually-hidden">Informed</span>') == 2
    # Prose stays out of the grid: it is in the details below.
    assert "part in" not in table
    first = table.split('<tr id="raci-strategy-to-execution">')[1].split("</tr>")[0]
    assert '<span class="visually-hidden">No part</span>' in first


def test_each_row_links_to_its_details_with_every_roles_part(client, roles):
    html = client.get(URL).content.decode()
    details = html.split('<section class="activities')[1]
    article = details.split('id="collaboration-status-reporting"')[1].split("</article>")[0]
    assert "About Status reporting." in article
    for name in ("Product manager", "Project manager", "Product owner"):
        assert f"{name} part in Status reporting" in article
    assert "Accountable: owns the outcome" in article
    assert 'class="item-link" href="#collaboration-status-reporting"' in article
    assert 'href="#raci-status-reporting">Back to the grid</a>' in article
    assert 'Source: <a href="/sources/#source-pmbok">PMBOK Guide</a>' in article
    assert html.index('<table class="raci-grid">') < html.index('class="activities print-detail"')


def test_any_number_of_roles_become_columns(client, db):
    make_catalog(roles=5)
    html = client.get(URL).content.decode()
    header = html.split("<thead>")[1].split("</thead>")[0]
    assert header.count('scope="col"') == 1 + 5


@pytest.mark.parametrize(
    ("chosen", "shown"),
    [
        (
            (),
            ["strategy-to-execution", "roadmap-to-plan", "backlog-refinement", "status-reporting"],
        ),
        ((PM,), ["strategy-to-execution"]),
        ((PJM,), ["strategy-to-execution", "roadmap-to-plan", "status-reporting"]),
        ((PO,), ["backlog-refinement"]),
        ((PM, PO), ["strategy-to-execution", "backlog-refinement"]),
    ],
)
def test_role_filter_keeps_the_activities_the_chosen_roles_do_or_own(roles, chosen, shown):
    table = matrix(*chosen)
    assert [row.collaboration.slug for row in table.rows] == shown
    assert table.total == 4


def test_role_filter_changes_the_page_and_says_what_it_shows(client, roles):
    response = client.get(URL, {"role": PO})
    html = response.content.decode()
    assert 'id="collaboration-backlog-refinement"' in html
    assert 'id="collaboration-status-reporting"' not in html  # the PO is only Informed there
    assert "Activities the Product owner does or owns" in html
    assert "(1 of 4)" in html
    assert (
        'data-announce="Showing 1 of 4 activities: those where the Product owner is '
        'Responsible or Accountable"'
    ) in html
    assert f'<input type="checkbox" name="role" value="{PO}" checked>' in html
    assert f'<input type="checkbox" name="role" value="{PM}">' in html
    # Columns: the roles taking part in what is shown, the chosen one marked.
    assert [role.slug for role in response.context_data["matrix"].roles] == [PM, PO]
    assert "raci-grid__role accent-2 is-chosen" in html


def test_several_roles_may_be_chosen(client, roles):
    response = client.get(f"{URL}?role={PO}&role={PM}")
    table = response.context_data["matrix"]
    assert [role.slug for role in table.chosen] == [PM, PO]
    assert table.url == f"{URL}?role={PM}&role={PO}"
    assert "Activities the Product manager or Product owner does or owns" in (
        response.content.decode()
    )


def test_filter_is_a_get_form_that_htmx_submits_on_change(client, roles):
    html = client.get(URL).content.decode()
    assert (
        '<form class="role-filter controls" action="/collaboration/" method="get"\n'
        '      data-hx-get="/collaboration/" data-hx-trigger="change" data-hx-target="#matrix" '
        'data-hx-swap="outerHTML" data-hx-push-url="true">'
    ) in html
    assert '<button type="submit" class="role-filter__submit">Show</button>' in html


def test_print_everything_keeps_the_filter_and_prints_each_activity(client, roles):
    html = client.get(URL, {"role": PO}).content.decode()
    assert f'<a href="{URL}?role={PO}&amp;print=all">print everything</a>' in html
    assert '<section class="activities print-detail"' in html
    assert 'class="matrix print-summary"' in html
    html = client.get(URL, {"role": PO, "print": "all"}).content.decode()
    assert '<div id="matrix" class="matrix" ' in html
    assert f'<a href="{URL}?role={PO}">Back to the grid alone</a>' in html


def test_htmx_filter_gets_only_the_matrix(client, roles):
    response = client.get(URL, {"role": PM}, headers={**HX, "HX-Target": "matrix"})
    html = response.content.decode().strip()
    assert response.template_name == "catalog/collaboration.html#matrix"
    assert html.startswith('<div id="matrix" class="matrix print-summary"')
    assert "<html" not in html
    assert "raci-key" not in html and "role-filter" not in html
    assert 'data-announce="Showing 1 of 4 activities: those where the Product manager' in html
    assert 'id="collaboration-strategy-to-execution"' in html


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
    # catalog version, activities, their citations, contributions with roles, their citations,
    # the responsibilities behind them.
    with django_assert_num_queries(6):
        assert client.get(URL, {"role": "role-1"}, headers=headers).status_code == 200


# --- eight roles: abbreviated columns, any subset of roles, why the A ---------------------------

EIGHT = [slug for slug, _, _ in EIGHT_ROLES]


@pytest.fixture
def eight(db) -> dict[str, Role]:
    return make_raci_catalog()


def test_eight_roles_are_eight_columns_abbreviated_where_their_label_is_long(eight):
    table = matrix()
    assert len(table.rows) == 27
    assert [(c.role.slug, c.abbreviation) for c in table.columns] == [
        ("product-manager", "Product"),
        ("project-manager", "Project"),
        ("product-owner", "PO"),
        ("scrum-master", "SM"),
        ("delivery-manager", "Delivery"),
        ("programme-manager", "PgM"),
        ("business-analyst", "Analyst"),
        ("sponsor", "Sponsor"),
    ]


def test_an_abbreviation_two_roles_share_is_used_by_neither(db):
    make_role("product-manager", other_titles="PM", order=1)
    make_role("project-manager", other_titles="PM, PjM", order=2)
    make_role("product-owner", order=3)
    roles = list(Role.objects.all())
    assert [abbreviations(roles)[role.pk] for role in roles] == [
        "Product manager",  # PM is shared, and so are the initials: the label
        "PjM",
        "PO",  # the initials
    ]


def test_a_long_label_shows_whole_on_a_wide_screen_and_abbreviated_on_a_narrow_one(client, eight):
    html = grid(client.get(URL).content.decode())
    assert (
        '<a href="/roles/product-owner/" title="Product owner">'
        '<span class="raci-grid__label">Product owner</span>'
        '<span class="raci-grid__abbr" aria-hidden="true">PO</span></a>'
    ) in html
    assert '<a href="/roles/sponsor/" title="Sponsor">Sponsor</a>' in html
    key = client.get(URL).content.decode().split('<p class="raci-grid__abbrs muted">')[1]
    assert key.startswith(
        '<abbr title="Product owner">PO</abbr>: Product owner · '
        '<abbr title="Scrum master">SM</abbr>: Scrum master · '
        '<abbr title="Programme manager">PgM</abbr>: Programme manager</p>'
    )


def test_any_subset_of_roles_filters_in_the_catalogs_order(client, eight):
    response = client.get(URL, {"role": ["sponsor", "product-owner", "scrum-master"]})
    table = response.context_data["matrix"]
    assert [role.slug for role in table.chosen] == ["product-owner", "scrum-master", "sponsor"]
    assert table.url == f"{URL}?role=product-owner&role=scrum-master&role=sponsor"
    # Activity i is owned by role i mod 8, and roles i+3 and i+6 (mod 8) are R: the PO (index
    # 2), SM (3) and sponsor (7) own or do every activity but those with i mod 8 = 6, where they
    # are C, I and no part.
    assert [row.collaboration.slug for row in table.rows] == [
        f"activity-{i:02}" for i in range(27) if i % 8 != 6
    ]
    html = response.content.decode()
    assert "Activities the Product owner, Scrum master or Sponsor does or owns" in html
    for slug in ("product-owner", "scrum-master", "sponsor"):
        assert f'<input type="checkbox" name="role" value="{slug}" checked>' in html
    assert '<a href="/collaboration/">Show every activity</a>' in html


@pytest.mark.parametrize(
    "query",
    [
        {"role": "nobody"},
        {"role": ["sponsor", "sponsor", "nobody"]},
        {"role": ["x" * 500] * 50},
        {"role": ""},
    ],
)
def test_unknown_or_repeated_roles_in_the_filter_never_fail(client, eight, query):
    response = client.get(URL, query)
    assert response.status_code == 200
    chosen = [role.slug for role in response.context_data["matrix"].chosen]
    assert chosen == (["sponsor"] if "sponsor" in query["role"] else [])


def test_each_activity_says_why_its_a_is_its_a(client, eight):
    html = client.get(URL).content.decode()
    article = html.split('id="collaboration-activity-05"')[1].split("</article>")[0]
    assert (
        '<p class="activity__why"><strong>Why this A?</strong> '
        "Programme manager answers for activity 5.</p>"
    ) in article


def test_an_activity_without_a_reason_shows_none(client, roles):
    assert "activity__why" not in client.get(URL).content.decode()


@pytest.mark.parametrize("chosen", [[], EIGHT[:2], EIGHT])
def test_query_count_is_the_same_for_any_subset_of_eight_roles(
    client, eight, django_assert_num_queries, chosen
):
    with django_assert_num_queries(6):
        assert client.get(URL, {"role": chosen}).status_code == 200


def test_details_link_each_r_and_a_to_the_responsibility_behind_it(client, db):
    make_admin_catalog()
    html = client.get(URL).content.decode()
    assert (
        "The project manager\N{RIGHT SINGLE QUOTATION MARK}s responsibility behind it: "
        '<a href="/roles/project-manager/#project-manager-break-down">Breaks plans down</a>'
    ) in html
    assert '<a href="/roles/product-manager/#product-manager-roadmap">Keeps the roadmap</a>' in html
