"""Public pages. Placeholder views until the public pages land (issue 3)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404("This page is not built yet.")


home = role_list = role_detail = compare = collaboration = search = sources = _pending
