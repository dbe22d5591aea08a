"""The read-only JSON API under /api/v1/ and the downloads, on django-ninja.

The views read the catalog through the same QuerySet methods and `Comparison` as the pages and
return what they get; ninja serialises it through catalog.schemas, which also give the OpenAPI
document. Every operation
answers conditional GETs from the catalog version and refuses unknown or repeated query
parameters; catalog.api_urls adds the read-only and cross-origin rules around all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Annotated, Any

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.urls import Resolver404, resolve, reverse
from ninja import NinjaAPI, Path, Query
from ninja.decorators import decorate_view
from ninja.errors import HttpError, ValidationError
from ninja.params.models import QueryModel
from ninja.renderers import JSONRenderer
from pydantic import BeforeValidator

from catalog import schemas
from catalog.comparison import MAX_ROLES, Comparison
from catalog.conditional import catalog_conditional
from catalog.models import CatalogVersion, Collaboration, Function, Role, RoleMove, Source
from catalog.querysets import RoleQuerySet
from catalog.schemas import api_url, page_url
from catalog.views import redirect_keeping_query

API_VERSION = "v1"
JSON_PARAMS = {"ensure_ascii": False}


class Renderer(JSONRenderer):
    json_dumps_params = JSON_PARAMS


class RolesApi(NinjaAPI):
    def get_content_type(self) -> str:
        return self.renderer.media_type  # JSON is UTF-8 by definition (RFC 8259): no charset


api = RolesApi(
    title="Roles API",
    version="1.2.0",
    description=(
        "Read-only open data: job roles, how they differ, and who does what (RACI). "
        "Every resource is named by a stable slug; a renamed role's old slug answers 301. "
        "Responses carry ETag and Last-Modified and answer 304 to a matching conditional "
        "request. Any origin may GET (CORS). Unknown or repeated query parameters are a "
        "400; an unknown slug is a 404; any method but GET, HEAD or OPTIONS is a 405. "
        'Errors are JSON: {"error": {"status": …, "message": …}}. '
        f"The downloads are in data format {schemas.DATA_FORMAT}: catalog.json holds every "
        "record of every content model, one list per model (format 1 nested roles, activities "
        "and sources as the API shows them); the CSV zip has one file per model with every "
        "field, many-to-many links as space-separated keys (format 1 had one file per entity and "
        "one citations.csv). Citations' `kind` adds `pairing`. Additions since 1.0.0: a role "
        "has `other_titles` and `confused_with`, an activity `why_accountable`, and each part "
        "in an activity `responsibilities` (those of its role that the part exercises). "
        "Since 1.2.0: a role has `levels` (its ladder, mapped to SFIA 9 and DDaT levels) and "
        "`moves`, and /api/v1/moves/{from}/to/{to}/ serves a move between roles in full."
    ),
    renderer=Renderer(),
    urls_namespace="api",
    openapi_url=None,
    docs_url=None,
    openapi_extra={
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "tags": [
            {"name": "api", "description": "Start here."},
            {"name": "roles", "description": "Roles and comparisons."},
            {"name": "collaborations", "description": "Shared activities with RACI."},
            {"name": "sources", "description": "Cited sources."},
            {"name": "downloads", "description": "The catalog as files."},
            {"name": "teams", "description": "Teams' own RACI charts, by their unguessable id."},
        ],
    },
)


# --- errors ------------------------------------------------------------------------------------


def error_response(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "message": message}},
        status=status,
        json_dumps_params=JSON_PARAMS,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """An HttpError a view raises (an unknown slug, a filter naming nothing), in our shape."""
    return error_response(error.status_code, error.message)


@api.exception_handler(ValidationError)
def invalid_parameter(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A parameter ninja could not parse (not a slug, not a date-time): a 400, saying which."""
    first = error.errors[0]
    name = first["loc"][-1]
    return error_response(400, f"Query parameter “{name}” is invalid: {first['msg']}.")


def query_names(operation: Any) -> list[str]:
    """The query parameters an operation declares, read from the models ninja built for it."""
    return [
        field.alias or name
        for model in operation.models
        if issubclass(model, QueryModel)
        for name, field in model.model_fields.items()
    ]


