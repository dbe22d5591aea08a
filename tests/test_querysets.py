"""Role pages and comparisons are fetched in a fixed number of queries, whatever the size."""

from __future__ import annotations

import pytest

from catalog.models import Collaboration, Role
from tests.factories import make_catalog

pytestmark = pytest.mark.django_db

ROLE_PAGE_QUERIES = 8  # role + key functions, sources, responsibilities, knowledge, traits,
# involvements, contributions
COLLABORATION_QUERIES = 2


def touch_everything(role: Role) -> int:
    """Read every relation a page shows; returns how many items were reached."""
    items = [
        *role.key_functions.all(),
        *role.sources.all(),
        *(
            r.function.name + (r.source.title if r.source else "")
            for r in role.responsibilities.all()
        ),
        *(k.area.name for k in role.knowledge.all()),
        *(t.dimension.name for t in role.traits.all()),
        *(i.stage.name for i in role.involvements.all()),
        *(c.collaboration.title for c in role.contributions.all()),
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
