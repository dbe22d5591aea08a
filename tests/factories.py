"""Every catalog record a test creates is built here, and only here.

The `build_*` functions return an unsaved record with every required field filled from the slug
(or the records it belongs to); each model's defaults live in its one builder, so a new required
field is one edit. `make_*` saves what `build_*` builds (as `objects.create` would); bulk
catalogs pass `build_*` records to `bulk_create`.

The named catalogs below are built from those builders only:
- `make_catalog(roles, scale)`: synthetic catalogs of any size, for query-count and scale tests;
- `make_page_catalog()`: two roles as the seed describes them, for page tests;
- `make_compare_catalog()`: three roles whose comparison and RACI parts are known by heart;
- `make_admin_catalog()`: one record of every kind, versioned as `load_catalog` leaves them.
Tests use them rather than fixtures/ so their assertions do not move when editors change content.

Each named catalog is built once per process for each set of arguments; later calls on an
empty catalog insert the same rows again and read the records fresh (tests/rows.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

import reversion
from django.db.models import Model

from catalog.changes import CATALOG_LOADED, version_unversioned_records
from catalog.models import (
    AntiPattern,
    Certification,
    Collaboration,
    Confusion,
    Contribution,
    Dimension,
    Function,
    KeyDifference,
    KnowledgeArea,
    LifecycleStage,
    OccupationCode,
    OccupationScheme,
    Pairing,
    Raci,
    Responsibility,
    Role,
    RoleKnowledge,
    RoleLevel,
    RoleMove,
    RoleSlugRedirect,
    Source,
    StageInvolvement,
    Trait,
    pairing_slug,
)
from teams.chart import Reference, TeamRole
from teams.models import Team
from tests.rows import catalog_builder

# --- one builder per model -----------------------------------------------------------------------


def _words(slug: str) -> str:
    return slug.replace("-", " ")


def _named(slug: str) -> str:
    """Turn "product-manager" into "Product manager"."""
    return _words(slug).capitalize()


def build_source(slug: str, **fields) -> Source:
    return Source(**{"slug": slug, "title": _named(slug), **fields})


def build_function(slug: str, **fields) -> Function:
    return Function(**{"slug": slug, "name": _named(slug), **fields})


def build_role(slug: str, **fields) -> Role:
    return Role(
        **{
            "slug": slug,
            "name": _named(slug),
            "summary": f"Summary of {_words(slug)}.",
            "main_goal": f"Goal of {_words(slug)}.",
            **fields,
        }
    )


def build_redirect(old_slug: str, role: Role) -> RoleSlugRedirect:
    return RoleSlugRedirect(old_slug=old_slug, role=role)


def build_responsibility(role: Role, function: Function, slug: str, **fields) -> Responsibility:
    return Responsibility(
        **{"role": role, "function": function, "slug": slug, "title": _named(slug), **fields}
    )


def build_area(slug: str, **fields) -> KnowledgeArea:
    return KnowledgeArea(**{"slug": slug, "name": _named(slug), **fields})


def build_knowledge(role: Role, area: KnowledgeArea, **fields) -> RoleKnowledge:
    return RoleKnowledge(role=role, area=area, **fields)


def build_dimension(slug: str, **fields) -> Dimension:
    return Dimension(**{"slug": slug, "name": _named(slug), **fields})


def build_trait(role: Role, dimension: Dimension, **fields) -> Trait:
    return Trait(
        **{
            "role": role,
            "dimension": dimension,
            "text": f"{dimension.name} of {role.name}",
            **fields,
        }
    )


def build_stage(slug: str, **fields) -> LifecycleStage:
    return LifecycleStage(**{"slug": slug, "name": _named(slug), **fields})


def build_involvement(role: Role, stage: LifecycleStage, **fields) -> StageInvolvement:
    return StageInvolvement(role=role, stage=stage, **fields)


def build_collaboration(slug: str, **fields) -> Collaboration:
    return Collaboration(**{"slug": slug, "title": _named(slug), **fields})


def build_contribution(
    collaboration: Collaboration, role: Role, raci: str, **fields
) -> Contribution:
    return Contribution(
        **{
            "collaboration": collaboration,
            "role": role,
            "raci": raci,
            "text": f"{role.name} part in {collaboration.title}",
            **fields,
        }
    )


def build_pairing(*roles: Role, **fields) -> Pairing:
    """An unsaved pairing named after `roles` (`make_pairing` saves it and sets its roles)."""
    names = " and ".join(role.name for role in roles)
    return Pairing(**{"slug": pairing_slug(roles), "bottom_line": f"How {names} differ.", **fields})


def make_pairing(
    *roles: Role, source: Source | None = None, locator: str = "Section 1", **fields
) -> Pairing:
    """A saved pairing of `roles`, citing `source` at `locator` when given."""
    pairing = build_pairing(*roles, **fields)
    pairing.save(force_insert=True)
    pairing.roles.set(roles)
    if source is not None:
        cite([pairing], source, locator)
    return pairing


def build_confusion(role: Role, other: Role, **fields) -> Confusion:
    return Confusion(
        **{"role": role, "other": other, "why": f"Both sound like {other.name}.", **fields}
    )


def build_key_difference(pairing: Pairing, dimension: Dimension, **fields) -> KeyDifference:
    return KeyDifference(pairing=pairing, dimension=dimension, **fields)


def build_anti_pattern(role: Role, slug: str, **fields) -> AntiPattern:
    defaults = {"name": _named(slug), "looks_like": "It looks busy.", "why_it_hurts": "It hurts."}
    return AntiPattern(**{"role": role, "slug": slug, **defaults, **fields})


def build_certification(role: Role, slug: str, **fields) -> Certification:
    defaults = {"name": _named(slug), "attests": "Knowledge of the method."}
    return Certification(**{"role": role, "slug": slug, **defaults, **fields})


def build_occupation_code(role: Role, slug: str, **fields) -> OccupationCode:
    defaults = {"scheme": OccupationScheme.ONET, "title": _named(slug), "fit": "Close."}
    return OccupationCode(**{"role": role, "slug": slug, **defaults, **fields})


def build_level(role: Role, slug: str, **fields) -> RoleLevel:
    defaults = {"name": _named(slug), "what_changes": "Owns more.", "sfia_level": 4}
    return RoleLevel(**{"role": role, "slug": slug, **defaults, **fields})


def build_move(old: Role, new: Role, **fields) -> RoleMove:
    defaults = {"summary": "One role to another.", "transfers": "Much.", "to_learn": "More."}
    slug = f"{old.slug}-to-{new.slug}"
    return RoleMove(**{"slug": slug, "from_role": old, "to_role": new, **defaults, **fields})


def _saved[**P, M: Model](build: Callable[P, M]) -> Callable[P, M]:
    """The `make_*` twin of a `build_*`: the same record, saved as `objects.create` saves it."""

    @wraps(build)
    def make(*args: P.args, **fields: P.kwargs) -> M:
        record = build(*args, **fields)
        record.save(force_insert=True)
        return record

    return make


make_source = _saved(build_source)
make_function = _saved(build_function)
make_role = _saved(build_role)
make_redirect = _saved(build_redirect)
make_responsibility = _saved(build_responsibility)
make_area = _saved(build_area)
make_knowledge = _saved(build_knowledge)
make_dimension = _saved(build_dimension)
make_trait = _saved(build_trait)
make_stage = _saved(build_stage)
make_involvement = _saved(build_involvement)
make_contribution = _saved(build_contribution)
make_key_difference = _saved(build_key_difference)
make_confusion = _saved(build_confusion)
make_anti_pattern = _saved(build_anti_pattern)
make_certification = _saved(build_certification)
make_occupation_code = _saved(build_occupation_code)
make_level = _saved(build_level)
make_move = _saved(build_move)


def make_collaboration(
    slug: str, parts: dict[Role, tuple[str, str | None]] | None = None, **fields
) -> Collaboration:
    """An activity with each role's RACI letter and text (None: the default text)."""
    activity = _saved(build_collaboration)(slug, **fields)
    for role, (raci, text) in (parts or {}).items():
        extra = {} if text is None else {"text": text}
        make_contribution(activity, role, raci, **extra)
    return activity


