"""Role pages and comparisons are fetched in a fixed number of queries, whatever the size; and
the read model that pages, API and downloads share: changed times, renamed slugs, citations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog.comparison import Comparison
from catalog.models import (
    Collaboration,
    Contribution,
    Function,
    LifecycleStage,
    Role,
    RoleLevel,
    RoleMove,
    Source,
    StageInvolvement,
    Trait,
)
from tests.factories import build_level, build_move, cite, make_catalog, make_source

pytestmark = pytest.mark.django_db

ROLE_PAGE_QUERIES = 21  # role + key functions, levels, moves out and in (levels' citations cost
# no query here: the test catalog has no levels), responsibilities, knowledge, traits,
# involvements, contributions and the responsibilities behind them, anti-patterns,
# certifications, occupation codes, and the citations of the role, of each of those kinds and of
# the shared activities (the test catalog has no anti-patterns, certifications or codes, so
# their citations cost no query)
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
            + "".join(r.title for r in c.responsibilities.all())
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


# --- the read model the pages, the API and the downloads share ---------------------------------


def test_renamed_maps_old_slugs_to_current_ones(django_assert_num_queries):
    role = make_catalog(roles=2)[0]
    role.slug = "role-zero"
    role.save()
    with django_assert_num_queries(1):
        assert Role.objects.renamed(["role-0", "role-1", "nobody"]) == {"role-0": "role-zero"}


def test_changed_is_the_latest_edit_to_a_role_or_anything_of_it():
    make_catalog(roles=2)
    later = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    StageInvolvement.objects.filter(role__slug="role-1", stage__slug="stage-2").update(
        updated=later
    )
    changed = dict(Role.objects.with_changed().values_list("slug", "changed"))
    assert changed["role-1"] == later
    assert changed["role-0"] < later
    assert [role.slug for role in Role.objects.changed_since(later)] == ["role-1"]
    assert Role.objects.changed_since(None).count() == 2


def test_changed_covers_levels_and_moves_either_way():
    roles = make_catalog(roles=3)
    build_level(roles[0], "senior").save()
    build_move(roles[1], roles[2]).save()
    later = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    RoleLevel.objects.update(updated=later)
    assert [role.slug for role in Role.objects.changed_since(later)] == ["role-0"]
    RoleMove.objects.update(updated=later)
    assert sorted(role.slug for role in Role.objects.changed_since(later)) == [
        "role-0",
        "role-1",
        "role-2",
    ]


def test_collaboration_changed_covers_its_contributions():
    make_catalog(roles=2)
    later = datetime(2032, 1, 2, 3, 4, 5, tzinfo=UTC)
    Contribution.objects.filter(collaboration__slug="activity-0", role__slug="role-1").update(
        updated=later
    )
    assert [c.slug for c in Collaboration.objects.changed_since(later)] == ["activity-0"]
    assert Collaboration.objects.with_changed().get(slug="activity-0").changed == later


def test_cited_sources_of_a_role_are_its_own_and_its_items_in_order(django_assert_num_queries):
    make_catalog(roles=2)
    first = make_source("first", order=0)
    last = make_source("last", order=9)
    cite(Trait.objects.filter(role__slug="role-0", dimension__slug="dimension-1"), last)
    cite(Collaboration.objects.filter(slug="activity-1"), first)
    Source.objects.filter(slug="factory-source").update(order=5)
    role = Role.objects.with_page().get(slug="role-0")
    with django_assert_num_queries(0):
        cited = [source.slug for source in role.cited_sources()]
    assert cited == ["first", "factory-source", "last"]


def test_cited_by_lists_every_kind_of_citation_with_its_role_and_page():
    roles = make_catalog(roles=2)
    source = Source.objects.get(slug="factory-source")
    cite(roles[0].traits.all(), source)
    cite(roles[0].involvements.all(), source, "Table 2")
    cite(LifecycleStage.objects.filter(slug="stage-0"), source)
    cited = Source.objects.with_citations().get(slug="factory-source").cited_by()
    kinds = {citation.kind for citation in cited}
    assert kinds == {
        "role",
        "responsibility",
        "knowledge_area",
        "trait",
        "lifecycle_stage",
        "involvement",
        "collaboration",
    }
    involvement = next(c for c in cited if c.kind == "involvement")
    assert (involvement.role, involvement.path) == (roles[0], "/roles/role-0/#role-0-stage-stage-0")
    assert involvement.locator == "Table 2"
    stage = next(c for c in cited if c.kind == "lifecycle_stage")
    assert (stage.slug, stage.role, stage.path) == ("stage-0", None, None)


def test_comparison_lists_each_key_function_with_the_roles_it_is_key_for():
    make_catalog(roles=3)
    Role.objects.get(slug="role-1").key_functions.set(
        Function.objects.filter(slug__in=["function-1", "function-2"])
    )
    keys = Comparison(*Role.objects.for_comparison("role-0", "role-1", "role-2")).key_functions
    assert [(key.function.slug, [r.slug for r in key.roles]) for key in keys] == [
        ("function-0", ["role-0", "role-2"]),
        ("function-1", ["role-0", "role-1", "role-2"]),
        ("function-2", ["role-1"]),
    ]
