"""Whole public pages kept per catalog version, so a repeat request renders nothing.

Keyed on the catalog version this process holds in memory (catalog.conditional): an edit here
moves every key on at once, an edit on another instance within CATALOG_VERSION_CHECK_SECONDS, and
a repeat request runs no query at all. Only responses that catalog_conditional marked with the
version's ETag are kept, and only if they set no cookie and do not vary on one. Keys also hold
the values of the request headers the response varies on (HX-Request, HX-Target,
Accept-Encoding), learned the way Django's own cache middleware learns them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import (
    get_cache_key,
    get_conditional_response,
    has_vary_header,
    learn_cache_key,
)
from django_htmx.middleware import HtmxDetails

from catalog.conditional import catalog_validators, request_version

# A copy in this process's memory answers repeat requests without unpickling a whole page (or a
# round trip to Redis): keyed on the headers pages vary on, which are few and known.
LOCAL_VARY = frozenset({"hx-request", "hx-target", "accept-encoding"})
LOCAL_LIMIT = 300
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # what GZipMiddleware looks for


def copy_of(stored: HttpResponse) -> HttpResponse:
    """A response of its own for each request: outer middleware adds headers to it."""
    return HttpResponse(stored.content, status=stored.status_code, headers=stored.headers)


class PageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.cache = caches[settings.PAGE_CACHE_ALIAS]
        self.timeout = settings.PAGE_CACHE_SECONDS
        self.local: dict[tuple, HttpResponse] = {}
        self.local_version = ""

    def local_key(self, request: HttpRequest, prefix: str) -> tuple:
        meta = request.META
        return (
            prefix,
            meta.get("HTTP_HX_REQUEST", ""),
            meta.get("HTTP_HX_TARGET", ""),
            bool(ACCEPTS_GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", ""))),
        )

    def keep_locally(self, key: tuple, version: str, response: HttpResponse) -> None:
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        if not vary <= LOCAL_VARY:
            return
        if version != self.local_version or len(self.local) >= LOCAL_LIMIT:
            self.local, self.local_version = {}, version
        self.local[key] = copy_of(response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "GET" or request.path.startswith(f"/{settings.ADMIN_URL}"):
            return self.get_response(request)
        # The ETag names the representation (page or partial) from request.htmx, which
        # HtmxMiddleware, further in, would set: set it here the same way.
        if not hasattr(request, "htmx"):
            request.htmx = HtmxDetails(request)
        etag, last_modified = catalog_validators(request)
        version = request_version(request).token
        prefix = f"{etag}{version}"
        local_key = self.local_key(request, prefix)
        stored = self.local.get(local_key)
        if stored is None:
            key = get_cache_key(request, prefix, "GET", cache=self.cache)
            if key is not None and (stored := self.cache.get(key)) is not None:
                self.keep_locally(local_key, version, stored)
        if stored is not None:
            response = get_conditional_response(
                request, etag=stored["ETag"], last_modified=last_modified, response=stored
            )
            return copy_of(stored) if response is stored else response
        response = self.get_response(request)
        if self.storable(response, etag):
            key = learn_cache_key(request, response, self.timeout, prefix, cache=self.cache)
            self.cache.set(key, response, self.timeout)
            self.keep_locally(local_key, version, response)
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