def cite(items: Iterable, source: Source, locator: str = "Section 1") -> None:
    """Cite `source` at `locator` for each item (all of one model)."""
    items = list(items)
    if items:
        citation = items[0].citations.model
        citation.objects.bulk_create(
            citation(item=item, source=source, locator=locator) for item in items
        )


# --- synthetic catalogs of any size --------------------------------------------------------------


@catalog_builder
def make_catalog(roles: int = 2, scale: int = 1) -> list[Role]:
    """`roles` roles, each with items on every function, area, dimension, stage and activity.

    `scale` multiplies the number of items of every kind, so scale=10 is a catalog ten times
    the size of scale=1 with the same shape.
    """
    source = make_source("factory-source", url="https://example.com/")
    functions = Function.objects.bulk_create(
        build_function(f"function-{i}", order=i) for i in range(3 * scale)
    )
    areas = KnowledgeArea.objects.bulk_create(
        build_area(f"area-{i}", order=i) for i in range(4 * scale)
    )
    cite(areas, source)
    dimensions = Dimension.objects.bulk_create(
        build_dimension(f"dimension-{i}", order=i) for i in range(3 * scale)
    )
    stages = LifecycleStage.objects.bulk_create(
        build_stage(f"stage-{i}", order=i) for i in range(3 * scale)
    )
    activities = Collaboration.objects.bulk_create(
        build_collaboration(f"activity-{i}", order=i) for i in range(2 * scale)
    )
    cite(activities, source)
    created = []
    for r in range(roles):
        role = make_role(f"role-{r}", order=r + 1)
        role.key_functions.set(functions[:2])
        cite([role], source)
        duties = Responsibility.objects.bulk_create(
            build_responsibility(
                role,
                functions[i % len(functions)],
                f"duty-{i}",
                title=f"Duty {i} of role {r}",
                order=i,
            )
            for i in range(4 * scale)
        )
        cite(duties, source)
        RoleKnowledge.objects.bulk_create(
            build_knowledge(role, area, level="essential" if (i + r) % 2 else "useful")
            for i, area in enumerate(areas)
        )
        Trait.objects.bulk_create(
            build_trait(role, dimension, text=f"{dimension.name} of role {r}")
            for dimension in dimensions
        )
        StageInvolvement.objects.bulk_create(
            build_involvement(role, stage, level="leads" if r == 0 else "supports")
            for stage in stages
        )
        parts = Contribution.objects.bulk_create(
            build_contribution(activity, role, Raci.ACCOUNTABLE if r == 0 else Raci.RESPONSIBLE)
            for activity in activities
        )
        # Each part exercises one of the role's duties, as an R or an A must.
        Contribution.responsibilities.through.objects.bulk_create(
            Contribution.responsibilities.through(
                contribution=part, responsibility=duties[i % len(duties)]
            )
            for i, part in enumerate(parts)
        )
        created.append(role)
    return created


