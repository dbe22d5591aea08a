"""A small catalog of three roles whose overlap, differences and RACI parts are known by heart.

The comparison and collaboration tests assert exact rows against it, so they do not move when
editors change fixtures/; the seed content is only used for screenshots.
"""

from __future__ import annotations

from catalog.models import (
    Collaboration,
    Contribution,
    Dimension,
    Function,
    KnowledgeArea,
    LifecycleStage,
    Responsibility,
    Role,
    RoleKnowledge,
    RoleSlugRedirect,
    Source,
    StageInvolvement,
    Trait,
)
from tests.factories import cite

PM, PJM, PO = "product-manager", "project-manager", "product-owner"


def make_compare_catalog() -> dict[str, Role]:
    seed = Source.objects.create(slug="seed", title="Product manager VS Project manager", order=1)
    pmbok = Source.objects.create(
        slug="pmbok", title="PMBOK Guide", publisher="PMI", url="https://www.pmi.org/", order=2
    )
    Source.objects.create(slug="unused", title="A source nothing here cites", order=3)

    functions = {
        slug: Function.objects.create(slug=slug, name=name, order=i)
        for i, (slug, name) in enumerate(
            [
                ("strategy", "Strategy"),
                ("vision", "Vision"),
                ("communication", "Communication"),
                ("planning", "Planning"),
                ("tech-knowledge", "Tech knowledge"),
                ("research", "Research"),
            ],
            start=1,
        )
    }
    roles = {
        PM: Role.objects.create(
            slug=PM,
            name="Product manager",
            short_name="Product",
            summary="Owns the product from idea to retirement.",
            main_goal="Manage the product.",
            order=1,
        ),
        PJM: Role.objects.create(
            slug=PJM,
            name="Project manager",
            short_name="Project",
            summary="Delivers projects on time with limited resources.",
            main_goal="Complete the project within its time limit.",
            order=2,
        ),
        PO: Role.objects.create(
            slug=PO,
            name="Product owner",
            summary="Orders the backlog for one team.",
            main_goal="Maximise the value of the team's work.",
            order=3,
        ),
    }
    roles[PM].key_functions.set([functions["strategy"], functions["vision"]])
    roles[PJM].key_functions.set([functions["tech-knowledge"]])
    cite([roles[PM], roles[PJM]], seed)
    RoleSlugRedirect.objects.create(old_slug="product-lead", role=roles[PM])

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
        duty = Responsibility.objects.create(
            role=roles[role],
            function=functions[function],
            slug=slug,
            title=title,
            description=f"What “{title}” means.",
            order=i,
        )
        if source is not None:
            cite([duty], source)

    areas = {
        slug: KnowledgeArea.objects.create(slug=slug, name=name, order=i)
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
        knowledge = RoleKnowledge.objects.create(
            role=roles[role], area=areas[area], level=level, note=note
        )
        cite([knowledge], pmbok)

    dimensions = {
        slug: Dimension.objects.create(slug=slug, name=name, order=i)
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
        trait = Trait.objects.create(role=roles[role], dimension=dimensions[dimension], text=text)
        cite([trait], seed)

    stages = {
        slug: LifecycleStage.objects.create(slug=slug, name=name, order=i)
        for i, (slug, name) in enumerate(
            [
                ("conceive", "Conceive"),
                ("plan", "Plan"),
                ("develop", "Develop"),
                ("launch", "Launch"),
                ("retire", "Retire"),
            ],
            start=1,
        )
    }
    involvement = {
        PM: ["leads", "leads", "supports", "leads", "leads"],
        PJM: ["none", "leads", "leads", "leads", "supports"],
    }
    for role, levels in involvement.items():
        for stage, level in zip(stages.values(), levels, strict=True):
            StageInvolvement.objects.create(
                role=roles[role], stage=stage, level=level, note=f"{level} in {stage.name}"
            )

    activities = [
        ("strategy-to-execution", "From strategy to execution", seed, {PM: "A", PJM: "R"}),
        ("roadmap-to-plan", "From roadmap to project plan", None, {PM: "C", PJM: "A"}),
        ("backlog-refinement", "Backlog refinement", None, {PO: "A", PM: "C"}),
        ("status-reporting", "Status reporting", pmbok, {PJM: "A", PM: "I", PO: "I"}),
    ]
    for i, (slug, title, source, parts) in enumerate(activities):
        activity = Collaboration.objects.create(
            slug=slug, title=title, description=f"About {title}.", order=i
        )
        if source is not None:
            cite([activity], source)
        for role, letter in parts.items():
            Contribution.objects.create(
                collaboration=activity,
                role=roles[role],
                raci=letter,
                text=f"{roles[role].name} part in {title}",
            )
    return roles
