"""Conditional GET (Django's condition()) and shared caching for catalog pages and API answers.

Validators belong to the resource. The ETag names the catalog version, the code that renders it,
and the URL, host and representation (page or partial) asked for. A process learns whether a URL
answers 2xx at a catalog version by answering it once; until it has, and for every URL that
answers an error, no precondition is evaluated (RFC 9110 13.2.1: a request that would not get a
2xx ignores them), so an unknown role is a 404 and a bad query a 400 whatever If-None-Match,
If-Match or If-Modified-Since say. The views' own checks decide what exists: nothing here repeats
them.

The catalog version is kept in process memory: re-read (one indexed query) at most once per
CATALOG_VERSION_CHECK_SECONDS, and forgotten at once when this process saves content. A 304 costs
no query; an edit on another instance is seen here within that interval.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, wraps
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from django.views.decorators.http import condition

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


# --- the catalog version, in memory ------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    number: int
    changed: datetime | None

    @property
    def token(self) -> str:
        """Names this version even across test databases that reuse version numbers."""
        stamp = self.changed.timestamp() if self.changed else 0
        return f"{self.number}.{stamp:.6f}"


@cache
def version_sql() -> str:
    meta = CatalogVersion._meta
    quote = connection.ops.quote_name
    number, changed = (quote(meta.get_field(name).column) for name in ("number", "changed"))
    return (
        f"SELECT {number}, {changed} FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = 1"
    )


def read_version() -> Version:
    # Plain SQL: about a twentieth of what the same query costs through the ORM.
    with connection.cursor() as cursor:
        cursor.execute(version_sql())
        number, changed = cursor.fetchone() or (0, None)
    if isinstance(changed, str):  # SQLite hands back text
        changed = parse_datetime(changed)
    if changed is not None and timezone.is_naive(changed):
        changed = changed.replace(tzinfo=UTC)
    return Version(number, changed)


class VersionClock:
    """The catalog version this process last read, and when it read it."""

    def __init__(self) -> None:
        self.version: Version | None = None
        self.read_at = 0.0

    def current(self) -> Version:
        version, now = self.version, time.monotonic()
        if version is None or now - self.read_at >= settings.CATALOG_VERSION_CHECK_SECONDS:
            version = read_version()
            self.version, self.read_at = version, now
        return version

    def forget(self) -> None:
        self.version = None


clock = VersionClock()


def request_version(request: HttpRequest) -> Version:
    """One version per request: the page cache asks first, then the view, and both must agree."""
    version = getattr(request, "_catalog_version", None)
    if version is None:
        version = request._catalog_version = clock.current()
    return version


# --- validators --------------------------------------------------------------------------------


def representation(request: HttpRequest) -> str:
    """Which form of the URL's content a request gets: the page, or one named partial."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return "page"
    return f"hx-{htmx.target or ''}"[:80]


def resource_key(request: HttpRequest) -> str:
    """The resource and representation a response is for: links in it are absolute, so the host
    and scheme are part of it too."""
    return "\n".join(
        (
            request.scheme,
            request.META.get("HTTP_HOST", ""),
            request.get_full_path(),
            representation(request),
        )
    )


def catalog_validators(request: HttpRequest) -> tuple[str, int | None]:
    """ETag and Last-Modified (Unix seconds) of this request's resource at the current version."""
    version = request_version(request)
    resource = hashlib.blake2b(resource_key(request).encode(), digest_size=6).hexdigest()
    etag = f'"c{version.number}-{RENDER_VERSION}-{resource}"'
    return etag, int(version.changed.timestamp()) if version.changed else None


def resource_etag(request: HttpRequest, *args, **kwargs) -> str:
    return catalog_validators(request)[0]


def resource_last_modified(request: HttpRequest, *args, **kwargs) -> datetime | None:
    return request_version(request).changed


class Outcomes:
    """Whether each URL answered 2xx at the current catalog version, in this process. Bounded:
    a crawler's endless query strings only cost an occasional fresh start."""

    LIMIT = 4096

    def __init__(self) -> None:
        self.token = ""
        self.succeeded: dict[str, bool] = {}
        self.lock = threading.Lock()

    def get(self, version: Version, key: str) -> bool | None:
        if version.token != self.token:
            return None
        return self.succeeded.get(key)

    def put(self, version: Version, key: str, success: bool) -> None:
        with self.lock:
            if version.token != self.token or len(self.succeeded) >= self.LIMIT:
                self.token, self.succeeded = version.token, {}
            self.succeeded[key] = success


outcomes = Outcomes()


def shared_cache_control(response: HttpResponse) -> HttpResponse:
    """2xx and 304: any cache may keep it briefly (browsers revalidate every time); errors: not."""
    if response.has_header("Cache-Control"):
        return response
    if 200 <= response.status_code < 300 or response.status_code == 304:
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.SHARED_CACHE_SECONDS,
            stale_while_revalidate=settings.SHARED_CACHE_STALE_SECONDS,
        )
    else:
        patch_cache_control(response, no_cache=True)
    return response


def catalog_conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Validators, conditional GET and Cache-Control for a view of catalog content.

    Apply it innermost (below @require_safe / @vary_on_headers) to a view that answers GET and
    HEAD from the catalog; it leaves other methods to the view.
    """
    conditioned = condition(etag_func=resource_etag, last_modified_func=resource_last_modified)(
        view
    )

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        version, key = request_version(request), resource_key(request)
        succeeded = outcomes.get(version, key)
        if succeeded:
            return shared_cache_control(conditioned(request, *args, **kwargs))
        # Never answered here at this version, or answered with an error: answer it in full,
        # and only a 2xx answer is then checked against the request's preconditions.
        response = view(request, *args, **kwargs)
        success = 200 <= response.status_code < 300
        if succeeded is None:
            outcomes.put(version, key, success)
        if success:
            etag, last_modified = catalog_validators(request)
            response.headers.setdefault("ETag", etag)
            if last_modified is not None:
                response.headers.setdefault("Last-Modified", http_date(last_modified))
            response = get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        return shared_cache_control(response)

    return wrapper
