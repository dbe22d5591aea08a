"""A team's RACI chart: the document a `Team` holds, the catalog's reference it starts from, and
the rules and differences shown as the team edits it.

`Chart` is the one description of the document: it validates what the edit form sends, is what
the database keeps, and is the JSON export and the API's payload (its OpenAPI schema too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from catalog.models import LEADING_RACI, Collaboration, Contribution, Raci, Role

# Size limits: a chart for one team fits a screen and one printed page.
ROLES_MIN, ROLES_MAX = 2, 10
ACTIVITIES_MIN, ACTIVITIES_MAX = 1, 30
TEAM_NAME_MAX = 80
ROLE_NAME_MAX = 40
ACTIVITY_TITLE_MAX = 120
NOTE_MAX = 300

LETTERS = [letter.value for letter in Raci]
Letter = Literal["R", "A", "C", "I", ""]
SlugText = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=80)]


def text(max_length: int, min_length: int = 0):
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
    ]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamRole(Strict):
    """A column: a catalog role (`catalog`), or the team's own role, optionally `like` one."""

    name: text(ROLE_NAME_MAX, 1)
    catalog: SlugText | None = Field(None, description="The catalog role this column is.")
    like: SlugText | None = Field(
        None, description="The catalog role whose reference letters this custom role takes."
    )

    @property
    def reference(self) -> str | None:
        """The catalog role whose letters are this column's reference."""
        return self.catalog or self.like


class TeamActivity(Strict):
    """A row: a catalog shared activity (`collaboration`) or the team's own, and its letters."""

    title: text(ACTIVITY_TITLE_MAX, 1)
    collaboration: SlugText | None = Field(
        None, description="The catalog's shared activity this row is."
    )
    note: text(NOTE_MAX) = ""
    letters: list[Letter] = Field(description="One letter per role, in the roles' order.")


class Chart(Strict):
    name: text(TEAM_NAME_MAX) = ""
    roles: list[TeamRole] = Field(min_length=ROLES_MIN, max_length=ROLES_MAX)
    activities: list[TeamActivity] = Field(min_length=ACTIVITIES_MIN, max_length=ACTIVITIES_MAX)

    @model_validator(mode="after")
    def letters_fit_the_roles(self) -> Chart:
        names = [role.name.casefold() for role in self.roles]
        twice = next(
            (role.name for i, role in enumerate(self.roles) if names.index(names[i]) != i), None
        )
        if twice:
            raise ValueError(f"Two roles are called “{twice}”: give each role its own name.")
        for activity in self.activities:
            if len(activity.letters) != len(self.roles):
                raise ValueError(f"“{activity.title}” needs one letter per role.")
        return self

    @property
    def title(self) -> str:
        return self.name or "Our team"


# --- the reference ----------------------------------------------------------------------------


class Reference:
    """The catalog's letters for the activities and roles a chart names, read from
    `Collaboration.objects.with_contributions().with_responsibilities()`; no queries here."""

    def __init__(self, collaborations: Iterable[Collaboration], roles: Iterable[Role]) -> None:
        self.activities = {activity.slug: activity for activity in collaborations}
        self.roles = {role.slug: role for role in roles}
        self.parts: dict[tuple[str, str], Contribution] = {
            (activity.slug, part.role.slug): part
            for activity in self.activities.values()
            for part in activity.contributions.all()
        }

    @classmethod
    def for_slugs(cls, activities: Iterable[str] | None = None) -> Reference:
        """The reference for these shared activities (all when None): 6 queries."""
        collaborations = Collaboration.objects.with_contributions().with_responsibilities()
        if activities is not None:
            collaborations = collaborations.filter(slug__in=set(activities))
        return cls(collaborations, Role.objects.only("slug", "name", "short_name", "order"))

    def letter(self, activity: TeamActivity, role: TeamRole) -> str | None:
        """The reference letter ("" for no part), or None when the cell has no reference."""
        if activity.collaboration not in self.activities or role.reference not in self.roles:
            return None
        part = self.parts.get((activity.collaboration, role.reference))
        return part.raci if part else ""

    def accountable(self, activity: str | None) -> str:
        """The name of the role the reference makes Accountable for `activity`, if any."""
        parts = self.activities[activity].contributions.all() if activity in self.activities else []
        return next((part.role.name for part in parts if part.raci == "A"), "")

    def expected(
        self, activity: TeamActivity, role: TeamRole, roles: Sequence[TeamRole]
    ) -> str | None:
        """The letter the reference gives this cell in a chart of `roles`: a role "like" a
        catalog role takes its letters, but not its A while that catalog role is on the team
        (one A per activity), where it does the work instead (R)."""
        letter = self.letter(activity, role)
        if letter == "A" and not role.catalog and any(r.catalog == role.like for r in roles):
            return "R"
        return letter

    def chart(self, roles: list[TeamRole], activities: Sequence[str], name: str = "") -> Chart:
        """A chart of `roles` and the catalog `activities` (slugs), with the reference letters."""
        rows = []
        for slug in activities:
            activity = TeamActivity(
                title=self.activities[slug].title, collaboration=slug, letters=[]
            )
            activity.letters = [self.expected(activity, role, roles) or "" for role in roles]
            rows.append(activity)
        return Chart(name=name, roles=roles, activities=rows)

    def led_by(self, role_slugs: Iterable[str]) -> list[str]:
        """The activities where any of these roles is R or A, in the catalog's order."""
        slugs = set(role_slugs)
        return [
            activity.slug
            for activity in self.activities.values()
            if any(
                part.role.slug in slugs and part.raci in LEADING_RACI
                for part in activity.contributions.all()
            )
        ]