# --- page tests: two roles, as the seed describes them -------------------------------------------

PAGE_FUNCTIONS = [
    ("strategy", "Strategy"),
    ("vision", "Vision"),
    ("industry-knowledge", "Industry knowledge"),
    ("tech-knowledge", "Tech knowledge"),
    ("planning", "Planning"),
    ("coordination", "Coordination and delegation"),
    ("risk-and-resources", "Risk and resources"),
]

PAGE_RESPONSIBILITIES = {
    "product-manager": [
        (
            "vision",
            "set-vision",
            "Set the product vision",
            "Sets a vision for the product, based on research.",
        ),
        (
            "vision",
            "share-vision",
            "Communicate the vision",
            "Communicates that vision throughout the organization.",
        ),
        (
            "strategy",
            "win-support",
            "Win support for the product",
            "Persuades executives and stakeholders to become passionate about the product.",
        ),
        (
            "strategy",
            "strategic-plan",
            "Develop the strategic action plan",
            "Develops a strategic plan that helps the organization bring the product to life.",
        ),
        (
            "strategy",
            "roadmap",
            "Create and maintain the roadmap",
            "Creates and maintains a roadmap.",
        ),
        (
            "industry-knowledge",
            "research-value",
            "Research the product's value",
            "Researches the product's value with customers and the market.",
        ),
    ],
    "project-manager": [
        (
            "planning",
            "break-down-plans",
            "Break strategy into initiatives",
            "Breaks strategic plans down into actionable, task-oriented initiatives.",
        ),
        (
            "coordination",
            "coordinate-delegate",
            "Coordinate, delegate and lead",
            "Coordination, delegation and leadership of the project team.",
        ),
        (
            "coordination",
            "navigate",
            "Navigate interdependencies",
            "Navigates interdependencies, team dynamics and one-off challenges.",
        ),
        (
            "planning",
            "meet-deadline",
            "Meet the deadline",
            "Meets a deadline with limited resources.",
        ),
        (
            "risk-and-resources",
            "analyze-risk",
            "Analyze risk",
            "Analyzes the risk factors for success and failure.",
        ),
        (
            "risk-and-resources",
            "clarify-resources",
            "Clarify resources",
            "Clarifies the resources the project needs.",
        ),
    ],
}

