"""Public pages: thin views that fetch through QuerySet methods and render one template.

An HTMX request to a page URL gets a template partial of that page; a normal request (or an
htmx history-restore request) gets the whole page. Such views vary on HX-Request.
"""

from __future__ import annotations

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from catalog.comparison import Comparison, PairForm, RaciMatrix
from catalog.conditional import catalog_conditional
from catalog.models import RACI_MEANINGS, Collaboration, Raci, Role, RoleSlugRedirect


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


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _pending(request: HttpRequest, **kwargs) -> HttpResponse:
    raise Http404("This page is not built yet.")


home = role_list = role_detail = search = sources = _pending


# --- comparison and collaboration -----------------------------------------------------------

# The regions of the comparison page an HTMX control may ask for, by DOM id (= partial name).
COMPARE_PARTIALS = {"comparison", "details", "responsibilities"}


def comparison_response(
    request: HtmxHttpRequest, a: Role, b: Role, roles: list[Role] | None = None
) -> TemplateResponse:
    """The comparison page of `a` and `b`, or the partial its HTMX control targets.

    `roles` (for the pickers) is read only if the response draws them, unless given.
    """
    if roles is None:
        roles = Role.objects.only("slug", "name", "order")
    form = PairForm(initial={"a": a.slug, "b": b.slug}, roles=roles)
    canonical = request.build_absolute_uri(reverse("catalog:compare", args=[a.slug, b.slug]))
    if a.pk == b.pk:
        context = page_context(
            request,
            title=f"{a.name} compared with itself",
            description=f"{a.name} compared with itself. Pick another role to see the difference.",
            canonical_url=canonical,
            same_role=a,
            form=form,
            nav="compare",
        )
    else:
        comparison = Comparison(
            a, b, function=request.GET.get("function"), diff=request.GET.get("diff") == "1"
        )
        context = page_context(
            request,
            title=comparison.title,
            description=(
                f"{a.name} and {b.name} side by side: what each does and must know, where "
                f"they overlap, and how they work together. {a.name}: {a.summary} "
                f"{b.name}: {b.summary}"
            ),
            canonical_url=canonical,
            comparison=comparison,
            form=form,
            nav="compare",
        )
    target = request.htmx.target if request.htmx else None
    partial = target if target in COMPARE_PARTIALS and "comparison" in context else "comparison"
    return render_page(request, "catalog/compare.html", context, partial=partial)


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@catalog_conditional
def compare_start(request: HtmxHttpRequest) -> HttpResponse:
    """The role pickers; with ?a=&b= a redirect to the comparison's own URL."""
    roles = list(Role.objects.only("slug", "name", "order"))
    asked = "a" in request.GET or "b" in request.GET
    form = PairForm(request.GET if asked else None, roles=roles)
    if asked and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        url = reverse("catalog:compare", args=[a, b])
        if request.htmx and not request.htmx.history_restore_request:
            # The picker swaps the comparison in place: answer with it, and have htmx show
            # the comparison's own URL rather than this form address.
            pair = Role.objects.for_comparison(a, b)
            if len(pair) == 2:
                return push_url(comparison_response(request, *pair, roles=roles), url)
        return HttpResponseRedirect(url)
    if not asked:
        first_two = [role.slug for role in roles[:2]]
        form.initial = dict(zip(("a", "b"), first_two, strict=False))
    context = page_context(
        request,
        title="Compare two roles",
        description="Pick two roles to see them side by side: what each does and must know, "
        "where they overlap, and how they work together.",
        form=form,
        roles=roles,
        nav="compare",
    )
    return TemplateResponse(
        request, "catalog/compare_start.html", context, status=400 if form.errors else 200
    )


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@catalog_conditional
def compare(request: HtmxHttpRequest, a: str, b: str) -> HttpResponse:
    pair = Role.objects.for_comparison(a, b)
    if len(pair) == 2:
        return comparison_response(request, *pair)
    # A renamed role on either side: 301 to the pair's current address, keeping the query.
    found = {role.slug for role in pair}
    moved = dict(
        RoleSlugRedirect.objects.filter(old_slug__in={a, b} - found).values_list(
            "old_slug", "role__slug"
        )
    )
    current = [slug if slug in found else moved.get(slug) for slug in (a, b)]
    if None in current:
        raise Http404("No role has this address.")
    url = reverse("catalog:compare", args=current)
    if query := request.META.get("QUERY_STRING"):
        url = f"{url}?{query}"
    return HttpResponsePermanentRedirect(url)


@require_safe
@vary_on_headers("HX-Request")
@catalog_conditional
def collaboration(request: HtmxHttpRequest) -> TemplateResponse:
    matrix = RaciMatrix(Collaboration.objects.with_contributions(), role=request.GET.get("role"))
    context = page_context(
        request,
        title="Who does what: shared activities and RACI",
        description="Every shared activity and hand-off as a RACI matrix: which role is "
        "Responsible, Accountable, Consulted or Informed, and what each one does.",
        matrix=matrix,
        raci=[(letter, letter.label, RACI_MEANINGS[letter]) for letter in Raci],
        nav="collaboration",
    )
    return render_page(request, "catalog/collaboration.html", context, partial="matrix")
