"""Public pages: thin views that fetch through QuerySet methods and render one template.

An HTMX request to a page URL gets a template partial of that page; a normal request (or an
htmx history-restore request) gets the whole page. Such views vary on HX-Request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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
from django.utils.text import capfirst
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, push_url
from django_htmx.middleware import HtmxDetails

from catalog import cards
from catalog.comparison import (
    MAX_ROLES,
    PICKS,
    CompareForm,
    Comparison,
    picked,
    role_names,
)
from catalog.conditional import catalog_conditional
from catalog.models import (
    RACI_MEANINGS,
    Collaboration,
    Level,
    Pairing,
    Raci,
    Role,
    RoleMove,
    Source,
)
from catalog.raci import RaciMatrix
from catalog.search import clean_query
from catalog.search import search as search_catalog

DESCRIPTION_MAX_LENGTH = 200  # link previews show about this much


def short_description(text: str, limit: int = DESCRIPTION_MAX_LENGTH) -> str:
    """`text` in at most `limit` characters: whole sentences if they fit, else whole words + …"""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if (end := cut.rfind(". ")) >= limit // 2:
        return cut[: end + 1]
    return cut[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def page_context(
    request: HttpRequest,
    *,
    title: str,
    description: str,
    card: str | None = None,
    card_alt: str | None = None,
    **extra,
) -> dict:
    """Title, description, canonical URL and link-preview card for the <head> every page has.

    Pages without a card of their own (`card`, a path) show the home page's. A long page prints
    a summary; its "print everything" link (?print=all) prints the rest (print.css).
    """
    return {
        "print_all": request.GET.get("print") == "all",
        "page_title": title,
        "page_description": short_description(description),
        "canonical_url": request.build_absolute_uri(request.path),
        "card_url": request.build_absolute_uri(card or reverse("catalog:card-home")),
        "card_alt": card_alt or "Roles: roles people mix up, side by side",
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


# --- home and role pages ----------------------------------------------------------------------


# A sentence ends at . ! or ? (a closing quote or bracket may follow) before a space or the end.
SENTENCE = re.compile(r"(.+?[.!?][\u201d\u2019\"')]*)(?:\s|$)", re.DOTALL)


def first_sentence(text: str) -> str:
    """The first sentence of `text` (all of it if it has no sentence end)."""
    text = " ".join(text.split())
    found = SENTENCE.match(text)
    return found.group(1) if found else text


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
    # Every pairing editors wrote, two to four roles each, with its bottom line's first sentence.
    pairs = Pairing.objects.in_catalog_order()
    for pair in pairs:
        pair.hint = first_sentence(pair.bottom_line)
    context = page_context(
        request,
        title="Roles people mix up, side by side",
        description=description,
        roles=roles,
        pairs=pairs,
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


def redirect_keeping_query(request: HttpRequest, path: str) -> HttpResponsePermanentRedirect:
    """301 to `path` with this request's query string: a renamed role's old links keep working."""
    if query := request.META.get("QUERY_STRING"):
        path = f"{path}?{query}"
    return HttpResponsePermanentRedirect(path)


@require_safe
@vary_on_headers("HX-Request")
@catalog_conditional
def role_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    found = Role.objects.with_confusions().with_changed().resolve(slug)
    if found.moved:
        return redirect_keeping_query(request, reverse("catalog:role-detail", args=found.moved))
    if found.unknown:
        raise Http404("No role has this address.")
    (role,) = found.roles
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
        card=reverse("catalog:card-role", args=[role.slug]),
        card_alt=f"{role.name}: {role.summary}",
        role=role,
        functions=functions,
        selected_function=selected,
        unknown_function=asked[:60] if asked and selected is None else "",
        responsibilities=shown,
        responsibilities_status=status,
        essential_knowledge=[k for k in knowledge if k.level == Level.ESSENTIAL],
        useful_knowledge=[k for k in knowledge if k.level != Level.ESSENTIAL],
        sources=role.cited_sources(),
        other_roles=list(Role.objects.exclude(pk=role.pk)),
        nav="roles",
    )
    response = render_page(request, "catalog/role_detail.html", context, partial="responsibilities")
    if request.htmx and "function" in request.GET and not asked:
        # "All functions" from the filter form: show the plain address, not "?function=".
        push_url(response, role.get_absolute_url())
    return response


@require_safe
@catalog_conditional
def role_move(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """Moving from role `a` to role `b`; a renamed role's old slug 301s, and a move nobody has
    written is a 404 that lists the moves that are written."""
    move = RoleMove.objects.with_page().filter(from_role__slug=a, to_role__slug=b).first()
    if move is None:
        renamed = Role.objects.renamed([a, b])
        if renamed:
            moved = [renamed.get(a, a), renamed.get(b, b)]
            return redirect_keeping_query(request, reverse("catalog:role-move", args=moved))
        return move_not_found(request, a, b)
    old, new = move.from_role, move.to_role
    context = page_context(
        request,
        title=f"From {old.name.lower()} to {new.name.lower()}",
        description=move.summary,
        move=move,
        knowledge_areas=list(move.knowledge_areas.all()),
        certifications=list(move.certifications.all()),
        anti_patterns=list(move.anti_patterns.all()),
        ladders=[(old, list(old.levels.all())), (new, list(new.levels.all()))],
        reverse_move=RoleMove.objects.filter(from_role=new, to_role=old).first(),
        nav="roles",
    )
    return TemplateResponse(request, "catalog/role_move.html", context)


def move_not_found(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """A helpful 404: what is known about the two roles, and every move that is written."""
    roles = {role.slug: role for role in Role.objects.filter(slug__in=[a, b])}
    context = page_context(
        request,
        title="No such move between roles",
        description="This move between roles is not written. Pick one that is.",
        asked=[roles.get(a) or a[:60], roles.get(b) or b[:60]],
        both_known=len(roles) == 2 and a != b,
        moves=list(RoleMove.objects.select_related("from_role", "to_role")),
        nav="roles",
    )
    return TemplateResponse(request, "catalog/role_move.html", context, status=404)


# --- search -----------------------------------------------------------------------------------

SEARCH_LIMIT = 50  # results on the page
LIVE_LIMIT = 7  # suggestions in the header, plus "all results"


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@catalog_conditional
def search(request: HtmxHttpRequest) -> TemplateResponse:
    query, shortened = clean_query(request.GET.get("q", ""))
    results = search_catalog(query)
    live = request.htmx and request.htmx.target == "live-results"
    context = page_context(
        request,
        title=f"Search: {query}" if query else "Search",
        description="Search roles, responsibilities, knowledge and shared activities.",
        query=query,
        results=results,
        hits=results.hits[:SEARCH_LIMIT],
        more=len(results) > SEARCH_LIMIT,
        total=len(results),
        shortened=shortened,
        suggestions=results.hits[:LIVE_LIMIT] if live else [],
        all_roles=Role.objects.all(),
    )
    if live:
        return TemplateResponse(request, "catalog/search.html#live-results", context)
    return render_page(request, "catalog/search.html", context, partial="results")


# --- sources ----------------------------------------------------------------------------------


# How the sources page names a group of citing items where the model's plural would not do;
# any other cited model is listed under its plural.
CITING_GROUPS = {
    "trait": "At a glance",
    "role_knowledge": "Knowledge",
    "involvement": "Lifecycle involvement",
    "collaboration": "Shared activities",
    "contribution": "Parts in shared activities",
    "pairing": "Comparisons",
}


def citations(source: Source) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """What cites a source and where in it (`Source.cited_by`), grouped by kind in the order of
    the models: (group, [(label, url, locator)]), sorted by label; an empty url: no page."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for cited in source.cited_by():
        plural = type(cited.item)._meta.verbose_name_plural
        group = CITING_GROUPS.get(cited.kind) or capfirst(plural)
        label = cited.title
        if cited.role not in (None, cited.item):
            label = f"{cited.role.label}: {label}"
        groups.setdefault(group, []).append((label, cited.path or "", cited.locator))
    return [(group, sorted(items)) for group, items in groups.items()]


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
    "levels": "levels_swap",
}


