"""Finding your pair: the home page leads with the confused pairs, each role page lists the roles
it is confused with (why, and a link straight to the comparison) and its other titles, and the
sitemap lists the confused pairs' comparisons."""

from __future__ import annotations

import pytest

from tests.factories import make_confused_catalog

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
