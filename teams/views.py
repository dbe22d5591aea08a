"""A team's own RACI chart: start it from the reference, edit it behind a secret key, share a
read-only page, export it, and go back to any saved version."""

from __future__ import annotations

import reversion
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from reversion.models import Version

from catalog.models import RACI_MEANINGS, Raci
from catalog.views import HtmxHttpRequest, page_context, render_page
from teams import exports
from teams.cards import team_card
from teams.chart import (
    ACTIVITIES_MAX,
    ACTIVITY_TITLE_MAX,
    LETTERS,
    NOTE_MAX,
    ROLE_NAME_MAX,
    ROLES_MAX,
    TEAM_NAME_MAX,
    Chart,
    Reference,
    check,
)
from teams.forms import Edit, StartForm, read_edit
from teams.models import Team, TeamStart

LIMITS = {
    "roles_max": ROLES_MAX,
    "activities_max": ACTIVITIES_MAX,
    "team_name_max": TEAM_NAME_MAX,
    "role_name_max": ROLE_NAME_MAX,
    "activity_title_max": ACTIVITY_TITLE_MAX,
    "note_max": NOTE_MAX,
}
RACI = [(letter, letter.label, RACI_MEANINGS[letter]) for letter in Raci]


def private(response: HttpResponse, *, edit: bool = False) -> HttpResponse:
    """A team's pages are for those given the link: never indexed, never kept by a shared
    cache; an edit page (its address holds the key) is not stored, and its address never goes
    to another site as a referrer. (Not "no-referrer": under it Chromium sends `Origin: null`
    with the page's own form posts, and Django's CSRF check refuses them.)"""
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "private, no-store" if edit else "private, no-cache"
    if edit:
        response.headers["Referrer-Policy"] = "same-origin"
    return response


def team_or_404(public_id: str) -> Team:
    return get_object_or_404(Team, public_id=public_id)


def editable(public_id: str, key: str) -> Team:
    """The team, if `key` is its edit key; a wrong key is a 404 like an unknown team."""
    team = Team.objects.filter(public_id=public_id).first()
    if team is None or not team.opens_with(key):
        raise Http404("No team has this edit address.")
    return team


# --- start ------------------------------------------------------------------------------------


def start_initial(query: QueryDict, reference: Reference) -> dict:
    """The start form as a GET left it; activities suggested from the roles unless picked."""
    initial = {"role": query.getlist("role"), "name": query.get("name", "")}
    likes = []
    for key, value in query.items():
        if key.startswith("custom_"):
            initial[key] = value
            if key.endswith("_like"):
                likes.append(value)
    if "activity" in query and "suggest" not in query:
        initial["activity"] = query.getlist("activity")
    else:
        initial["activity"] = reference.led_by(initial["role"] + likes)
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def team_new(request: HtmxHttpRequest) -> HttpResponse:
    reference = Reference.for_slugs()
    if request.method == "POST":
        form = StartForm(request.POST, reference=reference)
        if form.is_valid():
            limit = settings.TEAMS_PER_HOUR
            if not TeamStart.allow(request.META.get("REMOTE_ADDR", ""), limit):
                return too_many(request, limit)
            team = Team()
            key = team.new_key()
            team.chart = form.chart
            with reversion.create_revision():
                reversion.set_comment("Started from the reference")
                team.save()
            return HttpResponseRedirect(f"{team.edit_url(key)}?started=1", status=303)
    else:
        initial = start_initial(request.GET, reference) if request.GET else {}
        form = StartForm(initial=initial, reference=reference)
    context = page_context(
        request,
        title="Start your team's RACI chart",
        description="Pick the roles your team has and the activities you share; the chart "
        "starts from the reference letters, and you make it yours.",
        form=form,
        reference=reference,
        limits=LIMITS,
        nav="collaboration",
    )
    return render_page(request, "teams/new.html", context, partial="activities")


def too_many(request: HttpRequest, limit: int) -> HttpResponse:
    context = page_context(
        request,
        title="Too many new charts",
        description=f"At most {limit} new team charts an hour from one address.",
        limit=limit,
    )
    response = TemplateResponse(request, "teams/too_many.html", context, status=429)
    response.headers["Retry-After"] = "3600"
    return private(response)


# --- the read-only page and the exports ---------------------------------------------------------


