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
    PAIRING_ROLES_MAX,
    PAIRING_ROLES_MIN,
    AntiPattern,
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
    RoleLevel,
    RoleMove,
    Source,
    StageInvolvement,
    Trait,
    sources_of,
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
    role: Role | None = None  # the one role it is about, when it is about one


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


class KeyFunction(NamedTuple):
    """A function that is key for at least one compared role, and the roles it is key for."""

    function: Function
    roles: list[Role]


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


def role_names(roles: Iterable[Role]) -> str:
    """Join the names as "A, B and C", so no sentence assumes how many roles there are."""
    names = [role.name for role in roles]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


@dataclass
class Rung:
    """One compared role at the level shown: the rung, and the others on its ladder to choose."""

    role: Role
    level: RoleLevel | None
    ladder: list[RoleLevel]

    @property
    def choosable(self) -> bool:
        """A ladder of its own: more than the one rung that says it has none."""
        return len(self.ladder) > 1


LEVELS_ASKED_MAX = 8  # more ?level= values than four roles could use are not read


def usual_level(role: Role, ladder: list[RoleLevel]) -> RoleLevel | None:
    """The rung a comparison shows until another is chosen: the one named like the role (the
    practitioner, "Product manager"), else the lowest."""
    return next(
        (level for level in ladder if level.slug == role.slug), ladder[0] if ladder else None
    )


@dataclass
class Removal:
    """A compared role and the address of the comparison without it."""

    role: Role
    url: str