def comparison_response(
    request: HtmxHttpRequest, roles: list[Role], choices: Iterable[Role] | None = None
) -> TemplateResponse:
    """The comparison page of `roles` (two to four, in column order), or the partial its HTMX
    control targets. A role named twice gets the pickers and a word on why there is nothing to
    compare. `choices` (the roles the pickers offer) are read only if the response draws them."""
    if choices is None:
        choices = Role.objects.only("slug", "name", "order")
    slugs = [role.slug for role in roles]
    distinct = list({role.pk: role for role in roles}.values())
    form = CompareForm(initial=picked(r.slug for r in distinct), roles=choices)
    canonical = request.build_absolute_uri(reverse("catalog:compare", args=slugs))
    if len(distinct) < len(roles):
        twice = next(role for i, role in enumerate(roles) if role in roles[:i])
        if len(roles) == 2:
            title = f"{twice.name} compared with itself"
            message = f"You are comparing {twice.name} with itself"
        else:
            title = f"{twice.name} picked twice"
            message = f"You picked {twice.name} twice"
        context = page_context(
            request,
            title=title,
            description=f"{title}. Pick different roles to see how they differ.",
            canonical_url=canonical,
            same_role=twice,
            repeated_message=message,
            form=form,
            nav="compare",
        )
    else:
        comparison = Comparison(
            *roles,
            function=request.GET.get("function"),
            diff=request.GET.get("diff") == "1",
            levels=request.GET.getlist("level"),
        )
        summaries = " ".join(f"{role.name}: {role.summary}" for role in roles)
        context = page_context(
            request,
            title=comparison.title,
            description=(
                f"{comparison.names} side by side: what each does and must know, where "
                f"they overlap, and how they work together. {summaries}"
            ),
            canonical_url=canonical,
            card=reverse("catalog:card-compare", args=slugs),
            card_alt=f"{comparison.title}, side by side",
            comparison=comparison,
            form=form,
            nav="compare",
        )
    target = request.htmx.target if request.htmx else None
    if "comparison" in context:
        comparison = context["comparison"]
        # Details open when asked for: printing everything, a filter in the address, or a
        # filter control that swaps them in (the reader is working in them).
        context["expanded"] = (
            context["print_all"]
            or comparison.diff
            or bool(comparison.function)
            or target in {"details", "responsibilities"}
        )
        # The rungs side by side open with the details, and once chosen (in the address or by
        # the chooser's swap).
        context["levels_open"] = (
            context["expanded"] or bool(comparison.levels) or target == "levels"
        )
    partial = (
        COMPARE_PARTIALS.get(target, "comparison") if "comparison" in context else "comparison"
    )
    return render_page(request, "catalog/compare.html", context, partial=partial)