PAGE_TRAITS = {
    "product-manager": {
        "main-objective": "Manage the product",
        "key-question": "What should we build, and why?",
        "scope-in-time": "Ongoing, across the whole product lifecycle",
    },
    "project-manager": {
        "main-objective": "Complete the project within its time limit",
        "key-question": "How and when will we deliver it?",
        "scope-in-time": "Temporary, with a fixed start and end",
    },
}

PAGE_STAGES = ["conceive", "plan", "develop", "qualify", "launch", "deliver", "retire"]
PAGE_PROJECT_LEADS = {"plan", "develop", "qualify"}


@catalog_builder
def make_page_catalog() -> dict[str, Role]:
    """Both seed roles with responsibilities, knowledge, traits, lifecycle and a collaboration."""
    seed = make_source(
        "seed",
        title="Product manager vs project manager",
        publisher="Seed document",
        note="The document this catalog grew from.",
        order=1,
    )
    pmbok = make_source(
        "pmbok",
        title="PMBOK Guide, 6th edition",
        publisher="Project Management Institute",
        url="https://www.pmi.org/pmbok-guide-standards",
        order=2,
    )
    make_source("uncited", title="A source nothing cites yet", order=3)
    functions = {
        slug: make_function(slug, name=name, order=i)
        for i, (slug, name) in enumerate(PAGE_FUNCTIONS)
    }
    dimensions = {
        slug: make_dimension(slug, order=i)
        for i, slug in enumerate(["main-objective", "key-question", "scope-in-time"])
    }
    stages = {slug: make_stage(slug, order=i) for i, slug in enumerate(PAGE_STAGES)}
    cite(stages.values(), seed)
    market = make_area("market", name="Industry and market", order=1)
    tech = make_area("technical", name="Technical knowledge", order=2)
    risk = make_area("risk-management", name="Risk management", order=3)
    cite([risk], pmbok)
    roles = {
        "product-manager": make_role(
            "product-manager",
            short_name="Product",
            summary="Owns the product from its first idea to its retirement: the what and the why.",
            main_goal="Manage the product so that it succeeds over its whole lifecycle.",
            description="Sets the vision.\n\nBuilds the roadmap and rallies people behind it.",
            order=1,
        ),
        "project-manager": make_role(
            "project-manager",
            short_name="Project",
            summary="Delivers a bounded project on time and within its resources: how and when.",
            main_goal="Complete the project within its time limit.",
            description="Turns plans into tasks, and tasks into a delivered project.",
            order=2,
        ),
    }
    for slug, role in roles.items():
        cite([role], seed)
        role.key_functions.set(
            [functions[s] for s in ("strategy", "vision", "industry-knowledge")]
            if slug == "product-manager"
            else [functions["tech-knowledge"]]
        )
        for i, (function, item_slug, title, text) in enumerate(PAGE_RESPONSIBILITIES[slug]):
            duty = make_responsibility(
                role, functions[function], item_slug, title=title, description=text, order=i
            )
            cite([duty], seed)
        for dimension, text in PAGE_TRAITS[slug].items():
            cite([make_trait(role, dimensions[dimension], text=text)], seed)
        for stage_slug, stage in stages.items():
            if slug == "product-manager":
                level = "leads"
            else:
                level = "leads" if stage_slug in PAGE_PROJECT_LEADS else "none"
            make_involvement(role, stage, level=level)
    product, project = roles["product-manager"], roles["project-manager"]
    make_knowledge(product, market, level="essential", note="Customers.")
    make_knowledge(product, tech, level="useful")
    cite([make_knowledge(project, tech, level="essential")], seed)
    make_knowledge(project, risk, level="essential", note="PMBOK area.")
    handoff = make_collaboration(
        "strategy-to-execution",
        parts={
            product: (Raci.ACCOUNTABLE, "Owns the strategic plan."),
            project: (Raci.RESPONSIBLE, "Breaks the plan into initiatives and delivers them."),
        },
        title="Strategy to execution",
        description="The strategic plan becomes the initiatives a project delivers.",
        order=1,
    )
    cite([handoff], seed)
    make_redirect("product-owner", product)
    return roles


