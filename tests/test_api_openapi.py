"""Every real response of the API and the downloads, success and error, validates against the
OpenAPI description it serves: the operation is found by path and method, the status code must be
documented, and the body must match the documented schema for its media type. Then schemathesis
generates requests from the description and checks the responses the same way."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from catalog.api import openapi_document
from tests.factories import make_catalog, make_level, make_move, make_redirect, make_team

pytestmark = pytest.mark.django_db

SPEC_URI = "urn:roles:openapi"

FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    moment = datetime.fromisoformat(value)
    return "T" in value and moment.tzinfo is not None


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme in ("http", "https") and parts.netloc) and " " not in value


# Real requests: every endpoint's success, then each error it documents.
SUCCESSES = [
    "/api/v1/",
    "/api/v1/roles/",
    "/api/v1/roles/?updated_since=2020-01-01T00:00:00Z",
    "/api/v1/roles/role-0/",
    "/api/v1/roles/role-0/?function=function-1",
    "/api/v1/compare/role-0/vs/role-1/",
    "/api/v1/compare/role-1/vs/role-0/?function=function-2",
    "/api/v1/compare/role-2/vs/role-0/vs/role-1/",
    "/api/v1/compare/role-3/vs/role-2/vs/role-1/vs/role-0/?function=function-1",
    "/api/v1/collaborations/",
    "/api/v1/collaborations/?role=role-1",
    "/api/v1/collaborations/?role=role-1&updated_since=2020-01-01T00:00:00%2B02:00",
    "/api/v1/collaborations/activity-0/",
    "/api/v1/sources/",
    "/api/v1/sources/?updated_since=2999-01-01T00:00:00Z",
    "/api/v1/sources/factory-source/",
    "/api/v1/moves/role-0/to/role-1/",
    "/api/v1/openapi.json",
    "/downloads/catalog.json",
    "/downloads/catalog-csv.zip",
    "/roles/role-0.md",
    "/compare/role-0/vs/role-1.md",
    "/compare/role-0/vs/role-1/vs/role-2.md",
    "/compare/role-0/vs/role-1/vs/role-2/vs/role-3.md",
]
ERRORS = [
    *(f"{path}{'&' if '?' in path else '?'}bogus=1" for path in SUCCESSES),
    "/api/v1/roles/role-0/?function=nothing",
    "/api/v1/collaborations/?role=nobody",
    "/api/v1/roles/?updated_since=yesterday",
    "/api/v1/roles/old-role/",
    "/api/v1/compare/old-role/vs/role-1/",
    "/roles/old-role.md",
    "/compare/role-0/vs/old-role.md",
    "/api/v1/compare/role-0/vs/old-role/vs/role-2/",
    "/api/v1/compare/role-0/vs/role-2/vs/role-3/vs/old-role/",
    "/compare/role-0/vs/role-2/vs/old-role.md",
    "/compare/role-0/vs/role-2/vs/role-3/vs/old-role.md",
    "/api/v1/compare/role-0/vs/role-2/vs/role-0/",
    "/compare/role-0/vs/role-2/vs/role-3/vs/role-2.md",
    "/api/v1/roles/nobody/",
    "/api/v1/compare/role-0/vs/nobody/",
    "/api/v1/collaborations/nothing/",
    "/api/v1/sources/nothing/",
    "/api/v1/moves/role-1/to/role-0/",
    "/api/v1/moves/role-0/to/old-role/",
    "/api/v1/teams/AAAAAAAAAAAAAAAAAAAAAA/",
    "/api/v1/teams/AAAAAAAAAAAAAAAAAAAAAA/?bogus=1",
    "/roles/nobody.md",
    "/compare/nobody/vs/role-1.md",
    "/api/v1/compare/role-0/vs/role-1/vs/nobody/",
    "/api/v1/compare/role-0/vs/role-1/vs/role-2/vs/nobody/",
    "/compare/role-0/vs/nobody/vs/role-1.md",
    "/compare/role-0/vs/role-1/vs/role-2/vs/nobody.md",
]
REQUESTS = SUCCESSES + ERRORS


@pytest.fixture
def catalog() -> str:
    """Four roles and a team; the team's API path (its id is random)."""
    roles = make_catalog(roles=4, scale=1)
    # A renamed role's old slug, so that the 301s are exercised too.
    make_redirect("old-role", roles[1])
    # A written move with a rung on each side, so that a move's answer is exercised too.
    make_move(roles[0], roles[1])
    make_level(roles[0], "senior", sfia_level=5)
    make_level(roles[1], "none", sfia_level=None)
    # A team's chart, whose answer the API serves beside the catalog's.
    team, _ = make_team(["role-0", "role-1"])
    return f"/api/v1/teams/{team.public_id}/"


