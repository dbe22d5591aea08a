"""The committed catalog content: every seed item is catalog data cited to the seed document, and
the enrichment around it is complete, cited and fit to show on a page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import models

from catalog.models import (
    Collaboration,
    Contribution,
    Dimension,
    Function,
    Involvement,
    KnowledgeArea,
    LifecycleStage,
    Raci,
    Responsibility,
    Role,
    RoleKnowledge,
    Source,
    StageInvolvement,
    Trait,
)

pytestmark = pytest.mark.usefixtures("seed_catalog")

SEED = "seed-document"
PD = "product-manager"
PJ = "project-manager"

# Each item of DESIGN.md's content list, and the records that carry it.
SEED_ITEMS: dict[str, list[tuple[str, ...]]] = {
    "S1": [("trait", PD, "common-misconception"), ("trait", PJ, "common-misconception")],
    "S2": [
        ("trait", PD, "shared-work"),
        ("trait", PJ, "shared-work"),
        ("collaboration", "shared-initiatives"),
    ],
    "S3": [("trait", PD, "core-knowledge"), ("trait", PJ, "core-knowledge")],
    "P1": [("trait", PD, "main-objective")],
    "P2": [("trait", PD, "scope-in-time")]
    + [
        ("involvement", PD, stage)
        for stage in ("conceive", "plan", "develop", "qualify", "launch", "deliver", "retire")
    ],
    "P3": [("responsibility", PD, "set-vision")],
    "P4": [
        ("responsibility", PD, "communicate-vision"),
        ("knowledge", PD, "communications-management"),
    ],
    "P5": [("responsibility", PD, "win-support"), ("knowledge", PD, "stakeholder-management")],
    "P6": [("responsibility", PD, "strategic-action-plan")],
    "P7": [("responsibility", PD, "research-product-value")],
    "P8": [("responsibility", PD, "shape-marketing"), ("responsibility", PD, "develop-strategy")],
    "P9": [("responsibility", PD, "roadmap")],
    "PF": [
        ("key_function", PD, "strategy"),
        ("key_function", PD, "vision"),
        ("key_function", PD, "industry-knowledge"),
        ("knowledge", PD, "industry-market"),
    ],
    "J1": [("trait", PJ, "focus")],
    "J2": [("responsibility", PJ, "break-down-plans")],
    "J3": [
        ("responsibility", PJ, "coordinate-work"),
        ("responsibility", PJ, "delegate-tasks"),
        ("responsibility", PJ, "lead-team"),
    ],
    "J4": [
        ("responsibility", PJ, "manage-dependencies"),
        ("responsibility", PJ, "handle-challenges"),
    ],
    "J5": [("responsibility", PJ, "meet-deadline")],
    "J6": [("responsibility", PJ, "analyse-risks"), ("knowledge", PJ, "risk-management")],
    "J7": [("responsibility", PJ, "clarify-resources"), ("knowledge", PJ, "resource-management")],
    "J8": [("trait", PJ, "main-objective"), ("knowledge", PJ, "schedule-management")],
    "JF": [("key_function", PJ, "tech-knowledge"), ("knowledge", PJ, "technical")],
    "C1": [("collaboration", "shared-initiatives")],
    "C2": [("collaboration", "shared-initiatives")],
    "C3": [("collaboration", "business-objectives")],
    "C4": [("collaboration", "business-objectives")],
    "C5": [("collaboration", "business-objectives")],
    "C6": [("collaboration", "strategy-to-execution")],
}

SEED_IDS = (
    ["S1", "S2", "S3"]
    + [f"P{n}" for n in range(1, 10)]
    + ["PF"]
    + [f"J{n}" for n in range(1, 9)]
    + ["JF"]
    + [f"C{n}" for n in range(1, 7)]
)

PMBOK_AREAS = [
    f"{area}-management"
    for area in (
        "integration",
        "scope",
        "schedule",
        "cost",
        "quality",
        "resource",
        "communications",
        "risk",
        "procurement",
        "stakeholder",
    )
]
PRODBOK_STAGES = ["conceive", "plan", "develop", "qualify", "launch", "deliver", "retire"]

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _single(found: models.Model | None) -> tuple[models.Model | None, set[str]]:
    return found, {found.source.slug} if found is not None and found.source else set()


def _key_function(role_slug: str, function_slug: str) -> tuple[models.Model | None, set[str]]:
    # A key function has no source of its own: the role's sources cite it.
    role = Role.objects.filter(slug=role_slug).first()
    if role is None:
        return None, set()
    found = role.key_functions.filter(slug=function_slug).first()
    return found, set(role.sources.values_list("slug", flat=True))


FINDERS: dict[str, Callable[..., tuple[models.Model | None, set[str]]]] = {
    "responsibility": lambda role, slug: _single(
        Responsibility.objects.filter(role__slug=role, slug=slug).first()
    ),
    "trait": lambda role, dimension: _single(
        Trait.objects.filter(role__slug=role, dimension__slug=dimension).first()
    ),
    "knowledge": lambda role, area: _single(
        RoleKnowledge.objects.filter(role__slug=role, area__slug=area).first()
    ),
    "involvement": lambda role, stage: _single(
        StageInvolvement.objects.filter(role__slug=role, stage__slug=stage).first()
    ),
    "collaboration": lambda slug: _single(Collaboration.objects.filter(slug=slug).first()),
    "key_function": _key_function,
}


def test_seed_items_map_every_item_of_the_design():
    assert list(SEED_ITEMS) == SEED_IDS
    assert all(SEED_ITEMS[item] for item in SEED_IDS)


@pytest.mark.parametrize("item", SEED_IDS)
def test_seed_item_is_catalog_data_citing_the_seed(item):
    for kind, *key in SEED_ITEMS[item]:
        found, cited = FINDERS[kind](*key)
        assert found is not None, f"{item}: no {kind} {key}"
        assert SEED in cited, f"{item}: {kind} {key} cites {cited or 'nothing'}, not the seed"


def test_the_seed_source_is_the_founding_document():
    seed = Source.objects.get(slug=SEED)
    assert seed.title == "Product manager VS Project manager"
    assert seed.publisher
    assert seed.url == ""
    assert "founding document" in seed.note


def cited_source_ids() -> set[int]:
    ids = set(Role.sources.through.objects.values_list("source_id", flat=True))
    for model in (
        Responsibility,
        KnowledgeArea,
        RoleKnowledge,
        Trait,
        LifecycleStage,
        StageInvolvement,
        Collaboration,
    ):
        ids |= set(model.objects.exclude(source=None).values_list("source_id", flat=True))
    return ids


def test_every_cited_source_has_a_title_and_all_but_the_seed_a_url():
    cited = Source.objects.filter(pk__in=cited_source_ids())
    assert cited.count() >= 10
    for source in cited:
        assert source.title.strip(), source.slug
        assert source.publisher.strip(), source.slug
        assert source.note.strip(), source.slug
        if source.slug != SEED:
            assert source.url.startswith(("https://", "http://")), source.slug


def test_every_source_is_cited_by_something():
    orphans = Source.objects.exclude(pk__in=cited_source_ids())
    assert list(orphans.values_list("slug", flat=True)) == []


def test_the_two_seed_roles_lead_the_catalog():
    roles = list(Role.objects.order_by("order")[:2])
    assert [(r.slug, r.name, r.short_name, r.order) for r in roles] == [
        (PD, "Product manager", "Product", 1),
        (PJ, "Project manager", "Project", 2),
    ]


def test_key_functions_are_the_seeds():
    assert set(Role.objects.get(slug=PD).key_functions.values_list("slug", flat=True)) == {
        "strategy",
        "vision",
        "industry-knowledge",
    }
    assert set(Role.objects.get(slug=PJ).key_functions.values_list("slug", flat=True)) == {
        "tech-knowledge"
    }


@pytest.mark.parametrize("role", [PD, PJ])
def test_each_role_has_at_least_eight_cited_responsibilities(role):
    responsibilities = Responsibility.objects.filter(role__slug=role)
    assert responsibilities.count() >= 8
    assert not responsibilities.filter(source=None).exists()


def test_at_least_six_dimensions_carry_a_trait_for_both_roles():
    both = [
        dimension
        for dimension in Dimension.objects.prefetch_related("traits__role")
        if {trait.role.slug for trait in dimension.traits.all()} >= {PD, PJ}
    ]
    assert len(both) >= 6
    assert not Trait.objects.filter(source=None).exists()


def test_trait_text_fits_a_table_cell():
    for trait in Trait.objects.select_related("role", "dimension"):
        assert len(trait.text) <= 160, f"{trait}: {len(trait.text)} characters"


def test_collaborations_give_both_roles_a_part_and_exactly_one_accountable():
    collaborations = Collaboration.objects.prefetch_related("contributions__role")
    assert collaborations.count() >= 5
    for collaboration in collaborations:
        contributions = collaboration.contributions.all()
        assert {c.role.slug for c in contributions} >= {PD, PJ}, collaboration.slug
        letters = [c.raci for c in contributions]
        assert letters.count(Raci.ACCOUNTABLE) == 1, collaboration.slug
        assert collaboration.source is not None, collaboration.slug


def test_lifecycle_is_prodboks_seven_stages_with_both_roles_involvement():
    stages = LifecycleStage.objects.order_by("order").prefetch_related("involvements__role")
    assert [stage.slug for stage in stages] == PRODBOK_STAGES
    for stage in stages:
        assert {i.role.slug for i in stage.involvements.all()} >= {PD, PJ}, stage.slug


def test_product_manager_spans_the_lifecycle_and_project_manager_a_bounded_part():
    def levels(role: str) -> list[str]:
        return list(
            StageInvolvement.objects.filter(role__slug=role)
            .order_by("stage__order")
            .values_list("level", flat=True)
        )

    assert Involvement.NONE not in levels(PD)
    project = levels(PJ)
    assert Involvement.LEADS in project
    # No project yet when a product is conceived; retiring it is the product's call.
    assert Involvement.LEADS not in (project[0], project[-1])


def test_knowledge_covers_the_pmbok_areas_and_each_role_holds_most():
    pmbok = KnowledgeArea.objects.filter(slug__in=PMBOK_AREAS)
    assert pmbok.count() == len(PMBOK_AREAS)
    assert set(pmbok.values_list("source__slug", flat=True)) == {"pmbok-6"}
    for slug in ("industry-market", "technical", "customer-research", "business-financials"):
        assert KnowledgeArea.objects.filter(slug=slug).exists(), slug
    areas = KnowledgeArea.objects.count()
    for role in (PD, PJ):
        assert RoleKnowledge.objects.filter(role__slug=role).count() >= 0.75 * areas, role
    assert not RoleKnowledge.objects.filter(source=None).exists()


# Text that a page shows: none of it may be blank.
SHOWN_TEXT: list[tuple[type[models.Model], list[str]]] = [
    (Source, ["title", "publisher", "note"]),
    (Function, ["name", "description"]),
    (Role, ["name", "short_name", "summary", "main_goal", "description"]),
    (Responsibility, ["title", "description"]),
    (KnowledgeArea, ["name", "description"]),
    (RoleKnowledge, ["note"]),
    (Dimension, ["name", "description"]),
    (Trait, ["text"]),
    (LifecycleStage, ["name", "description"]),
    (StageInvolvement, ["note"]),
    (Collaboration, ["title", "description"]),
    (Contribution, ["text"]),
]


@pytest.mark.parametrize(
    ("model", "fields"), SHOWN_TEXT, ids=[model.__name__ for model, _ in SHOWN_TEXT]
)
def test_no_text_shown_on_a_page_is_empty(model, fields):
    assert model.objects.exists()
    for values in model.objects.values_list(*fields):
        for field, value in zip(fields, values, strict=True):
            assert value.strip(), f"{model.__name__}.{field} is blank in {values}"


@pytest.mark.parametrize(
    "model",
    [
        Source,
        Function,
        Role,
        Responsibility,
        KnowledgeArea,
        Dimension,
        LifecycleStage,
        Collaboration,
    ],
    ids=lambda model: model.__name__,
)
def test_slugs_are_lowercase_kebab_case(model):
    for slug in model.objects.values_list("slug", flat=True):
        assert KEBAB.match(slug), f"{model.__name__}: {slug!r}"
