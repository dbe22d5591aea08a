"""Conditional GET from the catalog's content version: a repeat visit is a 304 without rendering.

The version row changes whenever an editor saves (catalog.signals), so one indexed query decides
whether anything a page shows may have changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
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


def catalog_validators(request: HttpRequest) -> tuple[str, int | None]:
    row = CatalogVersion.objects.filter(pk=1).values_list("number", "changed").first()
    number, changed = row if row else (0, None)
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