@pytest.fixture
def spec(client, catalog) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


def operation_for(spec: dict[str, Any], path: str) -> tuple[str, dict[str, Any]]:
    """The documented path template and GET operation that serve `path`."""
    for template, item in spec["paths"].items():
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        if re.fullmatch(pattern, path):
            return template, item["get"]
    raise AssertionError(f"{path} is not described in the OpenAPI document")


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        pointer = node["$ref"].removeprefix("#/").split("/")
        node = spec
        for part in pointer:
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def validator(spec: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A validator for the schema at `pointer` inside the document, with its $refs resolvable."""
    registry = Registry().with_resource(SPEC_URI, Resource(spec, DRAFT202012))
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry, format_checker=FORMATS
    )


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def check_response(spec: dict[str, Any], path: str, response) -> str:
    """Validate one real response; returns "<template> <status>" for the coverage check."""
    template, operation = operation_for(spec, urlsplit(path).path)
    status = str(response.status_code)
    assert status in operation["responses"], f"{path}: {status} is not documented"
    documented = resolve(spec, operation["responses"][status])
    content = documented.get("content", {})
    if not content:
        assert response.content == b"", f"{path}: {status} is documented without a body"
        return f"{template} {status}"
    media_type = response["Content-Type"].split(";")[0]
    assert media_type in content, f"{path}: {media_type} is not documented for {status}"
    pointer = "/".join(
        [
            "",
            "paths",
            escape(template),
            "get",
            "responses",
            status,
            "content",
            escape(media_type),
            "schema",
        ]
    )
    if "$ref" in operation["responses"][status]:
        name = operation["responses"][status]["$ref"].rsplit("/", 1)[1]
        pointer = f"/components/responses/{name}/content/{escape(media_type)}/schema"
    if media_type == "application/json":
        body: Any = json.loads(response.content)
    elif media_type == "application/zip":
        with zipfile.ZipFile(BytesIO(response.content)) as archive:
            assert archive.testzip() is None
        body = response.content.decode("latin-1")
    else:
        body = response.content.decode("utf-8")
    errors = sorted(validator(spec, pointer).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{path}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]
    )
    return f"{template} {status}"


def test_the_document_is_openapi_3_1_with_valid_schemas(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["jsonSchemaDialect"] == "https://json-schema.org/draft/2020-12/schema"
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert schema.get("additionalProperties") is False, f"{name} allows extra properties"
    # Every $ref points at something that exists.
    text = json.dumps(spec)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        resolve(spec, {"$ref": f"#/{ref}"})


def test_the_served_document_is_generated_from_the_operations(spec):
    assert spec == json.loads(json.dumps(openapi_document("http://testserver")))
    assert set(spec["paths"]) == {
        "/api/v1/",
        "/api/v1/roles/",
        "/api/v1/roles/{slug}/",
        "/api/v1/compare/{a}/vs/{b}/",
        "/api/v1/compare/{a}/vs/{b}/vs/{c}/",
        "/api/v1/compare/{a}/vs/{b}/vs/{c}/vs/{d}/",
        "/api/v1/collaborations/",
        "/api/v1/collaborations/{slug}/",
        "/api/v1/sources/",
        "/api/v1/sources/{slug}/",
        "/api/v1/moves/{a}/to/{b}/",
        "/api/v1/teams/{public_id}/",
        "/api/v1/openapi.json",
        "/downloads/catalog.json",
        "/downloads/catalog-csv.zip",
        "/roles/{slug}.md",
        "/compare/{a}/vs/{b}.md",
        "/compare/{a}/vs/{b}/vs/{c}.md",
        "/compare/{a}/vs/{b}/vs/{c}/vs/{d}.md",
    }
    # Every operation is a GET (HEAD answers like it), with a unique id.
    operations = [item["get"] for item in spec["paths"].values()]
    assert all(set(item) == {"get"} for item in spec["paths"].values())
    assert len({op["operationId"] for op in operations}) == len(operations)


def test_every_real_response_validates_against_the_description(client, spec, catalog):
    covered = {check_response(spec, path, client.get(path)) for path in [*REQUESTS, catalog]}
    # Each operation's success, and every documented error, was seen for real.
    documented = {
        f"{template} {status}"
        for template, item in spec["paths"].items()
        for status in item["get"]["responses"]
        if status != "304"
    }
    assert documented - covered == set()


@pytest.mark.parametrize("path", SUCCESSES)
def test_every_304_is_documented(client, spec, path):
    first = client.get(path)
    again = client.get(path, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    check_response(spec, path, again)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_405_body_is_the_documented_error(client, spec, method):
    response = getattr(client, method)("/api/v1/roles/role-0/")
    assert response.status_code == 405
    errors = list(validator(spec, "/components/schemas/Error").iter_errors(response.json()))
    assert errors == []


def test_an_unknown_api_path_is_the_documented_error(client, spec):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    errors = list(validator(spec, "/components/schemas/Error").iter_errors(response.json()))
    assert errors == []


def test_the_schemas_really_constrain(client, spec):
    """A payload with an extra or a missing field, or a wrong type, fails validation."""
    role = client.get("/api/v1/roles/role-0/").json()
    check = validator(spec, "/components/schemas/Role")
    assert check.is_valid(role)
    assert not check.is_valid({**role, "extra": 1})
    assert not check.is_valid({k: v for k, v in role.items() if k != "updated"})
    assert not check.is_valid({**role, "updated": "yesterday"})
    assert not check.is_valid({**role, "url": "/relative/"})
    broken = json.loads(json.dumps(role))
    broken["responsibilities"][0]["function"]["slug"] = "Not a slug!"
    assert not check.is_valid(broken)


# --- schemathesis: generated requests against the description ----------------------------------

# Real slugs, so that generated query parameters also reach the successful responses.
FOUR = ["role-0", "role-1", "role-2", "role-3"]
KNOWN_SLUGS = {
    "/api/v1/roles/{slug}/": {"slug": "role-0"},
    "/api/v1/compare/{a}/vs/{b}/": {"a": "role-0", "b": "role-1"},
    "/api/v1/collaborations/{slug}/": {"slug": "activity-0"},
    "/api/v1/sources/{slug}/": {"slug": "factory-source"},
    "/api/v1/moves/{a}/to/{b}/": {"a": "role-0", "b": "role-1"},
    "/roles/{slug}.md": {"slug": "role-0"},
    "/compare/{a}/vs/{b}.md": {"a": "role-0", "b": "role-1"},
    "/api/v1/compare/{a}/vs/{b}/vs/{c}/": {"a": "role-0", "b": "role-1", "c": "role-2"},
    "/compare/{a}/vs/{b}/vs/{c}.md": {"a": "role-0", "b": "role-1", "c": "role-2"},
    "/api/v1/compare/{a}/vs/{b}/vs/{c}/vs/{d}/": dict(zip("abcd", FOUR, strict=True)),
    "/compare/{a}/vs/{b}/vs/{c}/vs/{d}.md": dict(zip("abcd", FOUR, strict=True)),
}


@pytest.fixture
def api_schema(catalog) -> Iterator[Any]:
    """The served description, loaded by schemathesis, calling the app in-process over WSGI."""
    # As Django's test client does: keep the test's transaction open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize(
    ("mode", "known"),
    [
        (GenerationMode.POSITIVE, False),
        (GenerationMode.POSITIVE, True),
        (GenerationMode.NEGATIVE, False),
    ],
)
def test_schemathesis_finds_no_failure(api_schema, mode, known):
    """No 500, every status, header, content type and body as documented, bad input refused.

    Schemathesis's positive_data_acceptance check is left out on purpose: a well-formed slug
    that names no function or role (?function=nothing) is a 400 by design, so that a typo in a
    filter is reported instead of silently matching nothing.
    """
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if mode == GenerationMode.NEGATIVE and not (operation.path_parameters or operation.query):
            continue  # nothing to make invalid
        fixed = KNOWN_SLUGS.get(operation.path) if known else None

        @given(case=operation.as_strategy(mode, path_parameters=fixed))
        @settings(
            max_examples=30,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def conforms(case) -> None:
            # The in-process WSGI client does not decompress, as a real HTTP client would.
            case.call_and_validate(
                headers={"Accept-Encoding": "identity"},
                excluded_checks=[positive_data_acceptance],
            )

        conforms()
