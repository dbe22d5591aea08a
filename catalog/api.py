"""The read-only JSON API under /api/v1/ and the downloads, on django-ninja.

The views read the catalog through the same QuerySet methods, model methods and `Comparison` as
the pages, and only turn what they get into payloads; catalog.schemas describes every payload, so
ninja checks each response against it and generates the OpenAPI document from it. Every operation
answers conditional GETs from the catalog version and refuses unknown or repeated query
parameters; catalog.api_urls adds the read-only and cross-origin rules around all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
from catalog.models import (
    RACI_MEANINGS,
    CatalogVersion,
    CitingItem,
    Collaboration,
    Contribution,
    Function,
    Pairing,
    Raci,
    Responsibility,
    Role,
    RoleKnowledge,
    Source,
    StageInvolvement,
    Trait,
)
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
    version="1.0.0",
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
        "one citations.csv). Citations' `kind` adds `pairing`."
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


# --- links and times ---------------------------------------------------------------------------


class Links:
    """Absolute URLs on the requested host: `url` for API resources, `html_url` for pages."""

    def __init__(self, request: HttpRequest) -> None:
        self.base = request.build_absolute_uri("/").rstrip("/")

    def __call__(self, path: str) -> str:
        return self.base + path

    def api(self, name: str, *args: str) -> str:
        return self(reverse(f"api:{name}", args=args))

    def page(self, name: str, *args: str) -> str:
        return self(reverse(f"catalog:{name}", args=args))

    def template(self, name: str, *params: str) -> str:
        """A URI template such as …/roles/{slug}/ (RFC 6570), for the index's links."""
        url = self.api(name, *(f"PARAM-{p}" for p in params))
        for p in params:
            url = url.replace(f"PARAM-{p}", "{" + p + "}")
        return url


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def newest(moments: Iterable[datetime | None]) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


# --- payloads: references ----------------------------------------------------------------------


def role_ref(role: Role, links: Links) -> dict[str, Any]:
    return {
        "slug": role.slug,
        "name": role.name,
        "url": links.api("role-detail", role.slug),
        "html_url": links(role.get_absolute_url()),
    }


def function_ref(function: Function) -> dict[str, Any]:
    return {"slug": function.slug, "name": function.name}


def citation_refs(item: Any) -> list[dict[str, str]]:
    """An item's citations (prefetched with their sources): each source's slug and where in it."""
    return [
        {"source": citation.source.slug, "locator": citation.locator}
        for citation in item.citations.all()
    ]


def collaboration_ref(collaboration: Collaboration, links: Links) -> dict[str, Any]:
    return {
        "slug": collaboration.slug,
        "title": collaboration.title,
        "url": links.api("collaboration-detail", collaboration.slug),
        "html_url": links(collaboration.get_absolute_url()),
    }


def raci_fields(letter: str) -> dict[str, str]:
    raci = Raci(letter)
    return {"raci": raci.value, "raci_label": raci.label, "raci_meaning": RACI_MEANINGS[raci]}


def source_summary(source: Source, links: Links) -> dict[str, Any]:
    return {
        "slug": source.slug,
        "url": links.api("source-detail", source.slug),
        "html_url": links(source.get_absolute_url()),
        "title": source.title,
        "kind": source.kind,
        "publisher": source.publisher,
        "edition": source.edition,
        "year": source.year,
        "accessed": source.accessed.isoformat() if source.accessed else None,
        "link": source.url or None,
        "note": source.note,
        "order": source.order,
        "updated": iso(source.updated),
    }


# --- payloads: roles ---------------------------------------------------------------------------


def role_summary(role: Role, links: Links) -> dict[str, Any]:
    return {
        "slug": role.slug,
        "url": links.api("role-detail", role.slug),
        "html_url": links(role.get_absolute_url()),
        "markdown_url": links.api("role-markdown", role.slug),
        "name": role.name,
        "short_name": role.short_name,
        "summary": role.summary,
        "main_goal": role.main_goal,
        "order": role.order,
        "key_functions": [function_ref(f) for f in role.key_functions.all()],
        "updated": iso(role.changed),
    }


