"""Conditional GET from the catalog's content version: a repeat visit is a 304 without rendering.

The version row changes whenever an editor saves (catalog.signals), so one indexed query decides
whether anything a page shows may have changed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from catalog.models import CatalogVersion

# Bump when templates or page code change what a given catalog version renders as.
RENDER_VERSION = "1"


def catalog_validators(request: HttpRequest) -> tuple[str, int | None]:
    row = CatalogVersion.objects.filter(pk=1).values_list("number", "changed").first()
    number, changed = row if row else (0, None)
    variant = "hx" if request.headers.get("HX-Request") == "true" else "page"
    etag = f'"c{number}-r{RENDER_VERSION}-{variant}"'
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
