"""A team's own RACI chart through the test client: start it from the reference, edit it with
the key, the rules and differences, saving (and a stale save), the read-only page, exports,
history, limits, the rate limit, pruning, the admin and query counts."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from teams.chart import NOTE_MAX, ROLE_NAME_MAX
from teams.models import Team, TeamStart
from tests.factories import PJM, PM, PO, make_compare_catalog, make_team

HX = {"HX-Request": "true"}


@pytest.fixture
def catalog(db):
    return make_compare_catalog()


@pytest.fixture
def team(catalog):
    """PM, PJM, PO and a tech lead like the project manager, over the four activities:
    strategy-to-execution (PM A, PJM R), roadmap-to-plan (PM C, PJM A),
    backlog-refinement (PO A, PM C), status-reporting (PJM A, PM I, PO I)."""
    return make_team([PM, PJM, PO], own_roles=[("Tech lead", PJM)])


def form_data(team: Team, **changes) -> dict:
    """The edit form as the page fills it in, with `changes` (field name → value)."""
    chart = team.chart
    data = {
        "version": str(team.version),
        "roles": str(len(chart.roles)),
        "activities": str(len(chart.activities)),
        "name": chart.name,
    }
    for i, role in enumerate(chart.roles):
        data[f"role-{i}-name"] = role.name
        if role.catalog:
            data[f"role-{i}-catalog"] = role.catalog
        else:
            data[f"role-{i}-like"] = role.like or ""
    for j, activity in enumerate(chart.activities):
        data[f"activity-{j}-title"] = activity.title
        data[f"activity-{j}-note"] = activity.note
        if activity.collaboration:
            data[f"activity-{j}-collaboration"] = activity.collaboration
        for i, letter in enumerate(activity.letters):
            data[f"cell-{j}-{i}"] = letter
    return data | changes


def edit_url(team: Team, key: str) -> str:
    return reverse("teams:edit", args=[team.public_id, key])


# --- start ------------------------------------------------------------------------------------


def test_start_page_offers_catalog_roles_and_activities(client, catalog):
    response = client.get("/teams/new/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in (PM, PJM, PO):
        assert f'value="{slug}"' in html
    assert 'value="backlog-refinement"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_start_suggests_the_activities_the_chosen_roles_lead(client, catalog):
    response = client.get("/teams/new/", {"role": PO, "suggest": "1"})
    assert response.context["form"]["activity"].value() == ["backlog-refinement"]
    response = client.get("/teams/new/", {"role": PJM, "suggest": "1"}, headers=HX)
    html = response.content.decode()
    assert "<html" not in html and 'id="activities"' in html
    assert response.context["form"]["activity"].value() == [
        "strategy-to-execution",
        "roadmap-to-plan",
        "status-reporting",
    ]


def test_a_custom_role_like_a_catalog_role_suggests_its_activities(client, catalog):
    response = client.get("/teams/new/", {"custom_0_name": "Coach", "custom_0_like": PO})
    assert response.context["form"]["activity"].value() == ["backlog-refinement"]


def test_starting_saves_a_chart_with_the_reference_letters_and_opens_the_edit_page(client, catalog):
    response = client.post(
        "/teams/new/",
        {
            "name": "Checkout squad",
            "role": [PM, PJM, PO],
            "custom_0_name": "Tech lead",
            "custom_0_like": PJM,
            "activity": ["strategy-to-execution", "backlog-refinement"],
            "custom_activity_0": "Incident review",
        },
    )
    assert response.status_code == 303
    team = Team.objects.get()
    assert response["Location"].startswith(f"/teams/{team.public_id}/edit/")
    chart = team.chart
    assert chart.name == "Checkout squad"
    assert [r.name for r in chart.roles] == [
        "Product manager",
        "Project manager",
        "Product owner",
        "Tech lead",
    ]
    # The tech lead is like the project manager, so it starts with the project manager's letters.
    assert [a.letters for a in chart.activities] == [
        ["A", "R", "", "R"],
        ["C", "", "A", ""],
        ["", "", "", ""],
    ]
    assert chart.activities[2].title == "Incident review"
    assert len(team.public_id) == 22 and team.key_hash  # 128 bits; only the key's hash
    key = response["Location"].split("/edit/")[1].split("/")[0]
    assert key not in team.key_hash
    page = client.get(response["Location"])
    assert "Your chart is saved" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"role": [PM], "activity": ["roadmap-to-plan"]}, "Pick 2 to 10 roles in all; you have 1"),
        ({"role": [PM, PJM]}, "Pick 1 to 30 activities in all; you have 0"),
        (
            {"role": [PM], "custom_0_name": "x" * (ROLE_NAME_MAX + 1), "activity": ["status"]},
            f"at most {ROLE_NAME_MAX} characters",
        ),
        (
            {"role": [PM], "custom_0_name": "Product manager", "activity": ["roadmap-to-plan"]},
            "Two roles are called “Product manager”",
        ),
    ],
)
def test_start_refuses_what_is_out_of_limits_with_a_form_error(client, catalog, data, error):
    response = client.post("/teams/new/", data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Team.objects.exists()


def test_starting_is_rate_limited_per_address_without_keeping_it(client, catalog, settings):
    settings.TEAMS_PER_HOUR = 2
    data = {"role": [PM, PJM], "activity": ["roadmap-to-plan"]}
    assert [client.post("/teams/new/", data).status_code for _ in range(3)] == [303, 303, 429]
    refused = client.post("/teams/new/", data)
    assert "at most 2 team charts an hour" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    assert Team.objects.count() == 2
    assert "127.0.0.1" not in TeamStart.objects.values_list("address", flat=True)[0]
    other = client.post("/teams/new/", data, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 303


def test_starts_older_than_an_hour_no_longer_count(client, catalog, settings):
    settings.TEAMS_PER_HOUR = 1
    data = {"role": [PM, PJM], "activity": ["roadmap-to-plan"]}
    assert client.post("/teams/new/", data).status_code == 303
    TeamStart.objects.update(created=TeamStart.objects.get().created - timedelta(hours=2))
    assert client.post("/teams/new/", data).status_code == 303
    assert TeamStart.objects.count() == 1


def test_forms_need_a_csrf_token(catalog, team):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    data = {"role": [PM, PJM], "activity": ["roadmap-to-plan"]}
    assert strict.post("/teams/new/", data).status_code == 403
    chart, key = team
    assert strict.post(edit_url(chart, key), form_data(chart, action="save")).status_code == 403


# --- the read-only page -----------------------------------------------------------------------


def test_read_only_page_shows_the_chart_without_edit_controls_or_key(client, team):
    chart, key = team
    response = client.get(f"/teams/{chart.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in html
    assert "private" in response["Cache-Control"]
    assert key not in html and "/edit/" not in html
    assert "<select" not in html and 'method="post"' not in html
    assert "Tech lead" in html and "Platform team" in html
    assert f'og:image" content="http://testserver/teams/{chart.public_id}/card.png' in html


def test_unknown_team_and_wrong_key_are_404(client, team):
    chart, _ = team
    assert client.get("/teams/AAAAAAAAAAAAAAAAAAAAAA/").status_code == 404
    wrong = "B" * 32
    assert client.get(edit_url(chart, wrong)).status_code == 404
    assert client.post(edit_url(chart, wrong), form_data(chart, action="save")).status_code == 404


def test_text_is_never_rendered_as_html(client, catalog):
    team, key = make_team([PM, PJM], name="<script>alert(1)</script>")
    for url in (f"/teams/{team.public_id}/", edit_url(team, key)):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html
    markdown = client.get(f"/teams/{team.public_id}.md").content.decode()
    assert "<script>" not in markdown


# --- editing ----------------------------------------------------------------------------------


def test_edit_page_is_private_and_sends_no_referrer(client, team):
    chart, key = team
    response = client.get(edit_url(chart, key))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert 'name="version" value="1"' in response.content.decode()


def test_the_live_check_answers_with_the_rules_and_differences_only(client, team):
    chart, key = team
    # The product owner takes a second A in "From strategy to execution".
    data = form_data(chart, action="check", **{"cell-0-2": "A"})
    response = client.post(edit_url(chart, key), data, headers=HX)
    html = response.content.decode()
    assert "<html" not in html and "<select" not in html
    assert (
        "“From strategy to execution”: 2 roles are Accountable (Product manager and Product "
        "owner): keep exactly one A."
    ) in html
    assert 'id="activity-0-rules" data-hx-swap-oob="true"' in html
    assert 'id="cell-0-2-ref" data-hx-swap-oob="true"' in html
    assert "gives the product owner no part in “From strategy to execution”" in html
    assert Team.objects.get().version == 1  # nothing saved


def test_a_difference_names_the_reference_letter_why_and_source(client, team):
    chart, key = team
    data = form_data(chart, action="check", **{"cell-0-0": "R", "cell-0-1": "A"})
    html = client.post(edit_url(chart, key), data).content.decode()
    assert (
        "Product manager VS Project manager gives the product manager the A in "
        "“From strategy to execution”"
    ) in html
    assert 'href="#diff-0-0">ref. A' in html


def test_rules_flag_a_role_without_work_and_one_accountable_for_too_much(client, team):
    chart, key = team
    letters = {f"cell-{j}-{i}": "" for j in range(4) for i in range(4)}
    letters |= {f"cell-{j}-0": "A" for j in range(4)} | {f"cell-{j}-1": "R" for j in range(4)}
    html = client.post(edit_url(chart, key), form_data(chart, action="check", **letters))
    html = html.content.decode()
    assert "The Product manager is Accountable for 4 of 4 activities" in html
    assert "The Tech lead is neither R nor A anywhere" in html


def test_saving_makes_a_new_version_and_the_read_only_page_shows_it(client, team):
    chart, key = team
    data = form_data(
        chart, action="save", name="Payments", **{"activity-1-note": "We agreed this in May."}
    )
    response = client.post(edit_url(chart, key), data)
    assert response.status_code == 303
    assert response["Location"] == f"{edit_url(chart, key)}?saved=2"
    saved = Team.objects.get()
    assert saved.version == 2 and saved.name == "Payments"
    assert saved.chart.activities[1].note == "We agreed this in May."
    page = client.get(f"/teams/{chart.public_id}/").content.decode()
    assert "We agreed this in May." in page and "Payments: who does what" in page


def test_a_stale_save_is_refused_and_keeps_what_was_typed(client, team):
    chart, key = team
    first = form_data(chart, action="save", name="Saved first")
    assert client.post(edit_url(chart, key), first).status_code == 303
    stale = form_data(chart, action="save", name="Typed second", **{"activity-0-note": "Mine"})
    response = client.post(edit_url(chart, key), stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert "someone saved version 2 of this chart while you were editing" in html
    assert 'value="Typed second"' in html and ">Mine</textarea>" in html
    assert Team.objects.get().name == "Saved first"


def test_an_invalid_save_is_refused_with_errors_beside_the_fields(client, team):
    chart, key = team
    data = form_data(chart, action="save", **{"activity-2-note": "x" * (NOTE_MAX + 1)})
    response = client.post(edit_url(chart, key), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Keep it to {NOTE_MAX} characters or fewer." in html
    assert 'href="#activity-2-note"' in html and 'aria-invalid="true"' in html
    assert Team.objects.get().version == 1


def test_rules_warn_but_do_not_block_saving(client, team):
    chart, key = team
    data = form_data(chart, action="save", **{"cell-0-2": "A"})
    assert client.post(edit_url(chart, key), data).status_code == 303
    assert Team.objects.get().chart.activities[0].letters == ["A", "R", "A", "R"]


def test_adding_and_removing_rows_and_columns_needs_a_save_to_keep(client, team):
    chart, key = team
    url = edit_url(chart, key)
    data = form_data(chart, action="add-role", **{"new-role-name": "Coach", "new-role-like": PO})
    response = client.post(url, data, headers=HX)
    html = response.content.decode()
    assert "<html" not in html and 'id="editor"' in html
    assert 'data-focus="role-4-name"' in html
    assert response.context["chart"].roles[4].name == "Coach"
    # Like the product owner, its I in status reporting; but the product owner keeps its A in
    # backlog refinement, and the coach does the work there.
    assert [a.letters[4] for a in response.context["chart"].activities] == ["", "", "R", "I"]
    data = form_data(chart, **{"new-activity-collaboration": "", "new-activity-title": "Hiring"})
    data["action"] = "add-activity"
    added = client.post(url, data).context["chart"]
    assert added.activities[-1].title == "Hiring"
    removed = client.post(url, form_data(chart, **{"remove-role": "3"})).context["chart"]
    assert [r.name for r in removed.roles] == [
        "Product manager",
        "Project manager",
        "Product owner",
    ]
    removed = client.post(url, form_data(chart, **{"remove-activity": "0"})).context["chart"]
    assert len(removed.activities) == 3
    assert Team.objects.get().version == 1


def test_a_chart_keeps_at_least_two_roles(client, catalog):
    team, key = make_team([PM, PJM], ["roadmap-to-plan"])
    response = client.post(edit_url(team, key), form_data(team, **{"remove-role": "0"}))
    assert "A chart needs at least 2 roles" in response.content.decode()
    assert len(response.context["chart"].roles) == 2


# --- exports and the API ----------------------------------------------------------------------


def test_exports_csv_markdown_and_json(client, team):
    chart, _ = team
    base = f"/teams/{chart.public_id}"
    rows = list(csv.reader(io.StringIO(client.get(f"{base}.csv").content.decode())))
    assert rows[0] == ["Activity", "Product manager", "Project manager", "Product owner",
                       "Tech lead", "Note"]  # fmt: skip
    assert rows[1] == ["From strategy to execution", "A", "R", "", "R", ""]
    markdown = client.get(f"{base}.md")
    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert "| From strategy to execution | A | R | - | R |  |" in markdown.content.decode()
    exported = client.get(f"{base}.json")
    assert exported["Content-Disposition"] == 'attachment; filename="platform-team.json"'
    document = json.loads(exported.content)
    assert document == client.get(f"/api/v1/teams/{chart.public_id}/").json()
    assert document["chart"]["roles"][3] == {"name": "Tech lead", "catalog": None, "like": PJM}
    assert document["version"] == 1


def test_the_api_answers_a_team_as_its_openapi_document_says(client, team):
    from jsonschema import Draft202012Validator

    chart, _ = team
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/teams/{public_id}/"]["get"]
    assert set(operation["responses"]) >= {"200", "400", "404"}
    resolver_root = {**spec, "$ref": None}
    for path, status in [
        (f"/api/v1/teams/{chart.public_id}/", 200),
        ("/api/v1/teams/AAAAAAAAAAAAAAAAAAAAAA/", 404),
        (f"/api/v1/teams/{chart.public_id}/?bogus=1", 400),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
        resolver_root["$ref"] = schema["$ref"]
        Draft202012Validator(resolver_root).validate(response.json())
    assert client.post(f"/api/v1/teams/{chart.public_id}/").status_code == 405


def test_the_link_preview_card_is_a_png(client, team):
    chart, _ = team
    response = client.get(f"/teams/{chart.public_id}/card.png")
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


# --- history ----------------------------------------------------------------------------------


def test_history_lists_versions_and_restores_one_as_a_new_version(client, team):
    chart, key = team
    client.post(edit_url(chart, key), form_data(chart, action="save", name="Second"))
    history = reverse("teams:history", args=[chart.public_id, key])
    page = client.get(history)
    assert [v["number"] for v in page.context["versions"]] == [2, 1]
    first = page.context["versions"][1]["id"]
    response = client.post(history, {"restore": first})
    assert response.status_code == 303
    restored = Team.objects.get()
    assert restored.version == 3 and restored.name == "Platform team"
    assert client.post(history, {"restore": "999999"}).status_code == 404


# --- operators and editors --------------------------------------------------------------------


def test_prune_teams_is_off_unless_a_retention_is_set(team, settings):
    chart, _ = team
    Team.objects.update(updated=chart.updated - timedelta(days=400))
    out = io.StringIO()
    call_command("prune_teams", stdout=out)
    assert "TEAM_RETENTION_DAYS is unset" in out.getvalue()
    assert Team.objects.exists()
    settings.TEAM_RETENTION_DAYS = 365
    call_command("prune_teams", stdout=out)
    assert not Team.objects.exists()
    assert not Version.objects.filter(content_type__app_label="teams").exists()


def test_editors_find_and_delete_teams_in_the_admin(client, team, django_user_model):
    from django.contrib.auth.models import Group

    chart, _ = team
    editor = django_user_model.objects.create_user("ed", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    found = client.get("/admin/teams/team/", {"q": "Platform"})
    assert chart.public_id in found.content.decode()
    delete = f"/admin/teams/team/{chart.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Team.objects.exists()


# --- query counts -----------------------------------------------------------------------------

# The team; the reference's activities, their citations, each role's part, its citations and
# responsibilities; the catalog roles.
DETAIL_QUERIES = 1 + 5 + 1
# The same, then the version check on a save is in the same transaction (not counted here).
EDIT_QUERIES = 1 + 5 + 1


@pytest.mark.parametrize("activities", [1, 4])
def test_team_page_query_counts_are_fixed(client, catalog, django_assert_num_queries, activities):
    slugs = ["strategy-to-execution", "roadmap-to-plan", "backlog-refinement", "status-reporting"]
    team, key = make_team([PM, PJM, PO], slugs[:activities])
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(f"/teams/{team.public_id}/").status_code == 200
    with django_assert_num_queries(EDIT_QUERIES):
        assert client.get(edit_url(team, key)).status_code == 200
    with django_assert_num_queries(EDIT_QUERIES):
        data = form_data(team, action="check", **{"cell-0-0": "C"})
        assert client.post(edit_url(team, key), data, headers=HX).status_code == 200


def test_a_missing_a_names_the_role_the_reference_gives_it_to(client, catalog):
    team, key = make_team([PM, PJM], ["backlog-refinement"])
    html = client.get(edit_url(team, key)).content.decode()
    assert (
        "No role is Accountable (A): give one the A (the reference gives it to the product " in html
    )


# --- valid HTML -------------------------------------------------------------------------------


def test_team_pages_have_no_html_errors(client, team, settings, tmp_path):
    from tests.test_html_valid import checker

    command = checker()
    chart, key = team
    history = reverse("teams:history", args=[chart.public_id, key])
    bad_note = form_data(chart, action="save", **{"activity-0-note": "x" * (NOTE_MAX + 1)})
    settings.TEAMS_PER_HOUR = 0
    pages = {
        "start": client.get("/teams/new/"),
        "start-suggested": client.get("/teams/new/", {"role": [PM, PO], "suggest": "1"}),
        "start-errors": client.post("/teams/new/", {"role": [PM]}),
        "too-many": client.post("/teams/new/", {"role": [PM, PO], "activity": ["status"]}),
        "edit": client.get(edit_url(chart, key)),
        "edit-errors": client.post(edit_url(chart, key), bad_note),
        "read-only": client.get(f"/teams/{chart.public_id}/"),
        "history": client.get(history),
    }
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 429), name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    run = subprocess.run(
        [*command, *files], capture_output=True, text=True, timeout=300, check=True
    )
    errors = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine', '?')}: {m['message']}"
        for m in json.loads(run.stderr)["messages"]
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
