"""Build synthetic catalogs of any size, for query-count and scale tests."""

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
    Source,
    StageInvolvement,
    Trait,
)


def cite(items, source: Source, locator: str = "Section 1") -> None:
    """Cite `source` at `locator` for each item (all of one model)."""
    items = list(items)
    if items:
        citation = items[0].citations.model
        citation.objects.bulk_create(
            citation(item=item, source=source, locator=locator) for item in items
        )


def make_catalog(roles: int = 2, scale: int = 1) -> list[Role]:
    """`roles` roles, each with items on every function, area, dimension, stage and activity.

    `scale` multiplies the number of items of every kind, so scale=10 is a catalog ten times
    the size of scale=1 with the same shape.
    """
    source = Source.objects.create(
        slug="factory-source", title="Factory source", url="https://example.com/"
    )
    functions = Function.objects.bulk_create(
        Function(slug=f"function-{i}", name=f"Function {i}", order=i) for i in range(3 * scale)
    )
    areas = KnowledgeArea.objects.bulk_create(
        KnowledgeArea(slug=f"area-{i}", name=f"Area {i}", order=i) for i in range(4 * scale)
    )
    cite(areas, source)
    dimensions = Dimension.objects.bulk_create(
        Dimension(slug=f"dimension-{i}", name=f"Dimension {i}", order=i) for i in range(3 * scale)
    )
    stages = LifecycleStage.objects.bulk_create(
        LifecycleStage(slug=f"stage-{i}", name=f"Stage {i}", order=i) for i in range(3 * scale)
    )
    activities = Collaboration.objects.bulk_create(
        Collaboration(slug=f"activity-{i}", title=f"Activity {i}", order=i)
        for i in range(2 * scale)
    )
    cite(activities, source)
    created = []
    for r in range(roles):
        role = Role.objects.create(
            slug=f"role-{r}",
            name=f"Role {r}",
            summary=f"Summary of role {r}.",
            main_goal=f"Goal of role {r}.",
            order=r + 1,
        )
        role.key_functions.set(functions[:2])
        cite([role], source)
        duties = Responsibility.objects.bulk_create(
            Responsibility(
                role=role,
                function=functions[i % len(functions)],
                slug=f"duty-{i}",
                title=f"Duty {i} of role {r}",
                order=i,
            )
            for i in range(4 * scale)
        )
        cite(duties, source)
        RoleKnowledge.objects.bulk_create(
            RoleKnowledge(role=role, area=area, level="essential" if (i + r) % 2 else "useful")
            for i, area in enumerate(areas)
        )
        Trait.objects.bulk_create(
            Trait(role=role, dimension=dimension, text=f"{dimension.name} of role {r}")
            for dimension in dimensions
        )
        StageInvolvement.objects.bulk_create(
            StageInvolvement(role=role, stage=stage, level="leads" if r == 0 else "supports")
            for stage in stages
        )
        Contribution.objects.bulk_create(
            Contribution(
                collaboration=activity,
                role=role,
                raci=Raci.ACCOUNTABLE if r == 0 else Raci.RESPONSIBLE,
                text=f"Role {r} part in {activity.title}",
            )
            for activity in activities
        )
        created.append(role)
    return created
