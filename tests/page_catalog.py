"""A small, realistic catalog for page tests: two roles, as the seed describes them.

Page tests use it rather than fixtures/ so their assertions do not move when editors change the
content; tests/factories.make_catalog builds the large synthetic catalogs for query counts.
"""

from __future__ import annotations

from catalog.models import (
    Collaboration,
    Contribution,
    Dimension,
    Function,
    KnowledgeArea,
    LifecycleStage,
    Raci,
    Responsibility,
    Role,
    RoleKnowledge,
    RoleSlugRedirect,
    Source,
    StageInvolvement,
    Trait,
)
from tests.factories import cite

FUNCTIONS = [
    ("strategy", "Strategy"),
    ("vision", "Vision"),
    ("industry-knowledge", "Industry knowledge"),
    ("tech-knowledge", "Tech knowledge"),
    ("planning", "Planning"),
    ("coordination", "Coordination and delegation"),
    ("risk-and-resources", "Risk and resources"),
]

RESPONSIBILITIES = {
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

TRAITS = {
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

STAGES = ["conceive", "plan", "develop", "qualify", "launch", "deliver", "retire"]
PROJECT_LEADS = {"plan", "develop", "qualify"}


def make_page_catalog() -> dict[str, Role]:
    """Both seed roles with responsibilities, knowledge, traits, lifecycle and a collaboration."""
    seed = Source.objects.create(
        slug="seed",
        title="Product manager vs project manager",
        publisher="Seed document",
        note="The document this catalog grew from.",
        order=1,
    )
    pmbok = Source.objects.create(
        slug="pmbok",
        title="PMBOK Guide, 6th edition",
        publisher="Project Management Institute",
        url="https://www.pmi.org/pmbok-guide-standards",
        order=2,
    )
    Source.objects.create(slug="uncited", title="A source nothing cites yet", order=3)
    functions = {
        slug: Function.objects.create(slug=slug, name=name, order=i)
        for i, (slug, name) in enumerate(FUNCTIONS)
    }
    dimensions = {
        slug: Dimension.objects.create(slug=slug, name=name, order=i)
        for i, (slug, name) in enumerate(
            [
                ("main-objective", "Main objective"),
                ("key-question", "Key question"),
                ("scope-in-time", "Scope in time"),
            ]
        )
    }
    stages = {
        slug: LifecycleStage.objects.create(slug=slug, name=slug.title(), order=i)
        for i, slug in enumerate(STAGES)
    }
    cite(stages.values(), seed)
    market = KnowledgeArea.objects.create(slug="market", name="Industry and market", order=1)
    tech = KnowledgeArea.objects.create(slug="technical", name="Technical knowledge", order=2)
    risk = KnowledgeArea.objects.create(slug="risk-management", name="Risk management", order=3)
    cite([risk], pmbok)
    roles = {
        "product-manager": Role.objects.create(
            slug="product-manager",
            name="Product manager",
            short_name="Product",
            summary="Owns the product from its first idea to its retirement: the what and the why.",
            main_goal="Manage the product so that it succeeds over its whole lifecycle.",
            description="Sets the vision.\n\nBuilds the roadmap and rallies people behind it.",
            order=1,
        ),
        "project-manager": Role.objects.create(
            slug="project-manager",
            name="Project manager",
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
        for i, (function, item_slug, title, text) in enumerate(RESPONSIBILITIES[slug]):
            duty = Responsibility.objects.create(
                role=role,
                function=functions[function],
                slug=item_slug,
                title=title,
                description=text,
                order=i,
            )
            cite([duty], seed)
        for dimension, text in TRAITS[slug].items():
            trait = Trait.objects.create(role=role, dimension=dimensions[dimension], text=text)
            cite([trait], seed)
        for stage_slug, stage in stages.items():
            if slug == "product-manager":
                level = "leads"
            else:
                level = "leads" if stage_slug in PROJECT_LEADS else "none"
            StageInvolvement.objects.create(role=role, stage=stage, level=level)
    product, project = roles["product-manager"], roles["project-manager"]
    RoleKnowledge.objects.create(role=product, area=market, level="essential", note="Customers.")
    RoleKnowledge.objects.create(role=product, area=tech, level="useful")
    cite([RoleKnowledge.objects.create(role=project, area=tech, level="essential")], seed)
    RoleKnowledge.objects.create(role=project, area=risk, level="essential", note="PMBOK area.")
    handoff = Collaboration.objects.create(
        slug="strategy-to-execution",
        title="Strategy to execution",
        description="The strategic plan becomes the initiatives a project delivers.",
        order=1,
    )
    cite([handoff], seed)
    Contribution.objects.create(
        collaboration=handoff, role=product, raci=Raci.ACCOUNTABLE, text="Owns the strategic plan."
    )
    Contribution.objects.create(
        collaboration=handoff,
        role=project,
        raci=Raci.RESPONSIBLE,
        text="Breaks the plan into initiatives and delivers them.",
    )
    RoleSlugRedirect.objects.create(old_slug="product-owner", role=product)
    return roles
