"""Finding your pair: the home page leads with the confused pairs, each role page lists the roles
it is confused with (why, and a link straight to the comparison) and its other titles, and the
sitemap lists the confused pairs' comparisons."""

from __future__ import annotations

import re

import pytest

from catalog.models import Pairing
from catalog.views import first_sentence
from tests.factories import make_confused_catalog, make_pairing

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles():
    return make_confused_catalog()


def html(response) -> str:
    return response.content.decode()


def section(page: str, element_id: str) -> str:
    return page.split(f'id="{element_id}"')[1].split("</section>")[0]


# --- role page ------------------------------------------------------------------------------------


def test_role_page_lists_the_roles_it_is_confused_with_and_why(client, roles):
    page = html(client.get("/roles/scrum-master/"))
    confused = section(page, "confused-with")
    assert '<h2 id="confused-with-heading">Often confused with</h2>' in confused
    assert (
        '<a class="confusion__link" href="/compare/scrum-master/vs/project-manager/">'
        'Scrum master <span class="confusion__vs">vs</span> Project manager</a>\n'
        '        <p class="confusion__why">Both are seen as the one who keeps work moving.</p>'
    ) in confused
    # In the editors' order, the role itself first in every link.
    assert confused.index("vs</span> Project manager") < confused.index("vs</span> Delivery")
    assert confused.count('href="/compare/scrum-master/vs/') == 2


def test_confused_with_comes_before_the_rest_of_the_page(client, roles):
    page = html(client.get("/roles/scrum-master/"))
    assert page.index('id="confused-with"') < page.index('class="toc"')
    assert page.index('id="confused-with"') < page.index('id="responsibilities"')


def test_a_role_confused_with_nothing_has_no_such_section(client, roles):
    assert 'id="confused-with"' not in html(client.get("/roles/delivery-manager/"))


def test_role_page_says_what_else_the_role_is_called(client, roles):
    page = html(client.get("/roles/programme-manager/"))
    assert (
        '<p class="also-called"><strong>Also called:</strong> program manager, PgM, TPM</p>'
    ) in page
    assert "Also called" not in html(client.get("/roles/product-manager/"))


def test_each_confusion_link_leads_to_a_comparison(client, roles):
    page = html(client.get("/roles/sponsor/"))
    link = section(page, "confused-with").split('href="')[1].split('"')[0]
    assert link == "/compare/sponsor/vs/product-manager/"
    assert client.get(link).status_code == 200


# --- home ---------------------------------------------------------------------------------------


def test_home_leads_with_every_pairing_in_the_catalogs_order(client, roles):
    response = client.get("/")
    page = html(response)
    links = re.findall(r'<a class="pair-link" href="([^"]+)">', page)
    assert links == [
        "/compare/product-manager/vs/product-owner/",
        "/compare/product-manager/vs/sponsor/",
        "/compare/project-manager/vs/scrum-master/",
        "/compare/project-manager/vs/scrum-master/vs/delivery-manager/",
    ]
    assert page.index('class="pair-link"') < page.index('class="compare-form"')
    assert page.index('class="compare-form"') < page.index('id="roles-heading"')


def test_each_pair_names_its_roles_and_the_bottom_lines_first_sentence(client, roles):
    page = html(client.get("/"))
    trio = page.split('href="/compare/project-manager/vs/scrum-master/vs/delivery-manager/">')[1]
    link, hint = trio.split("</a>")[0], trio.split('<p class="pair__hint">')[1].split("</p>")[0]
    assert re.sub(r"<[^>]+>", "", link) == "Project manager vs Scrum master vs Delivery manager"
    assert hint == "Three answers to &#x27;who runs delivery?&#x27;."
    assert '<p class="pair__hint">The sponsor owns the money.</p>' in page


def test_home_offers_any_two_roles_after_the_pairs(client, roles):
    page = html(client.get("/"))
    assert page.count('<option value="sponsor"') == 2
    assert '<option value="product-manager" selected>' in page
    assert '<option value="project-manager" selected>' in page
    assert "Or compare" in page


def test_home_without_pairings_still_offers_the_picker(client, roles):
    Pairing.objects.all().delete()
    page = html(client.get("/"))
    assert 'class="pairs"' not in page
    assert '<label for="compare-a">Compare</label>' in page


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("It ends here. Then more.", "It ends here."),
        (
            "Three answers to 'who runs delivery?'. Then more.",
            "Three answers to 'who runs delivery?'.",
        ),
        ("Version 2.0 is out! Next.", "Version 2.0 is out!"),
        ("No full stop at all", "No full stop at all"),
        ("Spread\nover  lines. Next", "Spread over lines."),
    ],
)
def test_first_sentence(text, first):
    assert first_sentence(text) == first


@pytest.mark.parametrize("pairings", [4, 40])
def test_home_query_count_is_fixed_whatever_the_number_of_pairings(
    client, roles, django_assert_num_queries, pairings
):
    ordered = list(roles.values())
    for i in range(pairings - 4):
        extra = [ordered[i % 8], ordered[(i + 1 + i // 8) % 8], ordered[(i + 3) % 8]]
        if len({role.pk for role in extra}) == 3 and not Pairing.objects.for_roles(extra):
            make_pairing(*extra)
    # catalog version, roles, key functions, key-question traits, pairings, their roles
    with django_assert_num_queries(6):
        assert client.get("/").status_code == 200


# --- sitemap ------------------------------------------------------------------------------------


def test_sitemap_lists_every_pair_once_and_the_confused_trio(client, roles):
    page = html(client.get("/sitemap.xml"))
    entries = re.findall(
        r"<loc>http://testserver(/compare/[^<]+)</loc>.*?<priority>([\d.]+)</priority>",
        page,
        re.DOTALL,
    )
    assert len(entries) == 28 + 1  # every pair of eight roles, and the one trio
    priorities = dict(entries)
    assert priorities["/compare/project-manager/vs/scrum-master/vs/delivery-manager/"] == "0.9"
    assert priorities["/compare/product-manager/vs/sponsor/"] == "0.9"
    assert priorities["/compare/product-manager/vs/project-manager/"] == "0.7"
    assert entries[-1][0] == "/compare/project-manager/vs/scrum-master/vs/delivery-manager/"