def responsibility_item(item: Responsibility, links: Links) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "title": item.title,
        "description": item.description,
        "function": function_ref(item.function),
        "order": item.order,
        "citations": citation_refs(item),
        "html_url": links(item.get_absolute_url()),
        "updated": iso(item.updated),
    }


def cited_item(item: RoleKnowledge | Trait | StageInvolvement, links: Links) -> dict[str, Any]:
    """What a knowledge, trait or involvement cell says besides its row: citations, link, time."""
    return {
        "citations": citation_refs(item),
        "html_url": links(item.get_absolute_url()),
        "updated": iso(item.updated),
    }


def knowledge_cell(item: RoleKnowledge | None, links: Links) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"level": item.level, "note": item.note, **cited_item(item, links)}


def trait_cell(item: Trait | None, links: Links) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"text": item.text, **cited_item(item, links)}


def involvement_cell(item: StageInvolvement | None, links: Links) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"level": item.level, "note": item.note, **cited_item(item, links)}


def entity_ref(entity: Any) -> dict[str, Any]:
    """A dimension or knowledge area as a row heading."""
    return {"slug": entity.slug, "name": entity.name, "description": entity.description}


def stage_ref(stage: Any) -> dict[str, Any]:
    return {"slug": stage.slug, "name": stage.name, "order": stage.order}


def part_cell(item: Contribution) -> dict[str, Any]:
    return {
        **raci_fields(item.raci),
        "text": item.text,
        "citations": citation_refs(item),
        "updated": iso(item.updated),
    }


def responsibilities_of(role: Role, function: str | None) -> list[Responsibility]:
    return [r for r in role.responsibilities.all() if function in (None, r.function.slug)]


def role_payload(role: Role, links: Links, function: str | None = None) -> dict[str, Any]:
    return {
        **role_summary(role, links),
        "description": role.description,
        "citations": citation_refs(role),
        "responsibilities": [
            responsibility_item(r, links) for r in responsibilities_of(role, function)
        ],
        "knowledge": [
            {"area": entity_ref(k.area), **knowledge_cell(k, links)} for k in role.knowledge.all()
        ],
        "traits": [
            {"dimension": entity_ref(t.dimension), **trait_cell(t, links)}
            for t in role.traits.all()
        ],
        "involvement": [
            {"stage": stage_ref(i.stage), **involvement_cell(i, links)}
            for i in role.involvements.all()
        ],
        "collaborations": [
            {"collaboration": collaboration_ref(c.collaboration, links), **part_cell(c)}
            for c in role.contributions.all()
        ],
        "sources": [source_summary(s, links) for s in role.cited_sources()],
    }


def find_roles(*slugs: str) -> list[Role]:
    """The roles by slug, fully loaded, in the order asked; a renamed role's old slug raises
    Moved with the current slugs, an unknown one is a 404."""
    found = Role.objects.with_changed().resolve(*slugs)
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


# --- payloads: comparison, collaborations, sources ---------------------------------------------


