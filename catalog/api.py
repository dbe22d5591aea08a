"""The read-only JSON API under /api/v1/: roles, comparisons, collaborations with RACI, sources.

Plain function views returning JsonResponse. Every payload names things by slug and links to its
API resource (`url`) and its page (`html_url`). Every endpoint answers conditional GETs from the
catalog version, allows cross-origin GETs, and reports bad input as a JSON error, never a 500.
The payload builders are shared with the downloads (catalog.downloads), so a role reads the same
in the API, in catalog.json and in its Markdown file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.db.models import DateTimeField, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt

from catalog.conditional import catalog_conditional
from catalog.models import (
    RACI_MEANINGS,
    CatalogVersion,
    Collaboration,
    Contribution,
    Function,
    Raci,
    Responsibility,
    Role,
    RoleKnowledge,
    RoleSlugRedirect,
    Source,
    StageInvolvement,
    Trait,
)
from catalog.openapi import openapi_document

API_VERSION = "v1"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# Clients revalidate with these; a browser must be allowed to send them cross-origin.
CORS_REQUEST_HEADERS = "If-None-Match, If-Modified-Since"
# ETag is not a CORS-safelisted response header; downloads name their file.
CORS_EXPOSED_HEADERS = "ETag, Content-Disposition"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
JSON_PARAMS = {"ensure_ascii": False}


# --- errors, methods, CORS ---------------------------------------------------------------------


class ApiError(Exception):
    """Raised anywhere under a view; answered as {"error": {"status", "message"}}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "message": message}},
        status=status,
        json_dumps_params=JSON_PARAMS,
    )


def add_cors(response: HttpResponseBase) -> HttpResponseBase:
    # A constant "*" (no credentials) means the response never varies on Origin.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    return response