# --- comparison tests: three roles whose overlap, differences and RACI parts are known by heart --

PM, PJM, PO = "product-manager", "project-manager", "product-owner"
SM = "scrum-master"


@catalog_builder
def make_compare_catalog() -> dict[str, Role]:
    """The comparison and collaboration tests assert exact rows against this catalog."""
    seed = make_source("seed", title="Product manager VS Project manager", order=1)
    pmbok = make_source(
        "pmbok", title="PMBOK Guide", publisher="PMI", url="https://www.pmi.org/", order=2
    )
    make_source("unused", title="A source nothing here cites", order=3)

    functions = {
        slug: make_function(slug, order=i)
        for i, slug in enumerate(
            ["strategy", "vision", "communication", "planning", "tech-knowledge", "research"],
            start=1,
        )
    }
    roles = {
        PM: make_role(
            PM,
            short_name="Product",
            summary="Owns the product from idea to retirement.",
            main_goal="Manage the product.",
            order=1,
        ),
        PJM: make_role(
            PJM,
            short_name="Project",
            summary="Delivers projects on time with limited resources.",
            main_goal="Complete the project within its time limit.",
            order=2,
        ),
        PO: make_role(
            PO,
            summary="Orders the backlog for one team.",
            main_goal="Maximise the value of the team's work.",
            order=3,
        ),
    }
    roles[PM].key_functions.set([functions["strategy"], functions["vision"]])
    roles[PJM].key_functions.set([functions["tech-knowledge"]])
    cite([roles[PM], roles[PJM]], seed)
    make_redirect("product-lead", roles[PM])

    duties = [
        (PM, "strategy", "plan-strategy", "Develop the strategic action plan", seed),
        (PM, "vision", "set-vision", "Set the product vision", seed),
        (PM, "communication", "share-vision", "Communicate the vision", seed),
        (PM, "research", "research-value", "Research the product's value", None),
        (PJM, "planning", "break-down-plans", "Break strategic plans into initiatives", seed),
        (PJM, "planning", "analyse-risk", "Analyse risk factors", pmbok),
        (PJM, "communication", "report-progress", "Report progress to stakeholders", None),
        (PO, "planning", "order-backlog", "Order the backlog", None),
    ]
    for i, (role, function, slug, title, source) in enumerate(duties):
        duty = make_responsibility(
            roles[role],
            functions[function],
            slug,
            title=title,
            description=f"What “{title}” means.",
            order=i,
        )
        if source is not None:
            cite([duty], source)

    areas = {
        slug: make_area(slug, name=name, order=i)
        for i, (slug, name) in enumerate(
            [
                ("industry", "Industry knowledge"),
                ("technical", "Technical knowledge"),
                ("scope", "Scope management"),
                ("risk", "Risk management"),
            ],
            start=1,
        )
    }
    held = [
        (PM, "industry", "essential", "Knows the market."),
        (PM, "scope", "useful", "Owns the product scope."),
        (PM, "risk", "essential", "Brings market risks in."),
        (PJM, "technical", "essential", "Understands the work."),
        (PJM, "scope", "essential", "Guards the project scope."),
        (PJM, "risk", "essential", "Plans the responses."),
        (PO, "scope", "essential", ""),
    ]
    for role, area, level, note in held:
        cite([make_knowledge(roles[role], areas[area], level=level, note=note)], pmbok)

    dimensions = {
        slug: make_dimension(slug, name=name, order=i)
        for i, (slug, name) in enumerate(
            [
                ("main-objective", "Main objective"),
                ("key-question", "Key question"),
                ("time-scope", "Scope in time"),
                ("shared-work", "Shared work"),
            ],
            start=1,
        )
    }
    traits = [
        (PM, "main-objective", "Manage the product."),
        (PM, "key-question", "What and why?"),
        (PM, "shared-work", "Works on the same initiatives."),
        (PJM, "main-objective", "Complete the project on time."),
        (PJM, "key-question", "How and when?"),
        (PJM, "time-scope", "Temporary, with a fixed start and end."),
        (PJM, "shared-work", "works on the  same initiatives."),
        (PO, "main-objective", "Maximise the value of the backlog."),
    ]
    for role, dimension, text in traits:
        cite([make_trait(roles[role], dimensions[dimension], text=text)], seed)

    stages = {
        slug: make_stage(slug, order=i)
        for i, slug in enumerate(["conceive", "plan", "develop", "launch", "retire"], start=1)
    }
    involvement = {
        PM: ["leads", "leads", "supports", "leads", "leads"],
        PJM: ["none", "leads", "leads", "leads", "supports"],
    }
    for role, levels in involvement.items():
        for stage, level in zip(stages.values(), levels, strict=True):
            make_involvement(roles[role], stage, level=level, note=f"{level} in {stage.name}")

    activities = [
        ("strategy-to-execution", "From strategy to execution", seed, {PM: "A", PJM: "R"}),
        ("roadmap-to-plan", "From roadmap to project plan", None, {PM: "C", PJM: "A"}),
        ("backlog-refinement", "Backlog refinement", None, {PO: "A", PM: "C"}),
        ("status-reporting", "Status reporting", pmbok, {PJM: "A", PM: "I", PO: "I"}),
    ]
    for i, (slug, title, source, parts) in enumerate(activities):
        activity = make_collaboration(
            slug,
            parts={roles[role]: (letter, None) for role, letter in parts.items()},
            title=title,
            description=f"About {title}.",
            order=i,
        )
        if source is not None:
            cite([activity], source)
    return roles