# --- rules and differences --------------------------------------------------------------------

ARTICLES = {"R": "an R", "A": "the A", "C": "a C", "I": "an I", "": "no part"}


@dataclass
class Difference:
    """A cell whose letter differs from the reference's, and what the reference says."""

    activity: int
    role: int
    activity_title: str
    role_name: str
    ours: str
    theirs: str
    sentence: str
    why: str
    duties: list
    citations: list


@dataclass
class Findings:
    """The rules' messages, per activity and per role, and every cell that differs."""

    rows: list[list[str]] = field(default_factory=list)
    columns: list[list[str]] = field(default_factory=list)
    differences: dict[tuple[int, int], Difference] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        """Every message, each row's named after its activity (beside the row it needs not)."""
        named = zip(self.titles, self.rows, strict=True)
        rows = [f"“{title}”: {message}" for title, row in named for message in row]
        return rows + [message for column in self.columns for message in column]

    @property
    def summary(self) -> str:
        count, differ = len(self.messages), len(self.differences)
        rules = f"{count} rule{'s'[: count != 1]} to look at" if count else "Every rule is met"
        cells = f"{differ} cell{'s'[: differ != 1]} differ{'s'[: differ == 1]}"
        return f"{rules}; {cells} from the reference."


def names(roles: Sequence[TeamRole]) -> str:
    listed = [role.name for role in roles]
    return " and ".join([", ".join(listed[:-1]), listed[-1]] if len(listed) > 1 else listed)


def too_much(accountable: int, activities: int) -> bool:
    """Accountable for more than half of four or more activities."""
    return activities >= 4 and accountable * 2 > activities


def check(chart: Chart, reference: Reference) -> Findings:
    """The rules (one A, at least one R, no idle role, no role owning too much) and the
    differences from the reference, for the page, its live check and the save alike."""
    findings = Findings()
    roles, activities = chart.roles, chart.activities
    for j, activity in enumerate(activities):
        findings.titles.append(activity.title or f"Activity {j + 1}")
        letters = list(activity.letters) + [""] * (len(roles) - len(activity.letters))
        owners = [role for role, letter in zip(roles, letters, strict=False) if letter == "A"]
        messages = []
        if not owners:
            holder = reference.accountable(activity.collaboration)
            messages.append(
                "No role is Accountable (A): give one the A"
                + (f" (the reference gives it to the {holder.lower()})." if holder else ".")
            )
        elif len(owners) > 1:
            messages.append(
                f"{len(owners)} roles are Accountable ({names(owners)}): keep exactly one A."
            )
        if "R" not in letters:
            messages.append("No role is Responsible (R): who does the work?")
        findings.rows.append(messages)
        for i, role in enumerate(roles):
            theirs = reference.expected(activity, role, roles)
            if theirs is not None and theirs != letters[i]:
                findings.differences[(j, i)] = difference(
                    reference, j, i, activity, role, letters[i], theirs
                )
    for i, role in enumerate(roles):
        column = [a.letters[i] if i < len(a.letters) else "" for a in activities]
        messages = []
        if not set(column) & {"R", "A"}:
            messages.append(f"The {role.name} is neither R nor A anywhere: is there work missing?")
        if too_much(column.count("A"), len(activities)):
            messages.append(
                f"The {role.name} is Accountable for {column.count('A')} of {len(activities)} "
                "activities: can others own some?"
            )
        findings.columns.append(messages)
    return findings


def part_letter(part: Contribution | None) -> str:
    return part.raci if part else ""


def difference(
    reference: Reference,
    j: int,
    i: int,
    activity: TeamActivity,
    role: TeamRole,
    ours: str,
    theirs: str,
) -> Difference:
    collaboration = reference.activities[activity.collaboration]
    part = reference.parts.get((collaboration.slug, role.reference))
    citations = list(part.citations.all()) if part else []
    citations = citations or list(collaboration.citations.all())
    who = citations[0].source.title if citations else "The reference"
    like = reference.roles[role.reference].name.lower()
    if role.catalog:
        sentence = f"{who} gives the {like} {ARTICLES[theirs]} in “{collaboration.title}”."
    elif theirs == part_letter(part):
        sentence = (
            f"{who} gives the {like}, whom the {role.name} is like, {ARTICLES[theirs]} in "
            f"“{collaboration.title}”."
        )
    else:
        sentence = (
            f"{who} gives the {like} the A in “{collaboration.title}”; the {role.name} is like "
            f"the {like}, who is on the team and keeps the A, so it does the work (R)."
        )
    return Difference(
        activity=j,
        role=i,
        activity_title=activity.title,
        role_name=role.name,
        ours=ours,
        theirs=theirs,
        sentence=sentence,
        why=collaboration.why_accountable if "A" in (ours, theirs) else "",
        duties=list(part.responsibilities.all()) if part and theirs in LEADING_RACI else [],
        citations=citations,
    )
