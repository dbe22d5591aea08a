"""Link previews: og:description at most 200 characters, and 1200x630 PNG cards (og:image) for
the home page, each role and each comparison, drawn from the catalog, with ETags and 404s."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from PIL import Image

from catalog.cards import font, wrap
from catalog.models import Role
from catalog.views import short_description
from tests.factories import make_catalog, make_page_catalog

pytestmark = pytest.mark.django_db
PM, PJM = "product-manager", "project-manager"
CARDS = [
    "/cards/home.png",
    f"/cards/roles/{PM}.png",
    f"/cards/compare/{PM}/vs/{PJM}.png",
    f"/cards/compare/{PJM}/vs/{PM}.png",
]


@pytest.fixture
def catalog() -> dict[str, Role]:
    return make_page_catalog()


def png(response) -> Image.Image:
    image = Image.open(BytesIO(response.content))
    image.verify()  # a truncated or corrupt file raises here
    return Image.open(BytesIO(response.content))


@pytest.mark.parametrize("url", CARDS)
def test_each_card_is_a_valid_1200_by_630_png(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = png(response)
    assert image.format == "PNG"
    assert image.size == (1200, 630)


def test_a_role_card_is_drawn_from_the_role_in_its_accent(client, catalog):
    product = png(client.get(f"/cards/roles/{PM}.png")).convert("RGB")
    project = png(client.get(f"/cards/roles/{PJM}.png")).convert("RGB")
    # The band down the left edge wears the role's accent colour (CSS --accent-0, --accent-1).
    assert product.getpixel((10, 300)) == (0x1F, 0x5F, 0x8B)
    assert project.getpixel((10, 300)) == (0xA3, 0x47, 0x00)
    Role.objects.filter(slug=PM).update(summary="A different summary that changes the picture.")
    changed = png(client.get(f"/cards/roles/{PM}.png")).convert("RGB")
    assert changed.tobytes() != product.tobytes()


@pytest.mark.parametrize(
    "url",
    [
        "/cards/roles/nobody.png",
        f"/cards/compare/{PM}/vs/nobody.png",
        f"/cards/compare/{PM}/vs/{PM}.png",
        "/cards/roles/.png",
    ],
)
def test_unknown_cards_are_404(client, catalog, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", CARDS)
def test_cards_carry_the_catalog_etag_and_answer_304(client, catalog, url):
    response = client.get(url)
    assert response["Cache-Control"].startswith("public, max-age=0, s-maxage=")
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    Role.objects.filter(slug=PM).update(name="Product lead")
    # Any edit moves the catalog version on, and with it every card's ETag.
    Role.objects.get(slug=PM).save()
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 200


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/cards/home.png", 2),  # version, roles
        ("/cards/roles/role-1.png", 4),  # version, role, key functions, key-question traits
        ("/cards/compare/role-0/vs/role-1.png", 4),
    ],
)
@pytest.mark.parametrize("size", [2, 20])
def test_card_query_counts_are_fixed(client, django_assert_num_queries, url, queries, size):
    make_catalog(roles=size)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


# --- the meta that points at them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "card", "alt"),
    [
        ("/", "/cards/home.png", "Roles: roles people mix up, side by side"),
        ("/roles/", "/cards/home.png", "Roles: roles people mix up, side by side"),
        (f"/roles/{PM}/", f"/cards/roles/{PM}.png", "Product manager: Owns the product"),
        (
            f"/compare/{PM}/vs/{PJM}/?diff=1",
            f"/cards/compare/{PM}/vs/{PJM}.png",
            "Product manager vs Project manager, side by side",
        ),
    ],
)
def test_pages_point_link_previews_at_their_card(client, catalog, url, card, alt):
    page = client.get(url).content.decode()
    assert f'<meta property="og:image" content="http://testserver{card}">' in page
    assert f'<meta name="twitter:image" content="http://testserver{card}">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="630">' in page
    assert f'<meta property="og:image:alt" content="{alt}' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert client.get(card).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/roles/",
        f"/roles/{PM}/",
        f"/roles/{PJM}/",
        f"/compare/{PM}/vs/{PJM}/",
        "/compare/",
        "/collaboration/",
        "/search/?q=roadmap",
        "/sources/",
    ],
)
def test_every_description_fits_a_link_preview(client, seed_catalog, url):
    page = client.get(url).content.decode()
    for name in ('name="description"', 'property="og:description"', 'name="twitter:description"'):
        content = re.search(rf'<meta {name} content="([^"]*)">', page)[1]
        assert 0 < len(content) <= 200, (name, len(content))


@pytest.mark.parametrize(
    ("text", "short"),
    [
        ("Short.", "Short."),
        ("One sentence. " * 20, ("One sentence. " * 14).strip()),
        ("word " * 100, ("word " * 39).strip() + "…"),
        ("  spaced \n out  ", "spaced out"),
    ],
)
def test_short_description_keeps_whole_sentences_or_words(text, short):
    assert short_description(text) == short
    assert len(short_description(text)) <= 200


def test_long_text_on_a_card_is_cut_with_an_ellipsis():
    lines = wrap("word " * 200, font(32), 500, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(font(32).getlength(line) <= 500 for line in lines)
