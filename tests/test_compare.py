"""The comparison page (/compare/<a>/vs/<b>/) and its picker (/compare/): views, partials, rows."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.comparison import Comparison
from catalog.models import (
    AntiPattern,
    Dimension,
    Pairing,
    PairingCitation,
    Role,
    Source,
    check_pairing_roles,
)
from tests.factories import (
    PJM,
    PM,
    PO,
    SM,
    add_scrum_master,
    build_key_difference,
    build_pairing,
    cite,
    make_anti_pattern,
    make_catalog,
    make_compare_catalog,
    make_dimension,
    make_key_difference,
    make_pairing,
)

PAIR = f"/compare/{PM}/vs/{PJM}/"
HX = {"HX-Request": "true"}


@pytest.fixture
def roles(db) -> dict[str, Role]:
    return make_compare_catalog()


def comparison(a: str = PM, b: str = PJM, **options) -> Comparison:
    return Comparison(*Role.objects.for_comparison(a, b), **options)


def ids(html: str) -> list[str]:
    return re.findall(r' id="([^"]+)"', html)


# --- the full page ---------------------------------------------------------------------------


def test_compare_page_is_the_whole_page_with_every_section(client, roles):
    response = client.get(PAIR)
    html = response.content.decode()
    assert response.status_code == 200
    assert response.template_name == "catalog/compare.html"
    assert html.startswith("<!doctype html>")
    for region in [
        "comparison",
        "overlap",
        "details",
        "dimensions",
        "responsibilities",
        "knowledge",
        "lifecycle",
        "collaborate",
        "sources",
    ]:
        assert f'id="{region}"' in html
    assert len(ids(html)) == len(set(ids(html))), "duplicate ids"
    for template_syntax in ["{#", "#}", "{%", "%}", "{{", "}}"]:
        assert template_syntax not in html


def test_compare_page_names_the_pair_in_title_and_link_preview(client, roles):
    html = client.get(PAIR).content.decode()
    assert "<title>Product manager vs Project manager · Roles</title>" in html
    assert '<meta property="og:title" content="Product manager vs Project manager">' in html
    assert '<meta name="twitter:title" content="Product manager vs Project manager">' in html
    assert f'<link rel="canonical" href="http://testserver{PAIR}">' in html
    assert f'<meta property="og:url" content="http://testserver{PAIR}">' in html
    description = re.search(r'<meta name="description" content="([^"]+)">', html)[1]
    assert "Product manager and Project manager side by side" in description
    assert "Owns the product from idea to retirement." in description


def test_canonical_url_drops_the_view_state(client, roles):
    html = client.get(f"{PAIR}?diff=1&function=planning").content.decode()
    assert f'<link rel="canonical" href="http://testserver{PAIR}">' in html


def test_compare_responses_vary_on_htmx_headers(client, roles):
    vary = client.get(PAIR)["Vary"]
    assert "HX-Request" in vary
    assert "HX-Target" in vary


def test_compare_answers_head_and_refuses_post(client, roles):
    assert client.head(PAIR).status_code == 200
    assert client.post(PAIR).status_code == 405


def test_repeat_visit_is_a_304(client, roles):
    first = client.get(PAIR)
    again = client.get(PAIR, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


# --- partials --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "partial"),
    [
        ("comparison", "comparison"),
        ("details", "details_swap"),
        ("responsibilities", "responsibilities_swap"),
    ],
)
def test_htmx_request_gets_the_partial_its_target_names(client, roles, target, partial):
    response = client.get(PAIR, headers={**HX, "HX-Target": target})
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert response.template_name == f"catalog/compare.html#{partial}"
    assert re.match(rf'<(div|section) id="{target}"', html)
    assert "<html" not in html
    assert "<title>" not in html  # an SVG <title id=…> is fine: htmx only reads a root one


def test_responsibilities_partial_holds_that_section_and_the_controls_that_keep_state(
    client, roles
):
    url = f"{PAIR}?function=planning"
    html = client.get(url, headers={**HX, "HX-Target": "responsibilities"}).content.decode()
    assert 'id="responsibilities"' in html
    assert 'id="knowledge"' not in html
    assert 'id="dimensions"' not in html
    # Out of band: the toggle and the swap link now keep the function filter.
    assert '<div id="view-toggle" class="view-toggle controls" data-hx-swap-oob="true">' in html
    assert f'href="{PAIR}?function=planning&amp;diff=1"' in html
    swap = re.search(r'<a id="swap-sides"[^>]* href="([^"]+)"', html)
    assert swap[1] == f"/compare/{PJM}/vs/{PM}/?function=planning"
    assert html.count('data-hx-swap-oob="true"') == 2


def test_details_partial_holds_the_three_tables_and_not_the_rest(client, roles):
    html = client.get(PAIR, headers={**HX, "HX-Target": "details"}).content.decode()
    for region in ["dimensions", "responsibilities", "knowledge"]:
        assert f'id="{region}"' in html
    for region in ["overlap", "lifecycle", "collaborate", "sources", "comparison"]:
        assert f'id="{region}"' not in html
    assert html.count('data-hx-swap-oob="true"') == 1
    assert 'id="swap-sides"' in html


def test_htmx_attributes_use_the_valid_data_form(client, roles):
    """htmx reads data-hx-*; a bare hx-* attribute is an HTML validation error."""
    for query in ["", "?function=planning&diff=1"]:
        html = client.get(PAIR + query).content.decode()
        comparison_region = html.split('<div id="comparison"')[1]
        assert "data-hx-get=" in comparison_region
        assert not re.search(r"\shx-[a-z-]+=", comparison_region)


def test_full_page_has_no_out_of_band_markup(client, roles):
    html = client.get(PAIR).content.decode()
    assert "data-hx-swap-oob" not in html
    assert html.count('id="view-toggle"') == 1
    assert html.count('id="swap-sides"') == 1


def test_unknown_htmx_target_gets_the_whole_comparison(client, roles):
    response = client.get(PAIR, headers={**HX, "HX-Target": "site-search"})
    assert response.template_name == "catalog/compare.html#comparison"


def test_history_restore_gets_the_whole_page(client, roles):
    response = client.get(
        PAIR, headers={**HX, "HX-Target": "details", "HX-History-Restore-Request": "true"}
    )
    assert response.template_name == "catalog/compare.html"
    assert response.content.decode().startswith("<!doctype html>")


def test_htmx_partial_and_full_page_have_different_etags(client, roles):
    assert client.get(PAIR)["ETag"] != client.get(PAIR, headers=HX)["ETag"]


def test_swapped_comparison_carries_its_title_and_announcement(client, roles):
    html = client.get(PAIR, headers={**HX, "HX-Target": "comparison"}).content.decode()
    assert 'data-announce="Comparing Product manager with Project manager"' in html
    assert 'data-title="Product manager vs Project manager · Roles"' in html
    assert f'data-canonical="http://testserver{PAIR}"' in html
    assert '<h1 class="compare-title" tabindex="-1">' in html


# --- addresses: 404, 301, any pair -----------------------------------------------------------


@pytest.mark.parametrize("url", [f"/compare/{PM}/vs/nobody/", f"/compare/nobody/vs/{PJM}/"])
def test_unknown_role_on_either_side_is_a_404(client, roles, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (f"/compare/product-lead/vs/{PJM}/", PAIR),
        (f"/compare/{PJM}/vs/product-lead/", f"/compare/{PJM}/vs/{PM}/"),
        ("/compare/product-lead/vs/product-lead/", f"/compare/{PM}/vs/{PM}/"),
        (f"/compare/product-lead/vs/{PJM}/?diff=1", f"{PAIR}?diff=1"),
    ],
)
def test_renamed_role_on_either_side_redirects_permanently(client, roles, url, target):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == target


def test_renaming_a_role_keeps_old_comparison_links_working(client, roles):
    role = roles[PJM]
    role.slug = "delivery-manager"
    role.save()
    response = client.get(PAIR)
    assert response.status_code == 301
    assert response["Location"] == f"/compare/{PM}/vs/delivery-manager/"


def test_comparing_a_role_with_itself_says_so_and_offers_the_picker(client, roles):
    response = client.get(f"/compare/{PM}/vs/{PM}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You are comparing Product manager with itself" in html
    assert 'name="a"' in html and 'name="b"' in html
    assert 'id="details"' not in html
    assert "<title>Product manager compared with itself · Roles</title>" in html


@pytest.mark.parametrize(("a", "b"), [(PM, PO), (PO, PJM), (PJM, PO), (PO, PM)])
def test_any_pair_of_three_roles_compares(client, roles, a, b):
    response = client.get(f"/compare/{a}/vs/{b}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{roles[a].name} vs {roles[b].name}" in html


def test_synthetic_catalog_of_three_roles_compares_every_pair(client, db):
    made = make_catalog(roles=3)
    for a in made:
        for b in made:
            assert client.get(f"/compare/{a.slug}/vs/{b.slug}/").status_code == 200


# --- view state: function filter and differences only ---------------------------------------


@pytest.mark.parametrize(
    "query",
    ["?function=nope", "?diff=yes", "?diff=", "?function=", "?diff=1&diff=2", "?function=%00"],
)
def test_bad_view_parameters_are_ignored(client, roles, query):
    response = client.get(PAIR + query)
    assert response.status_code == 200
    assert response.context_data["comparison"].function is None


def test_function_filter_keeps_one_function_row(client, roles):
    response = client.get(
        f"{PAIR}?function=planning", headers={**HX, "HX-Target": "responsibilities"}
    )
    html = response.content.decode()
    assert 'id="compare-function-planning"' in html
    assert 'id="compare-function-strategy"' not in html
    assert f'id="{PJM}-break-down-plans"' in html
    assert 'aria-current="true">Planning</a>' in html
    assert 'data-announce="Showing Planning responsibilities"' in html


def test_differences_only_hides_what_matches(client, roles):
    html = client.get(f"{PAIR}?diff=1").content.decode()
    # Identical answers (compared without case or spacing), a function both work in with the same
    # weight, knowledge both need at the same level: hidden.
    assert f'id="{PM}-trait-shared-work"' not in html
    assert 'id="compare-function-communication"' not in html
    assert 'id="compare-knowledge-risk"' not in html
    # Different answers, levels or weights stay.
    assert f'id="{PM}-trait-key-question"' in html
    assert 'id="compare-knowledge-scope"' in html
    assert 'id="compare-function-strategy"' in html
    assert 'aria-current="true">Only differences</a>' in html


def test_view_state_links_keep_each_other(roles):
    view = comparison(function="planning", diff=True)
    assert view.url_everything == f"{PAIR}?function=planning"
    assert view.url_differences == f"{PAIR}?function=planning&diff=1"
    assert view.url_all_functions == f"{PAIR}?diff=1"
    assert view.swapped_url == f"/compare/{PJM}/vs/{PM}/?function=planning&diff=1"
    strategy = next(c for c in view.function_choices if c.function.slug == "strategy")
    assert strategy.url == f"{PAIR}?function=strategy&diff=1"


# --- what the comparison holds ---------------------------------------------------------------


def test_dimension_rows_are_in_order_and_mark_what_is_missing(client, roles):
    view = comparison()
    assert [row.dimension.slug for row in view.dimension_rows] == [
        "main-objective",
        "key-question",
        "time-scope",
        "shared-work",
    ]
    time_scope = view.dimension_rows[2]
    assert time_scope.cells[0].trait is None
    assert time_scope.cells[1].trait.text.startswith("Temporary")
    html = client.get(PAIR).content.decode()
    assert "not recorded</span>" in html
    assert f'class="item accent-0" id="{PM}-trait-main-objective"' in html
    # Without a pairing the key questions make the bottom line, and keep their anchors there.
    assert f'<li class="item accent-0" id="{PM}-trait-key-question">' in html


def test_key_functions_name_the_roles_each_is_key_for(roles):
    keys = comparison().key_functions
    assert [(k.function.slug, [r.slug for r in k.roles]) for k in keys] == [
        ("strategy", [PM]),
        ("vision", [PM]),
        ("tech-knowledge", [PJM]),
    ]


def test_picture_of_where_they_meet_counts_own_responsibilities_and_shared_activities(
    client, roles
):
    view = comparison()
    assert [(t.role.slug, t.responsibilities) for t in view.tallies] == [(PM, 4), (PJM, 3)]
    assert [f.slug for f in view.tallies[0].key_functions] == ["strategy", "vision"]
    html = client.get(PAIR).content.decode()
    picture = html.split('id="overlap"')[1].split("</figure>")[0]
    # It says what it counts, and knowledge areas are not among it.
    assert "What this counts: responsibilities" in picture
    assert "<strong>4</strong> responsibilities" in picture
    assert "<strong>3</strong> shared activities" in picture
    assert "Knowledge" not in picture and "knowledge area" not in picture
    assert (
        "Product manager: 4 of its own; Project manager: 3 of its own. "
        "Activities they take part in together: 3." in picture
    )


def test_responsibilities_are_grouped_by_function_with_key_functions_marked(roles):
    rows = {row.function.slug: row for row in comparison().function_rows}
    assert list(rows) == [
        "strategy",
        "vision",
        "communication",
        "planning",
        "tech-knowledge",
        "research",
    ]
    assert rows["strategy"].cells[0].is_key
    assert not rows["strategy"].cells[1].holds
    tech = rows["tech-knowledge"].cells[1]
    assert tech.is_key and tech.responsibilities == []
    assert [d.slug for d in rows["planning"].cells[1].responsibilities] == [
        "break-down-plans",
        "analyse-risk",
    ]


def test_knowledge_rows_show_each_level_and_note(client, roles):
    html = client.get(PAIR).content.decode()
    assert f'id="{PM}-knowledge-scope"' in html
    assert '<span class="need need--useful">Useful</span>' in html
    assert "Guards the project scope." in html
    assert "not needed</span>" in html


def test_lifecycle_lists_every_stage_in_order_with_words(client, roles):
    view = comparison()
    assert [row.stage.slug for row in view.lifecycle] == [
        "conceive",
        "plan",
        "develop",
        "launch",
        "retire",
    ]
    assert [cell.level for cell in view.lifecycle[0].cells] == ["leads", "none"]
    html = client.get(PAIR).content.decode()
    assert "<caption>Stage by stage</caption>" in html
    assert '<span class="involvement involvement--supports">Supports</span>' in html
    assert '<span class="involvement involvement--none">Not involved</span>' in html
    assert html.count('class="timeline__bar timeline__bar--leads') == 4 + 3


def test_lifecycle_summary_says_how_much_each_role_covers(roles):
    assert comparison().lifecycle_summary == [
        "Product manager takes part in every stage: leads 4, supports 1.",
        "Project manager leads 3 of 5 stages and supports 1.",
    ]


def test_lifecycle_says_not_recorded_for_a_role_without_stages(roles):
    view = comparison(PM, PO)
    assert {cell.label for row in view.lifecycle for cell in row.cells[1:]} == {"Not recorded"}


def test_where_they_collaborate_lists_shared_activities_with_raci_in_words(client, roles):
    view = comparison()
    assert [row.collaboration.slug for row in view.collaborations] == [
        "strategy-to-execution",
        "roadmap-to-plan",
        "status-reporting",
    ]
    html = client.get(PAIR).content.decode()
    assert 'id="collaboration-strategy-to-execution"' in html
    assert 'id="collaboration-backlog-refinement"' not in html
    assert "Accountable: owns the outcome" in html
    assert "Responsible: does the work" in html
    assert "Consulted: is asked before" in html
    assert "Informed: is told after" in html


def test_sources_are_those_cited_on_the_page_numbered_in_order(client, roles):
    view = comparison()
    assert [source.slug for source in view.sources] == ["seed", "pmbok"]
    html = client.get(PAIR).content.decode()
    assert 'id="source-seed"' in html
    assert 'id="source-unused"' not in html
    assert (
        '<a class="cite" href="#source-pmbok"><span class="visually-hidden">Source </span>[2]</a>'
        in html
    )


def test_every_row_has_an_anchor_and_one_share_control(client, roles):
    html = client.get(PAIR).content.decode()
    rows = [
        "difference-main-objective",
        "difference-shared-work",
        "compare-function-planning",
        "compare-knowledge-technical",
        "compare-stage-develop",
        "collaboration-status-reporting",
    ]
    for anchor in rows:
        assert f'id="{anchor}"' in html
        assert html.count(f'class="item-link" href="#{anchor}"') == 1
    # One per row, not per cell: every share control links to a row, and cells only carry ids.
    links = re.findall(r'class="item-link" href="#([^"]+)"', html)
    assert len(links) == len(set(links))
    assert all(link.startswith(("difference-", "compare-", "collaboration-")) for link in links), (
        links
    )
    for cell in [f"{PM}-trait-main-objective", f"{PJM}-break-down-plans", f"{PM}-stage-develop"]:
        assert f'id="{cell}"' in html
        assert f'href="#{cell}"' not in html


def test_share_controls_on_the_page_are_one_per_row(client, roles):
    view = comparison()
    html = client.get(PAIR).content.decode()
    expected = (
        len(view.key_difference_rows)
        + len(view.visible_dimension_rows)
        + len(view.visible_function_rows)
        + len(view.visible_knowledge_rows)
        + len(view.lifecycle)
        + len(view.collaborations)
    )
    assert html.count('class="item-link"') == expected == 2 + 1 + 6 + 4 + 5 + 3


# --- the answer first: bottom line and key differences ---------------------------------------


def write_pairing(*slugs: str, dimensions: tuple[str, ...] = (), **fields) -> Pairing:
    """A pairing as the admin writes one: checked, saved, cited, with its key differences."""
    roles = [Role.objects.get(slug=slug) for slug in slugs]
    pairing = build_pairing(
        *roles,
        bottom_line=fields.get("bottom_line", "One owns the product. The other delivers."),
        **({"slug": fields["slug"]} if "slug" in fields else {}),
    )
    pairing.full_clean()
    check_pairing_roles(roles)
    citation = PairingCitation(
        source=Source.objects.get(slug=fields.get("source", "pmbok")),
        locator=fields.get("locator", "Section 1.2"),
    )
    citation.full_clean(exclude=["item"])
    pairing.save()
    pairing.roles.set(roles)
    citation.item = pairing
    citation.save()
    for order, slug in enumerate(dimensions):
        make_key_difference(pairing, Dimension.objects.get(slug=slug), order=order)
    return pairing


def test_page_opens_with_the_bottom_line_then_the_key_differences(client, roles):
    html = client.get(PAIR).content.decode()
    order = [html.index(f'id="{region}"') for region in ["bottom-line", "key-differences"]]
    later = [html.index(f'id="{region}"') for region in ["collaborate", "details", "lifecycle"]]
    assert order == sorted(order) and max(order) < min(later)
    assert html.index("<h1") < order[0]


def test_editors_bottom_line_is_shown_cited_with_its_locator(client, roles):
    bottom_line = "One owns the product. The other delivers."
    write_pairing(PJM, PM, dimensions=("time-scope",), bottom_line=bottom_line)
    html = client.get(PAIR).content.decode()
    bottom = html.split('id="bottom-line"')[1].split("</section>")[0]
    assert "One owns the product. The other delivers." in bottom
    number = comparison().bottom_line[0].citations[0].source.number
    assert f'href="#source-pmbok"><span class="visually-hidden">Source </span>[{number}]' in bottom
    sources = html.split('id="sources"')[1]
    assert "For the bottom line: Section 1.2" in sources


def test_without_a_pairing_the_bottom_line_is_each_roles_key_question(roles):
    view = comparison()
    assert view.pairing is None
    assert view.bottom_line_text == (
        "The product manager asks “What and why?” The project manager asks “How and when?”"
    )
    assert [[c.source.slug for c in s.citations] for s in view.bottom_line] == [["seed"], ["seed"]]


def test_a_role_without_a_key_question_is_summed_up_by_its_summary(roles):
    view = comparison(PM, PO)
    assert view.bottom_line_text == (
        "The product manager asks “What and why?” "
        "The product owner: Orders the backlog for one team."
    )


def test_key_differences_follow_the_editors_choice_with_the_key_question_first(roles):
    write_pairing(PM, PJM, dimensions=("shared-work", "time-scope"))
    assert [row.dimension.slug for row in comparison().key_difference_rows] == [
        "key-question",
        "shared-work",
        "time-scope",
    ]
    # Either order of the pair finds the same record.
    assert comparison(PJM, PM).pairing == comparison().pairing


def test_editors_may_place_the_key_question_themselves(roles):
    write_pairing(PM, PJM, dimensions=("time-scope", "key-question"))
    assert [row.dimension.slug for row in comparison().key_difference_rows] == [
        "time-scope",
        "key-question",
    ]


def test_without_a_pairing_key_differences_are_the_rows_that_differ(roles):
    view = comparison()
    # The bottom line already gives each role's key question, so the table doesn't repeat it.
    assert [row.dimension.slug for row in view.key_difference_rows] == [
        "main-objective",
        "time-scope",
    ]
    # The rest of the dimensions follow in the details, each said once.
    assert [row.dimension.slug for row in view.other_dimension_rows] == ["shared-work"]


def test_each_answer_is_said_once_on_the_page(client, roles):
    html = client.get(PAIR).content.decode()
    for text in [
        "What and why?",
        "Complete the project on time.",
        "Works on the same initiatives.",
    ]:
        assert html.count(text) == 1, text
    # The roles' summaries and main goals are not restated beside the bottom line.
    assert "Manage the product." in html  # the main-objective trait, once
    assert "Main goal" not in html


def test_key_difference_rows_give_every_roles_answer_labelled_by_role(client, roles):
    html = client.get(PAIR).content.decode()
    table = html.split('id="key-differences"')[1].split("</section>")[0]
    row = table.split('id="difference-time-scope"')[1].split("</tr>")[0]
    assert '<th scope="row"><span class="row-label">Scope in time</span>' in row
    assert row.count('class="cell-role role-tag"') == 2
    assert "not recorded" in row and "Temporary, with a fixed start and end." in row


# --- the pairing record ----------------------------------------------------------------------


def test_a_pairing_is_named_by_its_roles_and_found_by_them_in_any_order(roles):
    pairing = write_pairing(PJM, PM)
    assert pairing.slug == f"{PM}-vs-{PJM}"
    assert pairing.natural_key() == (pairing.slug,)
    assert Pairing.objects.get_by_natural_key(pairing.slug) == pairing
    for order in [[roles[PM], roles[PJM]], [roles[PJM], roles[PM]]]:
        assert Pairing.objects.for_roles(order).get() == pairing
    assert not Pairing.objects.for_roles([roles[PM], roles[PJM], roles[PO]]).exists()
    assert pairing.get_absolute_url() == PAIR


def test_a_set_of_three_roles_has_its_own_pairing(roles):
    pair = write_pairing(PM, PJM)
    trio = write_pairing(PO, PJM, PM, bottom_line="Three roles. Each differs.")
    assert trio.slug == "-vs-".join(sorted([PM, PJM, PO]))
    assert Pairing.objects.for_roles([roles[PO], roles[PM], roles[PJM]]).get() == trio
    assert Pairing.objects.for_roles([roles[PJM], roles[PM]]).get() == pair
    assert trio.get_absolute_url() == f"{PAIR}vs/{PO}/"


def test_a_set_of_roles_has_one_pairing_whichever_order(roles):
    from django.core.exceptions import ValidationError

    write_pairing(PM, PJM)
    with pytest.raises(ValidationError, match="already have a pairing"):
        write_pairing(PJM, PM, slug="again", bottom_line="Again.")
    assert Pairing.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bottom_line": "One. Two. Three. Four."}, "one to three sentences"),
        ({"bottom_line": "   "}, "one to three sentences"),
        ({"locator": " ".join(["word"] * 26)}, "at most 25 words"),
    ],
)
def test_a_pairing_is_short_and_cited_exactly(roles, fields, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        write_pairing(PM, PJM, **fields)


@pytest.mark.parametrize("slugs", [[PM], [PM, PM], [PM, PJM, PO, PM, PJM]], ids=str)
def test_a_pairing_holds_two_to_four_different_roles(roles, slugs):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="2 to 4 different roles"):
        write_pairing(*slugs)


def test_at_most_six_key_differences_counting_the_key_question(roles):
    from django.core.exceptions import ValidationError

    extra = [make_dimension(f"extra-{i}", order=10 + i) for i in range(3)]
    pairing = write_pairing(PM, PJM, dimensions=("main-objective", "time-scope", "shared-work"))
    for order, dimension in enumerate(extra[:2], start=4):
        build_key_difference(pairing, dimension, order=order).full_clean()
        make_key_difference(pairing, dimension, order=order)
    # Five chosen, plus the key question that is always shown, make six: no seventh.
    with pytest.raises(ValidationError, match="at most 6 key differences"):
        build_key_difference(pairing, extra[2], order=6).full_clean()
    # Listing the key question itself takes the sixth place.
    build_key_difference(pairing, Dimension.objects.get(slug="key-question")).full_clean()


def test_admin_refuses_a_seventh_key_difference_in_one_save(roles, admin_client):
    for i in range(6):
        make_dimension(f"extra-{i}", order=10 + i)
    url = reverse("admin:catalog_pairing_add")
    assert admin_client.get(url).status_code == 200
    chosen = Dimension.objects.filter(slug__startswith="extra-")
    data = {
        "roles": [roles[PM].pk, roles[PJM].pk],
        "bottom_line": "They differ.",
        "citations-TOTAL_FORMS": 1,
        "citations-INITIAL_FORMS": 0,
        "citations-MIN_NUM_FORMS": 0,
        "citations-MAX_NUM_FORMS": 1000,
        "citations-0-source": Source.objects.get(slug="seed").pk,
        "citations-0-locator": "p. 1",
        "citations-0-order": 0,
        "key_differences-TOTAL_FORMS": 6,
        "key_differences-INITIAL_FORMS": 0,
        "key_differences-MIN_NUM_FORMS": 0,
        "key_differences-MAX_NUM_FORMS": 6,
    }
    for i, dimension in enumerate(chosen):
        data[f"key_differences-{i}-dimension"] = dimension.pk
        data[f"key_differences-{i}-order"] = i
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "at most 6 key differences" in response.content.decode()
    assert not Pairing.objects.exists()
    data["key_differences-TOTAL_FORMS"] = 5
    response = admin_client.post(url, data)
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.key_differences.count() == 5
    assert pairing.slug == f"{PM}-vs-{PJM}"  # filled in from the roles
    assert [c.locator for c in pairing.citations.all()] == ["p. 1"]


def test_admin_refuses_a_second_pairing_of_the_same_roles(roles, admin_client):
    write_pairing(PM, PJM)
    data = {
        "roles": [roles[PJM].pk, roles[PM].pk],
        "slug": "another",
        "bottom_line": "They differ.",
        "key_differences-TOTAL_FORMS": 0,
        "key_differences-INITIAL_FORMS": 0,
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:catalog_pairing_add"), data)
    assert response.status_code == 200
    assert "These roles already have a pairing" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_editors_may_edit_pairings(db):
    from django.contrib.auth.models import Group

    granted = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    for model in ["pairing", "keydifference", "pairingcitation", "confusion"]:
        assert {f"{action}_{model}" for action in ["add", "change", "delete", "view"]} <= granted


def test_the_seed_bottom_line_is_in_our_own_words(seed_catalog):
    from pathlib import Path

    from django.conf import settings

    def runs(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9']+", text.casefold())
        return {tuple(words[i : i + 8]) for i in range(len(words) - 7)}

    seed = Path(settings.BASE_DIR).parent / "shared" / "seed"
    seed_runs = (
        set().union(*(runs(f.read_text()) for f in seed.glob("*.txt"))) if seed.is_dir() else set()
    )
    pairing = Pairing.objects.get_by_natural_key("product-manager-vs-project-manager")
    assert not runs(pairing.bottom_line) & seed_runs
    assert all(c.source.url and c.locator for c in pairing.citations.all())
    assert pairing.citations.exists()
    assert 1 <= len(re.findall(r"[.!?](?:\s|$)", pairing.bottom_line)) <= 3


# --- depth on demand -------------------------------------------------------------------------


def test_a_function_only_one_role_works_in_is_one_row_for_that_role(client, roles):
    view = comparison()
    rows = {row.function.slug: row for row in view.function_rows}
    assert rows["strategy"].sole.role.slug == PM
    assert rows["planning"].sole.role.slug == PJM
    assert rows["communication"].sole is None
    html = client.get(PAIR).content.decode()
    strategy = html.split('id="compare-function-strategy"')[1].split("</tr>")[0]
    assert 'colspan="2"' in strategy
    assert "Only Product manager" in strategy
    assert "none recorded" not in strategy


def test_details_are_closed_sections_that_the_page_still_holds(client, roles):
    html = client.get(PAIR).content.decode()
    assert html.count('<details class="fold') == 6  # the sixth: the rungs side by side
    assert '<details class="fold" open' not in html and " open>" not in html
    # Closed, not left out: every row is in the page for find-in-page and screen readers.
    for anchor in ["compare-function-planning", "compare-knowledge-scope", "compare-stage-plan"]:
        assert f'id="{anchor}"' in html


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?print=all", {}),
        ("?diff=1", {}),
        ("?function=planning", {}),
        ("", {**HX, "HX-Target": "details"}),
    ],
)
def test_details_open_when_asked_for(client, roles, query, headers):
    html = client.get(PAIR + query, headers=headers).content.decode()
    assert "<details" in html
    assert re.findall(r"<details[^>]*>", html) == [
        tag for tag in re.findall(r"<details[^>]*>", html) if tag.endswith(" open>")
    ]


def test_print_everything_link_and_page(client, roles):
    html = client.get(PAIR).content.decode()
    assert f'<a href="{PAIR}?print=all">print everything</a>' in html
    assert 'class="comparison comparison--roles-2 print-summary"' in html
    html = client.get(f"{PAIR}?print=all").content.decode()
    assert 'class="comparison comparison--roles-2"' in html
    assert f'<link rel="canonical" href="http://testserver{PAIR}">' in html


# --- the picker page -------------------------------------------------------------------------


def test_picker_page_defaults_to_the_first_two_roles(client, roles):
    response = client.get("/compare/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.template_name == "catalog/compare_start.html"
    assert f'<option value="{PM}" selected>' in html.split('name="b"')[0]
    assert f'<option value="{PJM}" selected>' in html.split('name="b"')[1]
    assert "<title>Compare roles · Roles</title>" in html


def test_picker_with_two_roles_redirects_to_the_comparison(client, roles):
    response = client.get("/compare/", {"a": PJM, "b": PO})
    assert response.status_code == 302
    assert response["Location"] == f"/compare/{PJM}/vs/{PO}/"


@pytest.mark.parametrize(
    "query",
    [{"a": "nobody", "b": PJM}, {"a": PM}, {"b": PM}, {"a": "", "b": ""}, {"a": "<x>", "b": PM}],
)
def test_picker_with_bad_roles_shows_the_form_with_an_error(client, roles, query):
    response = client.get("/compare/", query)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in html
    assert 'class="form-error"' in html
    assert 'aria-invalid="true"' in html
    assert "<x>" not in html


def test_picker_ignores_unrelated_parameters(client, roles):
    response = client.get("/compare/", {"utm_source": "chat"})
    assert response.status_code == 200
    assert "noindex" not in response.content.decode()


def test_htmx_picker_answers_with_the_comparison_and_pushes_its_url(client, roles):
    response = client.get(
        "/compare/", {"a": PJM, "b": PM}, headers={**HX, "HX-Target": "comparison"}
    )
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/compare/{PJM}/vs/{PM}/"
    assert response.template_name == "catalog/compare.html#comparison"
    assert html.startswith('<div id="comparison"')
    assert "data-hx-swap-oob" not in html
    assert "Project manager vs Product manager" in html


def test_stale_htmx_picker_loads_the_picker_page_instead_of_swapping_it_in(client, roles):
    url = "/compare/?a=nobody&b=product-manager"
    response = client.get(url, headers={**HX, "HX-Target": "comparison"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == url
    assert response.content == b""


def test_picker_page_with_fewer_than_two_roles_explains(client, db):
    make_catalog(roles=1)
    response = client.get("/compare/")
    assert response.status_code == 200
    assert "A comparison needs at least two roles" in response.content.decode()


# --- query counts ----------------------------------------------------------------------------


# catalog version, the two roles and their 17 prefetches (items and their citations; the ladder
# and the moves out and in added 3, and let the page link the pair's moves with no query), the
# pair's pairing (1 query when there is none, 2 with its chosen dimensions when there is), lifecycle
# stages, the picker's roles.
ROLES_READ = 21
PAGE_QUERIES = 1 + ROLES_READ + 1 + 1 + 1
QUERIES = [
    ("page", PAGE_QUERIES, None),
    ("comparison", PAGE_QUERIES, {**HX, "HX-Target": "comparison"}),
    ("details", 1 + ROLES_READ + 1, {**HX, "HX-Target": "details"}),
    ("responsibilities", 1 + ROLES_READ + 1, {**HX, "HX-Target": "responsibilities"}),
    # The level chooser's answer reads what the details' does: the roles hold their ladders.
    ("levels", 1 + ROLES_READ + 1, {**HX, "HX-Target": "levels"}),
]


@pytest.mark.parametrize(("name", "expected", "headers"), QUERIES)
@pytest.mark.parametrize(("count", "scale"), [(2, 1), (20, 10)])
@pytest.mark.parametrize("written", [False, True], ids=["no-pairing", "pairing"])
def test_compare_query_count_is_fixed_whatever_the_catalog_size(
    client, db, django_assert_num_queries, name, expected, headers, count, scale, written
):
    made = make_catalog(roles=count, scale=scale)
    if written:
        pairing = make_pairing(
            made[0], made[-1], source=Source.objects.first(), bottom_line="They differ."
        )
        for i, dimension in enumerate(Dimension.objects.all()[:3]):
            make_key_difference(pairing, dimension, order=i)
    url = reverse("catalog:compare", args=[made[0].slug, made[-1].slug])
    # A pairing adds its key differences and its citations.
    with django_assert_num_queries(expected + 2 * written):
        assert client.get(url, headers=headers or {}).status_code == 200


@pytest.mark.parametrize(("count", "scale"), [(2, 1), (20, 10)])
def test_picker_query_counts_are_fixed(
    client, db, django_assert_num_queries, settings, count, scale
):
    settings.CATALOG_VERSION_CHECK_SECONDS = 3600
    made = make_catalog(roles=count, scale=scale)
    a, b = made[0].slug, made[-1].slug
    with django_assert_num_queries(2):  # the catalog version, then kept in memory; the roles
        client.get("/compare/")
    with django_assert_num_queries(1):
        client.get("/compare/", {"a": a, "b": b})
    with django_assert_num_queries(1 + ROLES_READ + 1 + 1):
        client.get("/compare/", {"a": a, "b": b}, headers=HX)


def test_self_comparison_query_count(client, roles, django_assert_num_queries):
    with django_assert_num_queries(1 + ROLES_READ + 1):
        client.get(f"/compare/{PM}/vs/{PM}/")


# --- two to four roles -----------------------------------------------------------------------

THREE = f"/compare/{PM}/vs/{PJM}/vs/{PO}/"
FOUR = f"/compare/{PM}/vs/{PJM}/vs/{PO}/vs/{SM}/"


@pytest.fixture
def four(roles) -> dict[str, Role]:
    add_scrum_master(roles)
    return roles


def column_heads(html: str, section: str) -> list[str]:
    table = html.split(f'id="{section}"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col" class="accent-\d+"><span class="role-tag">([^<]+)<', table)


@pytest.mark.parametrize("url", [THREE, FOUR])
def test_three_and_four_roles_compare_on_one_page_with_every_section(client, four, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    for region in ["bottom-line", "key-differences", "collaborate", "details", "lifecycle"]:
        assert f'id="{region}"' in html
    assert len(ids(html)) == len(set(ids(html))), "duplicate ids"
    slugs = url.strip("/").split("/")[1::2]
    names = [four[slug].name for slug in slugs]
    # The order of the URL is the order of the columns, in every table.
    for section in ["key-differences", "collaborate", "knowledge", "lifecycle"]:
        assert column_heads(html, section) == names, section
    title = " vs ".join(names)
    assert f"<title>{title} · Roles</title>" in html
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    card = url.replace("/compare/", "/cards/compare/").rstrip("/") + ".png"
    assert f'<meta property="og:image" content="http://testserver{card}">' in html
    markdown = url.rstrip("/") + ".md"
    assert f'<a href="{markdown}" download>' in html
    assert f'href="/api/v1{url}"' in html


def test_editors_bottom_line_for_exactly_three_roles_leads_their_comparison(client, four):
    write_pairing(
        PO, PJM, PM, dimensions=("time-scope",), bottom_line="Three roles, three outcomes."
    )
    view = comparison_of(PJM, PM, PO)
    assert view.bottom_line_text == "Three roles, three outcomes."
    assert [row.dimension.slug for row in view.key_difference_rows] == [
        "key-question",
        "time-scope",
    ]
    html = client.get(THREE).content.decode()
    bottom = html.split('id="bottom-line"')[1].split("</section>")[0]
    assert "Three roles, three outcomes." in bottom and 'href="#source-pmbok"' in bottom
    # Not for a pair of them, nor for the four.
    assert comparison_of(PM, PJM).pairing is None
    assert comparison_of(PM, PJM, PO, SM).pairing is None


def test_every_row_of_a_four_way_comparison_has_a_cell_per_role(client, four):
    view = comparison_of(PM, PJM, PO, SM)
    for rows in [view.dimension_rows, view.knowledge_rows, view.lifecycle, view.collaborations]:
        assert rows and all(len(row.cells) == 4 for row in rows)
    # The bottom line (no pairing written) is each role's key question, or its summary.
    assert view.bottom_line_text == (
        "The product manager asks “What and why?” The project manager asks “How and when?” "
        "The product owner: Orders the backlog for one team. "
        "The scrum master asks “How do we improve?”"
    )
    html = client.get(FOUR).content.decode()
    row = html.split('id="collaboration-strategy-to-execution"')[1].split("</tr>")[0]
    # A shared activity may lack a part for some of the roles: said in that role's cell.
    assert row.count('class="cell-role role-tag"') == 4
    assert row.count("takes no part") == 2
    status = html.split('id="collaboration-status-reporting"')[1].split("</tr>")[0]
    assert "takes no part" not in status and "Consulted" in status


def test_a_function_only_one_of_four_roles_works_in_is_one_row_for_it(client, four):
    html = client.get(FOUR).content.decode()
    coaching = html.split('id="compare-function-coaching"')[1].split("</tr>")[0]
    assert 'colspan="4"' in coaching and "Only Scrum master" in coaching


def comparison_of(*slugs: str, **options) -> Comparison:
    return Comparison(*Role.objects.for_comparison(*slugs), **options)


def test_words_never_assume_two_roles(four):
    view = comparison_of(PM, PJM, PO)
    assert view.title == "Product manager vs Project manager vs Product owner"
    assert view.announcement == "Comparing Product manager with Project manager and Product owner"
    assert view.details_announcement == "Showing everything all 3 roles do and know"
    assert (
        comparison_of(PM, PJM).details_announcement == "Showing everything both roles do and know"
    )


def test_reverse_and_remove_links_keep_the_other_roles_in_order(client, four):
    view = comparison_of(PM, PJM, PO, SM, diff=True)
    assert view.swapped_url == f"/compare/{SM}/vs/{PO}/vs/{PJM}/vs/{PM}/?diff=1"
    assert [(r.role.slug, r.url) for r in view.removals] == [
        (PM, f"/compare/{PJM}/vs/{PO}/vs/{SM}/"),
        (PJM, f"/compare/{PM}/vs/{PO}/vs/{SM}/"),
        (PO, f"/compare/{PM}/vs/{PJM}/vs/{SM}/"),
        (SM, f"/compare/{PM}/vs/{PJM}/vs/{PO}/"),
    ]
    assert comparison_of(PM, PJM).removals == []
    html = client.get(FOUR).content.decode()
    assert "Reverse the order</a>" in html
    assert (
        f'<a href="/compare/{PM}/vs/{PJM}/vs/{SM}/" data-hx-get="/compare/{PM}/vs/{PJM}/vs/{SM}/">'
        '<span aria-hidden="true">✕ </span>Remove Product owner</a>'
    ) in html
    assert "Remove" not in client.get(PAIR).content.decode().split('id="bottom-line"')[1]


def test_pickers_show_each_role_and_one_more_to_add(client, four):
    def pickers(url: str) -> list[str]:
        html = client.get(url).content.decode()
        return re.findall(r'<select name="([a-d])"', html)

    assert pickers(PAIR) == ["a", "b", "c"]
    assert pickers(THREE) == ["a", "b", "c", "d"]
    assert pickers(FOUR) == ["a", "b", "c", "d"]
    html = client.get(THREE).content.decode()
    assert f'<option value="{PO}" selected>' in html.split('name="c"')[1].split("</select>")[0]
    assert '<option value="" selected>None</option>' in html.split('name="d"')[1]


@pytest.mark.parametrize(
    ("query", "target"),
    [
        ({"a": PM, "b": PJM, "c": PO}, THREE),
        ({"a": PM, "b": PJM, "c": PO, "d": SM}, FOUR),
        ({"a": PM, "b": PJM, "c": "", "d": PO}, THREE),
        ({"a": PM, "b": PJM, "c": "", "d": ""}, PAIR),
    ],
)
def test_picker_without_javascript_redirects_to_the_canonical_address(client, four, query, target):
    response = client.get("/compare/", query)
    assert response.status_code == 302
    assert response["Location"] == target


def test_adding_a_role_in_place_answers_with_the_comparison_and_pushes_its_url(client, four):
    query = {"a": PM, "b": PJM, "c": PO}
    response = client.get("/compare/", query, headers={**HX, "HX-Target": "comparison"})
    assert response["HX-Push-Url"] == THREE
    assert response.template_name == "catalog/compare.html#comparison"
    html = response.content.decode()
    assert html.strip().startswith('<div id="comparison"')
    assert (
        'data-announce="Comparing Product manager with Project manager and Product owner"' in html
    )


def test_removing_a_role_in_place_swaps_the_comparison(client, four):
    response = client.get(THREE, headers={**HX, "HX-Target": "comparison"})
    assert response.template_name == "catalog/compare.html#comparison"
    assert response.content.decode().count('class="compare-title__name') == 3


def test_a_role_picked_twice_is_a_form_error(client, four):
    response = client.get("/compare/", {"a": PM, "b": PJM, "c": PM})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This role is already picked" in html
    assert re.search(r'<select name="c"[^>]* aria-invalid="true"', html)
    assert not re.search(r'<select name="[abd]"[^>]* aria-invalid', html)


def test_five_roles_are_a_400_with_the_pickers_and_why(client, four):
    response = client.get(f"{FOUR}vs/{PM}/")
    html = response.content.decode()
    assert response.status_code == 400
    assert response.template_name == "catalog/compare_start.html"
    assert "two to 4 roles side by side, and this address names 5" in html
    assert '<meta name="robots" content="noindex">' in html
    for name, slug in zip("abcd", [PM, PJM, PO, SM], strict=True):
        picker = html.split(f'name="{name}"')[1].split("</select>")[0]
        assert f'<option value="{slug}" selected>' in picker


def test_a_repeated_role_among_three_says_so_with_the_pickers(client, four):
    response = client.get(f"/compare/{PM}/vs/{PJM}/vs/{PM}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You picked Product manager twice" in html
    assert "<title>Product manager picked twice · Roles</title>" in html
    assert 'id="details"' not in html
    assert '<select name="c"' in html


@pytest.mark.parametrize(
    "url", [f"/compare/{PM}/vs/{PJM}/vs/nobody/", f"/compare/nobody/vs/{PM}/vs/{PJM}/vs/{PO}/"]
)
def test_an_unknown_role_among_several_is_a_404_with_the_pickers(client, four, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert "There is no role called “nobody”" in html
    assert f'<option value="{PM}" selected>' in html.split('name="a"')[1].split("</select>")[0]


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (f"/compare/product-lead/vs/{PJM}/vs/{PO}/", THREE),
        (
            f"/compare/{PJM}/vs/{PO}/vs/{SM}/vs/product-lead/?diff=1",
            f"/compare/{PJM}/vs/{PO}/vs/{SM}/vs/{PM}/?diff=1",
        ),
    ],
)
def test_a_renamed_role_among_several_redirects_keeping_the_rest(client, four, url, target):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.parametrize(
    "url",
    [
        f"/cards/compare/{PM}/vs/{PJM}/vs/{PO}.png",
        f"/cards/compare/{SM}/vs/{PM}/vs/{PJM}/vs/{PO}.png",
    ],
)
def test_link_preview_card_for_three_and_four_roles(client, four, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "url", [f"/cards/compare/{PM}/vs/{PJM}/vs/{PM}.png", f"/cards/compare/{PM}/vs/{PJM}/vs/x.png"]
)
def test_no_card_for_a_repeated_or_unknown_role(client, four, url):
    assert client.get(url).status_code == 404


# The same counts for two, three and four roles, whatever the catalog's size: a comparison reads
# every compared role in one query per kind of item.
@pytest.mark.parametrize(("name", "expected", "headers"), QUERIES)
@pytest.mark.parametrize("compared", [2, 3, 4])
@pytest.mark.parametrize("count", [8, 80])
def test_compare_query_count_is_the_same_for_two_three_and_four_roles(
    client, db, django_assert_num_queries, name, expected, headers, compared, count
):
    made = make_catalog(roles=count)
    url = reverse("catalog:compare", args=[role.slug for role in made[-compared:]])
    with django_assert_num_queries(expected):
        assert client.get(url, headers=headers or {}).status_code == 200


# --- page weight -------------------------------------------------------------------------------

FIRST_LOAD_BUDGET = 60 * 1024  # bytes a first visit downloads, every response compressed


class Assets(HTMLParser):
    """The stylesheets, icons, scripts and images a page names."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon"):
            self.urls.append(a["href"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.urls.append(a["src"])


def first_load(client, path: str) -> int:
    """What a browser downloads on a first visit to `path`: the page as served with gzip, and
    each stylesheet, script and image it names gzipped as whitenoise and nginx serve them."""
    page = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assets = Assets()
    assets.feed(gzip.decompress(page.content).decode())
    total = len(page.content)
    for url in dict.fromkeys(assets.urls):
        found = finders.find(url.removeprefix("/static/"))
        assert found, url
        with open(found, "rb") as file:
            total += len(gzip.compress(file.read(), 9))
    return total


@pytest.mark.parametrize("compared", [2, 4])
def test_first_load_of_a_comparison_of_the_committed_content_is_under_60_kb(
    client, seed_catalog, compared
):
    roles = list(Role.objects.all()[:compared])
    if len(roles) < compared:
        pytest.skip(f"the committed content has {len(roles)} roles")
    path = reverse("catalog:compare", args=[role.slug for role in roles])
    assert first_load(client, path) < FIRST_LOAD_BUDGET


# --- how the confusion goes wrong ------------------------------------------------------------


@pytest.fixture
def mix_ups(roles) -> dict[str, AntiPattern]:
    """A project manager's anti-pattern that comes from taking it for the product manager, one
    that comes from taking it for a scrum master, and one that is about no confusion."""
    add_scrum_master(roles)
    source = Source.objects.get(slug="pmbok")
    made = {
        "scope": make_anti_pattern(roles[PJM], "scope-decider", confused_with=roles[PM]),
        "assigner": make_anti_pattern(roles[PJM], "task-driver", confused_with=roles[SM]),
        "chaser": make_anti_pattern(roles[PJM], "status-chaser"),
    }
    cite(made.values(), source, "Section 4")
    return made


def test_a_comparison_shows_the_anti_patterns_that_explain_its_confusion(client, mix_ups):
    html = client.get(PAIR).content.decode()
    section = html[html.index('id="mix-ups"') : html.index('id="details"')]
    assert f'id="{mix_ups["scope"].anchor}"' in section
    assert "Confused with:</span> Product manager" in section
    assert mix_ups["assigner"].anchor not in html  # its other role is not compared here
    assert mix_ups["chaser"].anchor not in html  # it explains no confusion
    assert '<a href="#mix-ups">' in html
    # Its source is numbered with the page's other sources.
    assert 'href="#source-pmbok"' in section


def test_a_comparison_with_no_such_anti_pattern_has_no_section_for_them(client, roles):
    html = client.get(PAIR).content.decode()
    assert 'id="mix-ups"' not in html and "#mix-ups" not in html


def test_the_role_page_links_an_anti_pattern_to_the_comparison_it_explains(client, mix_ups):
    html = client.get(reverse("catalog:role-detail", args=[PJM])).content.decode()
    assert f'href="{reverse("catalog:compare", args=[PJM, PM])}"' in html


def test_the_comparison_answer_and_its_markdown_carry_those_anti_patterns(client, mix_ups):
    answer = client.get(f"/api/v1/compare/{PM}/vs/{PJM}/").json()
    assert [(p["role"], p["slug"], p["confused_with"]) for p in answer["anti_patterns"]] == [
        (PJM, "scope-decider", PM)
    ]
    assert answer["anti_patterns"][0]["citations"] == [{"source": "pmbok", "locator": "Section 4"}]
    markdown = client.get(f"/compare/{PM}/vs/{PJM}.md").content.decode()
    assert "## When one is taken for another" in markdown
    assert "confused with Product manager" in markdown


def test_anti_patterns_shown_cost_the_comparison_no_query_each(client, roles):
    source = Source.objects.get(slug="pmbok")
    cite([make_anti_pattern(roles[PJM], "scope-decider", confused_with=roles[PM])], source)
    with CaptureQueriesContext(connection) as one:
        client.get(PAIR)
    more = [make_anti_pattern(roles[PM], f"drift-{i}", confused_with=roles[PJM]) for i in range(4)]
    cite(more, source)
    with CaptureQueriesContext(connection) as five:
        assert client.get(PAIR).content.decode().count("Confused with:") == 5
    assert len(five) == len(one)