class Comparison:
    """Bottom line, key differences, shared activities, rows and lifecycle of two to four roles
    side by side, in the order given (the order of the URL and of the columns).

    `function` (a function slug) and `diff` narrow what the responsibilities, knowledge and
    dimension tables show; values that match nothing on the page are ignored. `levels` (rung
    slugs, any order) choose the rung each role is shown at: a slug sets every compared role whose
    ladder has it; slugs on no compared role's ladder are named in `unknown_levels`. Nothing here
    assumes a number of roles: every row has one cell per role, in `roles` order.
    """

    def __init__(
        self,
        *roles: Role,
        function: str | None = None,
        diff: bool = False,
        levels: Iterable[str] = (),
    ):
        self.roles = list(roles)
        self.diff = diff
        slugs = {row.function.slug for row in self.function_rows}
        self.function = function if function in slugs else None
        asked = list(dict.fromkeys(slug for slug in levels if slug))[:LEVELS_ASKED_MAX]
        ladders = {level.slug for role in self.roles for level in role.levels.all()}
        self.unknown_levels = [slug for slug in asked if slug not in ladders]
        self.levels = [slug for slug in asked if slug in ladders]
        # Numbered before any item is drawn, so each can cite its source as "[n]".
        self.sources = self._numbered_sources()

    # --- URLs -----------------------------------------------------------------------------

    @property
    def slugs(self) -> list[str]:
        return [role.slug for role in self.roles]

    @property
    def path(self) -> str:
        return reverse("catalog:compare", args=self.slugs)

    @property
    def markdown_path(self) -> str:
        return reverse("api:compare-markdown", args=self.slugs)

    @property
    def json_path(self) -> str:
        return reverse("api:compare", args=self.slugs)

    @property
    def swapped_url(self) -> str:
        """The same view with the columns in the reverse order (the sides swapped, for two)."""
        return self.url(path=reverse("catalog:compare", args=self.slugs[::-1]))

    @property
    def removals(self) -> list[Removal]:
        """Each role with the comparison without it, while more than two would remain. Like
        the pickers, removing a role starts from the plain view."""
        if len(self.roles) <= 2:
            return []
        return [
            Removal(role, reverse("catalog:compare", args=self.slugs[:i] + self.slugs[i + 1 :]))
            for i, role in enumerate(self.roles)
        ]

    def url(
        self,
        *,
        function: str | None = None,
        diff: bool | None = None,
        levels: list[str] | None = None,
        path: str | None = None,
    ) -> str:
        """This comparison's URL with the given view state (None keeps the current one)."""
        function = self.function if function is None else function
        diff = self.diff if diff is None else diff
        levels = self.chosen_levels if levels is None else levels
        query: dict[str, str | list[str]] = {"function": function} if function else {}
        if diff:
            query["diff"] = "1"
        if levels:
            query["level"] = levels
        path = path or self.path
        return f"{path}?{urlencode(query, doseq=True)}" if query else path

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

    @property
    def url_usual_levels(self) -> str:
        return self.url(levels=[])

    # --- words ------------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return " vs ".join(role.name for role in self.roles)

    @property
    def names(self) -> str:
        return role_names(self.roles)

    @property
    def announcement(self) -> str:
        first, *others = self.roles
        return f"Comparing {first.name} with {role_names(others)}"

    @property
    def details_announcement(self) -> str:
        if self.diff:
            return "Showing only the differences"
        both = "both roles" if len(self.roles) == 2 else f"all {len(self.roles)} roles"
        return f"Showing everything {both} do and know"

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
                        role=role,
                    )
                )
            else:
                statements.append(Statement(f"{who}: {role.summary}", role=role))
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
    def key_functions(self) -> list[KeyFunction]:
        """Each function key to any compared role, in order, with the roles it is key for."""
        return [
            KeyFunction(row.function, [cell.role for cell in row.cells if cell.is_key])
            for row in self.function_rows
            if any(cell.is_key for cell in row.cells)
        ]

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

    # --- where they meet ------------------------------------------------------------------

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

    # --- at a chosen level ---------------------------------------------------------------------

    @cached_property
    def rungs(self) -> list[Rung]:
        """Each role at the rung chosen for it (the first of `levels` on its ladder), else at its
        usual rung; from the prefetched ladders."""
        rungs = []
        for role in self.roles:
            ladder = list(role.levels.all())
            by_slug = {level.slug: level for level in ladder}
            chosen = next((by_slug[slug] for slug in self.levels if slug in by_slug), None)
            rungs.append(Rung(role, chosen or usual_level(role, ladder), ladder))
        return rungs

    @property
    def chosen_levels(self) -> list[str]:
        """The rungs chosen away from the usual ones, in column order: the address's ?level=."""
        return list(
            dict.fromkeys(
                rung.level.slug
                for rung in self.rungs
                if rung.choosable
                and rung.level is not None
                and rung.level != usual_level(rung.role, rung.ladder)
            )
        )

    @property
    def levels_problem(self) -> str:
        if not self.unknown_levels:
            return ""
        names = " or ".join(f"“{slug[:60]}”" for slug in self.unknown_levels)
        if not self.any_ladder:
            return (
                f"None of these roles has a ladder of its own, so none has a level called {names}."
            )
        return (
            f"None of these roles has a level called {names}, so each is shown at the level "
            "it is usually compared at. Choose a level from the lists."
        )

    @property
    def levels_summary(self) -> str:
        """The rungs shown, in a sentence, with what their SFIA levels say about them."""
        placed = [r for r in self.rungs if r.level is not None and r.level.sfia_level]
        if len(placed) == len(self.rungs) and len({r.level.sfia_level for r in placed}) == 1:
            return (
                f"All at SFIA level {placed[0].level.sfia_level}: the same level of "
                "responsibility, so the differences below come from the roles, not their seniority."
            )
        parts = []
        for rung in self.rungs:
            if rung.level is None:
                parts.append(f"{rung.role.name}: no levels recorded")
            elif rung.level.sfia_level:
                parts.append(f"{rung.level.name} at SFIA level {rung.level.sfia_level}")
            else:
                parts.append(f"{rung.role.name}: no ladder of its own")
        return "; ".join(parts) + "."

    @property
    def levels_announcement(self) -> str:
        shown = [
            f"{rung.role.name} as {rung.level.name}"
            if rung.level.sfia_level
            else f"{rung.role.name}, which has no ladder of its own"
            for rung in self.rungs
            if rung.level
        ]
        return "Showing " + ", ".join(shown) if shown else "No levels recorded"

    @property
    def any_ladder(self) -> bool:
        return any(rung.choosable for rung in self.rungs)

    @property
    def moves(self) -> list[RoleMove]:
        """The written moves among the compared roles, in column order of the role moved from,
        from the roles' prefetched moves: no query more."""
        ids = {role.pk for role in self.roles}
        return [
            move for role in self.roles for move in role.moves_out.all() if move.to_role_id in ids
        ]

    # --- how the confusion goes wrong ---------------------------------------------------------

    @cached_property
    def anti_patterns(self) -> list[AntiPattern]:
        """The compared roles' anti-patterns in which one is mistaken for, or drifts into,
        another of them, in column order: the ways the confusion itself does harm."""
        compared = {role.pk for role in self.roles}
        return [
            pattern
            for role in self.roles
            for pattern in role.anti_patterns.all()
            if pattern.confused_with_id in compared
        ]

    # --- sources ----------------------------------------------------------------------------

    def _numbered_sources(self) -> list[Source]:
        """Every source cited on the page, in the catalog's order, each numbered.

        The same source reaches the page through several prefetches as separate instances; each
        instance gets the number (`source.number`) so an item can cite "[2]" next to itself.
        """
        items = [item for role in self.roles for item in role.cited_items()]
        items += [row.collaboration for row in self.collaborations]
        items += self.anti_patterns
        ordered = sources_of([*items, *([self.pairing] if self.pairing else [])])
        for number, copies in enumerate(ordered, start=1):
            for source in copies:
                source.number = number
        return [copies[0] for copies in ordered]