def chart_context(
    chart: Chart, reference: Reference, errors: dict[str, list[str]] | None = None
) -> dict:
    """The chart as the templates draw it: rows and columns with their rules, differences and
    (on the edit page) form errors."""
    findings = check(chart, reference)
    errors = errors or {}
    return {
        "chart": chart,
        "findings": findings,
        "rows": [
            {
                "index": j,
                "activity": activity,
                "messages": findings.rows[j] if j < len(findings.rows) else [],
                "reference": reference.activities.get(activity.collaboration),
                "title_errors": errors.get(f"activity-{j}-title", []),
                "note_errors": errors.get(f"activity-{j}-note", []),
                "cells": [
                    {
                        "index": i,
                        "role": role,
                        "letter": (
                            letter := activity.letters[i] if i < len(activity.letters) else ""
                        ),
                        "word": Raci(letter).label if letter in LETTERS else "",
                        "meaning": RACI_MEANINGS[Raci(letter)] if letter in LETTERS else "",
                        "difference": findings.differences.get((j, i)),
                        "errors": errors.get(f"cell-{j}-{i}", []),
                    }
                    for i, role in enumerate(chart.roles)
                ],
            }
            for j, activity in enumerate(chart.activities)
        ],
        "columns": [
            {
                "index": i,
                "role": role,
                "messages": findings.columns[i],
                "errors": errors.get(f"role-{i}-name", []) + errors.get(f"role-{i}-like", []),
            }
            for i, role in enumerate(chart.roles)
        ],
        "differences": list(findings.differences.values()),
        "raci": RACI,
    }


@require_safe
def team_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    team = team_or_404(public_id)
    chart = team.chart
    reference = Reference.for_slugs(a.collaboration for a in chart.activities if a.collaboration)
    context = page_context(
        request,
        title=f"{chart.title}: who does what",
        description=f"{chart.title}'s RACI chart: {len(chart.roles)} roles, "
        f"{len(chart.activities)} activities, and where it departs from the reference.",
        card=reverse("teams:card", args=[team.public_id]),
        card_alt=f"{chart.title}: the team's RACI chart",
        team=team,
        **chart_context(chart, reference),
    )
    return private(TemplateResponse(request, "teams/detail.html", context))


@require_safe
def team_export(request: HttpRequest, public_id: str, extension: str) -> HttpResponse:
    team = team_or_404(public_id)
    chart = team.chart
    if extension == "json":
        body = exports.as_json(exports.payload(request, team))
    else:
        reference = Reference.for_slugs(
            a.collaboration for a in chart.activities if a.collaboration
        )
        body = (exports.as_csv if extension == "csv" else exports.as_markdown)(
            chart, check(chart, reference), request.build_absolute_uri(team.get_absolute_url())
        )
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[extension])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.file_name(chart)}.{extension}"'
    )
    return private(response)


@require_safe
def team_card_png(request: HttpRequest, public_id: str) -> HttpResponse:
    team = team_or_404(public_id)
    return private(HttpResponse(team_card(team.chart), content_type="image/png"))


# --- edit -------------------------------------------------------------------------------------


def edit_response(
    request: HtmxHttpRequest,
    team: Team,
    key: str,
    edit: Edit,
    *,
    version: int,
    partial: str | None = None,
    problem: str = "",
    done: str = "",
    focus: str = "",
) -> HttpResponse:
    reference = edit.reference
    chart = edit.chart
    context = page_context(
        request,
        title=f"Edit {chart.title}'s RACI chart",
        description="Change the letters, names and notes; the rules and the differences from "
        "the reference show as you go.",
        canonical_url=request.build_absolute_uri(team.get_absolute_url()),
        team=team,
        key=key,
        version=version,
        edit=edit,
        errors=edit.errors,
        problem=problem,
        done=done or edit.done,
        letters=LETTERS,
        reference=reference,
        catalog_roles=list(reference.roles.values()),
        unused_activities=[
            activity
            for slug, activity in reference.activities.items()
            if slug not in {a.collaboration for a in chart.activities}
        ],
        edit_url=team.edit_url(key),
        share_url=request.build_absolute_uri(team.get_absolute_url()),
        edit_share_url=request.build_absolute_uri(team.edit_url(key)),
        limits=LIMITS,
        focus=focus,
        # Only the HTMX check answers with the out-of-band pieces; without JavaScript the same
        # button gets the whole page.
        oob=partial == "check" and bool(request.htmx),
        **chart_context(chart, reference, edit.errors),
    )
    return private(render_page(request, "teams/edit.html", context, partial=partial), edit=True)


