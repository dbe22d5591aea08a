"""The read-only JSON API and the downloads: payloads, links, conditional GET, CORS, errors,
the CSV zip and the Markdown files, and query counts pinned on a small and a large catalog."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.urls import reverse

from catalog.comparison import Comparison
from catalog.models import (
    Collaboration,
    Contribution,
    Function,
    LifecycleStage,
    Responsibility,
    Role,
    RoleKnowledge,
    Source,
    StageInvolvement,
)
from catalog.registry import content_models
from catalog.schemas import table_name
from tests.factories import (
    cite,
    make_catalog,
    make_confusion,
    make_function,
    make_move,
    make_pairing,
    make_source,
    make_stage,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"

# Every URL the API and the downloads answer, with its query count whatever the catalog's size
# (the first query is always the catalog-version lookup behind ETag / 304).
ENDPOINTS: dict[str, tuple[str, int]] = {
    "index": ("/api/v1/", 2),
    "roles": ("/api/v1/roles/", 3),
    # A role reads the roles it is often confused with (1 query more than its page's read model).
    # Levels and moves added 3 to the role's read model (the ladder, moves out, moves in).
    "role": ("/api/v1/roles/role-0/", 23),
    # The comparison reads the lifecycle stages too (it lists every stage, as the page does) and
    # the editors' record for the pair.
    "compare": ("/api/v1/compare/role-0/vs/role-1/", 24),
    # An activity reads the responsibilities behind each part (1 query, as /collaboration/ does).
    "collaborations": ("/api/v1/collaborations/", 6),
    "collaboration": ("/api/v1/collaborations/activity-0/", 6),
    # Levels and moves added two kinds of citation.
    "sources": ("/api/v1/sources/", 17),
    "source": ("/api/v1/sources/factory-source/", 17),
    "openapi": ("/api/v1/openapi.json", 1),
    # One query per content model (36 with levels and moves), and one per many-to-many field
    # that links any (here the roles' key functions and the responsibilities behind
    # contributions; no pairings or moves).
    "catalog_json": ("/downloads/catalog.json", 39),
    "catalog_csv": ("/downloads/catalog-csv.zip", 39),
    "role_markdown": ("/roles/role-0.md", 23),  # the role's answer, confusions included
    "compare_markdown": ("/compare/role-0/vs/role-1.md", 24),
}
PATHS = [path for path, _ in ENDPOINTS.values()]
JSON_PATHS = [path for path in PATHS if path.startswith("/api/")]

CSV_FILES = {table_name(model) for model in content_models()}


@pytest.fixture
def catalog() -> list[Role]:
    return make_catalog(roles=2, scale=1)


def get_json(client, path: str, status: int = 200, **kwargs) -> Any:
    response = client.get(path, **kwargs)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def assert_error(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]["message"]


def urls_in(payload: Any) -> set[str]:
    """Every API link ("url") anywhere in a payload."""
    found: set[str] = set()
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in ("url", "markdown_url") and isinstance(value, str):
                found.add(value)
            else:
                found |= urls_in(value)
    elif isinstance(payload, list):
        for item in payload:
            found |= urls_in(item)
    return found


def parse_time(value: str) -> datetime:
    assert value.endswith("Z"), value
    return datetime.fromisoformat(value)


# --- URL names the pages link to ---------------------------------------------------------------


def test_url_names_for_page_links_give_the_public_urls():
    assert reverse("api:index") == "/api/v1/"
    assert reverse("api:catalog-json") == "/downloads/catalog.json"
    assert reverse("api:catalog-csv") == "/downloads/catalog-csv.zip"
    assert reverse("api:role-markdown", args=["product-manager"]) == "/roles/product-manager.md"
    assert reverse("api:compare-markdown", args=["a", "b"]) == "/compare/a/vs/b.md"
    assert reverse("api:openapi") == "/api/v1/openapi.json"


# --- each endpoint -----------------------------------------------------------------------------


def test_index_links_to_every_endpoint_and_each_answers(client, catalog):
    make_move(catalog[0], catalog[1])  # the index's move template names role-0 to role-1
    index = get_json(client, "/api/v1/")
    assert index["version"] == "v1"
    assert index["url"] == f"{BASE}/api/v1/"
    assert index["html_url"] == BASE + reverse("catalog:home")
    fill = {"{slug}": "role-0", "{a}": "role-0", "{b}": "role-1"}
    for name, link in index["links"].items():
        if name in ("collaboration", "source"):
            fill["{slug}"] = "activity-0" if name == "collaboration" else "factory-source"
        for placeholder, value in fill.items():
            link = link.replace(placeholder, value)
        fill["{slug}"] = "role-0"
        assert link.startswith(BASE)
        assert client.get(link.removeprefix(BASE)).status_code == 200, name


def test_role_list_shows_every_role_in_order(client, catalog):
    payload = get_json(client, "/api/v1/roles/")
    assert payload["count"] == 2
    assert [role["slug"] for role in payload["roles"]] == ["role-0", "role-1"]
    first = payload["roles"][0]
    assert first["url"] == f"{BASE}/api/v1/roles/role-0/"
    assert first["html_url"] == BASE + reverse("catalog:role-detail", args=["role-0"])
    assert first["markdown_url"] == f"{BASE}/roles/role-0.md"
    assert [f["slug"] for f in first["key_functions"]] == ["function-0", "function-1"]
    assert payload["updated"] == max(role["updated"] for role in payload["roles"])


def test_role_list_of_an_empty_catalog_has_no_updated_time(client, db):
    payload = get_json(client, "/api/v1/roles/")
    assert payload == {
        "url": f"{BASE}/api/v1/roles/",
        "html_url": BASE + reverse("catalog:role-list"),
        "updated": None,
        "count": 0,
        "roles": [],
    }


def test_role_detail_has_responsibilities_knowledge_traits_involvement(client, catalog):
    role = get_json(client, "/api/v1/roles/role-0/")
    assert role["slug"] == "role-0"
    assert role["name"] == "Role 0"
    assert role["html_url"] == BASE + reverse("catalog:role-detail", args=["role-0"])
    assert len(role["responsibilities"]) == 4
    duty = next(r for r in role["responsibilities"] if r["slug"] == "duty-0")
    assert duty["function"] == {"slug": "function-0", "name": "Function 0"}
    assert duty["citations"] == [{"source": "factory-source", "locator": "Section 1"}]
    assert duty["html_url"] == f"{BASE}/roles/role-0/#role-0-duty-0"
    assert [k["area"]["slug"] for k in role["knowledge"]] == [f"area-{i}" for i in range(4)]
    assert {k["level"] for k in role["knowledge"]} == {"essential", "useful"}
    assert [t["dimension"]["slug"] for t in role["traits"]] == [f"dimension-{i}" for i in range(3)]
    assert [i["stage"]["slug"] for i in role["involvement"]] == [f"stage-{i}" for i in range(3)]
    assert {i["level"] for i in role["involvement"]} == {"leads"}
    assert [c["collaboration"]["slug"] for c in role["collaborations"]] == [
        "activity-0",
        "activity-1",
    ]
    part = role["collaborations"][0]
    assert (part["raci"], part["raci_label"], part["raci_meaning"]) == (
        "A",
        "Accountable",
        "owns the outcome",
    )
    assert [s["slug"] for s in role["sources"]] == ["factory-source"]
    assert role["sources"][0]["link"] == "https://example.com/"


def test_role_detail_says_what_its_page_says_besides(client, catalog):
    """Other titles, the roles it is confused with and why, and the responsibilities behind
    each of its parts in a shared activity, as the role page shows them."""
    catalog[0].other_titles = "First role, Role zero"
    catalog[0].save()
    make_confusion(catalog[0], catalog[1], why="Both start with Role.")
    role = get_json(client, "/api/v1/roles/role-0/")
    assert role["other_titles"] == ["First role", "Role zero"]
    assert role["confused_with"] == [
        {
            "role": {
                "slug": "role-1",
                "name": "Role 1",
                "url": f"{BASE}/api/v1/roles/role-1/",
                "html_url": f"{BASE}/roles/role-1/",
            },
            "why": "Both start with Role.",
            "url": f"{BASE}/api/v1/compare/role-0/vs/role-1/",
            "html_url": BASE + reverse("catalog:compare", args=["role-0", "role-1"]),
        }
    ]
    part = role["collaborations"][0]
    assert part["responsibilities"] == [
        {
            "slug": "duty-0",
            "title": "Duty 0 of role 0",
            "html_url": f"{BASE}/roles/role-0/#role-0-duty-0",
        }
    ]


def test_every_link_in_a_role_payload_answers(client, catalog):
    role = get_json(client, "/api/v1/roles/role-0/")
    links = urls_in(role)
    assert f"{BASE}/api/v1/collaborations/activity-0/" in links
    for link in links:
        assert client.get(link.removeprefix(BASE)).status_code == 200, link


def test_role_updated_is_the_latest_change_to_the_role_or_its_items(client, catalog):
    later = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    Responsibility.objects.filter(role__slug="role-1", slug="duty-2").update(updated=later)
    detail = get_json(client, "/api/v1/roles/role-1/")
    listed = get_json(client, "/api/v1/roles/")["roles"][1]
    assert detail["updated"] == listed["updated"] == "2031-05-06T07:08:09Z"
    assert get_json(client, "/api/v1/roles/role-0/")["updated"] < "2031"


def test_role_filtered_by_function_lists_only_its_responsibilities(client, catalog):
    role = get_json(client, "/api/v1/roles/role-0/?function=function-1")
    assert {r["function"]["slug"] for r in role["responsibilities"]} == {"function-1"}
    make_function("unused")
    assert get_json(client, "/api/v1/roles/role-0/?function=unused")["responsibilities"] == []


def test_compare_puts_the_roles_side_by_side_in_url_order(client, catalog):
    RoleKnowledge.objects.filter(role__slug="role-1", area__slug="area-3").delete()
    catalog[1].key_functions.set(Function.objects.filter(slug__in=["function-1", "function-2"]))
    comparison = get_json(client, "/api/v1/compare/role-1/vs/role-0/")
    assert [role["slug"] for role in comparison["roles"]] == ["role-1", "role-0"]
    assert comparison["url"] == f"{BASE}/api/v1/compare/role-1/vs/role-0/"
    assert comparison["html_url"] == BASE + reverse("catalog:compare", args=["role-1", "role-0"])
    assert comparison["markdown_url"] == f"{BASE}/compare/role-1/vs/role-0.md"
    assert comparison["key_functions"] == [
        {"function": {"slug": "function-0", "name": "Function 0"}, "roles": ["role-0"]},
        {"function": {"slug": "function-1", "name": "Function 1"}, "roles": ["role-1", "role-0"]},
        {"function": {"slug": "function-2", "name": "Function 2"}, "roles": ["role-1"]},
    ]
    dimension = comparison["dimensions"][0]
    assert (dimension["slug"], [cell["text"] for cell in dimension["cells"]]) == (
        "dimension-0",
        ["Dimension 0 of role 1", "Dimension 0 of role 0"],
    )
    area_3 = next(row for row in comparison["knowledge"] if row["area"]["slug"] == "area-3")
    assert area_3["cells"][0] is None
    assert area_3["cells"][1]["level"] in ("essential", "useful")
    assert [row["stage"]["slug"] for row in comparison["lifecycle"]] == [
        "stage-0",
        "stage-1",
        "stage-2",
    ]
    held = comparison["responsibilities"]
    assert [(side["role"], len(side["items"])) for side in held] == [("role-1", 4), ("role-0", 4)]
    work = comparison["collaborations"][0]
    assert work["collaboration"]["slug"] == "activity-0"
    assert [cell["raci"] for cell in work["cells"]] == ["R", "A"]
    assert comparison["updated"] == max(role["updated"] for role in comparison["roles"])


def test_compare_lists_every_lifecycle_stage_as_the_page_does(client, catalog):
    StageInvolvement.objects.filter(stage__slug="stage-1").delete()
    make_stage("stage-9", order=9)
    comparison = get_json(client, "/api/v1/compare/role-0/vs/role-1/")
    rows = [(row["stage"]["slug"], *row["cells"]) for row in comparison["lifecycle"]]
    page = Comparison(*Role.objects.for_comparison("role-0", "role-1"))
    assert [slug for slug, _, _ in rows] == [row.stage.slug for row in page.lifecycle]
    assert [slug for slug, _, _ in rows] == ["stage-0", "stage-1", "stage-2", "stage-9"]
    assert [(a is None, b is None) for _, a, b in rows] == [
        (False, False),
        (True, True),
        (False, False),
        (True, True),
    ]


def test_compare_cites_the_sources_the_page_cites(client, catalog):
    other = make_source("other", order=5)
    activity = Collaboration.objects.get(slug="activity-1")
    activity.citations.all().delete()
    cite([activity], other)
    Contribution.objects.filter(role__slug="role-1", collaboration__slug="activity-1").delete()
    comparison = get_json(client, "/api/v1/compare/role-0/vs/role-1/")
    page = Comparison(*Role.objects.for_comparison("role-0", "role-1"))
    # activity-1 is not shared, so neither the page nor the API lists its source.
    assert [s["slug"] for s in comparison["sources"]] == [s.slug for s in page.sources]
    assert [s["slug"] for s in comparison["sources"]] == ["factory-source"]


def test_compare_lists_only_activities_both_roles_take_part_in(client, catalog):
    Contribution.objects.filter(role__slug="role-1", collaboration__slug="activity-1").delete()
    comparison = get_json(client, "/api/v1/compare/role-0/vs/role-1/")
    assert [row["collaboration"]["slug"] for row in comparison["collaborations"]] == ["activity-0"]


def test_compare_works_for_any_pair_of_many_roles(client):
    make_catalog(roles=3)
    comparison = get_json(client, "/api/v1/compare/role-2/vs/role-0/")
    assert [role["slug"] for role in comparison["roles"]] == ["role-2", "role-0"]


def test_compare_filtered_by_function(client, catalog):
    comparison = get_json(client, "/api/v1/compare/role-0/vs/role-1/?function=function-2")
    held = [item for side in comparison["responsibilities"] for item in side["items"]]
    assert {r["function"]["slug"] for r in held} == {"function-2"}


def test_collaborations_show_each_roles_part_and_raci(client, catalog):
    payload = get_json(client, "/api/v1/collaborations/")
    assert payload["count"] == 2
    assert payload["html_url"] == BASE + reverse("catalog:collaboration")
    activity = payload["collaborations"][0]
    assert activity["slug"] == "activity-0"
    assert activity["url"] == f"{BASE}/api/v1/collaborations/activity-0/"
    assert activity["html_url"] == f"{BASE}/collaboration/#collaboration-activity-0"
    assert activity["accountable"]["slug"] == "role-0"
    assert [(c["role"]["slug"], c["raci"]) for c in activity["contributions"]] == [
        ("role-0", "A"),
        ("role-1", "R"),
    ]
    assert get_json(client, "/api/v1/collaborations/activity-0/") == activity


def test_collaborations_say_why_the_a_and_what_each_part_exercises(client, catalog):
    Collaboration.objects.filter(slug="activity-0").update(why_accountable="Role 0 owns it.")
    activity = get_json(client, "/api/v1/collaborations/activity-0/")
    assert activity["why_accountable"] == "Role 0 owns it."
    assert [
        [(r["slug"], r["html_url"]) for r in part["responsibilities"]]
        for part in activity["contributions"]
    ] == [
        [("duty-0", f"{BASE}/roles/role-0/#role-0-duty-0")],
        [("duty-0", f"{BASE}/roles/role-1/#role-1-duty-0")],
    ]


def test_collaborations_filtered_by_role(client, catalog):
    Contribution.objects.filter(role__slug="role-1", collaboration__slug="activity-1").delete()
    payload = get_json(client, "/api/v1/collaborations/?role=role-1")
    assert [c["slug"] for c in payload["collaborations"]] == ["activity-0"]
    assert payload["count"] == 1


def test_collaboration_updated_covers_its_contributions(client, catalog):
    later = datetime(2032, 1, 2, 3, 4, 5, tzinfo=UTC)
    Contribution.objects.filter(collaboration__slug="activity-1", role__slug="role-1").update(
        updated=later
    )
    assert get_json(client, "/api/v1/collaborations/activity-1/")["updated"] == (
        "2032-01-02T03:04:05Z"
    )


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/v1/roles/", "roles"),
        ("/api/v1/collaborations/", "collaborations"),
        ("/api/v1/sources/", "sources"),
    ],
)
def test_updated_since_keeps_what_changed_at_or_after_it(client, catalog, path, key):
    everything = get_json(client, path)
    assert everything["count"] > 0
    newest = everything["updated"]
    assert get_json(client, path, data={"updated_since": "2000-01-01T00:00:00Z"}) == everything
    at_newest = get_json(client, path, data={"updated_since": newest})
    assert at_newest["count"] >= 1
    assert all(item["updated"] >= newest for item in at_newest[key])
    later = get_json(client, path, data={"updated_since": "2999-01-01T00:00:00+01:00"})
    assert (later["count"], later[key], later["updated"]) == (0, [], None)


def test_updated_since_counts_a_change_to_any_part_of_a_role_or_activity(client, catalog):
    later = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)
    Responsibility.objects.filter(role__slug="role-1", slug="duty-2").update(updated=later)
    Contribution.objects.filter(role__slug="role-1", collaboration__slug="activity-1").update(
        updated=later
    )
    since = {"updated_since": "2031-05-06T07:08:09"}  # no offset: UTC
    roles = get_json(client, "/api/v1/roles/", data=since)
    assert [role["slug"] for role in roles["roles"]] == ["role-1"]
    # role-0 takes part in activity-1, which changed through role-1's part.
    activities = get_json(client, "/api/v1/collaborations/", data={**since, "role": "role-0"})
    assert [a["slug"] for a in activities["collaborations"]] == ["activity-1"]
    assert get_json(client, "/api/v1/roles/", data={"updated_since": "2031-05-06T07:08:10Z"}) == {
        **roles,
        "count": 0,
        "roles": [],
        "updated": None,
    }


@pytest.mark.parametrize(
    "value",
    ["yesterday", "1700000000", "2026-13-01T00:00:00Z", "", "0001-01-01T00:00:00+05:00"],
)
@pytest.mark.parametrize("path", ["/api/v1/roles/", "/api/v1/collaborations/", "/api/v1/sources/"])
def test_updated_since_must_be_an_iso_8601_time(client, catalog, path, value):
    message = assert_error(client.get(path, {"updated_since": value}), 400)
    assert "updated_since" in message


def test_updated_since_takes_any_offset_python_does(client, catalog):
    # PostgreSQL refuses offsets past 15:59; the API compares in UTC, so it never sees one.
    payload = get_json(
        client, "/api/v1/roles/", data={"updated_since": "5366-03-17T07:21:40+21:30"}
    )
    assert payload["count"] == 0


def test_sources_list_what_cites_them(client, catalog):
    payload = get_json(client, "/api/v1/sources/")
    assert [s["slug"] for s in payload["sources"]] == ["factory-source"]
    source = payload["sources"][0]
    assert source["html_url"] == BASE + reverse("catalog:sources") + "#source-factory-source"
    kinds = {citation["kind"] for citation in source["cited_by"]}
    assert kinds == {"role", "responsibility", "knowledge_area", "collaboration"}
    duty = next(c for c in source["cited_by"] if c["kind"] == "responsibility")
    assert duty["role"] == "role-0"
    assert duty["url"] == f"{BASE}/api/v1/roles/role-0/"
    assert duty["html_url"] == f"{BASE}/roles/role-0/#role-0-duty-0"
    assert get_json(client, "/api/v1/sources/factory-source/") == source


def test_openapi_is_served_with_this_host_as_server(client, catalog):
    document = get_json(client, "/api/v1/openapi.json")
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": BASE}]


# --- renamed slugs, unknown slugs, bad parameters ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/api/v1/roles/role-0/", "/api/v1/roles/role-zero/"),
        (
            "/api/v1/roles/role-0/?function=function-1",
            "/api/v1/roles/role-zero/?function=function-1",
        ),
        ("/api/v1/compare/role-0/vs/role-1/", "/api/v1/compare/role-zero/vs/role-1/"),
        ("/api/v1/compare/role-1/vs/role-0/", "/api/v1/compare/role-1/vs/role-zero/"),
        ("/roles/role-0.md", "/roles/role-zero.md"),
        ("/compare/role-0/vs/role-1.md", "/compare/role-zero/vs/role-1.md"),
    ],
)
def test_a_renamed_roles_old_slug_redirects_permanently(client, catalog, path, location):
    role = catalog[0]
    role.slug = "role-zero"
    role.save()
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == location
    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get(location).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/roles/nobody/",
        "/api/v1/compare/nobody/vs/role-1/",
        "/api/v1/compare/role-0/vs/nobody/",
        "/api/v1/collaborations/nothing/",
        "/api/v1/sources/nothing/",
        "/roles/nobody.md",
        "/compare/role-0/vs/nobody.md",
        "/api/v1/nothing/",
        "/api/v1/roles/not a slug/",
        "/api/v2/",
    ],
)
def test_unknown_things_are_a_json_404(client, catalog, path):
    response = client.get(path)
    assert_error(response, 404)
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_missing_slash_redirects_to_the_endpoint(client, catalog):
    response = client.get("/api/v1/roles?x=1")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/roles/?x=1"


@pytest.mark.parametrize("path", PATHS)
def test_an_unknown_query_parameter_is_a_json_400(client, catalog, path):
    message = assert_error(client.get(path, {"bogus": "1"}), 400)
    assert "bogus" in message


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/roles/role-0/?function=nothing",
        "/api/v1/roles/role-0/?function=not%20a%20slug",
        "/api/v1/roles/role-0/?function=function-1%0A",
        "/api/v1/roles/role-0/?function=function-1&function=function-2",
        "/api/v1/compare/role-0/vs/role-1/?function=nothing",
        "/api/v1/collaborations/?role=nobody",
        "/api/v1/collaborations/?role=%00",
        "/api/v1/collaborations/?role=",
    ],
)
def test_bad_parameter_values_are_a_json_400(client, catalog, path):
    assert_error(client.get(path), 400)


# --- read-only, CORS, conditional GET ----------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE"])
@pytest.mark.parametrize("path", PATHS)
def test_writes_are_refused_with_a_json_405(client, catalog, path, method):
    response = client.generic(method, path, data="{}", content_type="application/json")
    assert_error(response, 405)
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Role.objects.count() == 2


@pytest.mark.parametrize("path", PATHS)
def test_get_allows_any_origin_without_credentials(client, catalog, path):
    response = client.get(path, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize("path", PATHS)
def test_preflight_allows_get_and_revalidation_headers(client, catalog, path):
    response = client.options(
        path,
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", PATHS)
def test_a_repeat_request_with_the_etag_is_a_304(client, catalog, path):
    first = client.get(path)
    etag = first["ETag"]
    assert first["Last-Modified"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Access-Control-Allow-Origin"] == "*"
    Source.objects.filter(slug="factory-source").get().save()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


@pytest.mark.parametrize("path", PATHS)
def test_head_answers_like_get_without_a_body(client, catalog, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert head["ETag"] == get["ETag"]


# --- downloads ---------------------------------------------------------------------------------


def test_catalog_json_holds_every_record_of_every_content_model(client, catalog):
    make_pairing(*catalog, source=Source.objects.get(), locator="The bottom line")
    make_confusion(catalog[0], catalog[1])
    response = client.get("/downloads/catalog.json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="roles-catalog.json"'
    document = json.loads(response.content)
    assert (document["format"], document["url"]) == (2, f"{BASE}/downloads/catalog.json")
    counts = {table_name(model): model._default_manager.count() for model in content_models()}
    assert {name: len(document[name]) for name in counts} == counts
    assert counts["pairing_citations"] == counts["confusions"] == 1
    assert document["pairing_citations"] == [
        {
            "updated": document["pairing_citations"][0]["updated"],
            "source": "factory-source",
            "locator": "The bottom line",
            "order": 0,
            "item": "role-0-vs-role-1",
        }
    ]
    assert document["pairings"][0]["roles"] == ["role-0", "role-1"]
    assert document["roles"][0]["key_functions"] == ["function-0", "function-1"]
    duty = document["responsibilities"][0]
    assert (duty["role"], duty["slug"], duty["function"]) == ("role-0", "duty-0", "function-0")
    assert document["updated"] == max(
        row["updated"] for rows in document.values() if isinstance(rows, list) for row in rows
    )


def read_zip(content: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8")))
            )
            for name in archive.namelist()
        }


def test_catalog_csv_zip_has_one_file_per_content_model_keyed_by_slugs(client, catalog):
    Source.objects.update(accessed=date(2026, 12, 1), year=2024)
    make_pairing(*catalog, source=Source.objects.get(), locator="The bottom line")
    response = client.get("/downloads/catalog-csv.zip")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="roles-catalog-csv.zip"'
    tables = read_zip(response.content)
    assert set(tables) == CSV_FILES
    document = get_json(client, "/downloads/catalog.json")
    for name, rows in tables.items():
        assert len(rows) == len(document[name]), name
    assert [row["slug"] for row in tables["roles"]] == ["role-0", "role-1"]
    assert tables["roles"][0]["key_functions"] == "function-0 function-1"
    assert tables["pairings"][0]["roles"] == "role-0 role-1"
    duty = tables["responsibilities"][0]
    assert (duty["role"], duty["slug"], duty["function"]) == ("role-0", "duty-0", "function-0")
    cite = tables["responsibility_citations"][0]
    assert (cite["item"], cite["source"], cite["locator"]) == (
        "role-0/duty-0",
        "factory-source",
        "Section 1",
    )
    assert parse_time(duty["updated"])
    assert tables["contributions"][0] == {
        "updated": tables["contributions"][0]["updated"],
        "collaboration": "activity-0",
        "role": "role-0",
        "raci": "A",
        "text": "Role 0 part in Activity 0",
        "responsibilities": "role-0/duty-0",
    }
    assert tables["sources"][0]["url"] == "https://example.com/"
    assert (tables["sources"][0]["accessed"], tables["sources"][0]["year"]) == (
        "2026-12-01",
        "2024",
    )


def test_catalog_csv_has_a_header_row_even_when_empty(client, db):
    tables = read_zip(client.get("/downloads/catalog-csv.zip").content)
    assert set(tables) == CSV_FILES
    assert all(rows == [] for rows in tables.values())
    with zipfile.ZipFile(io.BytesIO(client.get("/downloads/catalog-csv.zip").content)) as zipped:
        header = zipped.read("roles.csv").decode().splitlines()[0]
    assert header == (
        "updated,slug,name,short_name,other_titles,summary,main_goal,description,order,"
        "key_functions"
    )


def test_catalog_csv_defuses_spreadsheet_formulas_and_is_byte_stable(client, catalog):
    Responsibility.objects.filter(slug="duty-0", role__slug="role-0").update(
        title='=HYPERLINK("http://evil.example")'
    )
    first = client.get("/downloads/catalog-csv.zip").content
    duty = read_zip(first)["responsibilities"][0]
    assert duty["title"] == '\'=HYPERLINK("http://evil.example")'
    assert client.get("/downloads/catalog-csv.zip").content == first


def test_role_markdown_has_the_role_and_its_responsibilities(client, catalog):
    response = client.get("/roles/role-0.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="role-0.md"'
    text = response.content.decode()
    assert text.startswith("# Role 0\n")
    for duty in Responsibility.objects.filter(role__slug="role-0"):
        assert f"**{duty.title}**" in text
    assert "## Knowledge" in text
    assert "| Area 0 |" in text
    assert f"<{BASE}/roles/role-0/>" in text
    assert "[^factory-source]: Factory source. <https://example.com/>" in text
    assert "\n\n\n" not in text


def test_markdown_shows_catalog_text_literally(client, catalog):
    Role.objects.filter(slug="role-0").update(
        name="Role *0* <b>", description="1. not a list\n    not code\n\n> not a quote &amp;"
    )
    Responsibility.objects.filter(slug="duty-0", role__slug="role-0").update(
        title="# Owns [the](http://x.example) `roadmap` | & more",
        description="- not a list\n1. not a list either\n    not code",
    )
    text = client.get("/roles/role-0.md").content.decode()
    assert text.startswith("# Role \\*0\\* \\<b\\>\n")
    assert "**\\# Owns \\[the\\](http://x.example) \\`roadmap\\` \\| & more**" in text
    assert "— \\- not a list 1. not a list either not code" in text
    assert "\n1\\. not a list\nnot code\n\n\\> not a quote \\&amp;\n" in text
    assert "<b>" not in text


def test_compare_markdown_sets_the_roles_side_by_side(client, catalog):
    response = client.get("/compare/role-0/vs/role-1.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="role-0-vs-role-1.md"'
    text = response.content.decode()
    assert text.startswith("# Role 0 vs Role 1\n")
    assert "| | Role 0 | Role 1 |" in text
    assert "| **Dimension 0** | Dimension 0 of role 0 | Dimension 0 of role 1 |" in text
    assert "### Role 0" in text
    assert "### Role 1" in text
    assert "**Duty 3 of role 1**" in text
    assert "| Stage 0 | Leads | Supports |" in text
    assert "**A** (Accountable): Role 0 part in Activity 0" in text


# --- three and four roles ----------------------------------------------------------------------

THREE, FOUR = "role-2/vs/role-0/vs/role-1", "role-3/vs/role-2/vs/role-1/vs/role-0"


@pytest.fixture
def four_roles() -> list[Role]:
    return make_catalog(roles=4, scale=1)


@pytest.mark.parametrize("slugs", [THREE, FOUR])
def test_compare_three_and_four_roles_in_url_order_with_a_cell_per_role(client, four_roles, slugs):
    order = slugs.split("/vs/")
    comparison = get_json(client, f"/api/v1/compare/{slugs}/")
    assert [role["slug"] for role in comparison["roles"]] == order
    assert comparison["url"] == f"{BASE}/api/v1/compare/{slugs}/"
    assert comparison["html_url"] == f"{BASE}/compare/{slugs}/"
    assert comparison["markdown_url"] == f"{BASE}/compare/{slugs}.md"
    for section in ["dimensions", "knowledge", "lifecycle", "collaborations", "key_differences"]:
        assert comparison[section], section
        assert all(len(row["cells"]) == len(order) for row in comparison[section]), section
    assert [side["role"] for side in comparison["responsibilities"]] == order
    first = comparison["dimensions"][0]["cells"]
    assert [cell["text"] for cell in first] == [f"Dimension 0 of role {s[-1]}" for s in order]


def test_compare_gives_the_bottom_line_and_key_differences_the_page_opens_with(client, four_roles):
    comparison = get_json(client, f"/api/v1/compare/{FOUR}/")
    page = Comparison(*Role.objects.for_comparison(*FOUR.split("/vs/")))
    bottom = comparison["bottom_line"]
    assert bottom["text"] == page.bottom_line_text
    assert bottom["by_editors"] is False
    assert [s["text"] for s in bottom["statements"]] == [s.text for s in page.bottom_line]
    assert [row["slug"] for row in comparison["key_differences"]] == [
        row.dimension.slug for row in page.key_difference_rows
    ]


def test_compare_markdown_has_a_column_per_role_and_opens_with_the_answer(client, four_roles):
    response = client.get(f"/compare/{FOUR}.md")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="role-3-vs-role-2-vs-role-1-vs-role-0.md"'
    )
    text = response.content.decode()
    assert text.startswith("# Role 3 vs Role 2 vs Role 1 vs Role 0\n")
    assert "## In short" in text and "## Key differences" in text
    assert text.index("## In short") < text.index("## Key differences") < text.index("## At a")
    assert "| | Role 3 | Role 2 | Role 1 | Role 0 |\n| --- | --- | --- | --- | --- |" in text
    row = (
        "| **Dimension 0** | Dimension 0 of role 3 | Dimension 0 of role 2 | Dimension 0 of role 1"
    )
    assert row in text
    assert "| Stage 0 |" in text and "| Area 0 |" in text
    for name in ["Role 3", "Role 2", "Role 1", "Role 0"]:
        assert f"### {name}" in text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/compare/role-0/vs/role-1/vs/role-0/",
        "/api/v1/compare/role-0/vs/role-1/vs/role-2/vs/role-2/",
        "/compare/role-0/vs/role-1/vs/role-1.md",
    ],
)
def test_a_repeated_role_is_a_json_400(client, four_roles, path):
    error = get_json(client, path, status=400)["error"]
    assert error == {
        "status": 400,
        "message": "A comparison names each role once; this one repeats a role.",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/compare/role-0/vs/role-1/vs/nobody/",
        "/api/v1/compare/role-0/vs/role-1/vs/role-2/vs/nobody/",
        "/compare/role-0/vs/nobody/vs/role-1.md",
    ],
)
def test_an_unknown_role_among_several_is_a_json_404(client, four_roles, path):
    assert get_json(client, path, status=404)["error"]["message"] == "There is no role “nobody”."


@pytest.mark.parametrize(
    "path", [f"/api/v1/compare/{FOUR}/vs/role-0/", f"/compare/{FOUR}/vs/role-0.md"]
)
def test_five_roles_are_a_json_400(client, four_roles, path):
    error = get_json(client, path, status=400)["error"]
    assert error["message"] == "A comparison takes two to four roles."


@pytest.mark.parametrize("path", [f"/api/v1/compare/{FOUR}/", f"/compare/{THREE}.md"])
def test_a_repeat_request_for_several_roles_is_a_304(client, four_roles, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first["ETag"]})
    assert (first.status_code, again.status_code) == (200, 304)


@pytest.mark.parametrize("count", [8, 80])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/compare/role-0/vs/role-1/",
        "/api/v1/compare/role-0/vs/role-1/vs/role-2/",
        "/api/v1/compare/role-0/vs/role-1/vs/role-2/vs/role-3/",
        "/compare/role-0/vs/role-1/vs/role-2/vs/role-3.md",
    ],
)
def test_compare_costs_the_same_queries_for_two_to_four_roles(
    client, django_assert_num_queries, path, count
):
    make_catalog(roles=count)
    with django_assert_num_queries(ENDPOINTS["compare"][1]):
        assert client.get(path).status_code == 200


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(("roles", "scale"), [(2, 1), (20, 10)])
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_query_count_is_fixed_whatever_the_catalog_size(
    client, django_assert_num_queries, name, roles, scale
):
    make_catalog(roles=roles, scale=scale)
    path, queries = ENDPOINTS[name]
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/api/v1/roles/role-0/?function=function-1", 24),  # levels and moves: 3 more
        ("/api/v1/compare/role-0/vs/role-1/?function=function-1", 25),
        ("/api/v1/collaborations/?role=role-1", 7),
    ],
)
def test_filters_cost_one_more_query(client, catalog, django_assert_num_queries, path, queries):
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize(("roles", "scale"), [(2, 1), (20, 10)])
@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/api/v1/roles/?updated_since=2000-01-01T00:00:00Z", 3),
        ("/api/v1/collaborations/?updated_since=2000-01-01T00:00:00Z", 6),
        ("/api/v1/collaborations/?updated_since=2000-01-01T00:00:00Z&role=role-1", 7),
        ("/api/v1/sources/?updated_since=2000-01-01T00:00:00Z", 17),  # 2 kinds more
    ],
)
def test_updated_since_costs_no_extra_query(
    client, django_assert_num_queries, path, queries, roles, scale
):
    make_catalog(roles=roles, scale=scale)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_a_304_costs_no_query(client, catalog, django_assert_num_queries, settings):
    settings.CATALOG_VERSION_CHECK_SECONDS = 3600  # no re-read on a slow machine either
    etag = client.get("/downloads/catalog.json")["ETag"]
    with django_assert_num_queries(0):
        response = client.get("/downloads/catalog.json", headers={"If-None-Match": etag})
    assert response.status_code == 304


def test_sources_show_what_cites_them_of_every_kind(client, catalog):
    source = Source.objects.get(slug="factory-source")
    role = catalog[0]
    cite(role.traits.all(), source, "Table 2")
    cite(role.involvements.all(), source, "Figure 1")
    cite(role.knowledge.all(), source, "Chapter 3")
    cite(LifecycleStage.objects.all(), source, "Phase 1")
    cite(role.contributions.all(), source, "RACI chart")
    payload = get_json(client, "/api/v1/sources/factory-source/")
    kinds = {citation["kind"] for citation in payload["cited_by"]}
    assert kinds == {
        "role",
        "responsibility",
        "knowledge_area",
        "role_knowledge",
        "trait",
        "lifecycle_stage",
        "involvement",
        "collaboration",
        "contribution",
    }
    assert {c["locator"] for c in payload["cited_by"]} >= {"Table 2", "Phase 1", "Section 1"}
    stage = next(c for c in payload["cited_by"] if c["kind"] == "lifecycle_stage")
    assert (stage["role"], stage["url"], stage["html_url"]) == (None, None, None)
    involvement = next(c for c in payload["cited_by"] if c["kind"] == "involvement")
    assert involvement["html_url"] == f"{BASE}/roles/role-0/#role-0-stage-stage-0"