def picker_page(
    request: HtmxHttpRequest,
    form: CompareForm,
    roles: list[Role],
    *,
    problem: str = "",
    status: int = 200,
) -> TemplateResponse:
    """The role pickers on a page of their own, with `problem` said first when there is one."""
    context = page_context(
        request,
        title="Compare roles" if not problem else "That comparison could not be shown",
        description="Pick two to four roles to see them side by side: what each does and must "
        "know, where they overlap, and how they work together.",
        form=form,
        roles=roles,
        problem=problem,
        max_roles=MAX_ROLES,
        nav="compare",
    )
    return TemplateResponse(request, "catalog/compare_start.html", context, status=status)


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@catalog_conditional
def compare_start(request: HtmxHttpRequest) -> HttpResponse:
    """The role pickers; with ?a=&b= (and c, d) a redirect to the comparison's own URL."""
    roles = list(Role.objects.only("slug", "name", "order"))
    asked = any(name in request.GET for name in PICKS)
    form = CompareForm(request.GET if asked else None, roles=roles)
    if asked and form.is_valid():
        url = reverse("catalog:compare", args=form.picks)
        if request.htmx and not request.htmx.history_restore_request:
            # The picker swaps the comparison in place: answer with it, and have htmx show
            # the comparison's own URL rather than this form address.
            chosen = Role.objects.for_comparison(*form.picks)
            if len(chosen) == len(form.picks):
                return push_url(comparison_response(request, chosen, choices=roles), url)
        return HttpResponseRedirect(url)
    if asked and request.htmx:
        # A stale picker (a role renamed or removed since the page loaded): the page with the
        # form's errors is a whole page, not a region to swap in, so load it as one.
        return HttpResponseClientRedirect(request.get_full_path())
    if not asked:
        form.initial = picked(role.slug for role in roles[:2])
    # An unusable pick answers 200 with the form and its errors (and noindex), not 400: it is a
    # person's typo to correct, and a 400 page logs an error in the browser's console.
    problem = "Pick two to four different roles from the lists below." if form.errors else ""
    return picker_page(request, form, roles, problem=problem)


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
@catalog_conditional
def compare(
    request: HtmxHttpRequest, a: str, b: str, c: str | None = None, d: str | None = None
) -> HttpResponse:
    slugs = [slug for slug in (a, b, c, d) if slug is not None]
    found = Role.objects.resolve(*slugs)
    if found.moved:  # a renamed role anywhere: 301 to the comparison's current address
        return redirect_keeping_query(request, reverse("catalog:compare", args=found.moved))
    if not found.unknown:
        return comparison_response(request, found.roles)
    roles = list(Role.objects.only("slug", "name", "order"))
    form = CompareForm(initial=picked(dict.fromkeys(r.slug for r in found.roles)), roles=roles)
    names = " or ".join(f"“{slug[:60]}”" for slug in found.unknown)
    problem = f"There is no role called {names}. Pick the roles to compare from the lists below."
    return picker_page(request, form, roles, problem=problem, status=404)


