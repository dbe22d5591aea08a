"""The public pages over HTTP: home, roles, a role, sources, errors, robots and sitemap (search:
tests/test_search.py)."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from catalog.models import Role
from tests.factories import make_admin_catalog, make_catalog, make_page_catalog, make_role

pytestmark = pytest.mark.django_db

PAGES = [
    ("/", "catalog/home.html"),
    ("/roles/", "catalog/role_list.html"),
    ("/roles/product-manager/", "catalog/role_detail.html"),
    ("/search/?q=roadmap", "catalog/search.html"),
    ("/search/", "catalog/search.html"),
    ("/sources/", "catalog/sources.html"),
]
PAGE_URLS = [url for url, _ in PAGES]
HX = {"HX-Request": "true"}
LIVE = {"HX-Request": "true", "HX-Target": "live-results"}


@pytest.fixture
def catalog() -> dict[str, Role]:
    return make_page_catalog()


def html(response) -> str:
    return response.content.decode()


def ids_in(page: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', page)


# --- every page ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "template"), PAGES)
def test_page_renders_its_template(client, catalog, url, template):
    response = client.get(url)
    assert response.status_code == 200
    assert response.template_name == template
    page = html(response)
    assert page.startswith("<!doctype html>")
    assert '<main id="main"' in page


@pytest.mark.parametrize("url", PAGE_URLS)
def test_page_varies_on_htmx_and_carries_an_etag(client, catalog, url):
    response = client.get(url)
    assert "HX-Request" in response.headers["Vary"]
    assert response.headers["ETag"]
    # Shared caches may keep it briefly; browsers revalidate every time (tests/test_conditional.py).
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=0" in response.headers["Cache-Control"]


@pytest.mark.parametrize("url", PAGE_URLS)
def test_repeat_visit_with_matching_etag_is_304(client, catalog, url):
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("url", PAGE_URLS)
def test_head_is_allowed_and_post_is_not(client, catalog, url):
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("url", PAGE_URLS)
def test_page_has_unique_ids(client, catalog, url):
    ids = ids_in(html(client.get(url)))
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize(
    ("url", "title", "description"),
    [
        ("/", "Roles people mix up, side by side", "What a Product manager and Project manager"),
        ("/roles/", "All roles", "Every role in the catalog: Product manager and Project manager."),
        (
            "/roles/product-manager/?function=vision",
            "Product manager: what the role does",
            "Owns the product from its first idea",
        ),
        ("/sources/", "Sources", "Every source the catalog cites"),
    ],
)
def test_link_preview_meta(client, catalog, url, title, description):
    page = html(client.get(url))
    path = url.split("?")[0]
    assert f'<link rel="canonical" href="http://testserver{path}">' in page
    assert f'<meta property="og:title" content="{title}">' in page
    assert f'<meta name="twitter:title" content="{title}">' in page
    assert f'<meta property="og:url" content="http://testserver{path}">' in page
    assert re.search(rf'<meta name="description" content="{re.escape(description)}', page)
    assert re.search(rf'<meta property="og:description" content="{re.escape(description)}', page)
    assert f"<title>{title} · Roles</title>" in page


@pytest.mark.parametrize("url", ["/", "/roles/", "/sources/", "/search/?q=plan"])
def test_pages_without_a_partial_answer_htmx_with_the_whole_page(client, catalog, url):
    response = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in html(response)


# --- home and role list --------------------------------------------------------------------------


def test_home_shows_each_role_at_a_glance(client, catalog):
    page = html(client.get("/"))
    for role in Role.objects.all():
        assert f'class="card role-card accent-{role.accent}"' in page
        assert role.summary in page
        assert role.main_goal in page
    assert "What should we build, and why?" in page  # the key-question trait
    assert "How and when will we deliver it?" in page
    assert page.index("Product manager") < page.index("Project manager")


def test_home_offers_a_comparison_and_search(client, catalog):
    page = html(client.get("/"))
    assert '<form class="compare-form" action="/compare/" method="get">' in page
    assert '<select id="compare-a" name="a">' in page
    assert '<select id="compare-b" name="b">' in page
    assert '<option value="project-manager" selected>' in page
    assert 'action="/search/" method="get"' in page


def test_home_leads_with_the_question_then_the_picker_then_the_roles(client, catalog):
    page = html(client.get("/"))
    assert '<h1 id="home-heading">Which roles are you mixing up?</h1>' in page
    assert page.index('id="home-heading"') < page.index('class="compare-form"')
    assert page.index('class="compare-form"') < page.index('id="roles-heading"')


def test_home_with_one_role_has_no_comparison(client, catalog):
    Role.objects.filter(slug="project-manager").delete()
    response = client.get("/")
    assert response.status_code == 200
    assert "compare-form" not in html(response)


def test_home_and_role_list_work_with_an_empty_catalog(client, db):
    assert "No roles have been written yet." in html(client.get("/"))
    assert "No roles have been written yet." in html(client.get("/roles/"))


def test_role_list_shows_every_role_as_a_card_in_order(client, catalog):
    make_role("analyst", name="Business analyst", summary="S", main_goal="G", order=11)
    page = html(client.get("/roles/"))
    names = re.findall(r'<h2 class="role-card__name"[^>]*><a href="[^"]+">([^<]+)</a>', page)
    assert names == ["Product manager", "Project manager", "Business analyst"]
    assert "accent-2" in page


# --- role page -----------------------------------------------------------------------------------


def test_role_page_shows_everything_the_catalog_holds(client, catalog):
    page = html(client.get("/roles/product-manager/"))
    for text in [
        "Owns the product from its first idea",  # summary
        "Manage the product so that it succeeds",  # main goal
        "<p>Builds the roadmap and rallies people behind it.</p>",  # description
        '<li class="tag tag--role">Industry knowledge</li>',  # key function
        "Create and maintain the roadmap",  # responsibility
        "Industry and market",  # knowledge, essential
        "Technical knowledge",  # knowledge, useful
        "What should we build, and why?",  # trait
        'class="item stage stage--leads" id="product-manager-stage-conceive"',  # lifecycle
        'href="/collaboration/#collaboration-strategy-to-execution"',  # collaboration
        "Accountable (A) — owns the outcome:",  # its RACI letter and part
        'href="/sources/#source-seed"',  # sources it cites
        'href="/compare/product-manager/vs/project-manager/"',  # compare with each other role
    ]:
        assert text in page, text


def test_role_page_groups_responsibilities_by_function_in_order(client, catalog):
    page = html(client.get("/roles/product-manager/"))
    groups = re.findall(r'<div class="function-group__head">\s*<h3>([^<]+)</h3>', page)
    assert groups == ["Strategy", "Vision", "Industry knowledge"]


def test_role_page_knowledge_by_level_and_lifecycle_levels(client, catalog):
    page = html(client.get("/roles/project-manager/"))
    essential, useful = page.index("Essential <span"), page.find("Useful <span")
    assert useful == -1  # the project manager holds no "useful" area
    assert page.index("Risk management") > essential
    assert "PMBOK area." in page
    assert 'class="item stage stage--leads" id="project-manager-stage-plan"' in page
    assert 'class="item stage stage--none" id="project-manager-stage-retire"' in page
    assert "Not involved" in page


@pytest.mark.parametrize(
    "anchor",
    [
        "product-manager-roadmap",  # Responsibility.anchor
        "product-manager-knowledge-market",  # RoleKnowledge.anchor
        "product-manager-trait-key-question",  # Trait.anchor
        "product-manager-stage-launch",  # StageInvolvement.anchor
        "collaboration-strategy-to-execution",  # Collaboration.anchor
    ],
)
def test_role_page_items_have_anchor_and_link(client, catalog, anchor):
    page = html(client.get("/roles/product-manager/"))
    assert re.search(rf'class="item[^"]*" id="{anchor}"', page)
    assert re.search(
        rf'<a class="item-link" href="#{anchor}" aria-label="Link to [^"]+">Link</a>', page
    )


def test_role_page_cites_sources_of_items_and_the_role(client, catalog):
    response = client.get("/roles/project-manager/")
    assert [source.slug for source in response.context_data["sources"]] == ["seed"]
    product = client.get("/roles/product-manager/")
    assert [source.slug for source in product.context_data["sources"]] == ["seed"]


def test_role_page_htmx_request_gets_only_the_responsibilities(client, catalog):
    response = client.get("/roles/project-manager/?function=planning", headers=HX)
    page = html(response)
    assert response.template_name == "catalog/role_detail.html#responsibilities"
    assert "<html" not in page
    assert page.strip().startswith('<section id="responsibilities"')
    assert page.count('class="item"') == 2
    assert 'data-announce="Showing 2 of 6 responsibilities, in Planning"' in page
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("query", "pushed"), [("?function=", "/roles/project-manager/"), ("?function=planning", None)]
)
def test_all_functions_pushes_the_plain_address(client, catalog, query, pushed):
    response = client.get(f"/roles/project-manager/{query}", headers=HX)
    assert response.headers.get("HX-Push-Url") == pushed


def test_role_page_history_restore_gets_the_whole_page(client, catalog):
    headers = {**HX, "HX-History-Restore-Request": "true"}
    response = client.get("/roles/project-manager/?function=planning", headers=headers)
    assert response.template_name == "catalog/role_detail.html"
    assert "<html" in html(response)


def test_function_filter_shows_only_that_function(client, catalog):
    response = client.get("/roles/project-manager/?function=risk-and-resources")
    page = html(response)
    assert response.context_data["selected_function"].slug == "risk-and-resources"
    assert [r.slug for r in response.context_data["responsibilities"]] == [
        "analyze-risk",
        "clarify-resources",
    ]
    assert '<option value="risk-and-resources" selected>' in page
    assert "Responsibilities in Risk and resources" in page
    assert (
        'href="/roles/project-manager/#responsibilities" data-hx-get="/roles/project-manager/"'
        in page
    )


def test_filter_links_carry_href_and_hx_get_with_targets_set_once(client, catalog):
    page = html(client.get("/roles/project-manager/"))
    assert (
        'href="/roles/project-manager/?function=planning#responsibilities"\n'
        '           data-hx-get="/roles/project-manager/?function=planning"'
    ) in page
    assert page.count('data-hx-target="#responsibilities"') == 1
    assert page.count('data-hx-push-url="true"') == 1
    assert 'method="get" action="/roles/project-manager/#responsibilities"' in page


@pytest.mark.parametrize(
    "value",
    ["nope", "strategy", "<script>alert(1)</script>", "x" * 5000, "ü%00", "", " planning "],
)
def test_unknown_function_is_ignored_with_a_note(client, catalog, value):
    response = client.get("/roles/project-manager/", {"function": value})
    assert response.status_code == 200
    page = html(response)
    if value.strip() == "planning":
        assert len(response.context_data["responsibilities"]) == 2
        return
    assert len(response.context_data["responsibilities"]) == 6
    assert "<script>alert" not in page
    if value:
        assert "so all of them are shown" in page
    else:
        assert "so all of them are shown" not in page


def test_repeated_function_parameter_uses_the_last(client, catalog):
    response = client.get("/roles/project-manager/?function=nope&function=planning")
    assert response.status_code == 200
    assert len(response.context_data["responsibilities"]) == 2


def test_unknown_role_is_a_helpful_404(client, catalog):
    response = client.get("/roles/no-such-role/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    page = html(response)
    assert 'action="/search/" method="get"' in page
    assert 'href="/roles/product-manager/"' in page
    assert 'href="/roles/project-manager/"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert 'rel="canonical"' not in page


@pytest.mark.parametrize("url", ["/nothing-here/", "/roles/a/b/", "/compare/x/"])
def test_unknown_address_is_the_same_404(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "We could not find that page" in html(response)


def test_404_still_renders_when_the_roles_query_fails(client, catalog, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("database is down")

    monkeypatch.setattr("catalog.views.Role.objects.all", broken)
    response = client.get("/nothing-here/")
    assert response.status_code == 404
    assert "We could not find that page" in html(response)


def test_renamed_role_answers_301_to_the_new_address_keeping_the_query(client, catalog):
    response = client.get("/roles/product-owner/?function=vision")
    assert response.status_code == 301
    assert response.headers["Location"] == "/roles/product-manager/?function=vision"


def test_renaming_a_role_keeps_its_old_links_working(client, catalog):
    role = Role.objects.get(slug="project-manager")
    role.slug = "delivery-manager"
    role.save()
    response = client.get("/roles/project-manager/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/roles/delivery-manager/"
    assert client.get("/roles/delivery-manager/").status_code == 200


# --- sources -------------------------------------------------------------------------------------


def test_sources_page_lists_each_source_with_what_cites_it(client, catalog):
    page = html(client.get("/sources/"))
    for slug in ("seed", "pmbok", "uncited"):
        assert f'class="item source" id="source-{slug}"' in page
        assert f'<a class="item-link" href="#source-{slug}"' in page
    assert 'href="https://www.pmi.org/pmbok-guide-standards"' in page
    assert 'href="/roles/product-manager/#product-manager-roadmap"' in page
    assert 'href="/roles/project-manager/#project-manager-knowledge-technical"' in page
    # A knowledge area has no page of its own: it is named, with where the source says it.
    assert '<dd>Risk management <span class="muted">— Section 1</span></dd>' in page
    assert 'href="/roles/product-manager/#product-manager-trait-key-question"' in page
    assert 'href="/collaboration/#collaboration-strategy-to-execution"' in page
    assert "Nothing cites this source yet." in page


def test_sources_page_counts_citations(client, catalog):
    response = client.get("/sources/")
    counts = {s.slug: s.citation_count for s in response.context_data["sources"]}
    # seed: 2 roles, 6 traits, 12 responsibilities, 1 knowledge, 7 stages, 1 activity
    assert counts == {"seed": 29, "pmbok": 1, "uncited": 0}


# --- query counts: fixed, whatever the catalog's size --------------------------------------------

QUERY_COUNTS = [
    # url, headers, queries: catalog version + what the page reads
    ("/", {}, 5),  # roles, key functions, key-question traits, pairings (none: no roles query)
    ("/roles/", {}, 4),
    # Role.with_page (21 here: the test catalog has no anti-patterns, certifications, codes or
    # levels, so their citations cost no query) + confusions + the other roles. Levels and moves
    # added 3: the ladder, the moves out and the moves in.
    ("/roles/role-1/", {}, 24),
    ("/roles/role-1/?function=function-1", HX, 24),
    ("/sources/", {}, 17),  # sources + fifteen kinds of citation (levels and moves added 2)
    # No catalog version: an error carries no validators.
    ("/roles/no-such-role/", {}, 3),  # role, old slugs, roles on the 404 page
]


@pytest.mark.parametrize(("url", "headers", "queries"), QUERY_COUNTS)
@pytest.mark.parametrize(("roles", "scale"), [(2, 1), (20, 10)])
def test_query_count_is_fixed(
    client, django_assert_num_queries, url, headers, queries, roles, scale
):
    make_catalog(roles=roles, scale=scale)
    with django_assert_num_queries(queries):
        response = client.get(url, headers=headers)
    assert response.status_code in (200, 404)


# --- robots, sitemap, 500 ------------------------------------------------------------------------


def test_robots_txt_allows_all_but_the_admin_and_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = html(response).splitlines()
    assert "User-agent: *" in lines
    assert "Allow: /" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_robots_txt_does_not_reveal_a_custom_admin_address(client, db, settings):
    settings.ADMIN_URL = "hidden-desk/"
    assert "Disallow" not in html(client.get("/robots.txt"))


def test_sitemap_lists_pages_roles_and_each_pair_once(client, catalog):
    make_role("analyst", name="Business analyst", summary="S", main_goal="G", order=3)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = re.findall(r"<loc>http://testserver([^<]+)</loc>", html(response))
    assert locations == [
        "/",
        "/roles/",
        "/collaboration/",
        "/sources/",
        "/changes/",
        "/roles/product-manager/",
        "/roles/project-manager/",
        "/roles/analyst/",
        "/compare/product-manager/vs/project-manager/",
        "/compare/product-manager/vs/analyst/",
        "/compare/project-manager/vs/analyst/",
    ]


def test_500_page_needs_no_database_and_no_context(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
        page = render_to_string("500.html")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert 'href="/"' in page


def test_a_bad_request_gets_the_apps_400_page(db):
    """Django's 400 (here for a Host it does not serve) and nginx's own 400, 413 and 414
    (tests/test_proxy.py) are this page."""
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert "We could not read that request" in response.content.decode()


# --- the committed content ----------------------------------------------------------------------


def test_seed_content_renders_on_every_page(client, seed_catalog):
    roles = list(Role.objects.all())
    assert len(roles) >= 2
    urls = ["/", "/roles/", "/sources/", "/search/?q=plan", "/search/?q=risk+deadline"]
    for role in roles:
        urls.append(role.get_absolute_url())
        functions = {r.function.slug for r in role.responsibilities.select_related("function")}
        urls += [f"{role.get_absolute_url()}?function={slug}" for slug in sorted(functions)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "This page is not built yet" not in html(response)
    home = html(client.get("/"))
    assert "What should we build, and why?" in home  # the seed's key-question trait


def test_role_page_shows_the_shared_activities_beside_each_responsibility(client, db):
    make_admin_catalog()
    html = client.get("/roles/product-manager/").content.decode()
    item = html[html.index('id="product-manager-roadmap"') :]
    item = item[: item.index("</li>")]
    assert (
        '<a href="/collaboration/#collaboration-handoff"><abbr title="Accountable">A</abbr>'
        " — Strategy to execution</a>"
    ) in item
