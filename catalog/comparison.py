"""Roles side by side, computed in plain Python over roles loaded by `for_comparison`.

Nothing here queries the database except `pairing` (the editors' record for the pair, read once)
and `lifecycle`, which reads the stage list once and only when a page actually shows the chart;
everything else walks the prefetched relations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from catalog.models import (
    KEY_DIFFERENCES_MAX,
    Collaboration,
    Contribution,
    Dimension,
    Function,
    KnowledgeArea,
    LifecycleStage,
    Pairing,
    Responsibility,
    Role,
    RoleKnowledge,
    Source,
    StageInvolvement,
    Trait,
)
from catalog.querysets import KEY_QUESTION


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def _by_order(items: Iterable, name: str = "name") -> list:
    return sorted(items, key=lambda item: (item.order, getattr(item, name)))


def in_sentence(name: str) -> str:
    """A role's name mid-sentence: "Product manager" → "product manager"; "UX designer" kept."""
    first, _, rest = name.partition(" ")
    if first[1:].islower():
        first = first.lower()
    return f"{first} {rest}" if rest else first


@dataclass
class Statement:
    """A sentence or two the page states, with its citations: each a source and where it says
    so."""

    text: str
    citations: list = field(default_factory=list)
    anchor: str = ""


@dataclass
class TraitCell:
    role: Role
    trait: Trait | None


@dataclass
class DimensionRow:
    dimension: Dimension
    cells: list[TraitCell]

    @property
    def anchor(self) -> str:
        return f"difference-{self.dimension.slug}"

    @property
    def same(self) -> bool:
        texts = [_normalised(cell.trait.text) if cell.trait else None for cell in self.cells]
        return None not in texts and len(set(texts)) == 1


@dataclass
class FunctionCell:
    role: Role
    responsibilities: list[Responsibility]
    is_key: bool

    @property
    def holds(self) -> bool:
        return self.is_key or bool(self.responsibilities)


@dataclass
class FunctionRow:
    function: Function
    cells: list[FunctionCell]

    @property
    def anchor(self) -> str:
        return f"compare-function-{self.function.slug}"

    @property
    def same(self) -> bool:
        """Both roles work in this function and give it the same weight (key or not)."""
        return all(cell.holds for cell in self.cells) and len({c.is_key for c in self.cells}) == 1

    @property
    def sole(self) -> FunctionCell | None:
        """The one role that works in this function, when only one of several does."""
        holding = [cell for cell in self.cells if cell.holds]
        return holding[0] if len(holding) == 1 and len(self.cells) > 1 else None


class KeyFunctions(NamedTuple):
    """The two roles' key functions: only a's, both roles', only b's."""

    only_a: list[Function]
    shared: list[Function]
    only_b: list[Function]


@dataclass
class FunctionChoice:
    function: Function
    url: str
    current: bool


@dataclass
class KnowledgeCell:
    role: Role
    knowledge: RoleKnowledge | None


@dataclass
class KnowledgeRow:
    area: KnowledgeArea
    cells: list[KnowledgeCell]

    @property
    def anchor(self) -> str:
        return f"compare-knowledge-{self.area.slug}"

    @property
    def same(self) -> bool:
        levels = [cell.knowledge.level if cell.knowledge else None for cell in self.cells]
        return None not in levels and len(set(levels)) == 1


@dataclass
class OverlapEntry:
    name: str
    anchor: str


@dataclass
class OverlapPart:
    """One region of the overlap picture: only A, shared, or only B."""

    key: str
    label: str
    role: Role | None
    functions: list[OverlapEntry] = field(default_factory=list)
    knowledge: list[OverlapEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.functions) + len(self.knowledge)


@dataclass
class StageCell:
    role: Role
    involvement: StageInvolvement | None

    @property
    def level(self) -> str:
        return self.involvement.level if self.involvement else "none"

    @property
    def label(self) -> str:
        return self.involvement.get_level_display() if self.involvement else "Not recorded"


@dataclass
class StageRow:
    stage: LifecycleStage
    cells: list[StageCell]

    @property
    def anchor(self) -> str:
        return f"compare-stage-{self.stage.slug}"


@dataclass
class CollaborationCell:
    role: Role
    part: Contribution | None


@dataclass
class CollaborationRow:
    """A shared activity: each compared role's part in it, None where a role takes no part."""

    collaboration: Collaboration
    parts: list[Contribution | None]
    roles: list[Role] = field(default_factory=list)

    @property
    def cells(self) -> list[CollaborationCell]:
        return [
            CollaborationCell(role, part) for role, part in zip(self.roles, self.parts, strict=True)
        ]


@dataclass
class RoleLine:
    """A sentence about one role, shown in that role's colour."""

    role: Role
    text: str