@require_safe
@vary_on_headers("HX-Request", "HX-Target")
def compare_too_many(request: HtmxHttpRequest, slugs: str) -> HttpResponse:
    """Five or more roles in the address: the pickers, holding the first four roles it names."""
    asked = slugs.split("/vs/")
    roles = list(Role.objects.only("slug", "name", "order"))
    known = {role.slug for role in roles}
    picks = [slug for slug in dict.fromkeys(asked) if slug in known][:MAX_ROLES]
    form = CompareForm(initial=picked(picks), roles=roles)
    problem = (
        f"A comparison shows two to {MAX_ROLES} roles side by side, and this address names "
        f"{len(asked)}. Pick up to {MAX_ROLES} below."
    )
    return picker_page(request, form, roles, problem=problem, status=400)


@require_safe
@vary_on_headers("HX-Request")
@catalog_conditional
def collaboration(request: HtmxHttpRequest) -> TemplateResponse:
    matrix = RaciMatrix(
        Collaboration.objects.with_contributions().with_responsibilities(),
        roles=request.GET.getlist("role"),
    )
    context = page_context(
        request,
        title="Who does what: shared activities and RACI",
        description="Every shared activity as a RACI grid: which role is Responsible, "
        "Accountable, Consulted or Informed, and what each one does.",
        matrix=matrix,
        raci=[(letter, letter.label, RACI_MEANINGS[letter]) for letter in Raci],
        nav="collaboration",
    )
    return render_page(request, "catalog/collaboration.html", context, partial="matrix")


# --- link-preview cards -------------------------------------------------------------------------


def png_response(image: bytes) -> HttpResponse:
    return HttpResponse(image, content_type="image/png")


@require_safe
@catalog_conditional
def card_home(request: HttpRequest) -> HttpResponse:
    return png_response(cards.home_card(list(Role.objects.all())))


@require_safe
@catalog_conditional
def card_role(request: HttpRequest, slug: str) -> HttpResponse:
    role = Role.objects.with_cards().filter(slug=slug).first()
    if role is None:
        raise Http404("No role has this address.")
    return png_response(cards.role_card(role))


@require_safe
@catalog_conditional
def card_compare(
    request: HttpRequest, a: str, b: str, c: str | None = None, d: str | None = None
) -> HttpResponse:
    slugs = [slug for slug in (a, b, c, d) if slug is not None]
    roles = {role.slug: role for role in Role.objects.with_cards().filter(slug__in=slugs)}
    if len(set(slugs)) < len(slugs) or len(roles) != len(slugs):
        raise Http404("No comparison has this address.")
    return png_response(cards.comparison_card([roles[slug] for slug in slugs]))
