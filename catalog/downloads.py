"""Downloads: the whole catalog as JSON and as CSV (one file per entity, zipped), and a role or a
comparison as Markdown.

They are operations of the API (catalog.api), with its rules and its payload builders, so a file
says exactly what the API says. Markdown is rendered by its own template engine, which does not
HTML-escape; instead every catalog text goes through the Markdown filters registered here.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import Engine, Library, engines
from django.utils.encoding import iri_to_uri
from django.utils.http import content_disposition_header

from catalog import schemas
from catalog.api import (
    Links,
    SlugPath,
    citation_refs,
    collaboration_payload,
    compared,
    comparison_payload,
    endpoint,
    find_roles,
    iso,
    newest,
    role_payload,
    source_summary,
)
from catalog.models import (
    Collaboration,
    CollaborationCitation,
    Contribution,
    ContributionCitation,
    Dimension,
    Function,
    Involvement,
    KnowledgeArea,
    KnowledgeAreaCitation,
    LifecycleStage,
    LifecycleStageCitation,
    Responsibility,
    ResponsibilityCitation,
    Role,
    RoleCitation,
    RoleKnowledge,
    RoleKnowledgeCitation,
    Source,
    StageInvolvement,
    StageInvolvementCitation,
    Trait,
    TraitCitation,
)
from catalog.querysets import cited

MARKDOWN = "text/markdown; charset=utf-8"

# --- whole catalog as JSON -----------------------------------------------------------------------


def entity(item: Any, links: Links, *, cites: bool = False) -> dict[str, Any]:
    """A shared entity (function, dimension, knowledge area, lifecycle stage) in the catalog."""
    payload = {
        "slug": item.slug,
        "name": item.name,
        "description": item.description,
        "order": item.order,
    }
    if cites:
        payload["citations"] = citation_refs(item)
    payload["updated"] = iso(item.updated)
    return payload


def catalog_payload(links: Links) -> dict[str, Any]:
    """Everything, in 15 queries whatever the catalog's size."""
    roles = list(Role.objects.with_page().with_changed())
    collaborations = list(Collaboration.objects.with_contributions().with_changed())
    sources = list(Source.objects.all())
    functions = list(Function.objects.all())
    areas = list(KnowledgeArea.objects.prefetch_related(cited(KnowledgeArea)))
    dimensions = list(Dimension.objects.all())
    stages = list(LifecycleStage.objects.prefetch_related(cited(LifecycleStage)))
    updated = newest(
        [
            *(role.changed for role in roles),
            *(collaboration.changed for collaboration in collaborations),
            *(item.updated for item in [*sources, *functions, *areas, *dimensions, *stages]),
        ]
    )
    return {
        "url": links.api("catalog-json"),
        "api": links.api("index"),
        "updated": iso(updated),
        "roles": [role_payload(role, links) for role in roles],
        "collaborations": [collaboration_payload(c, links) for c in collaborations],
        "sources": [source_summary(source, links) for source in sources],
        "functions": [entity(item, links) for item in functions],
        "knowledge_areas": [entity(item, links, cites=True) for item in areas],
        "dimensions": [entity(item, links) for item in dimensions],
        "lifecycle_stages": [entity(item, links, cites=True) for item in stages],
    }


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@endpoint(
    "/downloads/catalog.json",
    name="catalog-json",
    operation_id="downloadCatalogJson",
    summary="The whole catalog as one JSON document",
    tag="downloads",
    ok=schemas.Catalog,
)
def catalog_json(request: HttpRequest) -> HttpResponse:
    payload = catalog_payload(Links(request))
    # Indented: people open this file in an editor; the API itself answers compactly.
    body = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return attachment(body.encode(), "application/json", "roles-catalog.json")


# --- whole catalog as CSV ------------------------------------------------------------------------

