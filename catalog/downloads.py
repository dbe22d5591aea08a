"""Downloads: the whole catalog as JSON and as CSV (one file per content model, zipped), and a
role or a comparison as Markdown.

They are operations of the API (catalog.api), with its rules. The catalog files hold every record
of every model catalog.registry finds, as catalog.schemas describes them; the Markdown files are
the API's payloads of a role or a comparison. Markdown is rendered by its own template engine,
which does not HTML-escape; instead every catalog text goes through the Markdown filters here.
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

from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.template import Engine, Library, engines
from django.utils.encoding import iri_to_uri
from django.utils.http import content_disposition_header

from catalog import schemas
from catalog.api import SlugPath, compared, endpoint, find_roles
from catalog.models import Involvement, Role
from catalog.registry import content_models

MARKDOWN = "text/markdown; charset=utf-8"

# --- the whole catalog: every record of every content model --------------------------------------


def key(record: models.Model) -> str:
    """A record's natural key, as the fixtures name it, in one string."""
    return "/".join(record.natural_key())


def value(record: models.Model, field: models.Field) -> Any:
    """A field's value in a download: natural keys for the records it refers to, times in ISO."""
    if field.many_to_many:
        return [key(other) for other in getattr(record, field.name).all()]
    if field.many_to_one:
        other = getattr(record, field.name)
        return None if other is None else key(other)
    found = getattr(record, field.attname)
    if isinstance(found, datetime):
        return schemas.iso(found)
    if isinstance(found, date):
        return found.isoformat()
    return found


def parents(model: type[models.Model], depth: int = 2) -> list[str]:
    """The records a record's natural key may read: its parents, and theirs."""
    found = []
    for field in model._meta.concrete_fields:
        if field.many_to_one:
            found.append(field.name)
            if depth > 1:
                found += [f"{field.name}__{p}" for p in parents(field.related_model, depth - 1)]
    return found


def with_parents(model: type[models.Model]) -> models.QuerySet:
    rows = model._default_manager.all()
    return rows.select_related(*found) if (found := parents(model)) else rows


def records(model: type[models.Model]) -> list[dict[str, Any]]:
    """Every record of `model`, in its order, fields as `schemas.record_schema` describes them:
    one query, and one per many-to-many field."""
    fields = schemas.record_fields(model)
    linked = [
        Prefetch(field.name, queryset=with_parents(field.related_model))
        for field in fields
        if field.many_to_many
    ]
    rows = with_parents(model).prefetch_related(*linked).order_by(*model._meta.ordering, "pk")
    return [{field.name: value(row, field) for field in fields} for row in rows]


def catalog_tables() -> dict[str, tuple[list[models.Field], list[dict[str, Any]]]]:
    """Each content model's table name, its fields and its records."""
    return {
        schemas.table_name(model): (schemas.record_fields(model), records(model))
        for model in content_models()
    }


def catalog_payload(request: HttpRequest) -> dict[str, Any]:
    tables = {name: rows for name, (_, rows) in catalog_tables().items()}
    # ISO times in UTC sort as text.
    times = [row.get("updated") for rows in tables.values() for row in rows]
    updated = max(filter(None, times), default=None)
    return {
        "format": schemas.DATA_FORMAT,
        "url": schemas.api_url(request, "catalog-json"),
        "api": schemas.api_url(request, "index"),
        "updated": updated,
        **tables,
    }


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@endpoint(
    "/downloads/catalog.json",
    name="catalog-json",
    operation_id="downloadCatalogJson",
    summary="The whole catalog as one JSON document: every record of every content model",
    tag="downloads",
    ok=schemas.Catalog,
)
def catalog_json(request: HttpRequest) -> HttpResponse:
    payload = catalog_payload(request)
    # Indented: people open this file in an editor; the API itself answers compactly.
    body = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return attachment(body.encode(), "application/json", "roles-catalog.json")


# A spreadsheet would run a cell that starts like this as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(field: models.Field, value: Any) -> str:
    """A value in a CSV cell: keys of many records separated by spaces (keys have none), and
    text that a spreadsheet would run as a formula defused with a leading quote."""
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    value = str(value)
    keyed = field.is_relation or isinstance(field, (models.SlugField, models.URLField))
    if not keyed and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_table(fields: list[models.Field], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([field.name for field in fields])
    for row in rows:
        writer.writerow([csv_cell(field, row[field.name]) for field in fields])
    return out.getvalue()


def catalog_zip() -> bytes:
    """One CSV per content model in a zip, its records as in catalog.json. Same content, same
    bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (fields, rows) in catalog_tables().items():
            # A fixed date keeps the archive's bytes a function of the content alone.
            info = zipfile.ZipInfo(f"{name}.csv", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, csv_table(fields, rows).encode())
    return buffer.getvalue()


@endpoint(
    "/downloads/catalog-csv.zip",
    name="catalog-csv",
    operation_id="downloadCatalogCsv",
    summary="The whole catalog as CSV, one file per content model, in a zip",
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
    (role,) = find_roles(slug, among=Role.objects.with_confusions())
    payload = schemas.serialise(schemas.Role, role, request)
    body = render_markdown("catalog/downloads/role.md", {"role": payload})
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
    payload = schemas.serialise(schemas.Comparison, compared(*slugs), request)
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
