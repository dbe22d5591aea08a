"""The RACI matrix of /collaboration/: activities as rows, every role taking part as a column.

Computed in plain Python over `Collaboration.objects.with_contributions()`; no queries here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from catalog.models import LEADING_RACI, Collaboration, Contribution, Raci, Role


@dataclass
class RaciCell:
    role: Role
    contribution: Contribution | None

    @property
    def letter(self) -> str:
        return self.contribution.raci if self.contribution else ""


@dataclass
class RaciRow:
    collaboration: Collaboration
    cells: list[RaciCell]

    @property
    def accountable(self) -> Role | None:
        return next((c.role for c in self.cells if c.letter == Raci.ACCOUNTABLE), None)

    @property
    def parts(self) -> list[Contribution]:
        """Each role's part, in column order (for the details below the grid)."""
        return [cell.contribution for cell in self.cells if cell.contribution]


@dataclass
class RoleChoice:
    role: Role
    chosen: bool


@dataclass
class RaciColumn:
    """A role's column: its heading on a wide screen (`role.label`) and its abbreviation on a
    narrow one, each with the full name for screen readers and as a tooltip."""

    role: Role
    abbreviation: str
    chosen: bool


# A short label reads as it is; a longer one gets an abbreviation in narrow columns.
SHORT_LABEL = 8


def abbreviations(roles: list[Role]) -> dict[int, str]:
    """Each role's abbreviation for a narrow column, unique among `roles`: a one-word other title
    of up to four letters the role is known by ("PO", "PgM"), else the initials of its name,
    else its label. A candidate two roles share ("PM") is used by neither."""

    def candidates(role: Role) -> list[str]:
        if len(role.label) <= SHORT_LABEL:
            return [role.label]
        known = [t for t in role.other_title_list if len(t) <= 4 and t.isalpha()]
        initials = "".join(word[0] for word in role.name.split()).upper()
        return [*known, initials, role.label]

    options = {role.pk: candidates(role) for role in roles}
    taken: dict[str, int] = {}
    for choices in options.values():
        for choice in set(choices[:-1]):
            taken[choice] = taken.get(choice, 0) + 1
    return {
        pk: next((c for c in choices[:-1] if taken[c] == 1), choices[-1])
        for pk, choices in options.items()
    }


def _by_order(roles: Iterable[Role]) -> list[Role]:
    return sorted(roles, key=lambda role: (role.order, role.name))


class RaciMatrix:
    """Every activity, or with `roles` (slugs) the activities where any of them is R or A.

    Slugs that name no role taking part are ignored, so a stale or mistyped filter shows
    everything rather than nothing. Columns are the roles taking part in the activities shown.
    """

    def __init__(self, collaborations: Iterable[Collaboration], *, roles: Iterable[str] = ()):
        activities = list(collaborations)
        everyone = _by_order(
            {
                part.role_id: part.role
                for activity in activities
                for part in activity.contributions.all()
            }.values()
        )
        asked = set(roles)
        self.chosen = [role for role in everyone if role.slug in asked]
        chosen_ids = {role.pk for role in self.chosen}
        self.path = reverse("catalog:collaboration")
        self.choices = [RoleChoice(role, role.pk in chosen_ids) for role in everyone]
        self.total = len(activities)
        shown = [
            activity
            for activity in activities
            if not chosen_ids
            or any(
                part.role_id in chosen_ids and part.raci in LEADING_RACI
                for part in activity.contributions.all()
            )
        ]
        taking_part = {part.role_id for activity in shown for part in activity.contributions.all()}
        self.roles = [role for role in everyone if role.pk in taking_part]
        short = abbreviations(everyone)
        self.columns = [
            RaciColumn(role, short[role.pk], role.pk in chosen_ids) for role in self.roles
        ]
        self.rows = []
        for activity in shown:
            by_role = {part.role_id: part for part in activity.contributions.all()}
            self.rows.append(
                RaciRow(activity, [RaciCell(role, by_role.get(role.pk)) for role in self.roles])
            )

    @property
    def abbreviated(self) -> list[RaciColumn]:
        """The columns whose narrow heading is an abbreviation, for the key under the grid."""
        return [column for column in self.columns if column.abbreviation != column.role.label]

    @property
    def url(self) -> str:
        """This view's own address: the chosen roles in the catalog's order."""
        if not self.chosen:
            return self.path
        return f"{self.path}?{urlencode([('role', role.slug) for role in self.chosen])}"

    @property
    def url_print_everything(self) -> str:
        """This view with every activity's details in print, not the grid alone."""
        chosen = [("role", role.slug) for role in self.chosen]
        return f"{self.path}?{urlencode([*chosen, ('print', 'all')])}"

    @property
    def chosen_names(self) -> str:
        names = [role.name for role in self.chosen]
        return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)

    @property
    def heading(self) -> str:
        if not self.chosen:
            return "Every activity"
        return f"Activities the {self.chosen_names} does or owns"

    @property
    def announcement(self) -> str:
        if not self.chosen:
            return f"Showing all {self.total} activities"
        return (
            f"Showing {len(self.rows)} of {self.total} activities: those where the "
            f"{self.chosen_names} is Responsible or Accountable"
        )