# Each table: the model, its row order (the natural key, so two downloads of the same content
# diff cleanly), and its columns as (header, field lookup). Slugs stand in for foreign keys, so
# rows join on the same keys the fixtures and the API use.
CSV_TABLES: dict[str, tuple[type, list[str], list[tuple[str, str]]]] = {
    "roles": (
        Role,
        ["slug"],
        [
            ("slug", "slug"),
            ("name", "name"),
            ("short_name", "short_name"),
            ("summary", "summary"),
            ("main_goal", "main_goal"),
            ("description", "description"),
            ("order", "order"),
        ],
    ),
    "functions": (
        Function,
        ["slug"],
        [("slug", "slug"), ("name", "name"), ("description", "description"), ("order", "order")],
    ),
    "responsibilities": (
        Responsibility,
        ["role__slug", "slug"],
        [
            ("role", "role__slug"),
            ("slug", "slug"),
            ("function", "function__slug"),
            ("title", "title"),
            ("description", "description"),
            ("order", "order"),
        ],
    ),
    "knowledge_areas": (
        KnowledgeArea,
        ["slug"],
        [
            ("slug", "slug"),
            ("name", "name"),
            ("description", "description"),
            ("order", "order"),
        ],
    ),
    "role_knowledge": (
        RoleKnowledge,
        ["role__slug", "area__slug"],
        [
            ("role", "role__slug"),
            ("area", "area__slug"),
            ("level", "level"),
            ("note", "note"),
        ],
    ),
    "dimensions": (
        Dimension,
        ["slug"],
        [("slug", "slug"), ("name", "name"), ("description", "description"), ("order", "order")],
    ),
    "traits": (
        Trait,
        ["role__slug", "dimension__slug"],
        [
            ("role", "role__slug"),
            ("dimension", "dimension__slug"),
            ("text", "text"),
        ],
    ),
    "lifecycle_stages": (
        LifecycleStage,
        ["slug"],
        [
            ("slug", "slug"),
            ("name", "name"),
            ("description", "description"),
            ("order", "order"),
        ],
    ),
    "involvements": (
        StageInvolvement,
        ["role__slug", "stage__slug"],
        [
            ("role", "role__slug"),
            ("stage", "stage__slug"),
            ("level", "level"),
            ("note", "note"),
        ],
    ),
    "collaborations": (
        Collaboration,
        ["slug"],
        [
            ("slug", "slug"),
            ("title", "title"),
            ("description", "description"),
            ("order", "order"),
        ],
    ),
    "contributions": (
        Contribution,
        ["collaboration__slug", "role__slug"],
        [
            ("collaboration", "collaboration__slug"),
            ("role", "role__slug"),
            ("raci", "raci"),
            ("text", "text"),
        ],
    ),
    "sources": (
        Source,
        ["slug"],
        [
            ("slug", "slug"),
            ("title", "title"),
            ("publisher", "publisher"),
            ("kind", "kind"),
            ("edition", "edition"),
            ("year", "year"),
            ("accessed", "accessed"),
            ("url", "url"),
            ("note", "note"),
            ("order", "order"),
        ],
    ),
}

# Columns holding a role's many-to-many links, as space-separated slugs (slugs have no spaces).
ROLE_LINKS = {
    "key_functions": (
        Role.key_functions.through,
        "function",
        ["function__order", "function__name"],
    ),
}

# A spreadsheet would run a cell that starts like this as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any, *, key: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return iso(value) or ""
    if isinstance(value, date):  # a source's accessed date: no time, no zone
        return value.isoformat()
    value = str(value)
    if not key and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_table(
    model: type,
    order: list[str],
    columns: list[tuple[str, str]],
    extra: dict[str, dict[str, str]],
) -> str:
    lookups = [lookup for _, lookup in columns]
    headers = [header for header, _ in columns] + [*extra, "updated"]
    rows = model._default_manager.order_by(*order).values_list(*lookups, "updated")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        cells = [
            csv_cell(value, key=lookup == "slug" or lookup.endswith("__slug") or lookup == "url")
            for value, lookup in zip(row[:-1], lookups, strict=True)
        ]
        cells += [values.get(row[0], "") for values in extra.values()]
        writer.writerow([*cells, csv_cell(row[-1], key=True)])
    return out.getvalue()


def role_links() -> dict[str, dict[str, str]]:
    """For each many-to-many column of roles.csv: role slug → space-separated linked slugs."""
    columns: dict[str, dict[str, str]] = {}
    for column, (through, target, order) in ROLE_LINKS.items():
        linked: dict[str, list[str]] = {}
        pairs = through.objects.order_by(*order).values_list("role__slug", f"{target}__slug")
        for role, slug in pairs:
            linked.setdefault(role, []).append(slug)
        columns[column] = {role: " ".join(slugs) for role, slugs in linked.items()}
    return columns


# citations.csv: every citation, the cited item named by its kind and natural key (slugs joined
# by "/"), in the order of the fixtures.
CITATION_KINDS: list[tuple[str, type, list[str]]] = [
    ("role", RoleCitation, ["item__slug"]),
    ("responsibility", ResponsibilityCitation, ["item__role__slug", "item__slug"]),
    ("knowledge_area", KnowledgeAreaCitation, ["item__slug"]),
    ("role_knowledge", RoleKnowledgeCitation, ["item__role__slug", "item__area__slug"]),
    ("trait", TraitCitation, ["item__role__slug", "item__dimension__slug"]),
    ("lifecycle_stage", LifecycleStageCitation, ["item__slug"]),
    ("involvement", StageInvolvementCitation, ["item__role__slug", "item__stage__slug"]),
    ("collaboration", CollaborationCitation, ["item__slug"]),
    (
        "contribution",
        ContributionCitation,
        ["item__collaboration__slug", "item__role__slug"],
    ),
]


def citations_table() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "item", "source", "locator", "order", "updated"])
    for kind, model, key in CITATION_KINDS:
        rows = model.objects.order_by(*key, "source__slug").values_list(
            *key, "source__slug", "locator", "order", "updated"
        )
        for row in rows:
            *item, source, locator, order, updated = row
            writer.writerow(
                [
                    kind,
                    "/".join(item),
                    source,
                    csv_cell(locator, key=False),
                    order,
                    csv_cell(updated, key=True),
                ]
            )
    return out.getvalue()


