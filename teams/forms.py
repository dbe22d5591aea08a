"""The start form (a Django form) and the edit form (read by hand: its rows and columns are the
chart's own, so they come and go as the team adds and removes them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict
from pydantic import ValidationError

from teams.chart import (
    ACTIVITIES_MAX,
    ACTIVITIES_MIN,
    ACTIVITY_TITLE_MAX,
    ROLE_NAME_MAX,
    ROLES_MAX,
    ROLES_MIN,
    TEAM_NAME_MAX,
    Chart,
    Reference,
    TeamActivity,
    TeamRole,
)

CUSTOM_ROWS = 3  # blank rows for the team's own roles and activities on the start form


class StartForm(forms.Form):
    """Roles (catalog and the team's own) and activities (catalog and the team's own)."""

    name = forms.CharField(label="Team name (optional)", max_length=TEAM_NAME_MAX, required=False)
    role = forms.MultipleChoiceField(required=False)
    activity = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, reference: Reference, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reference = reference
        roles = [(slug, role.name) for slug, role in reference.roles.items()]
        self.fields["role"].choices = roles
        self.fields["activity"].choices = [
            (slug, activity.title) for slug, activity in reference.activities.items()
        ]
        for k in range(CUSTOM_ROWS):
            self.fields[f"custom_{k}_name"] = forms.CharField(
                label=f"Role {k + 1} of your own", max_length=ROLE_NAME_MAX, required=False
            )
            self.fields[f"custom_{k}_like"] = forms.ChoiceField(
                label=f"Role {k + 1} of your own is like",
                choices=[("", "no catalog role"), *roles],
                required=False,
            )
            self.fields[f"custom_activity_{k}"] = forms.CharField(
                label=f"Activity {k + 1} of your own", max_length=ACTIVITY_TITLE_MAX, required=False
            )

    @property
    def customs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"custom_{k}_name"], self[f"custom_{k}_like"]) for k in range(CUSTOM_ROWS)]

    @property
    def custom_activities(self) -> list[forms.BoundField]:
        return [self[f"custom_activity_{k}"] for k in range(CUSTOM_ROWS)]

    def roles(self) -> list[TeamRole]:
        data = self.cleaned_data
        chosen = [
            TeamRole(name=self.reference.roles[slug].name, catalog=slug) for slug in data["role"]
        ]
        own = [
            TeamRole(name=data[f"custom_{k}_name"], like=data[f"custom_{k}_like"] or None)
            for k in range(CUSTOM_ROWS)
            if data[f"custom_{k}_name"]
        ]
        return chosen + own

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        count = len(data["role"]) + sum(bool(data[f"custom_{k}_name"]) for k in range(CUSTOM_ROWS))
        if not ROLES_MIN <= count <= ROLES_MAX:
            self.add_error(
                "role", f"Pick {ROLES_MIN} to {ROLES_MAX} roles in all; you have {count}."
            )
        count = len(data["activity"]) + sum(
            bool(data[f"custom_activity_{k}"]) for k in range(CUSTOM_ROWS)
        )
        if not ACTIVITIES_MIN <= count <= ACTIVITIES_MAX:
            self.add_error(
                "activity",
                f"Pick {ACTIVITIES_MIN} to {ACTIVITIES_MAX} activities in all; you have {count}.",
            )
        if not self.errors:
            try:
                self.chart = self.build()
            except ValidationError as error:
                self.add_error(None, [message for _, message in messages(error)])
        return data

    def build(self) -> Chart:
        roles = self.roles()
        data = self.cleaned_data
        chart = self.reference.chart(roles, data["activity"], data["name"])
        for k in range(CUSTOM_ROWS):
            if title := self.cleaned_data[f"custom_activity_{k}"]:
                chart.activities.append(TeamActivity(title=title, letters=[""] * len(roles)))
        return Chart.model_validate(chart.model_dump())


# --- the edit form ---------------------------------------------------------------------------


def field_name(loc: tuple) -> str:
    """The edit form's field for a place in the chart ("" for the chart as a whole)."""
    match loc:
        case ("name",):
            return "name"
        case ("roles", int(i), "name" | "like" | "catalog" as part, *_):
            return f"role-{i}-{part}"
        case ("activities", int(j), "letters", int(i), *_):
            return f"cell-{j}-{i}"
        case ("activities", int(j), "title" | "note" as part, *_):
            return f"activity-{j}-{part}"
    return ""


def message(error: dict) -> str:
    context = error.get("ctx", {})
    kind = error["type"]
    if kind == "string_too_long":
        return f"Keep it to {context['max_length']} characters or fewer."
    if kind == "string_too_short":
        return "This cannot be empty."
    if kind == "too_short" and error["loc"] == ("roles",):
        return f"A chart needs at least {ROLES_MIN} roles."
    if kind == "too_long" and error["loc"] == ("roles",):
        return f"A chart has at most {ROLES_MAX} roles."
    if kind == "too_short" and error["loc"] == ("activities",):
        return f"A chart needs at least {ACTIVITIES_MIN} activity."
    if kind == "too_long" and error["loc"] == ("activities",):
        return f"A chart has at most {ACTIVITIES_MAX} activities."
    if kind == "literal_error":
        return "Pick R, A, C, I or none."
    return error["msg"].removeprefix("Value error, ")