def comparison_payload(
    comparison: Comparison, links: Links, function: str | None = None
) -> dict[str, Any]:
    """The page's `Comparison` as JSON; `function` narrows the responsibilities."""
    slugs = comparison.slugs

    def dimension_row(row: Any) -> dict[str, Any]:
        return {
            **entity_ref(row.dimension),
            "cells": [trait_cell(cell.trait, links) for cell in row.cells],
        }

    return {
        "url": links.api("compare", *slugs),
        "html_url": links.page("compare", *slugs),
        "markdown_url": links.api("compare-markdown", *slugs),
        "updated": iso(newest(role.changed for role in comparison.roles)),
        "roles": [role_summary(role, links) for role in comparison.roles],
        "bottom_line": {
            "text": comparison.bottom_line_text,
            "by_editors": comparison.pairing is not None,
            "statements": [
                {
                    "text": statement.text,
                    "citations": [
                        {"source": c.source.slug, "locator": c.locator} for c in statement.citations
                    ],
                }
                for statement in comparison.bottom_line
            ],
        },
        "key_differences": [dimension_row(row) for row in comparison.key_difference_rows],
        "key_functions": [
            {"function": function_ref(key.function), "roles": [role.slug for role in key.roles]}
            for key in comparison.key_functions
        ],
        "dimensions": [dimension_row(row) for row in comparison.dimension_rows],
        "responsibilities": [
            {
                "role": role.slug,
                "items": [
                    responsibility_item(r, links) for r in responsibilities_of(role, function)
                ],
            }
            for role in comparison.roles
        ],
        "knowledge": [
            {
                "area": entity_ref(row.area),
                "cells": [knowledge_cell(cell.knowledge, links) for cell in row.cells],
            }
            for row in comparison.knowledge_rows
        ],
        "lifecycle": [
            {
                "stage": stage_ref(row.stage),
                "cells": [involvement_cell(cell.involvement, links) for cell in row.cells],
            }
            for row in comparison.lifecycle
        ],
        "collaborations": [
            {
                "collaboration": collaboration_ref(row.collaboration, links),
                "cells": [part and part_cell(part) for part in row.parts],
            }
            for row in comparison.collaborations
        ],
        "sources": [source_summary(s, links) for s in comparison.sources],
    }


def collaboration_payload(collaboration: Collaboration, links: Links) -> dict[str, Any]:
    parts = list(collaboration.contributions.all())
    accountable = next((p.role for p in parts if p.raci == Raci.ACCOUNTABLE), None)
    return {
        "slug": collaboration.slug,
        "url": links.api("collaboration-detail", collaboration.slug),
        "html_url": links(collaboration.get_absolute_url()),
        "title": collaboration.title,
        "description": collaboration.description,
        "order": collaboration.order,
        "citations": citation_refs(collaboration),
        "accountable": None if accountable is None else role_ref(accountable, links),
        "contributions": [{"role": role_ref(p.role, links), **part_cell(p)} for p in parts],
        "updated": iso(collaboration.changed),
    }


def citation_payload(citation: CitingItem, links: Links) -> dict[str, Any]:
    path = citation.path
    if citation.role is not None:
        url: str | None = links.api("role-detail", citation.role.slug)
    elif isinstance(citation.item, Collaboration):
        url = links.api("collaboration-detail", citation.slug)
    elif isinstance(citation.item, Pairing):
        url = links.api("compare", *(role.slug for role in citation.item.ordered_roles))
    else:
        url = None
    return {
        "kind": citation.kind,
        "slug": citation.slug,
        "title": citation.title,
        "role": None if citation.role is None else citation.role.slug,
        "locator": citation.locator,
        "url": url,
        "html_url": None if path is None else links(path),
    }


