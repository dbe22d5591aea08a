"""One log line per request: method, path, status, duration and size, to stdout.

It sits first in MIDDLEWARE, so the line has the status the client got (errors already turned
into a 500 response by the inner handlers) and the time spent in every other middleware.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger("roles.request")

# Long URLs (a fuzzer's, an attacker's) must not turn one request into a megabyte of log.
MAX_LOGGED_PATH = 300
# A team's edit key is a secret: whoever reads the log must not be able to edit the team.
EDIT_KEY = re.compile(r"(/edit/)[^/?]+")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        start = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - start) * 1000
        if logger.isEnabledFor(logging.INFO):
            path = EDIT_KEY.sub(r"\1…", request.get_full_path())
            if len(path) > MAX_LOGGED_PATH:
                path = path[:MAX_LOGGED_PATH] + "…"
            logger.info(
                "%s %s %s %.1fms %sB",
                request.method,
                path,
                response.status_code,
                duration_ms,
                response.get("Content-Length", "-"),
            )
        return response