def messages(error: ValidationError) -> list[tuple[str, str]]:
    return [(field_name(e["loc"]), message(e)) for e in error.errors()]


def count(data: QueryDict, name: str, ceiling: int) -> int:
    """A row or column count from the form, never more than one past the limit (so a tampered
    count cannot make the server read thousands of fields; the limit's error still shows)."""
    try:
        return max(0, min(int(data.get(name, "0")), ceiling + 1))
    except ValueError:
        return 0


@dataclass
class Edit:
    """The chart as typed (valid or not), its errors by field, and what an action did."""

    chart: Chart
    reference: Reference
    errors: dict[str, list[str]] = field(default_factory=dict)
    done: str = ""

    @property
    def valid(self) -> bool:
        return not self.errors

    def error_list(self) -> list[tuple[str, str]]:
        return [(name, text) for name, texts in self.errors.items() for text in texts]


def read_chart(data: QueryDict) -> Chart:
    """The chart exactly as the form holds it, unvalidated, so a refused save shows it again."""
    width = count(data, "roles", ROLES_MAX)
    roles = [
        TeamRole.model_construct(
            name=data.get(f"role-{i}-name", "").strip(),
            catalog=data.get(f"role-{i}-catalog") or None,
            like=data.get(f"role-{i}-like") or None,
        )
        for i in range(width)
    ]
    activities = [
        TeamActivity.model_construct(
            title=data.get(f"activity-{j}-title", "").strip(),
            collaboration=data.get(f"activity-{j}-collaboration") or None,
            note=data.get(f"activity-{j}-note", "").strip(),
            letters=[data.get(f"cell-{j}-{i}", "") for i in range(width)],
        )
        for j in range(count(data, "activities", ACTIVITIES_MAX))
    ]
    return Chart.model_construct(
        name=data.get("name", "").strip(), roles=roles, activities=activities
    )


def validate(chart: Chart, reference: Reference) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        Chart.model_validate(chart.model_dump())
    except ValidationError as error:
        for name, text in messages(error):
            errors.setdefault(name, []).append(text)
    for i, role in enumerate(chart.roles):
        for part in ("catalog", "like"):
            slug = getattr(role, part)
            if slug and slug not in reference.roles:
                errors.setdefault(f"role-{i}-{part}", []).append("Pick a role from the list.")
    return errors


def apply(data: QueryDict, chart: Chart, reference: Reference) -> str:
    """Carry out the add or remove action the form asks for, on `chart`; say what was done."""
    action = data.get("action", "")
    if (index := data.get("remove-role", "")).isdigit() and int(index) < len(chart.roles):
        i = int(index)
        if len(chart.roles) <= ROLES_MIN:
            return f"A chart needs at least {ROLES_MIN} roles: add one before removing this."
        role = chart.roles.pop(i)
        for activity in chart.activities:
            del activity.letters[i]
        return f"Removed the role “{role.name}”. Save to keep the change."
    if (index := data.get("remove-activity", "")).isdigit() and int(index) < len(chart.activities):
        if len(chart.activities) <= ACTIVITIES_MIN:
            return "A chart needs at least one activity: add one before removing this."
        activity = chart.activities.pop(int(index))
        return f"Removed the activity “{activity.title}”. Save to keep the change."
    if action == "add-role":
        name = data.get("new-role-name", "").strip()[:ROLE_NAME_MAX]
        like = data.get("new-role-like", "")
        if not name:
            return "Type the new role's name first."
        if len(chart.roles) >= ROLES_MAX:
            return f"A chart has at most {ROLES_MAX} roles."
        role = TeamRole.model_construct(
            name=name, catalog=None, like=like if like in reference.roles else None
        )
        chart.roles.append(role)
        for activity in chart.activities:
            activity.letters.append(reference.expected(activity, role, chart.roles) or "")
        return f"Added the role “{name}”. Save to keep it."
    if action == "add-activity":
        slug = data.get("new-activity-collaboration", "")
        title = data.get("new-activity-title", "").strip()[:ACTIVITY_TITLE_MAX]
        if slug in reference.activities:
            title = title or reference.activities[slug].title
        else:
            slug = None
        if not title:
            return "Type the new activity, or pick one from the reference, first."
        if len(chart.activities) >= ACTIVITIES_MAX:
            return f"A chart has at most {ACTIVITIES_MAX} activities."
        activity = TeamActivity.model_construct(
            title=title, collaboration=slug, note="", letters=[]
        )
        activity.letters = [
            reference.expected(activity, role, chart.roles) or "" for role in chart.roles
        ]
        chart.activities.append(activity)
        return f"Added the activity “{title}”. Save to keep it."
    return ""


def read_edit(data: QueryDict, reference: Reference) -> Edit:
    chart = read_chart(data)
    done = apply(data, chart, reference)
    return Edit(chart=chart, reference=reference, errors=validate(chart, reference), done=done)