def source_payload(source: Source, links: Links) -> dict[str, Any]:
    return {
        **source_summary(source, links),
        "cited_by": [citation_payload(c, links) for c in source.cited_by()],
    }


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
    links = Links(request)
    changed = CatalogVersion.objects.filter(pk=1).values_list("changed", flat=True).first()
    return {
        "name": "Roles API",
        "description": (
            "What job roles do and know, how they differ side by side, and where they "
            "work together (RACI). Read-only; every resource is named by a stable slug."
        ),
        "version": API_VERSION,
        "url": links.api("index"),
        "html_url": links.page("home"),
        "updated": iso(changed),
        "links": {
            "roles": links.api("role-list"),
            "role": links.template("role-detail", "slug"),
            "compare": links.template("compare", "a", "b"),
            "collaborations": links.api("collaboration-list"),
            "collaboration": links.template("collaboration-detail", "slug"),
            "sources": links.api("source-list"),
            "source": links.template("source-detail", "slug"),
            "openapi": links.api("openapi"),
            "catalog_json": links.api("catalog-json"),
            "catalog_csv": links.api("catalog-csv"),
            "role_markdown": links.template("role-markdown", "slug"),
            "compare_markdown": links.template("compare-markdown", "a", "b"),
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
def role_list(request: HttpRequest, updated_since: UpdatedSince = None) -> dict[str, Any]:
    links = Links(request)
    roles = list(Role.objects.prefetch_related("key_functions").changed_since(updated_since))
    return {
        "url": links.api("role-list"),
        "html_url": links.page("role-list"),
        "updated": iso(newest(role.changed for role in roles)),
        "count": len(roles),
        "roles": [role_summary(role, links) for role in roles],
    }


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
def role_detail(request: HttpRequest, slug: SlugPath, function: FunctionFilter = None) -> dict:
    function = function_slug(function)
    (role,) = find_roles(slug)
    return role_payload(role, Links(request), function)


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
) -> dict:
    function = function_slug(function)
    return comparison_payload(compared(a, b), Links(request), function)


@compare_endpoint(
    "/api/v1/compare/{slug:a}/vs/{slug:b}/vs/{slug:c}/",
    "compareThreeRoles",
    "Three roles side by side",
)
def compare_three(
    request: HttpRequest, a: SlugPath, b: SlugPath, c: SlugPath, function: FunctionFilter = None
) -> dict:
    function = function_slug(function)
    return comparison_payload(compared(a, b, c), Links(request), function)


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
) -> dict:
    function = function_slug(function)
    return comparison_payload(compared(a, b, c, d), Links(request), function)


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
) -> dict[str, Any]:
    collaborations = Collaboration.objects.with_contributions().changed_since(updated_since)
    if role is not None:
        if not Role.objects.filter(slug=role).exists():
            raise HttpError(400, f"There is no role “{role}”.")
        collaborations = collaborations.filter(contributions__role__slug=role)
    links = Links(request)
    items = list(collaborations)
    return {
        "url": links.api("collaboration-list"),
        "html_url": links.page("collaboration"),
        "updated": iso(newest(c.changed for c in items)),
        "count": len(items),
        "collaborations": [collaboration_payload(c, links) for c in items],
    }


@endpoint(
    "/api/v1/collaborations/{slug:slug}/",
    name="collaboration-detail",
    operation_id="getCollaboration",
    summary="One shared activity with RACI",
    tag="collaborations",
    ok=schemas.Collaboration,
    not_found=True,
)
def collaboration_detail(request: HttpRequest, slug: SlugPath) -> dict[str, Any]:
    collaboration = (
        Collaboration.objects.with_contributions().with_changed().filter(slug=slug).first()
    )
    if collaboration is None:
        raise HttpError(404, f"There is no collaboration “{slug}”.")
    return collaboration_payload(collaboration, Links(request))


@endpoint(
    "/api/v1/sources/",
    name="source-list",
    operation_id="listSources",
    summary="Every source and what cites it",
    tag="sources",
    ok=schemas.SourceList,
)
def source_list(request: HttpRequest, updated_since: UpdatedSince = None) -> dict[str, Any]:
    links = Links(request)
    sources = list(Source.objects.with_citations().changed_since(updated_since))
    return {
        "url": links.api("source-list"),
        "html_url": links.page("sources"),
        "updated": iso(newest(s.updated for s in sources)),
        "count": len(sources),
        "sources": [source_payload(s, links) for s in sources],
    }


@endpoint(
    "/api/v1/sources/{slug:slug}/",
    name="source-detail",
    operation_id="getSource",
    summary="One source and what cites it",
    tag="sources",
    ok=schemas.Source,
    not_found=True,
)
def source_detail(request: HttpRequest, slug: SlugPath) -> dict[str, Any]:
    source = Source.objects.with_citations().filter(slug=slug).first()
    if source is None:
        raise HttpError(404, f"There is no source “{slug}”.")
    return source_payload(source, Links(request))


@endpoint(
    "/api/v1/openapi.json",
    name="openapi",
    operation_id="getOpenApi",
    summary="This description",
    tag="api",
    ok=dict[str, Any],
)
def openapi(request: HttpRequest) -> dict[str, Any]:
    return openapi_document(Links(request).base)


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