def focus_after(data: QueryDict, edit: Edit) -> str:
    """Where focus goes once an add or remove has been swapped in: the new role or activity,
    back to the field to fill in when nothing was added, or the chart's heading."""
    before = {
        "add-role": ("roles", "role-{}-name"),
        "add-activity": ("activities", "activity-{}-title"),
    }
    action = data.get("action", "")
    if action in before:
        count_field, pattern = before[action]
        count = len(getattr(edit.chart, count_field))
        if str(count) != data.get(count_field):
            return pattern.format(count - 1)
        return "new-role-name" if action == "add-role" else "new-activity-title"
    return "chart-title"


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def team_edit(request: HtmxHttpRequest, public_id: str, key: str) -> HttpResponse:
    team = editable(public_id, key)
    reference = Reference.for_slugs()
    if request.method != "POST":
        edit = Edit(chart=team.chart, reference=reference)
        done = ""
        if "started" in request.GET:
            done = "Your chart is saved. Keep the edit address below: it is shown only here."
        elif (saved := request.GET.get("saved", "")).isdigit():
            done = f"Saved as version {saved}."
        return edit_response(request, team, key, edit, version=team.version, done=done)
    edit = read_edit(request.POST, reference)
    typed_version = request.POST.get("version", "")
    version = int(typed_version) if typed_version.isdigit() else 0
    action = request.POST.get("action", "")
    if action != "save":
        # The remove buttons sit inside the live-check region and inherit its action.
        removed = "remove-role" in request.POST or "remove-activity" in request.POST
        if action == "check" and not removed:
            return edit_response(request, team, key, edit, version=version, partial="check")
        return edit_response(
            request,
            team,
            key,
            edit,
            version=version,
            partial="editor",
            focus=focus_after(request.POST, edit),
        )
    if not edit.valid:
        problem = "Not saved: correct the fields marked below."
    else:
        with transaction.atomic():
            current = Team.objects.select_for_update().get(pk=team.pk)
            if current.version == version:
                current.chart = Chart.model_validate(edit.chart.model_dump())
                current.version += 1
                with reversion.create_revision():
                    reversion.set_comment(f"Version {current.version}")
                    current.save()
                return HttpResponseRedirect(
                    f"{team.edit_url(key)}?saved={current.version}", status=303
                )
        problem = (
            f"Not saved: someone saved version {current.version} of this chart while you were "
            "editing. Your changes are still in the form below; open the chart in a new tab to "
            "compare, then save again to replace their version with yours."
        )
    # 200, not 400 or 409: the form is for a person to correct, and an error status would
    # also log an error in the browser's console (as catalog.views.compare_start explains).
    return edit_response(request, team, key, edit, version=version, problem=problem)


# --- history ----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def team_history(request: HttpRequest, public_id: str, key: str) -> HttpResponse:
    team = editable(public_id, key)
    versions = Version.objects.get_for_object(team).select_related("revision")
    if request.method == "POST":
        chosen = versions.filter(pk=request.POST.get("restore", "") or None).first()
        if chosen is None:
            raise Http404("No such version of this chart.")
        restored = chosen.field_dict
        with transaction.atomic():
            team = Team.objects.select_for_update().get(pk=team.pk)
            team.chart = Chart.model_validate(restored["document"])
            team.version += 1
            with reversion.create_revision():
                reversion.set_comment(
                    f"Version {team.version}: restored version {restored['version']}"
                )
                team.save()
        return HttpResponseRedirect(f"{team.edit_url(key)}?saved={team.version}", status=303)
    context = page_context(
        request,
        title=f"History of {team.chart.title}'s RACI chart",
        description="Every saved version of the chart, newest first; restore any of them.",
        canonical_url=request.build_absolute_uri(team.get_absolute_url()),
        team=team,
        key=key,
        versions=[
            {
                "id": v.pk,
                "number": v.field_dict["version"],
                "saved": v.revision.date_created,
                "comment": v.revision.comment,
                "chart": Chart.model_validate(v.field_dict["document"]),
            }
            for v in versions
        ],
        edit_url=team.edit_url(key),
    )
    return private(TemplateResponse(request, "teams/history.html", context), edit=True)
