"""Public pages: thin views that fetch through QuerySet methods and render one template.

An HTMX request to a page URL gets a template partial of that page; a normal request (or an
htmx history-restore request) gets the whole page. Such views vary on HX-Request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url
from django_htmx.middleware import HtmxDetails

from catalog.comparison import Comparison, PairForm, RaciMatrix
from catalog.conditional import catalog_conditional
from catalog.models import (
    RACI_MEANINGS,
    Collaboration,
    KnowledgeArea,
    Level,
    Raci,
    Responsibility,
    Role,
    RoleSlugRedirect,
    Source,
    Trait,
)
from catalog.querysets import SEARCH_MAX_LENGTH, search_terms


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


def role_names(roles: list[Role]) -> str:
    """Join the names as "A, B and C", so descriptions never assume how many roles there are."""
    names = [role.name for role in roles]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


# --- home and role pages ----------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
@catalog_conditional
def home(request: HtmxHttpRequest) -> TemplateResponse:
    roles = list(Role.objects.with_cards())
    description = (
        f"What a {role_names(roles)} each do, what they must know, how they differ and where "
        "they work together — in plain words, with sources."
        if roles
        else "Roles people mix up, explained side by side."
    )
    context = page_context(
        request,
        title="Roles people mix up, side by side",
        description=description,
        roles=roles,
        first_pair=roles[:2] if len(roles) >= 2 else None,
        nav="home",
    )
    return render_page(request, "catalog/home.html", context)


@require_safe
@vary_on_headers("HX-Request")
@catalog_conditional
def role_list(request: HtmxHttpRequest) -> TemplateResponse:
    roles = list(Role.objects.with_cards())
    context = page_context(
        request,
        title="All roles",
        description=f"Every role in the catalog: {role_names(roles)}."
        if roles
        else "No roles yet.",
        roles=roles,
        nav="roles",
    )
    return render_page(request, "catalog/role_list.html", context)


def cited_sources(role: Role) -> list[Source]:
    """Every source the role page cites, from its items' citations and the role's own."""
    items = [
        role,
        *role.responsibilities.all(),
        *role.knowledge.all(),
        *role.traits.all(),
        *role.involvements.all(),
        *(part.collaboration for part in role.contributions.all()),
    ]
    found = {
        citation.source.pk: citation.source for item in items for citation in item.citations.all()
    }
    return sorted(found.values(), key=lambda source: (source.order, source.title))


def moved_role(request: HttpRequest, slug: str) -> HttpResponsePermanentRedirect:
    """301 from a renamed role's old slug to its current URL, keeping the query; else 404."""
    moved = RoleSlugRedirect.objects.select_related("role").filter(old_slug=slug).first()
    if moved is None:
        raise Http404("No role has this address.")
    url = moved.role.get_absolute_url()
    if query := request.META.get("QUERY_STRING"):
        url = f"{url}?{query}"
    return HttpResponsePermanentRedirect(url)


@require_safe
@vary_on_headers("HX-Request")
@catalog_conditional
def role_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    role = Role.objects.with_page().filter(slug=slug).first()
    if role is None:
        return moved_role(request, slug)
    responsibilities = list(role.responsibilities.all())
    functions = list({r.function_id: r.function for r in responsibilities}.values())
    asked = request.GET.get("function", "").strip()
    selected = next((f for f in functions if f.slug == asked), None)
    shown = [r for r in responsibilities if selected is None or r.function_id == selected.pk]
    if selected:
        status = f"Showing {len(shown)} of {len(responsibilities)} responsibilities, in {selected}"
    else:
        status = f"Showing all {len(shown)} responsibilities"
    knowledge = list(role.knowledge.all())
    context = page_context(
        request,
        title=f"{role.name}: what the role does",
        description=role.summary,
        role=role,
        functions=functions,
        selected_function=selected,
        unknown_function=asked[:60] if asked and selected is None else "",
        responsibilities=shown,
        responsibilities_status=status,
        essential_knowledge=[k for k in knowledge if k.level == Level.ESSENTIAL],
        useful_knowledge=[k for k in knowledge if k.level != Level.ESSENTIAL],
        sources=cited_sources(role),
        other_roles=list(Role.objects.exclude(pk=role.pk)),
        nav="roles",
    )
    response = render_page(request, "catalog/role_detail.html", context, partial="responsibilities")
    if request.htmx and "function" in request.GET and not asked:
        # "All functions" from the filter form: show the plain address, not "?function=".
        push_url(response, role.get_absolute_url())
    return response


# --- search -----------------------------------------------------------------------------------

SEARCH_LIMIT = 50  # per kind on the results page
LIVE_LIMIT = 7  # suggestions in the header, plus "all results"