def add_scrum_master(roles: dict[str, Role]) -> Role:
    """A fourth role for `make_compare_catalog`, for three- and four-role comparisons: a key
    question, a duty in a function no other role works in, knowledge at a level of its own, a
    lifecycle stage, and a part in the status reporting (where the product owner has one too)."""
    seed = Source.objects.get(slug="seed")
    sm = make_role(
        SM, summary="Helps one team work in short cycles.", main_goal="Team effectiveness.", order=4
    )
    coaching = make_function("coaching", order=7)
    sm.key_functions.set([coaching])
    make_responsibility(sm, coaching, "coach-team", title="Coach the team", order=1)
    make_knowledge(sm, KnowledgeArea.objects.get(slug="scope"), level="useful")
    cite(
        [make_trait(sm, Dimension.objects.get(slug="key-question"), text="How do we improve?")],
        seed,
    )
    make_trait(sm, Dimension.objects.get(slug="main-objective"), text="An effective team.")
    make_involvement(sm, LifecycleStage.objects.get(slug="develop"), level="supports")
    make_contribution(Collaboration.objects.get(slug="status-reporting"), sm, "C")
    roles[SM] = sm
    return sm


# --- admin tests: one record of every kind -------------------------------------------------------


@catalog_builder
def make_admin_catalog() -> dict:
    """Two roles, each item kind, one collaboration with its A and R, versioned as loaded."""
    source = make_source("seed", title="Seed document", publisher="Us")
    strategy = make_function("strategy", order=1)
    planning = make_function("planning", order=2)
    product = make_role(
        "product-manager", summary="Owns the product.", main_goal="Manage the product.", order=1
    )
    project = make_role(
        "project-manager", summary="Owns the project.", main_goal="Finish on time.", order=2
    )
    product.key_functions.set([strategy])
    duty = make_responsibility(product, strategy, "roadmap", title="Keeps the roadmap")
    cite([duty], source, "Section 1")
    area = make_area("market", name="Market knowledge")
    cite([area], source, "Section 2")
    knowledge = make_knowledge(product, area, level="essential")
    dimension = make_dimension("key-question")
    trait = make_trait(product, dimension, text="What and why")
    stage = make_stage("conceive")
    involvement = make_involvement(product, stage, level="leads")
    handoff = make_collaboration("handoff", title="Strategy to execution")
    breakdown = make_responsibility(project, planning, "break-down", title="Breaks plans down")
    accountable = make_contribution(handoff, product, "A", text="Owns the plan.")
    accountable.responsibilities.set([duty])
    responsible = make_contribution(handoff, project, "R", text="Breaks it down.")
    responsible.responsibilities.set([breakdown])
    redirect = make_redirect("product-owner", product)
    anti_pattern = make_anti_pattern(product, "feature-factory")
    certification = make_certification(product, "pspo", body="Scrum.org")
    occupation_code = make_occupation_code(product, "onet", code="11-2021.00")
    level = make_level(product, "senior", sfia_level=6)
    cite([level], source, "Level 6")
    move = make_move(project, product)
    move.anti_patterns.set([make_anti_pattern(project, "status-chaser")])
    move.certifications.set([certification])
    move.knowledge_areas.set([area])
    cite([move], source, "Section 3")
    pairing = make_pairing(
        product,
        project,
        source=source,
        bottom_line="One owns the product; the other delivers the project.",
    )
    version_unversioned_records(CATALOG_LOADED)  # as `load_catalog` does
    return {
        Source: source,
        Function: planning,
        Role: product,
        RoleSlugRedirect: redirect,
        Responsibility: duty,
        KnowledgeArea: area,
        RoleKnowledge: knowledge,
        Dimension: dimension,
        Trait: trait,
        LifecycleStage: stage,
        StageInvolvement: involvement,
        Collaboration: handoff,
        Contribution: responsible,
        Pairing: pairing,
        AntiPattern: anti_pattern,
        Certification: certification,
        OccupationCode: occupation_code,
        RoleLevel: level,
        RoleMove: move,
        "accountable": accountable,
        "project": project,
    }