# A comparison shows the roles a pairing can hold.
MIN_ROLES, MAX_ROLES = PAIRING_ROLES_MIN, PAIRING_ROLES_MAX
PICKS = ("a", "b", "c", "d")  # the pickers' names, in column order: GET /compare/?a=&b=&c=&d=


def picked(slugs: Iterable[str]) -> dict[str, str]:
    """Initial values for `CompareForm`: the slugs in picker order."""
    return dict(zip(PICKS, slugs, strict=False))


class CompareForm(forms.Form):
    """The role pickers: two to four different roles, in column order. The first two are
    required; the others add a role when picked. `picks` lists the slugs picked, in order."""

    def __init__(self, *args, roles: Iterable[Role], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = ["First role", "Second role", "Third role", "Fourth role"]
        for i, (name, label) in enumerate(zip(PICKS, labels, strict=True)):
            required = i < MIN_ROLES
            self.fields[name] = forms.ChoiceField(
                label=label if required else f"{label} (optional)",
                required=required,
                error_messages={
                    "required": f"Pick the {label.lower()}.",
                    "invalid_choice": (
                        "There is no role called “%(value)s”. Pick one from the list."
                    ),
                },
            )
            # A callable, so the roles are read only when the form is validated or drawn.
            self.fields[name].choices = (
                (lambda: [(role.slug, role.name) for role in roles])
                if required
                else (lambda: [("", "None"), *((role.slug, role.name) for role in roles)])
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        seen: set[str] = set()
        for name in PICKS:
            slug = cleaned.get(name)
            if slug and slug in seen:
                self.add_error(name, "This role is already picked. Pick another, or none.")
            elif slug:
                seen.add(slug)
        return cleaned

    @property
    def picks(self) -> list[str]:
        return [slug for name in PICKS if (slug := self.cleaned_data.get(name))]

    @property
    def shown(self) -> list[forms.BoundField]:
        """The pickers to draw: every role picked, then one more while fewer than four are."""
        values = [self[name].value() for name in PICKS]
        count = max([MIN_ROLES, *(i + 1 for i, value in enumerate(values) if value)])
        return [self[name] for name in PICKS[: min(count + 1, MAX_ROLES)]]
