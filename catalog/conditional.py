"""Conditional GET (Django's condition()) and shared caching for catalog pages and API answers.

The ETag names the catalog version, the deploy (DJANGO_DEPLOY_ID: new code renders anew), and the
URL, host and representation (page or partial) asked for; Last-Modified is the version's time.
An ETag is only ever sent with a 2xx answer, so a request that names one proves its URL answered
2xx at this version and deploy: condition() may answer 304 before rendering. Any other
precondition (If-None-Match: *, If-Match, a date alone) is judged on the rendered answer, so an
unknown role is a 404 and a bad query a 400 whatever it says (RFC 9110 13.2.1).

The catalog version is kept in process memory: re-read (one indexed query) at most once per
CATALOG_VERSION_CHECK_SECONDS, and forgotten at once when this process saves content. A 304 costs
no query. Under DEBUG (`make run`) there are no validators: an edited template shows at once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, wraps

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import condition

from catalog.models import CatalogVersion

# --- the catalog version, in memory ------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    number: int
    changed: datetime | None


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
    """One version per request, so its ETag and Last-Modified agree."""
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


def catalog_validators(request: HttpRequest) -> tuple[str, datetime | None]:
    """ETag and Last-Modified of this request's resource at the current version. Links in an
    answer are absolute, so scheme and host are part of the resource too."""
    version = request_version(request)
    resource = "\n".join(
        (
            request.scheme,
            request.META.get("HTTP_HOST", ""),
            request.get_full_path(),
            representation(request),
        )
    )
    digest = hashlib.blake2b(resource.encode(), digest_size=6).hexdigest()
    return f'"c{version.number}-{settings.DEPLOY_ID}-{digest}"', version.changed


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


def names_an_etag(request: HttpRequest) -> bool:
    """Whether the request's only preconditions are ETags we sent (see the module docstring)."""
    tags = request.headers.get("If-None-Match", "").strip()
    return (
        tags not in ("", "*")
        and "If-Match" not in request.headers
        and "If-Unmodified-Since" not in request.headers
    )


validated = condition(
    etag_func=lambda request, *args, **kwargs: catalog_validators(request)[0],
    last_modified_func=lambda request, *args, **kwargs: catalog_validators(request)[1],
)


def catalog_conditional(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Validators, conditional GET and Cache-Control for a view of catalog content.

    Apply it innermost (below @require_safe / @vary_on_headers) to a view that answers GET and
    HEAD from the catalog; it leaves other methods to the view.
    """
    conditioned = validated(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if settings.DEBUG:
            return shared_cache_control(view(request, *args, **kwargs))
        if names_an_etag(request):
            response = conditioned(request, *args, **kwargs)
        else:
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                response = validated(lambda *_args, **_kwargs: response)(request, *args, **kwargs)
        if not (200 <= response.status_code < 300 or response.status_code == 304):
            del response.headers["ETag"], response.headers["Last-Modified"]
        return shared_cache_control(response)

    return wrapper
