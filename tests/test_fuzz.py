"""Fuzz every URL pattern: unknown slugs, very long and non-ASCII input, junk query parameters,
HTMX and conditional-GET headers, as a visitor and as an editor. Never a 500.

The URL list comes from the resolver (the site, the catalog pages, the API, the admin), and the
query parameter names from what the views read, so new pages and parameters are fuzzed too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.models import Collaboration, Role, Source
from tests.factories import make_team

BASE_DIR = Path(__file__).resolve().parent.parent
ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Pattern:
    """A URL pattern as a list of literal strings and parameters (converter name or regex)."""

    parts: tuple[tuple[str, str], ...]  # ("text", literal) | ("converter", name) | ("regex", re)
    name: str

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin")

    def __str__(self) -> str:
        return "".join(value if kind == "text" else f"<{value}>" for kind, value in self.parts)


def route_parts(pattern) -> list[tuple[str, str]]:
    if isinstance(pattern, RoutePattern):
        route, parts, position = str(pattern._route), [], 0
        for match in ROUTE_PART.finditer(route):
            parts.append(("text", route[position : match.start()]))
            parts.append(("converter", match["converter"] or "str"))
            position = match.end()
        parts.append(("text", route[position:]))
        return [part for part in parts if part != ("text", "")]
    assert isinstance(pattern, RegexPattern)
    return [("regex", pattern._regex)]


def all_patterns(patterns=None, prefix=(), names=()) -> list[Pattern]:
    found = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        parts = (*prefix, *route_parts(entry.pattern))
        label = (*names, entry.namespace or "") if isinstance(entry, URLResolver) else names
        if isinstance(entry, URLResolver):
            found += all_patterns(entry.url_patterns, parts, label)
        elif isinstance(entry, URLPattern):
            found.append(Pattern(parts, ":".join(filter(None, (*label, entry.name or "")))))
    return found


def query_parameter_names() -> list[str]:
    """Every name the project's code reads from request.GET, plus the admin's own."""
    names = {"q", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters", "format"}
    read = re.compile(r"GET(?:\.get|\.getlist|\.__getitem__)?[\[(]\s*[\"']([^\"']+)[\"']")
    for folder in ("catalog", "roles_site"):
        for path in (BASE_DIR / folder).rglob("*.py"):
            names.update(read.findall(path.read_text()))
    return sorted(names)


PATTERNS = all_patterns()
PUBLIC = [p for p in PATTERNS if not p.is_admin]
ADMIN = [p for p in PATTERNS if p.is_admin]
PARAMETERS = query_parameter_names()
KNOWN = ["product-manager", "project-manager", "strategy-to-execution", "1", "2"]

any_text = st.text(max_size=40)
non_ascii = st.text(
    st.characters(min_codepoint=0x80, max_codepoint=0x2FFFF, exclude_categories=["Cs"]), min_size=1
)
long_text = st.sampled_from(["a" * 3000, "é" * 2000, "-" * 5000, "%" * 1000])
slugish = st.from_regex(r"[-a-zA-Z0-9_]{1,80}", fullmatch=True)
value = st.one_of(st.sampled_from(KNOWN), slugish, any_text, non_ascii, long_text)
junk = st.sampled_from(["%", "%ZZ", "%C3", "%00", "%FF%FE", "\\", "..", "../..", "<script>"])


def segment(kind: str, spec: str):
    if kind == "regex":
        return st.from_regex(spec, fullmatch=True).map(lambda text: quote(text, safe="/"))
    if spec == "int":
        return st.integers(min_value=-1, max_value=10**30).map(str)
    safe = "/" if spec == "path" else ""
    return st.one_of(value.map(lambda text: quote(text, safe=safe)), junk)


@st.composite
def urls(draw, patterns: list[Pattern]) -> str:
    pattern = draw(st.sampled_from(patterns))
    path = "/" + "".join(
        value if kind == "text" else draw(segment(kind, value)) for kind, value in pattern.parts
    )
    pairs = draw(
        st.lists(
            st.tuples(
                st.one_of(st.sampled_from(PARAMETERS), any_text.map(quote)),
                st.one_of(value.map(quote), junk),
            ),
            max_size=4,
        )
    )
    return path + ("?" + "&".join(f"{k}={v}" for k, v in pairs) if pairs else "")


header_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)
headers = st.fixed_dictionaries(
    {},
    optional={
        "HX-Request": st.sampled_from(["true", "false", ""]),
        "HX-Target": header_text,
        "HX-Trigger": header_text,
        "HX-Current-URL": header_text,
        "HX-History-Restore-Request": st.just("true"),
        "HX-Boosted": st.just("true"),
        "If-None-Match": st.one_of(header_text, st.just("*"), st.just('"c1-r1-page"')),
        "If-Modified-Since": st.one_of(header_text, st.just("Thu, 01 Jan 2099 00:00:00 GMT")),
        "Accept": st.sampled_from(["application/json", "text/html", "*/*", ""]),
        "Accept-Language": header_text,
    },
)


@pytest.fixture
def clients(seed_catalog) -> dict[str, Client]:
    editor = get_user_model().objects.create_superuser("fuzz", "fuzz@example.com", "pw-fuzz-1234")
    signed_in = Client()
    signed_in.force_login(editor)
    return {"visitor": Client(enforce_csrf_checks=True), "editor": signed_in}


def assert_no_server_error(client: Client, method: str, url: str, extra: dict) -> None:
    response = getattr(client, method)(url, headers=extra)
    assert response.status_code < 500, f"{method.upper()} {url} {extra}: {response.status_code}"


def test_the_resolver_yields_every_kind_of_url() -> None:
    names = {p.name for p in PATTERNS}
    assert {"catalog:home", "catalog:role-detail", "catalog:compare", "catalog:search"} <= names
    assert "healthz" in names
    assert any(p.is_admin for p in PATTERNS)


@pytest.mark.django_db
def test_every_pattern_with_real_and_unknown_values_is_never_a_500(clients) -> None:
    role, source = Role.objects.first(), Source.objects.first()
    collaboration = Collaboration.objects.first()
    team, key = make_team(["product-manager", "project-manager"])
    real = {
        **{"int": str(role.pk), "path": str(role.pk), "slug": role.slug, "str": source.slug},
        **{"team": team.public_id, "key": key},
    }
    if collaboration:
        KNOWN.append(collaboration.slug)
    unknown = {
        **{"int": "999999", "path": "no-such-id", "slug": "nope", "str": "nope"},
        **{"team": "n" * 22, "key": "k" * 32},
    }
    for pattern in PATTERNS:
        kinds = {kind for kind, _ in pattern.parts}
        if "regex" in kinds:
            continue  # covered by the property test below
        # A URL without parameters is the same URL with either set of values: asked once.
        for values in (real, unknown) if "converter" in kinds else (real,):
            url = "/" + "".join(v if k == "text" else values[v] for k, v in pattern.parts)
            if pattern.is_admin:  # a visitor only ever gets the login redirect there
                assert_no_server_error(clients["editor"], "get", url, {})
                continue
            for who in ("visitor", "editor"):
                for extra in ({}, {"HX-Request": "true"}):
                    assert_no_server_error(clients[who], "get", url, extra)


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db
@FUZZ
@given(url=urls(PUBLIC), extra=headers, method=st.sampled_from(["get", "get", "head", "post"]))
def test_fuzzed_public_urls_are_never_a_500(clients, url: str, extra: dict, method: str) -> None:
    assert_no_server_error(clients["visitor"], method, url, extra)


@pytest.mark.django_db
@settings(FUZZ, max_examples=80)
@given(url=urls(ADMIN + PUBLIC), extra=headers, who=st.sampled_from(["visitor", "editor"]))
# Found by this test once; kept so they are tried on every run.
@example(url="/admin/catalog/role/1/history/:/", extra={}, who="editor")
@example(url="/admin/catalog/roleslugredirect/add/?role=product-manager", extra={}, who="editor")
def test_fuzzed_admin_and_pages_as_an_editor_are_never_a_500(
    clients, url: str, extra: dict, who: str
) -> None:
    assert_no_server_error(clients[who], "get", url, extra)