# --- finding your pair: eight roles as the catalog names them, and a RACI grid of any size ------

# slug, short name, other titles: the names a reader knows the roles by.
EIGHT_ROLES = [
    ("product-manager", "Product", ""),
    ("project-manager", "Project", ""),
    ("product-owner", "Product owner", "PO, Scrum product owner"),
    ("scrum-master", "Scrum master", "SM, agile coach"),
    ("delivery-manager", "Delivery", "DM, delivery lead"),
    ("programme-manager", "Programme", "program manager, PgM, TPM"),
    ("business-analyst", "Analyst", "BA, requirements analyst"),
    ("sponsor", "Sponsor", "project sponsor, SRO"),
]
RACI_ORDER = [Raci.RESPONSIBLE, Raci.CONSULTED, Raci.INFORMED]


def make_eight_roles() -> dict[str, Role]:
    return {
        slug: make_role(slug, short_name=short, other_titles=titles, order=i)
        for i, (slug, short, titles) in enumerate(EIGHT_ROLES, start=1)
    }


@catalog_builder
def make_raci_catalog(activities: int = 27) -> dict[str, Role]:
    """The eight roles and `activities` shared activities: activity i is owned (A) by role
    i mod 8, the role after it has no part, and the others are R, C, I in turn."""
    roles = make_eight_roles()
    ordered = list(roles.values())
    for i in range(activities):
        owner = i % len(ordered)
        parts = {ordered[owner]: (Raci.ACCOUNTABLE, None)}
        for step in range(2, len(ordered)):
            parts[ordered[(owner + step) % len(ordered)]] = (RACI_ORDER[step % 3], None)
        make_collaboration(
            f"activity-{i:02}",
            parts=parts,
            title=f"Shared activity number {i}, done together",
            why_accountable=f"{ordered[owner].name} answers for activity {i}.",
            order=i,
        )
    return roles


