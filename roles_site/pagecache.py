"""Whole public pages kept per catalog version, so a repeat request renders nothing.

Never stale, in one process or in many: every request reads the catalog version from the
database (one indexed query), the key holds that version, and an editor's save moves it on
(catalog.signals). Only responses that catalog_conditional marked with the version's ETag are
kept, and only if they set no cookie and do not vary on one. Keys also hold the values of the
request headers the response varies on (HX-Request, HX-Target, Accept-Encoding), learned the way
Django's own cache middleware learns them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.cache import (
    get_cache_key,
    get_conditional_response,
    has_vary_header,
    learn_cache_key,
)
from django.utils.dateparse import parse_datetime
from django_htmx.middleware import HtmxDetails

from catalog.conditional import RENDER_VERSION, representation
from catalog.models import CatalogVersion


@cache
def version_sql() -> str:
    meta = CatalogVersion._meta
    quote = connection.ops.quote_name
    number, changed = (quote(meta.get_field(name).column) for name in ("number", "changed"))
    return (
        f"SELECT {number}, {changed} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = 1"
    )


def current_validators(request: HttpRequest) -> tuple[str, int | None]:
    """catalog.conditional.catalog_validators with the version read by plain SQL.

    The same ETag and Last-Modified (a test holds the two together), at a twentieth of the
    ORM's cost: this runs on every page request, and is most of what a kept page costs.
    """
    with connection.cursor() as cursor:
        cursor.execute(version_sql())
        row = cursor.fetchone()
    number, changed = row if row else (0, None)
    if isinstance(changed, str):  # SQLite
        changed = parse_datetime(changed)
    if changed is not None and timezone.is_naive(changed):
        changed = changed.replace(tzinfo=UTC)
    variant = hashlib.blake2b(representation(request).encode(), digest_size=4).hexdigest()
    etag = f'"c{number}-{RENDER_VERSION}-{variant}"'
    return etag, int(changed.timestamp()) if changed else None


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.cache = caches[settings.PAGE_CACHE_ALIAS]
        self.timeout = settings.PAGE_CACHE_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "GET" or request.path.startswith(f"/{settings.ADMIN_URL}"):
            return self.get_response(request)
        # The ETag names the representation (page or partial) from request.htmx, which
        # HtmxMiddleware, further in, would set: set it here the same way.
        if not hasattr(request, "htmx"):
            request.htmx = HtmxDetails(request)
        etag, last_modified = current_validators(request)
        prefix = f"{etag}{last_modified}"
        key = get_cache_key(request, prefix, "GET", cache=self.cache)
        if key is not None and (stored := self.cache.get(key)) is not None:
            return get_conditional_response(
                request, etag=stored["ETag"], last_modified=last_modified, response=stored
            )
        response = self.get_response(request)
        if self.storable(response, etag):
            key = learn_cache_key(request, response, self.timeout, prefix, cache=self.cache)
            self.cache.set(key, response, self.timeout)
        return response

    @staticmethod
    def storable(response: HttpResponseBase, etag: str) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            response.status_code == 200
            and not response.streaming
            and response.get("ETag", "").removeprefix("W/") == etag
            and not response.cookies
            and not has_vary_header(response, "Cookie")
            and "private" not in cache_control
            and "no-store" not in cache_control
        )
