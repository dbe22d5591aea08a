"""Role pages and comparisons are fetched in a fixed number of queries, whatever the size."""

from __future__ import annotations

import pytest

from catalog.models import Collaboration, Role
from tests.factories import make_catalog

pytestmark = pytest.mark.django_db

ROLE_PAGE_QUERIES = 14  # role + key functions, responsibilities, knowledge, traits,
# involvements, contributions, and the citations of the role, of each of those five kinds and
# of the shared activities
COLLABORATION_QUERIES = 4  # activities, their citations, contributions, their citations


def touch_everything(role: Role) -> int:
    """Read every relation a page shows; returns how many items were reached."""
    items = [
        *role.key_functions.all(),
        *(c.source.title for c in role.citations.all()),
        *(
            r.function.name + "".join(c.source.title for c in r.citations.all())
            for r in role.responsibilities.all()
        ),
        *(
            k.area.name + "".join(c.locator for c in k.citations.all())
            for k in role.knowledge.all()
        ),
        *(
            t.dimension.name + "".join(c.locator for c in t.citations.all())
            for t in role.traits.all()
        ),
        *(
            i.stage.name + "".join(c.locator for c in i.citations.all())
            for i in role.involvements.all()
        ),
        *(
            c.collaboration.title
            + "".join(x.source.title for x in c.collaboration.citations.all())
            + "".join(x.locator for x in c.citations.all())
            for c in role.contributions.all()
        ),
    ]
    return len(items)


@pytest.mark.parametrize(("roles", "scale"), [(2, 1), (20, 10)])
def test_role_page_fetch_is_constant(django_assert_num_queries, roles, scale):
    make_catalog(roles=roles, scale=scale)
    with django_assert_num_queries(ROLE_PAGE_QUERIES):
        role = Role.objects.with_page().get(slug="role-1")
        reached = touch_everything(role)
    assert reached > 10 * scale


@pytest.mark.parametrize(("roles", "scale"), [(2, 1), (20, 10)])
def test_comparison_fetch_is_constant(django_assert_num_queries, roles, scale):
    make_catalog(roles=roles, scale=scale)
    with django_assert_num_queries(ROLE_PAGE_QUERIES):
        pair = Role.objects.for_comparison("role-1", "role-0")
        reached = sum(touch_everything(role) for role in pair)
    assert [role.slug for role in pair] == ["role-1", "role-0"]
    assert reached > 20 * scale


@pytest.mark.parametrize(("roles", "scale"), [(2, 1), (20, 10)])
def test_collaboration_matrix_fetch_is_constant(django_assert_num_queries, roles, scale):
    make_catalog(roles=roles, scale=scale)
    with django_assert_num_queries(COLLABORATION_QUERIES):
        letters = [
            (c.title, p.role.slug, p.raci)
            for c in Collaboration.objects.with_contributions()
            for p in c.contributions.all()
        ]
    assert len(letters) == roles * 2 * scale