@dataclass
class RoleTally:
    """What one role holds on its own, for the picture of where the roles meet."""

    role: Role
    responsibilities: int
    key_functions: list[Function]


class Comparison:
    """Bottom line, key differences, shared activities, rows and lifecycle of `a` beside `b`.

    `function` (a function slug) and `diff` narrow what the responsibilities, knowledge and
    dimension tables show; values that match nothing on the page are ignored. Templates iterate
    over `roles`, so nothing below the URL helpers assumes there are exactly two.
    """

    def __init__(self, a: Role, b: Role, *, function: str | None = None, diff: bool = False):
        self.a, self.b = a, b
        self.roles = [a, b]
        self.diff = diff
        slugs = {row.function.slug for row in self.function_rows}
        self.function = function if function in slugs else None
        # Numbered before any item is drawn, so each can cite its source as "[n]".
        self.sources = self._numbered_sources()

    # --- URLs -----------------------------------------------------------------------------

    @property
    def path(self) -> str:
        return reverse("catalog:compare", args=[self.a.slug, self.b.slug])

    @property
    def swapped_url(self) -> str:
        """The same view with the sides swapped."""
        return self.url(path=reverse("catalog:compare", args=[self.b.slug, self.a.slug]))

    def url(
        self, *, function: str | None = None, diff: bool | None = None, path: str | None = None
    ) -> str:
        """This comparison's URL with the given view state (None keeps the current one)."""
        function = self.function if function is None else function
        diff = self.diff if diff is None else diff
        query = {"function": function} if function else {}
        if diff:
            query["diff"] = "1"
        path = path or self.path
        return f"{path}?{urlencode(query)}" if query else path

    @property
    def url_all_functions(self) -> str:
        return self.url(function="")

    @property
    def url_everything(self) -> str:
        return self.url(diff=False)

    @property
    def url_differences(self) -> str:
        return self.url(diff=True)

    @property
    def current_url(self) -> str:
        return self.url()

    @property
    def url_print_everything(self) -> str:
        """Every section open, for printing the whole comparison rather than its cheat sheet."""
        return f"{self.path}?{urlencode({'print': 'all'})}"

    # --- words ------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return f"{self.a.name} vs {self.b.name}"

    @property
    def announcement(self) -> str:
        return f"Comparing {self.a.name} with {self.b.name}"

    @property
    def details_announcement(self) -> str:
        if self.diff:
            return "Showing only the differences"
        return "Showing everything both roles do and know"

    @property
    def responsibilities_announcement(self) -> str:
        chosen = self.chosen_function
        return f"Showing {chosen.name} responsibilities" if chosen else "Showing all functions"

    # --- the answer first: bottom line and key differences ---------------------------------

    @cached_property
    def pairing(self) -> Pairing | None:
        """What editors wrote for exactly these roles, if anyone has."""
        return Pairing.objects.for_roles(self.roles).first()

    @cached_property
    def bottom_line(self) -> list[Statement]:
        """The editors' bottom line; else each role's key question (or summary, lacking one)."""
        if self.pairing:
            return [Statement(self.pairing.bottom_line, list(self.pairing.citations.all()))]
        asked = next((r for r in self.dimension_rows if r.dimension.slug == KEY_QUESTION), None)
        statements = []
        for i, role in enumerate(self.roles):
            trait = asked.cells[i].trait if asked else None
            who = f"The {in_sentence(role.name)}"
            if trait:
                statements.append(
                    Statement(
                        f"{who} asks “{trait.text}”",
                        list(trait.citations.all()),
                        anchor=trait.anchor,
                    )
                )
            else:
                statements.append(Statement(f"{who}: {role.summary}"))
        return statements

    @property
    def bottom_line_text(self) -> str:
        return " ".join(statement.text for statement in self.bottom_line)

    @cached_property
    def key_difference_rows(self) -> list[DimensionRow]:
        """At most six dimension rows; the key question always leads the answer.

        Editors choose them per pair, and the key question is always one of them. For a pair
        nobody has written up yet, the bottom line is made of the roles' key questions, so the
        rows are the other dimensions on which the roles answer differently, in order.
        """
        rows = {row.dimension.slug: row for row in self.dimension_rows}
        if self.pairing:
            chosen = [kd.dimension.slug for kd in self.pairing.key_differences.all()]
            if KEY_QUESTION not in chosen:
                chosen.insert(0, KEY_QUESTION)
        else:
            chosen = [row.dimension.slug for row in self.dimension_rows if not row.same]
        shown = [
            rows[slug]
            for slug in dict.fromkeys(chosen)
            if slug in rows and slug not in self._said_above
        ]
        return shown[:KEY_DIFFERENCES_MAX]

    @property
    def _said_above(self) -> set[str]:
        """Dimensions the bottom line already states: the key question, when it is made of it."""
        return set() if self.pairing else {KEY_QUESTION}

    # --- dimensions -------------------------------------------------------------------------

    @cached_property
    def dimension_rows(self) -> list[DimensionRow]:
        traits = [{t.dimension_id: t for t in role.traits.all()} for role in self.roles]
        dimensions = {t.dimension_id: t.dimension for by_id in traits for t in by_id.values()}
        return [
            DimensionRow(
                dimension,
                [
                    TraitCell(role, by_id.get(dimension.pk))
                    for role, by_id in zip(self.roles, traits, strict=True)
                ],
            )
            for dimension in _by_order(dimensions.values())
        ]

    @property
    def other_dimension_rows(self) -> list[DimensionRow]:
        """The dimensions the bottom line and key differences leave out (each is said once)."""
        keys = {row.dimension.pk for row in self.key_difference_rows}
        return [
            row
            for row in self.dimension_rows
            if row.dimension.pk not in keys and row.dimension.slug not in self._said_above
        ]

    @property
    def visible_dimension_rows(self) -> list[DimensionRow]:
        return [row for row in self.other_dimension_rows if not (self.diff and row.same)]

    # --- functions and responsibilities -----------------------------------------------------

    @cached_property
    def function_rows(self) -> list[FunctionRow]:
        functions: dict[int, Function] = {}
        held = []
        for role in self.roles:
            duties: dict[int, list[Responsibility]] = {}
            for duty in role.responsibilities.all():
                functions[duty.function_id] = duty.function
                duties.setdefault(duty.function_id, []).append(duty)
            keys = set()
            for function in role.key_functions.all():
                functions[function.pk] = function
                keys.add(function.pk)
            held.append((role, duties, keys))
        return [
            FunctionRow(
                function,
                [
                    FunctionCell(role, duties.get(function.pk, []), function.pk in keys)
                    for role, duties, keys in held
                ],
            )
            for function in _by_order(functions.values())
        ]

    @cached_property
    def key_functions(self) -> KeyFunctions:
        keys = [(row.function, *(cell.is_key for cell in row.cells)) for row in self.function_rows]
        return KeyFunctions(
            only_a=[f for f, a, b in keys if a and not b],
            shared=[f for f, a, b in keys if a and b],
            only_b=[f for f, a, b in keys if b and not a],
        )

    @property
    def functions(self) -> list[Function]:
        return [row.function for row in self.function_rows]

    @property
    def function_choices(self) -> list[FunctionChoice]:
        return [
            FunctionChoice(f, self.url(function=f.slug), f.slug == self.function)
            for f in self.functions
        ]

    @property
    def chosen_function(self) -> Function | None:
        return next((f for f in self.functions if f.slug == self.function), None)

    @property
    def visible_function_rows(self) -> list[FunctionRow]:
        return [
            row
            for row in self.function_rows
            if (not self.function or row.function.slug == self.function)
            and not (self.diff and row.same)
        ]

    # --- knowledge --------------------------------------------------------------------------

    @cached_property
    def knowledge_rows(self) -> list[KnowledgeRow]:
        held = [{k.area_id: k for k in role.knowledge.all()} for role in self.roles]
        areas = {k.area_id: k.area for by_id in held for k in by_id.values()}
        return [
            KnowledgeRow(
                area,
                [
                    KnowledgeCell(role, by_id.get(area.pk))
                    for role, by_id in zip(self.roles, held, strict=True)
                ],
            )
            for area in _by_order(areas.values())
        ]

    @property
    def visible_knowledge_rows(self) -> list[KnowledgeRow]:
        return [row for row in self.knowledge_rows if not (self.diff and row.same)]

    # --- overlap ----------------------------------------------------------------------------

    @cached_property
    def overlap(self) -> list[OverlapPart]:
        only_a = OverlapPart("only-a", f"Only {self.a.label}", self.a)
        shared = OverlapPart("shared", "Both", None)
        only_b = OverlapPart("only-b", f"Only {self.b.label}", self.b)

        def part(holds_a: bool, holds_b: bool) -> OverlapPart | None:
            if holds_a and holds_b:
                return shared
            return only_a if holds_a else only_b if holds_b else None

        for row in self.function_rows:
            region = part(*(cell.holds for cell in row.cells))
            if region:
                region.functions.append(OverlapEntry(row.function.name, row.anchor))
        for row in self.knowledge_rows:
            region = part(*(cell.knowledge is not None for cell in row.cells))
            if region:
                region.knowledge.append(OverlapEntry(row.area.name, row.anchor))
        return [only_a, shared, only_b]

    @property
    def tallies(self) -> list[RoleTally]:
        return [
            RoleTally(role, len(role.responsibilities.all()), list(role.key_functions.all()))
            for role in self.roles
        ]

    @property
    def meeting_summary(self) -> str:
        """The picture of where the roles meet, in words: what it counts, and the counts."""
        own = "; ".join(
            f"{tally.role.name}: {tally.responsibilities} of its own" for tally in self.tallies
        )
        shared = len(self.collaborations)
        return (
            f"Responsibilities, each held by one role — {own}. "
            f"Activities they take part in together: {shared}."
        )

    @property
    def overlap_summary(self) -> str:
        only_a, shared, only_b = self.overlap
        return (
            f"Functions and knowledge areas. Only {self.a.name}: {only_a.count}. "
            f"Both: {shared.count}. Only {self.b.name}: {only_b.count}."
        )

    # --- lifecycle --------------------------------------------------------------------------

    @cached_property
    def lifecycle(self) -> list[StageRow]:
        involved = [{i.stage_id: i for i in role.involvements.all()} for role in self.roles]
        return [
            StageRow(
                stage,
                [
                    StageCell(role, by_id.get(stage.pk))
                    for role, by_id in zip(self.roles, involved, strict=True)
                ],
            )
            for stage in LifecycleStage.objects.all()
        ]

    @property
    def lifecycle_summary(self) -> list[str]:
        """One sentence per role: how much of the lifecycle it leads and supports."""
        total = len(self.lifecycle)
        sentences = []
        for i, role in enumerate(self.roles):
            levels = [row.cells[i].level for row in self.lifecycle]
            leads, supports = levels.count("leads"), levels.count("supports")
            if total and leads == total:
                sentences.append(f"{role.name} leads every stage.")
            elif total and leads + supports == total:
                sentences.append(
                    f"{role.name} takes part in every stage: leads {leads}, supports {supports}."
                )
            else:
                sentences.append(
                    f"{role.name} leads {leads} of {total} stages and supports {supports}."
                )
        return sentences

    @property
    def lifecycle_lines(self) -> list[RoleLine]:
        return [
            RoleLine(role, text)
            for role, text in zip(self.roles, self.lifecycle_summary, strict=True)
        ]

    # --- collaboration ----------------------------------------------------------------------

    @cached_property
    def collaborations(self) -> list[CollaborationRow]:
        """Activities at least two of the compared roles take part in."""
        parts = [{c.collaboration_id: c for c in role.contributions.all()} for role in self.roles]
        taking_part: dict[int, list[Contribution]] = {}
        for by_id in parts:
            for pk, part in by_id.items():
                taking_part.setdefault(pk, []).append(part)
        rows = [
            CollaborationRow(found[0].collaboration, [by_id.get(pk) for by_id in parts], self.roles)
            for pk, found in taking_part.items()
            if len(found) >= 2
        ]
        return sorted(rows, key=lambda row: (row.collaboration.order, row.collaboration.title))

    # --- sources ----------------------------------------------------------------------------

    def _numbered_sources(self) -> list[Source]:
        """Every source cited on the page, in the catalog's order, each numbered.

        The same source reaches the page through several prefetches as separate instances; each
        instance gets the number (`source.number`) so an item can cite "[2]" next to itself.
        """
        seen: dict[int, list[Source]] = {}
        for role in self.roles:
            items = [
                role,
                *role.responsibilities.all(),
                *role.knowledge.all(),
                *role.traits.all(),
                *role.involvements.all(),
            ]
            for item in items:
                for citation in item.citations.all():
                    seen.setdefault(citation.source_id, []).append(citation.source)
        for row in self.collaborations:
            for citation in row.collaboration.citations.all():
                seen.setdefault(citation.source_id, []).append(citation.source)
        if self.pairing:
            for citation in self.pairing.citations.all():
                seen.setdefault(citation.source_id, []).append(citation.source)
        ordered = sorted(seen.values(), key=lambda copies: (copies[0].order, copies[0].title))
        for number, copies in enumerate(ordered, start=1):
            for source in copies:
                source.number = number
        return [copies[0] for copies in ordered]


class PairForm(forms.Form):
    """The two role pickers: GET /compare/?a=<slug>&b=<slug>."""

    a = forms.ChoiceField(
        label="Compare",
        error_messages={
            "required": "Pick the first role.",
            "invalid_choice": "There is no role called “%(value)s”. Pick one from the list.",
        },
    )
    b = forms.ChoiceField(
        label="with",
        error_messages={
            "required": "Pick the second role.",
            "invalid_choice": "There is no role called “%(value)s”. Pick one from the list.",
        },
    )

    def __init__(self, *args, roles: Iterable[Role], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A callable, so the roles are read only when the form is validated or drawn.
        for name in ("a", "b"):
            self.fields[name].choices = lambda: [(role.slug, role.name) for role in roles]
