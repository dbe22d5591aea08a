"""Every answer under /api/ is JSON, errors included.

The API's views answer their own errors as JSON; this covers the ones made before or around
them: a 412 from the conditional check, Django's 400 for an unknown Host, a 500 from the handler,
a 405 or 404 from a decorator. It keeps the status and headers and replaces only an HTML or empty
body with the API's error shape, {"error": {"status", "message"}}.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

API_PREFIX = "/api/"

MESSAGES = {
    400: "Bad request: the request or its Host header was not understood.",
    403: "Forbidden.",
    404: "Nothing is at this address.",
    405: "The API is read-only: use GET, HEAD or OPTIONS.",
    412: "Precondition failed: the resource's current ETag does not match If-Match.",
    500: "The server failed to answer this request; the error has been logged.",
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PREFIX)
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            message = MESSAGES.get(status, response.reason_phrase)
            response.content = json.dumps(
                {"error": {"status": status, "message": message}}, ensure_ascii=False
            )
            response.headers["Content-Type"] = "application/json"
            response.headers["Content-Length"] = str(len(response.content))
            # The API is readable from any origin; its errors too.
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response
