"""Public pages: thin views that fetch through QuerySet methods and render one template.

An HTMX request to a page URL gets a template partial of that page; a normal request (or an
htmx history-restore request) gets the whole page. Such views vary on HX-Request.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def page_context(request: HttpRequest, *, title: str, description: str, **extra) -> dict:
    """Title, description and canonical URL for the <head> meta every page carries."""
    return {
        "page_title": title,
        "page_description": description,
        "canonical_url": request.build_absolute_uri(request.path),
        **extra,
    }


def render_page(
    request: HttpRequest, template: str, context: dict, partial: str | None = None
) -> TemplateResponse:
    """The whole page, or just `partial` of it for an HTMX swap (not for history restores)."""
    htmx = getattr(request, "htmx", None)
    if partial and htmx and not htmx.history_restore_request:
        template = f"{template}#{partial}"
    return TemplateResponse(request, template, context)


def _pending(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404("This page is not built yet.")


home = role_list = role_detail = compare_start = compare = collaboration = search = sources = (
    _pending
)