def live_suggestions(results: dict[str, list]) -> list[dict[str, str]]:
    """The first few matches of every kind, flattened for the header's listbox."""
    options = [
        *({"kind": "Role", "title": r.name, "url": r.get_absolute_url()} for r in results["roles"]),
        *(
            {"kind": r.role.label, "title": r.title, "url": r.get_absolute_url()}
            for r in results["responsibilities"]
        ),
        *(
            {"kind": "Shared activity", "title": c.title, "url": c.get_absolute_url()}
            for c in results["collaborations"]
        ),
        *(
            {"kind": "Knowledge", "title": a.name, "url": held[0].get_absolute_url()}
            for a in results["knowledge"]
            if (held := a.holders.all())
        ),
        *(
            {
                "kind": f"{t.role.label} · {t.dimension}",
                "title": t.text,
                "url": t.get_absolute_url(),
            }
            for t in results["traits"]
        ),
    ]
    return options[:LIVE_LIMIT]


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@catalog_conditional
def search(request: HtmxHttpRequest) -> TemplateResponse:
    asked = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable() or ch.isspace())
    shortened = len(asked.strip()) > SEARCH_MAX_LENGTH
    query = " ".join(asked.split())[:SEARCH_MAX_LENGTH].strip()
    words = search_terms(query)
    results: dict[str, list] = {}
    if words:
        results = {
            "roles": list(Role.objects.matching(words)[: SEARCH_LIMIT + 1]),
            "responsibilities": list(Responsibility.objects.matching(words)[: SEARCH_LIMIT + 1]),
            "knowledge": list(KnowledgeArea.objects.matching(words)[: SEARCH_LIMIT + 1]),
            "collaborations": list(Collaboration.objects.matching(words)[: SEARCH_LIMIT + 1]),
            "traits": list(Trait.objects.matching(words)[: SEARCH_LIMIT + 1]),
        }
    live = request.htmx and request.htmx.target == "live-results"
    context = page_context(
        request,
        title=f"Search: {query}" if query else "Search",
        description="Search roles, responsibilities, knowledge and shared activities.",
        query=query,
        words=words,
        shortened=shortened,
        max_length=SEARCH_MAX_LENGTH,
        results={kind: items[:SEARCH_LIMIT] for kind, items in results.items()},
        more={kind for kind, items in results.items() if len(items) > SEARCH_LIMIT},
        total=sum(len(items[:SEARCH_LIMIT]) for items in results.values()),
        suggestions=live_suggestions(results) if live and results else [],
        all_roles=Role.objects.all(),
    )
    if live:
        return TemplateResponse(request, "catalog/search.html#live-results", context)
    return render_page(request, "catalog/search.html", context, partial="results")


# --- sources ----------------------------------------------------------------------------------


# Each kind of citation on the sources page: its relation on Source, its heading, and how a
# cited item of that kind names itself and links to its place (an empty link: no page of its own).
CITATION_GROUPS: list[tuple[str, str, Callable[[Any], tuple[str, str]]]] = [
    ("rolecitations", "Roles", lambda role: (role.name, role.get_absolute_url())),
    (
        "traitcitations",
        "At a glance",
        lambda trait: (f"{trait.role.label}: {trait.dimension}", trait.get_absolute_url()),
    ),
    (
        "responsibilitycitations",
        "Responsibilities",
        lambda duty: (f"{duty.role.label}: {duty.title}", duty.get_absolute_url()),
    ),
    (
        "roleknowledgecitations",
        "Knowledge",
        lambda held: (f"{held.role.label}: {held.area}", held.get_absolute_url()),
    ),
    ("knowledgeareacitations", "Knowledge areas", lambda area: (area.name, "")),
    ("lifecyclestagecitations", "Lifecycle stages", lambda stage: (stage.name, "")),
    (
        "stageinvolvementcitations",
        "Lifecycle involvement",
        lambda part: (
            f"{part.role.label} in {part.stage}",
            f"{part.role.get_absolute_url()}#{part.anchor}",
        ),
    ),
    (
        "collaborationcitations",
        "Shared activities",
        lambda activity: (activity.title, activity.get_absolute_url()),
    ),
    (
        "contributioncitations",
        "Parts in shared activities",
        lambda part: (
            f"{part.role.label} in {part.collaboration}",
            part.collaboration.get_absolute_url(),
        ),
    ),
]


def citations(source: Source) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """What cites a source and where in it (from SourceQuerySet.with_citations):
    (kind, [(label, url, locator)]) groups, each sorted by label."""
    groups = []
    for relation, kind, describe in CITATION_GROUPS:
        rows = sorted(
            (*describe(citation.item), citation.locator)
            for citation in getattr(source, relation).all()
        )
        if rows:
            groups.append((kind, rows))
    return groups


@require_safe
@vary_on_headers("HX-Request")
@catalog_conditional
def sources(request: HtmxHttpRequest) -> TemplateResponse:
    found = list(Source.objects.with_citations())
    for source in found:
        source.citations = citations(source)
        source.citation_count = sum(len(items) for _, items in source.citations)
    context = page_context(
        request,
        title="Sources",
        description="Every source the catalog cites, and which roles and items cite it.",
        sources=found,
        nav="sources",
    )
    return render_page(request, "catalog/sources.html", context)


# --- errors, robots -----------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A helpful 404: a search box and every role; still renders if the database is down."""
    try:
        roles = list(Role.objects.all())
    except DatabaseError:
        roles = []
    context = page_context(
        request,
        title="Page not found",
        description="This address does not lead to a page. Search, or pick a role.",
        roles=roles,
    )
    return render(request, "404.html", context, status=404)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    context = {
        "sitemap_url": request.build_absolute_uri(reverse("sitemap")),
        # A custom admin address stays unlisted: robots.txt is public.
        "admin_path": reverse("admin:index") if settings.ADMIN_URL == "admin/" else "",
    }
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")


# --- comparison and collaboration -----------------------------------------------------------

# The partial that answers an HTMX control, by the DOM id it targets (HX-Target). A filter's
# answer is the region it replaces plus, out of band, the controls elsewhere that carry the view
# state, so their links keep it.
COMPARE_PARTIALS = {
    "comparison": "comparison",
    "details": "details_swap",
    "responsibilities": "responsibilities_swap",
}


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
    partial = (
        COMPARE_PARTIALS.get(target, "comparison") if "comparison" in context else "comparison"
    )
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
    if asked and request.htmx:
        # A stale picker (a role renamed or removed since the page loaded): the page with the
        # form's errors is a whole page, not a region to swap in, so load it as one.
        return HttpResponseClientRedirect(request.get_full_path())
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
    # An unusable pick answers 200 with the form and its errors (and noindex), not 400: it is a
    # person's typo to correct, and a 400 page logs an error in the browser's console.
    return TemplateResponse(request, "catalog/compare_start.html", context)


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
