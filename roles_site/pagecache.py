"""Whole public pages kept per catalog version, so a repeat request renders nothing.

Keyed on the catalog version this process holds in memory (catalog.conditional): an edit here
moves every key on at once, an edit on another instance within CATALOG_VERSION_CHECK_SECONDS, and
a repeat request runs no query at all. Only responses that catalog_conditional marked with the
version's ETag are kept, and only if they set no cookie and do not vary on one. Keys also hold
the values of the request headers the response varies on (HX-Request, HX-Target,
Accept-Encoding), learned the way Django's own cache middleware learns them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import (
    get_cache_key,
    get_conditional_response,
    has_vary_header,
    learn_cache_key,
)
from django_htmx.middleware import HtmxDetails

from catalog.conditional import catalog_validators, request_version


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
        etag, last_modified = catalog_validators(request)
        prefix = f"{etag}{request_version(request).token}"
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