# Each role's "often confused with", as the research gives them: (role, other, why).
CONFUSIONS = [
    ("product-owner", "product-manager", "Both decide what gets built."),
    ("product-owner", "business-analyst", "Both work on backlog items."),
    ("scrum-master", "project-manager", "Both are seen as the one who keeps work moving."),
    ("scrum-master", "delivery-manager", "The two titles are often swapped."),
    ("sponsor", "product-manager", "Both speak for what the work is for."),
]


# The pairings editors wrote, by their roles in any order: a trio among them.
PAIRINGS = [
    (("sponsor", "product-manager"), "The sponsor owns the money. The product manager the rest."),
    (("scrum-master", "project-manager"), "One serves a team; the other runs a project."),
    (
        ("delivery-manager", "scrum-master", "project-manager"),
        "Three answers to 'who runs delivery?'. Agree who does which.",
    ),
    (("product-manager", "product-owner"), "A product manager owns a product's direction."),
]


@catalog_builder
def make_confused_catalog() -> dict[str, Role]:
    """The eight roles, each with the roles it is often confused with, in that order, and the
    pairings (two or three roles) editors wrote about."""
    roles = make_eight_roles()
    for i, (role, other, why) in enumerate(CONFUSIONS):
        make_confusion(roles[role], roles[other], why=why, order=i)
    for slugs, bottom_line in PAIRINGS:
        make_pairing(*(roles[slug] for slug in slugs), bottom_line=bottom_line)
    return roles


# --- teams: a team's own chart, started from whatever catalog the test made ----------------------


def make_team(
    roles: Iterable[str] = (),
    activities: Iterable[str] | None = None,
    *,
    own_roles: Iterable[tuple[str, str | None]] = (),
    name: str = "Platform team",
) -> tuple[Team, str]:
    """A saved team (its first version) of these catalog `roles` and `own_roles` (name, like),
    over these catalog `activities` (all when None), with the reference letters; and its edit
    key."""
    reference = Reference.for_slugs()
    chosen = [TeamRole(name=reference.roles[slug].name, catalog=slug) for slug in roles]
    chosen += [TeamRole(name=own, like=like) for own, like in own_roles]
    team = Team()
    key = team.new_key()
    team.chart = reference.chart(
        chosen, list(reference.activities) if activities is None else list(activities), name
    )
    with reversion.create_revision():
        team.save()
    return team, key