def strict_query(accepted: list[str]) -> Callable:
    """Refuse an unknown or repeated query parameter with a 400, so a typo is never ignored."""

    def decorator(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(run)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            for name, values in request.GET.lists():
                if name not in accepted:
                    listed = ", ".join(accepted) if accepted else "none"
                    return error_response(
                        400, f"Unknown query parameter “{name}”; this endpoint accepts: {listed}."
                    )
                if len(values) > 1:
                    return error_response(
                        400, f"Query parameter “{name}” was given more than once."
                    )
            return run(request, *args, **kwargs)

        return wrapper

    return decorator


# What every operation may answer besides 200, and how the document describes it.
MOVED = {301: {"description": "A renamed role's old slug: the same resource at the current slug."}}
NOT_FOUND = {404: {"description": "No such role, collaboration or source."}}
ALWAYS = {
    304: {"description": "Not modified since the ETag or date the client sent."},
    400: {"description": "Unknown, repeated or invalid query parameter."},
}
CONDITIONAL_HEADERS = {
    "ETag": {
        "description": "Changes whenever catalog content changes.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {"schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"schema": {"type": "string", "enum": ["*"]}},
}


def endpoint(
    path: str,
    *,
    name: str,
    operation_id: str,
    summary: str,
    tag: str,
    ok: Any,
    moved: bool = False,
    not_found: bool = False,
    media_type: str | None = None,
) -> Callable:
    """Register a GET (and HEAD) operation, conditional on the catalog version, strict about
    its query; `ok` is the 200 payload's schema, `media_type` a download's file type."""
    responses: dict[int, Any] = {200: ok, 304: None, 400: schemas.Error}
    documented: dict[int, Any] = {200: {"headers": CONDITIONAL_HEADERS}, **ALWAYS}
    if moved:
        responses[301] = None
        documented.update(MOVED)
    if not_found:
        responses[404] = schemas.Error
        documented.update(NOT_FOUND)
    if media_type:
        documented[200]["content"] = {media_type: {"schema": {"type": "string"}}}
    if media_type or ok is schemas.Catalog:
        documented[200]["headers"] = {
            **CONDITIONAL_HEADERS,
            "Content-Disposition": {
                "description": "attachment; filename=…",
                "schema": {"type": "string"},
            },
        }

    def register(view: Callable) -> Callable:
        view = api.api_operation(
            ["GET", "HEAD"],
            path,
            response=responses,
            url_name=name,
            operation_id=operation_id,
            summary=summary,
            tags=[tag],
            openapi_extra={"responses": documented},
        )(view)
        accepted = query_names(view._ninja_operation)
        return decorate_view(strict_query(accepted), catalog_conditional)(view)

    return register


# --- parameters --------------------------------------------------------------------------------

SlugPath = Annotated[str, Path(pattern=schemas.SLUG_PATTERN)]
FunctionFilter = Annotated[
    str | None,
    Query(
        None,
        pattern=schemas.SLUG_PATTERN,
        description="Only responsibilities in this function.",
        examples=["strategy"],
    ),
]


def iso_8601(value: object) -> object:
    """ISO 8601 only (pydantic alone would also take a Unix timestamp); no offset means UTC."""
    if not isinstance(value, str):
        return value
    moment = datetime.fromisoformat(value)  # a ValueError is a 400 naming the parameter
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    # In UTC, so the database never sees the offset (PostgreSQL refuses ones past 15:59).
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range once converted to UTC") from None


UpdatedSince = Annotated[
    datetime | None,
    BeforeValidator(iso_8601),
    Query(
        None,
        description=(
            "Only entries whose `updated` is at or after this ISO 8601 time "
            "(UTC when it has no offset)."
        ),
        examples=["2026-11-25T18:00:00Z"],
    ),
]


def function_slug(function: str | None) -> str | None:
    """?function=<slug>: a function that does not exist is a 400, not an empty list."""
    if function is not None and not Function.objects.filter(slug=function).exists():
        raise HttpError(400, f"There is no function “{function}”.")
    return function


def find_roles(*slugs: str, among: RoleQuerySet | None = None) -> list[Role]:
    """The roles by slug (`among` a queryset that loads more), fully loaded, in the order asked;
    a renamed role's old slug raises Moved with the current slugs, an unknown one is a 404."""
    found = (Role.objects if among is None else among).with_changed().resolve(*slugs)
    if found.unknown:
        names = " or ".join(f"“{slug}”" for slug in found.unknown)
        raise HttpError(404, f"There is no role {names}.")
    if found.moved:
        raise Moved(*found.moved)
    return found.roles


class Moved(Exception):
    """A renamed role was asked for by its old slug; carries the current slugs."""

    def __init__(self, *slugs: str) -> None:
        super().__init__(*slugs)
        self.slugs = slugs


@api.exception_handler(Moved)
def moved(request: HttpRequest, error: Moved) -> HttpResponse:
    """301 to the same operation at the role's current slugs, keeping the query."""
    return redirect_keeping_query(
        request, reverse(request.resolver_match.view_name, args=error.slugs)
    )


# --- the API's operations ----------------------------------------------------------------------


@endpoint(
    "/api/v1/",
    name="index",
    operation_id="getIndex",
    summary="Links to everything",
    tag="api",
    ok=schemas.Index,
)
def index(request: HttpRequest) -> dict[str, Any]:
    # The API's own table of contents: the one answer that is no catalog record.
    def api(name: str, *params: str) -> str:
        """A URL, or with `params` an RFC 6570 URI template such as …/roles/{slug}/."""
        url = api_url(request, name, *(f"PARAM-{p}" for p in params))
        for p in params:
            url = url.replace(f"PARAM-{p}", "{" + p + "}")
        return url

    return {
        "name": "Roles API",
        "description": (
            "What job roles do and know, how they differ side by side, and where they "
            "work together (RACI). Read-only; every resource is named by a stable slug."
        ),
        "version": API_VERSION,
        "url": api("index"),
        "html_url": page_url(request, "home"),
        "updated": CatalogVersion.objects.filter(pk=1).values_list("changed", flat=True).first(),
        "links": {
            "roles": api("role-list"),
            "role": api("role-detail", "slug"),
            "compare": api("compare", "a", "b"),
            "collaborations": api("collaboration-list"),
            "collaboration": api("collaboration-detail", "slug"),
            "sources": api("source-list"),
            "source": api("source-detail", "slug"),
            "move": api("role-move", "a", "b"),
            "openapi": api("openapi"),
            "catalog_json": api("catalog-json"),
            "catalog_csv": api("catalog-csv"),
            "role_markdown": api("role-markdown", "slug"),
            "compare_markdown": api("compare-markdown", "a", "b"),
        },
    }


@endpoint(
    "/api/v1/roles/",
    name="role-list",
    operation_id="listRoles",
    summary="Every role",
    tag="roles",
    ok=schemas.RoleList,
)
def role_list(request: HttpRequest, updated_since: UpdatedSince = None) -> list[Role]:
    return list(Role.objects.prefetch_related("key_functions").changed_since(updated_since))


@endpoint(
    "/api/v1/roles/{slug:slug}/",
    name="role-detail",
    operation_id="getRole",
    summary="One role in full",
    tag="roles",
    ok=schemas.Role,
    moved=True,
    not_found=True,
)
def role_detail(request: HttpRequest, slug: SlugPath, function: FunctionFilter = None) -> Role:
    function_slug(function)  # the schema narrows the responsibilities to it
    (role,) = find_roles(slug, among=Role.objects.with_confusions())
    return role


@endpoint(
    "/api/v1/moves/{slug:a}/to/{slug:b}/",
    name="role-move",
    operation_id="getMove",
    summary="Moving from one role to another",
    tag="roles",
    ok=schemas.Move,
    moved=True,
    not_found=True,
)
def role_move(request: HttpRequest, a: SlugPath, b: SlugPath) -> RoleMove:
    move = RoleMove.objects.with_page().filter(from_role__slug=a, to_role__slug=b).first()
    if move is not None:
        return move
    if renamed := Role.objects.renamed([a, b]):
        raise Moved(renamed.get(a, a), renamed.get(b, b))
    raise HttpError(404, f"There is no written move from “{a}” to “{b}”.")


def compared(*slugs: str) -> Comparison:
    """The comparison of the roles named, in order; a role named twice is a 400."""
    if len(set(slugs)) < len(slugs):
        raise HttpError(400, "A comparison names each role once; this one repeats a role.")
    return Comparison(*find_roles(*slugs))


def compare_endpoint(path: str, operation_id: str, summary: str) -> Callable:
    return endpoint(
        path,
        name="compare",
        operation_id=operation_id,
        summary=summary,
        tag="roles",
        ok=schemas.Comparison,
        moved=True,
        not_found=True,
    )


@compare_endpoint("/api/v1/compare/{slug:a}/vs/{slug:b}/", "compareRoles", "Two roles side by side")
def compare(
    request: HttpRequest, a: SlugPath, b: SlugPath, function: FunctionFilter = None
) -> Comparison:
    function_slug(function)  # the schema narrows the responsibilities to it
    return compared(a, b)


@compare_endpoint(
    "/api/v1/compare/{slug:a}/vs/{slug:b}/vs/{slug:c}/",
    "compareThreeRoles",
    "Three roles side by side",
)
def compare_three(
    request: HttpRequest, a: SlugPath, b: SlugPath, c: SlugPath, function: FunctionFilter = None
) -> Comparison:
    function_slug(function)  # the schema narrows the responsibilities to it
    return compared(a, b, c)


@compare_endpoint(
    "/api/v1/compare/{slug:a}/vs/{slug:b}/vs/{slug:c}/vs/{slug:d}/",
    "compareFourRoles",
    "Four roles side by side",
)
def compare_four(
    request: HttpRequest,
    a: SlugPath,
    b: SlugPath,
    c: SlugPath,
    d: SlugPath,
    function: FunctionFilter = None,
) -> Comparison:
    function_slug(function)  # the schema narrows the responsibilities to it
    return compared(a, b, c, d)


@endpoint(
    "/api/v1/collaborations/",
    name="collaboration-list",
    operation_id="listCollaborations",
    summary="Every shared activity with RACI",
    tag="collaborations",
    ok=schemas.CollaborationList,
)
def collaboration_list(
    request: HttpRequest,
    role: Annotated[
        str | None,
        Query(
            None,
            pattern=schemas.SLUG_PATTERN,
            description="Only activities this role takes part in.",
            examples=["project-manager"],
        ),
    ] = None,
    updated_since: UpdatedSince = None,
) -> list[Collaboration]:
    collaborations = (
        Collaboration.objects.with_contributions()
        .with_responsibilities()
        .changed_since(updated_since)
    )
    if role is not None:
        if not Role.objects.filter(slug=role).exists():
            raise HttpError(400, f"There is no role “{role}”.")
        collaborations = collaborations.filter(contributions__role__slug=role)
    return list(collaborations)


@endpoint(
    "/api/v1/collaborations/{slug:slug}/",
    name="collaboration-detail",
    operation_id="getCollaboration",
    summary="One shared activity with RACI",
    tag="collaborations",
    ok=schemas.Collaboration,
    not_found=True,
)
def collaboration_detail(request: HttpRequest, slug: SlugPath) -> Collaboration:
    collaboration = (
        Collaboration.objects.with_contributions()
        .with_responsibilities()
        .with_changed()
        .filter(slug=slug)
        .first()
    )
    if collaboration is None:
        raise HttpError(404, f"There is no collaboration “{slug}”.")
    return collaboration


@endpoint(
    "/api/v1/sources/",
    name="source-list",
    operation_id="listSources",
    summary="Every source and what cites it",
    tag="sources",
    ok=schemas.SourceList,
)
def source_list(request: HttpRequest, updated_since: UpdatedSince = None) -> list[Source]:
    return list(Source.objects.with_citations().changed_since(updated_since))


@endpoint(
    "/api/v1/sources/{slug:slug}/",
    name="source-detail",
    operation_id="getSource",
    summary="One source and what cites it",
    tag="sources",
    ok=schemas.Source,
    not_found=True,
)
def source_detail(request: HttpRequest, slug: SlugPath) -> Source:
    source = Source.objects.with_citations().filter(slug=slug).first()
    if source is None:
        raise HttpError(404, f"There is no source “{slug}”.")
    return source


@endpoint(
    "/api/v1/openapi.json",
    name="openapi",
    operation_id="getOpenApi",
    summary="This description",
    tag="api",
    ok=dict[str, Any],
)
def openapi(request: HttpRequest) -> dict[str, Any]:
    return openapi_document(request.build_absolute_uri("/").rstrip("/"))


def openapi_document(server: str) -> dict[str, Any]:
    """The document ninja generates from the operations and schemas, served from `server`.

    HEAD is answered like GET, so the document lists GET alone.
    """
    document = dict(api.get_openapi_schema(path_prefix=""))
    for item in document["paths"].values():
        item.pop("head", None)
    document["servers"] = [{"url": server}]
    return document


def not_found(request: HttpRequest) -> HttpResponseBase:
    """Any other URL under /api/: a JSON 404, or the slash-appended URL when that one exists."""
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name is not None:  # an operation, not a catch-all
            return redirect_keeping_query(request, request.path + "/")
    if TOO_MANY_ROLES.match(request.path_info):
        return error_response(400, "A comparison takes two to four roles.")
    message = f"Nothing is at {request.path}; the API starts at {reverse('api:index')}."
    return error_response(404, message)


# Five or more slugs where a comparison's are: a 400 that says why, rather than "nothing here".
TOO_MANY_ROLES = re.compile(rf"^/(?:api/v1/)?compare/[^/]+(?:/vs/[^/]+){{{MAX_ROLES},}}(?:/|\.md)$")
