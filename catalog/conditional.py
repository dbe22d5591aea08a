"""Conditional GET from the catalog's content version: a repeat visit is a 304 without rendering.

The version row changes whenever an editor saves (catalog.signals), so one indexed query decides
whether anything a page shows may have changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from catalog.models import CatalogVersion


def code_fingerprint() -> str:
    """A digest of the code and templates that render pages, so a deploy that changes what a
    catalog version renders as also changes every ETag (no stale 304s after an upgrade)."""
    digest = hashlib.blake2b(digest_size=6)
    base = Path(settings.BASE_DIR)
    for folder, pattern in (("catalog", "**/*.py"), ("templates", "**/*"), ("static", "**/*")):
        for path in sorted((base / folder).glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


RENDER_VERSION = code_fingerprint()


def representation(request: HttpRequest) -> str:
    """Which form of the URL's content a request gets: the page, or one named partial."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return "page"
    return f"hx-{htmx.target or ''}"[:80]


@cache
def version_sql() -> str:
    meta = CatalogVersion._meta
    quote = connection.ops.quote_name
    number, changed = (quote(meta.get_field(name).column) for name in ("number", "changed"))
    return (
        f"SELECT {number}, {changed} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = 1"
    )


def catalog_validators(request: HttpRequest) -> tuple[str, int | None]:
    """ETag and Last-Modified for this request's representation of the current catalog.

    Every page request runs this, so the version is read with plain SQL (about a twentieth of
    what the same query costs through the ORM), and only once: the page cache asks first, then
    the view on a miss, and both must see the same version.
    """
    row = getattr(request, "_catalog_version_row", None)
    if row is None:
        with connection.cursor() as cursor:
            cursor.execute(version_sql())
            row = cursor.fetchone() or (0, None)
        request._catalog_version_row = row
    number, changed = row
    if isinstance(changed, str):  # SQLite hands back text
        changed = parse_datetime(changed)
    if changed is not None and timezone.is_naive(changed):
        changed = changed.replace(tzinfo=UTC)
    variant = hashlib.blake2b(representation(request).encode(), digest_size=4).hexdigest()
    etag = f'"c{number}-{RENDER_VERSION}-{variant}"'
    return etag, int(changed.timestamp()) if changed else None


def catalog_conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Add ETag / Last-Modified to GET and HEAD responses and answer 304 when they match."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        etag, last_modified = catalog_validators(request)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = view(request, *args, **kwargs)
        if response.status_code in (200, 304) and not response.has_header("ETag"):
            response.headers["ETag"] = etag
            if last_modified is not None:
                response.headers["Last-Modified"] = http_date(last_modified)
        response.headers.setdefault("Cache-Control", "no-cache")
        return response

    return wrapper