def catalog_zip() -> bytes:
    """One CSV per entity in a zip, in 22 queries. Same content, same bytes."""
    files = {
        f"{name}.csv": csv_table(model, order, columns, role_links() if name == "roles" else {})
        for name, (model, order, columns) in CSV_TABLES.items()
    }
    files["citations.csv"] = citations_table()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            # A fixed date keeps the archive's bytes a function of the content alone.
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content.encode())
    return buffer.getvalue()


@endpoint(
    "/downloads/catalog-csv.zip",
    name="catalog-csv",
    operation_id="downloadCatalogCsv",
    summary="The whole catalog as CSV, one file per entity, in a zip",
    tag="downloads",
    ok=None,
    media_type="application/zip",
)
def catalog_csv(request: HttpRequest) -> HttpResponse:
    return attachment(catalog_zip(), "application/zip", "roles-catalog-csv.zip")


# --- Markdown ----------------------------------------------------------------------------------

register = Library()

INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
BLOCK_MARKER = re.compile(r"^([#+\-=])")
ORDERED_MARKER = re.compile(r"^(\d+)([.)])")


def escape_line(line: str) -> str:
    """Catalog text as literal Markdown: no emphasis, links, HTML, tables or block markers."""
    line = INLINE_SPECIAL.sub(r"\\\1", line.strip())
    line = ENTITY_LIKE.sub(r"\\&", line)
    line = BLOCK_MARKER.sub(r"\\\1", line)
    return ORDERED_MARKER.sub(r"\1\\\2", line)


@register.filter
def md(value: Any) -> str:
    """Multi-line text, paragraphs kept."""
    return "\n".join(escape_line(line) for line in str(value).splitlines())


@register.filter
def mdline(value: Any) -> str:
    """Text on one line: a heading, a list item or a table cell."""
    return escape_line(" ".join(str(value).split()))


@register.filter
def mdurl(value: Any) -> str:
    """A URL inside <…>: no spaces or angle brackets can end it early."""
    return iri_to_uri(str(value))


@register.filter
def involvement(level: str) -> str:
    return Involvement(level).label


@cache
def markdown_engine() -> Engine:
    """The project's template directories, without HTML autoescaping, with the filters above."""
    site = engines["django"].engine
    return Engine(
        dirs=site.dirs,
        app_dirs=site.app_dirs,
        libraries={"markdown": __name__},
        autoescape=False,
        debug=site.debug,
    )


def render_markdown(template: str, context: dict[str, Any]) -> str:
    text = markdown_engine().render_to_string(template, context)
    # Templates stay readable with generous blank lines; Markdown treats runs of them as one.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


@endpoint(
    "/roles/{slug:slug}.md",
    name="role-markdown",
    operation_id="downloadRoleMarkdown",
    summary="A role as Markdown",
    tag="downloads",
    ok=None,
    media_type="text/markdown",
    moved=True,
    not_found=True,
)
def role_markdown(request: HttpRequest, slug: SlugPath) -> HttpResponse:
    (role,) = find_roles(slug)
    body = render_markdown(
        "catalog/downloads/role.md", {"role": role_payload(role, Links(request))}
    )
    return attachment(body.encode(), MARKDOWN, f"{role.slug}.md")


def markdown_endpoint(path: str, operation_id: str, summary: str) -> Callable:
    return endpoint(
        path,
        name="compare-markdown",
        operation_id=operation_id,
        summary=summary,
        tag="downloads",
        ok=None,
        media_type="text/markdown",
        moved=True,
        not_found=True,
    )


def comparison_markdown(request: HttpRequest, *slugs: str) -> HttpResponse:
    payload = comparison_payload(compared(*slugs), Links(request))
    body = render_markdown("catalog/downloads/compare.md", {"c": payload})
    return attachment(body.encode(), MARKDOWN, f"{'-vs-'.join(slugs)}.md")


@markdown_endpoint(
    "/compare/{slug:a}/vs/{slug:b}.md", "downloadComparisonMarkdown", "A comparison as Markdown"
)
def compare_markdown(request: HttpRequest, a: SlugPath, b: SlugPath) -> HttpResponse:
    return comparison_markdown(request, a, b)


@markdown_endpoint(
    "/compare/{slug:a}/vs/{slug:b}/vs/{slug:c}.md",
    "downloadThreeRoleComparisonMarkdown",
    "A comparison of three roles as Markdown",
)
def compare_three_markdown(
    request: HttpRequest, a: SlugPath, b: SlugPath, c: SlugPath
) -> HttpResponse:
    return comparison_markdown(request, a, b, c)


@markdown_endpoint(
    "/compare/{slug:a}/vs/{slug:b}/vs/{slug:c}/vs/{slug:d}.md",
    "downloadFourRoleComparisonMarkdown",
    "A comparison of four roles as Markdown",
)
def compare_four_markdown(
    request: HttpRequest, a: SlugPath, b: SlugPath, c: SlugPath, d: SlugPath
) -> HttpResponse:
    return comparison_markdown(request, a, b, c, d)
