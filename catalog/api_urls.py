"""URLs of the read-only API (/api/v1/) and the downloads: the catalog as JSON or CSV, and a
role or comparison as Markdown. All are operations of one django-ninja API (catalog.api).

Every one of them is read-only and open to any origin: `read_only` answers the CORS preflight,
refuses writes with a JSON 405 and adds the CORS headers, around ninja's views. The Markdown URLs
sit beside the pages they belong to (/roles/<slug>.md next to /roles/<slug>/); the slug
converter does not match dots, so the two never clash.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt

from catalog import downloads  # noqa: F401  (registers the downloads' operations)
from catalog.api import api, error_response, not_found
from teams import api as teams_api  # noqa: F401  (registers /api/v1/teams/<id>/)

ALLOWED_METHODS = "GET, HEAD, OPTIONS"
# Clients revalidate with these; a browser must be allowed to send them cross-origin.
CORS_REQUEST_HEADERS = "If-None-Match, If-Modified-Since"
# ETag is not a CORS-safelisted response header; downloads name their file.
CORS_EXPOSED_HEADERS = "ETag, Content-Disposition"


def read_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """GET and HEAD reach the view; OPTIONS is a CORS preflight; anything else a JSON 405.
    Every answer may be read by a page on any origin (no credentials, so never varies)."""

    # Nothing here changes state, so there is nothing for a CSRF token to protect; without the
    # exemption a POST would get the CSRF middleware's HTML 403 instead of our JSON 405.
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        if request.method == "OPTIONS":
            response: HttpResponseBase = HttpResponse(status=204)
            del response.headers["Content-Type"]  # no body, so no type
            response.headers["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
            response.headers["Access-Control-Max-Age"] = "86400"
        elif request.method in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
        else:
            response = error_response(
                405, f"The API is read-only: {request.method} is not allowed; use GET."
            )
        if response.status_code in (204, 405):
            response.headers["Allow"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
        return response

    return wrapper


def operations() -> list[URLPattern]:
    """Ninja's URL patterns for the operations, less its root page (this API has no prefix, so
    that would be the site's home page)."""
    patterns, _app_name, _namespace = api.urls
    return [
        URLPattern(p.pattern, read_only(p.callback), p.default_args, p.name)
        for p in patterns
        if p.name != "api-root"
    ]


app_name = "api"

urlpatterns = [
    *operations(),
    # Anything else under /api/ (a prefix match: no "$") answers in JSON too, not with the
    # site's HTML 404; so does a Markdown URL whose slug is malformed.
    re_path(r"^api/", read_only(not_found)),
    re_path(r"^roles/[^/]*\.md$", read_only(not_found)),
    re_path(r"^compare/[^/]*(?:/vs/[^/]*)+\.md$", read_only(not_found)),
]
