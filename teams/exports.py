"""A team's chart as JSON (the API's payload), CSV and Markdown: each only turns the `Chart`
and its `Findings` into a format."""

from __future__ import annotations

import csv
import io
import json

from django.http import HttpRequest
from django.utils.text import slugify

from catalog.models import Raci
from teams.chart import Chart, Findings
from teams.models import Team
from teams.schemas import TeamOut

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
NAMES = {letter.value: letter.label for letter in Raci}


def file_name(chart: Chart) -> str:
    return slugify(chart.name) or "team-raci"


def payload(request: HttpRequest, team: Team) -> dict:
    """What the JSON export and /api/v1/teams/<id>/ answer."""
    return TeamOut(
        id=team.public_id,
        html_url=request.build_absolute_uri(team.get_absolute_url()),
        version=team.version,
        updated=team.updated.isoformat(timespec="seconds").replace("+00:00", "Z"),
        chart=team.chart,
    ).model_dump(mode="json")


def as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def as_csv(chart: Chart, findings: Findings, url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Activity", *(role.name for role in chart.roles), "Note"])
    for activity in chart.activities:
        writer.writerow([activity.title, *activity.letters, activity.note])
    return out.getvalue()


def cell(text: str) -> str:
    """Text as one Markdown table cell: no line breaks, pipes escaped, no HTML."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def as_markdown(chart: Chart, findings: Findings, url: str) -> str:
    lines = [f"# {cell(chart.title)}: who does what", "", f"<{url}>", ""]
    lines.append("| Activity | " + " | ".join(cell(r.name) for r in chart.roles) + " | Note |")
    lines.append("| --- |" + " :-: |" * len(chart.roles) + " --- |")
    for activity in chart.activities:
        letters = " | ".join(letter or "-" for letter in activity.letters)
        lines.append(f"| {cell(activity.title)} | {letters} | {cell(activity.note)} |")
    key = ", ".join(f"{letter} {name}" for letter, name in NAMES.items())
    lines += ["", f"Key: {key}; - no part."]
    if findings.messages:
        lines += ["", "## Rules to look at", ""]
        lines += [f"- {cell(message)}" for message in findings.messages]
    if findings.differences:
        lines += ["", "## Where this chart departs from the reference", ""]
        for difference in findings.differences.values():
            role, activity = difference.role_name, difference.activity_title
            ours = difference.ours or "no part"
            lines.append(
                f"- {cell(activity)}, {cell(role)}: {ours} here. {cell(difference.sentence)}"
                + (f" {cell(difference.why)}" if difference.why else "")
            )
    return "\n".join(lines) + "\n"