def api_endpoint(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Read-only, cross-origin, conditional: the rules every API and download URL follows."""
    conditional = catalog_conditional(view)

    # Nothing here changes state, so there is nothing for a CSRF token to protect; without the
    # exemption a POST would get the CSRF middleware's HTML 403 instead of our JSON 405.
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method == "OPTIONS":
            response: HttpResponseBase = HttpResponse(status=204)
            del response.headers["Content-Type"]  # no body, so no type
            response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = "86400"
        elif request.method in ("GET", "HEAD"):
            try:
                response = conditional(request, *args, **kwargs)
            except ApiError as error:
                response = error_response(error.status, error.message)
        else:
            response = error_response(
                405, f"The API is read-only: {request.method} is not allowed; use GET."
            )
        if response.status_code in (204, 405):
            response.headers["Allow"] = ALLOWED_METHODS
        return add_cors(response)

    return wrapper


def query_params(request: HttpRequest, allowed: Iterable[str] = ()) -> dict[str, str]:
    """The request's query parameters, refusing unknown or repeated ones so typos never pass."""
    allowed = tuple(allowed)
    params: dict[str, str] = {}
    for name, values in request.GET.lists():
        if name not in allowed:
            accepted = ", ".join(allowed) if allowed else "none"
            raise ApiError(
                400, f"Unknown query parameter “{name}”; this endpoint accepts: {accepted}."
            )
        if len(values) > 1:
            raise ApiError(400, f"Query parameter “{name}” was given more than once.")
        params[name] = values[0]
    return params


def slug_param(params: dict[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is not None and not SLUG.fullmatch(value):
        raise ApiError(400, f"Query parameter “{name}” must be a slug, such as “strategy”.")
    return value


def function_param(request: HttpRequest) -> str | None:
    """The optional ?function=<slug> filter on responsibilities; an unknown function is a 400."""
    function = slug_param(query_params(request, ["function"]), "function")
    if function is not None and not Function.objects.filter(slug=function).exists():
        raise ApiError(400, f"There is no function “{function}”.")
    return function


def redirect_to(request: HttpRequest, path: str) -> HttpResponsePermanentRedirect:
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(path + (f"?{query}" if query else ""))


def renamed(slugs: Iterable[str]) -> dict[str, str]:
    """Old slug → current slug, for any of `slugs` that belonged to a renamed role."""
    return dict(
        RoleSlugRedirect.objects.filter(old_slug__in=set(slugs)).values_list(
            "old_slug", "role__slug"
        )
    )


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


def _newest_child(model: type, parent: str) -> Coalesce:
    rows = model.objects.filter(**{parent: OuterRef("pk")}).order_by("-updated").values("updated")
    return Coalesce(rows[:1], F("updated"), output_field=DateTimeField())


def with_role_changed(roles: QuerySet) -> QuerySet:
    """Annotate `changed`: the latest edit to a role or anything that belongs to it."""
    return roles.annotate(
        changed=Greatest(
            F("updated"),
            *(
                _newest_child(model, "role")
                for model in (Responsibility, RoleKnowledge, Trait, StageInvolvement, Contribution)
            ),
            output_field=DateTimeField(),
        )
    )


def with_collaboration_changed(collaborations: QuerySet) -> QuerySet:
    return collaborations.annotate(
        changed=Greatest(
            F("updated"),
            _newest_child(Contribution, "collaboration"),
            output_field=DateTimeField(),
        )
    )


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
    """Where an item's claim comes from: each source's slug and the place in it (the item's
    `citations` prefetched with their sources)."""
    return [{"source": c.source.slug, "locator": c.locator} for c in item.citations.all()]


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
        "publisher": source.publisher,
        "kind": source.kind,
        "edition": source.edition,
        "year": source.year,
        "accessed": source.accessed.isoformat() if source.accessed else None,
        "link": source.url or None,
        "note": source.note,
        "order": source.order,
        "updated": iso(source.updated),
    }


# --- payloads: roles ---------------------------------------------------------------------------


def role_queryset() -> QuerySet:
    """Roles with everything their payload shows: 8 queries whatever the catalog's size."""
    return with_role_changed(Role.objects.with_page())


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


def knowledge_item(item: RoleKnowledge, links: Links) -> dict[str, Any]:
    return {
        "area": {
            "slug": item.area.slug,
            "name": item.area.name,
            "description": item.area.description,
        },
        "level": item.level,
        "note": item.note,
        "citations": citation_refs(item),
        "html_url": links(item.get_absolute_url()),
        "updated": iso(item.updated),
    }


def trait_item(item: Trait, links: Links) -> dict[str, Any]:
    return {
        "dimension": {
            "slug": item.dimension.slug,
            "name": item.dimension.name,
            "description": item.dimension.description,
        },
        "text": item.text,
        "citations": citation_refs(item),
        "html_url": links(item.get_absolute_url()),
        "updated": iso(item.updated),
    }


def involvement_item(item: StageInvolvement, links: Links) -> dict[str, Any]:
    return {
        "stage": {"slug": item.stage.slug, "name": item.stage.name, "order": item.stage.order},
        "level": item.level,
        "note": item.note,
        "citations": citation_refs(item),
        "html_url": links(f"{item.role.get_absolute_url()}#{item.anchor}"),
        "updated": iso(item.updated),
    }


def part_item(item: Contribution, links: Links) -> dict[str, Any]:
    return {
        "collaboration": collaboration_ref(item.collaboration, links),
        **raci_fields(item.raci),
        "text": item.text,
        "citations": citation_refs(item),
        "updated": iso(item.updated),
    }


def responsibilities_of(role: Role, function: str | None) -> list[Responsibility]:
    return [r for r in role.responsibilities.all() if function in (None, r.function.slug)]


def role_sources(role: Role, responsibilities: list[Responsibility]) -> list[Source]:
    """The role's own sources and every source its items cite, in the sources' order."""
    items = [
        role,
        *responsibilities,
        *role.knowledge.all(),
        *role.traits.all(),
        *role.involvements.all(),
        *role.contributions.all(),
        *(c.collaboration for c in role.contributions.all()),
    ]
    unique = {c.source.slug: c.source for item in items for c in item.citations.all()}
    return sorted(unique.values(), key=lambda s: (s.order, s.title, s.slug))


def role_payload(role: Role, links: Links, function: str | None = None) -> dict[str, Any]:
    responsibilities = responsibilities_of(role, function)
    summary = role_summary(role, links)
    return {
        **summary,
        "description": role.description,
        "citations": citation_refs(role),
        "responsibilities": [responsibility_item(r, links) for r in responsibilities],
        "knowledge": [knowledge_item(k, links) for k in role.knowledge.all()],
        "traits": [trait_item(t, links) for t in role.traits.all()],
        "involvement": [involvement_item(i, links) for i in role.involvements.all()],
        "collaborations": [part_item(c, links) for c in role.contributions.all()],
        "sources": [source_summary(s, links) for s in role_sources(role, responsibilities)],
    }


def role_list_payload(roles: list[Role], links: Links) -> dict[str, Any]:
    return {
        "url": links.api("role-list"),
        "html_url": links.page("role-list"),
        "updated": iso(newest(role.changed for role in roles)),
        "count": len(roles),
        "roles": [role_summary(role, links) for role in roles],
    }


class Moved(Exception):
    """A renamed role was asked for by its old slug; carries the current slugs."""

    def __init__(self, *slugs: str) -> None:
        super().__init__(*slugs)
        self.slugs = slugs


def find_role(slug: str, queryset: QuerySet) -> Role:
    """The role by slug; a renamed role's old slug raises Moved, an unknown one a 404."""
    role = queryset.filter(slug=slug).first()
    if role is not None:
        return role
    current = renamed([slug]).get(slug)
    if current is None:
        raise ApiError(404, f"There is no role “{slug}”.")
    raise Moved(current)


def find_pair(a: str, b: str) -> list[Role]:
    """Both roles of a comparison, or Moved with the current slugs, or a 404."""
    pair = list(with_role_changed(Role.objects.filter(slug__in={a, b}).with_page()))
    by_slug = {role.slug: role for role in pair}
    if a in by_slug and b in by_slug:
        return [by_slug[a], by_slug[b]]
    missing = [slug for slug in (a, b) if slug not in by_slug]
    moves = renamed(missing)
    unknown = [slug for slug in missing if slug not in moves]
    if unknown:
        names = " or ".join(f"“{slug}”" for slug in dict.fromkeys(unknown))
        raise ApiError(404, f"There is no role {names}.")
    raise Moved(moves.get(a, a), moves.get(b, b))


# --- payloads: comparison ----------------------------------------------------------------------


def side_by_side(
    a: Iterable[Any], b: Iterable[Any], key: Callable[[Any], Any]
) -> list[tuple[Any, Any, Any]]:
    """(key object, a's item or None, b's item or None), in first-seen order across a then b."""
    rows: dict[Any, list[Any]] = {}
    for side, items in enumerate((a, b)):
        for item in items:
            rows.setdefault(key(item), [None, None])[side] = item
    return [(k, pair[0], pair[1]) for k, pair in rows.items()]


def comparison_payload(
    a: Role, b: Role, links: Links, function: str | None = None
) -> dict[str, Any]:
    a_functions = list(a.key_functions.all())
    b_slugs = {f.slug for f in b.key_functions.all()}
    a_slugs = {f.slug for f in a_functions}

    def cell(item: Any, build: Callable[..., dict[str, Any]], *keys: str) -> dict[str, Any] | None:
        """One side of a row: the item's payload cut to what the row does not already say."""
        if item is None:
            return None
        full = build(item, links)
        return {key: full[key] for key in keys}

    def part_cell(item: Contribution) -> dict[str, Any]:
        return {
            **raci_fields(item.raci),
            "text": item.text,
            "citations": citation_refs(item),
            "updated": iso(item.updated),
        }

    trait_keys = ("text", "citations", "html_url", "updated")
    level_keys = ("level", "note", "citations", "html_url", "updated")
    traits = sorted(
        side_by_side(a.traits.all(), b.traits.all(), lambda t: t.dimension),
        key=lambda row: (row[0].order, row[0].name),
    )
    knowledge = sorted(
        side_by_side(a.knowledge.all(), b.knowledge.all(), lambda k: k.area),
        key=lambda row: (row[0].order, row[0].name),
    )
    stages = sorted(
        side_by_side(a.involvements.all(), b.involvements.all(), lambda i: i.stage),
        key=lambda row: (row[0].order, row[0].name),
    )
    shared_work = sorted(
        (
            row
            for row in side_by_side(
                a.contributions.all(), b.contributions.all(), lambda c: c.collaboration
            )
            if row[1] is not None and row[2] is not None
        ),
        key=lambda row: (row[0].order, row[0].title),
    )
    a_duties, b_duties = responsibilities_of(a, function), responsibilities_of(b, function)
    sources = {
        s.slug: s
        for role, duties in ((a, a_duties), (b, b_duties))
        for s in role_sources(role, duties)
    }
    return {
        "url": links.api("compare", a.slug, b.slug),
        "html_url": links.page("compare", a.slug, b.slug),
        "markdown_url": links.api("compare-markdown", a.slug, b.slug),
        "updated": iso(newest([a.changed, b.changed])),
        "a": role_summary(a, links),
        "b": role_summary(b, links),
        "key_functions": {
            "only_a": [function_ref(f) for f in a_functions if f.slug not in b_slugs],
            "shared": [function_ref(f) for f in a_functions if f.slug in b_slugs],
            "only_b": [function_ref(f) for f in b.key_functions.all() if f.slug not in a_slugs],
        },
        "dimensions": [
            {
                "slug": dimension.slug,
                "name": dimension.name,
                "description": dimension.description,
                "a": cell(ta, trait_item, *trait_keys),
                "b": cell(tb, trait_item, *trait_keys),
            }
            for dimension, ta, tb in traits
        ],
        "responsibilities": {
            "a": [responsibility_item(r, links) for r in a_duties],
            "b": [responsibility_item(r, links) for r in b_duties],
        },
        "knowledge": [
            {
                "area": {"slug": area.slug, "name": area.name, "description": area.description},
                "a": cell(ka, knowledge_item, *level_keys),
                "b": cell(kb, knowledge_item, *level_keys),
            }
            for area, ka, kb in knowledge
        ],
        "lifecycle": [
            {
                "stage": {"slug": stage.slug, "name": stage.name, "order": stage.order},
                "a": cell(ia, involvement_item, *level_keys),
                "b": cell(ib, involvement_item, *level_keys),
            }
            for stage, ia, ib in stages
        ],
        "collaborations": [
            {
                "collaboration": collaboration_ref(collaboration, links),
                "a": part_cell(ca),
                "b": part_cell(cb),
            }
            for collaboration, ca, cb in shared_work
        ],
        "sources": [
            source_summary(s, links)
            for s in sorted(sources.values(), key=lambda s: (s.order, s.title, s.slug))
        ],
    }


# --- payloads: collaborations and sources -------------------------------------------------------


def collaboration_queryset() -> QuerySet:
    """Collaborations with their contributions and roles: 2 queries."""
    return with_collaboration_changed(Collaboration.objects.with_contributions())


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
        "contributions": [
            {
                "role": role_ref(p.role, links),
                **raci_fields(p.raci),
                "text": p.text,
                "citations": citation_refs(p),
                "updated": iso(p.updated),
            }
            for p in parts
        ],
        "updated": iso(collaboration.changed),
    }


def source_queryset() -> QuerySet:
    """Sources with every citation of them and the item cited: 10 queries whatever the size."""
    return Source.objects.with_citations()


def citations(source: Source, links: Links) -> list[dict[str, Any]]:
    """What cites a source and where in it, each with the role it belongs to and links where it
    has them."""

    def citation(kind, slug, title, locator, role=None, url=None, html_url=None) -> dict:
        return {
            "kind": kind,
            "slug": slug,
            "title": title,
            "locator": locator,
            "role": None if role is None else role.slug,
            "url": url,
            "html_url": None if html_url is None else links(html_url),
        }

    def role_url(role: Role) -> str:
        return links.api("role-detail", role.slug)

    def activity_url(activity: Collaboration) -> str:
        return links.api("collaboration-detail", activity.slug)

    def describe(kind: str, item: Any, locator: str) -> dict[str, Any]:
        match kind:
            case "role":
                return citation(
                    kind,
                    item.slug,
                    item.name,
                    locator,
                    item,
                    role_url(item),
                    item.get_absolute_url(),
                )
            case "responsibility":
                return citation(
                    kind,
                    item.slug,
                    item.title,
                    locator,
                    item.role,
                    role_url(item.role),
                    item.get_absolute_url(),
                )
            case "role_knowledge":
                return citation(
                    kind,
                    item.area.slug,
                    item.area.name,
                    locator,
                    item.role,
                    role_url(item.role),
                    item.get_absolute_url(),
                )
            case "trait":
                return citation(
                    kind,
                    item.dimension.slug,
                    item.dimension.name,
                    locator,
                    item.role,
                    role_url(item.role),
                    item.get_absolute_url(),
                )
            case "involvement":
                return citation(
                    kind,
                    item.stage.slug,
                    item.stage.name,
                    locator,
                    item.role,
                    role_url(item.role),
                    f"{item.role.get_absolute_url()}#{item.anchor}",
                )
            case "collaboration":
                return citation(
                    kind,
                    item.slug,
                    item.title,
                    locator,
                    None,
                    activity_url(item),
                    item.get_absolute_url(),
                )
            case "contribution":
                activity = item.collaboration
                return citation(
                    kind,
                    activity.slug,
                    activity.title,
                    locator,
                    item.role,
                    activity_url(activity),
                    activity.get_absolute_url(),
                )
            case _:  # knowledge_area, lifecycle_stage: no page of their own
                return citation(kind, item.slug, item.name, locator)

    kinds = [
        ("role", source.rolecitations),
        ("responsibility", source.responsibilitycitations),
        ("knowledge_area", source.knowledgeareacitations),
        ("role_knowledge", source.roleknowledgecitations),
        ("trait", source.traitcitations),
        ("lifecycle_stage", source.lifecyclestagecitations),
        ("involvement", source.stageinvolvementcitations),
        ("collaboration", source.collaborationcitations),
        ("contribution", source.contributioncitations),
    ]
    return [describe(kind, c.item, c.locator) for kind, related in kinds for c in related.all()]


def source_payload(source: Source, links: Links) -> dict[str, Any]:
    return {**source_summary(source, links), "cited_by": citations(source, links)}


# --- views ---------------------------------------------------------------------------------------


def json_response(payload: dict[str, Any]) -> JsonResponse:
    return JsonResponse(payload, json_dumps_params=JSON_PARAMS)


@api_endpoint
def index(request: HttpRequest) -> JsonResponse:
    query_params(request)
    links = Links(request)
    changed = CatalogVersion.objects.filter(pk=1).values_list("changed", flat=True).first()
    return json_response(
        {
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
    )


@api_endpoint
def role_list(request: HttpRequest) -> JsonResponse:
    query_params(request)
    roles = list(with_role_changed(Role.objects.prefetch_related("key_functions")))
    return json_response(role_list_payload(roles, Links(request)))


@api_endpoint
def role_detail(request: HttpRequest, slug: str) -> HttpResponse:
    function = function_param(request)
    try:
        role = find_role(slug, role_queryset())
    except Moved as moved:
        return redirect_to(request, reverse("api:role-detail", args=moved.slugs))
    return json_response(role_payload(role, Links(request), function))


@api_endpoint
def compare(request: HttpRequest, a: str, b: str) -> HttpResponse:
    function = function_param(request)
    try:
        role_a, role_b = find_pair(a, b)
    except Moved as moved:
        return redirect_to(request, reverse("api:compare", args=moved.slugs))
    return json_response(comparison_payload(role_a, role_b, Links(request), function))


@api_endpoint
def collaboration_list(request: HttpRequest) -> JsonResponse:
    role = slug_param(query_params(request, ["role"]), "role")
    collaborations = collaboration_queryset()
    if role is not None:
        if not Role.objects.filter(slug=role).exists():
            raise ApiError(400, f"There is no role “{role}”.")
        collaborations = collaborations.filter(contributions__role__slug=role)
    links = Links(request)
    items = list(collaborations)
    return json_response(
        {
            "url": links.api("collaboration-list"),
            "html_url": links.page("collaboration"),
            "updated": iso(newest(c.changed for c in items)),
            "count": len(items),
            "collaborations": [collaboration_payload(c, links) for c in items],
        }
    )


@api_endpoint
def collaboration_detail(request: HttpRequest, slug: str) -> JsonResponse:
    query_params(request)
    collaboration = collaboration_queryset().filter(slug=slug).first()
    if collaboration is None:
        raise ApiError(404, f"There is no collaboration “{slug}”.")
    return json_response(collaboration_payload(collaboration, Links(request)))


@api_endpoint
def source_list(request: HttpRequest) -> JsonResponse:
    query_params(request)
    links = Links(request)
    sources = list(source_queryset())
    return json_response(
        {
            "url": links.api("source-list"),
            "html_url": links.page("sources"),
            "updated": iso(newest(s.updated for s in sources)),
            "count": len(sources),
            "sources": [source_payload(s, links) for s in sources],
        }
    )


@api_endpoint
def source_detail(request: HttpRequest, slug: str) -> JsonResponse:
    query_params(request)
    source = source_queryset().filter(slug=slug).first()
    if source is None:
        raise ApiError(404, f"There is no source “{slug}”.")
    return json_response(source_payload(source, Links(request)))


@api_endpoint
def openapi(request: HttpRequest) -> JsonResponse:
    query_params(request)
    return json_response(openapi_document(Links(request).base))


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponseBase:
    """Any other URL under /api/: a JSON 404, or the slash-appended URL when that one exists."""
    if not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_found:
            return add_cors(redirect_to(request, request.path + "/"))
    message = f"Nothing is at {request.path}; the API starts at {reverse('api:index')}."
    return add_cors(error_response(404, message))
