"""The page store's writer and keeper (roles_site.pagestore), without a server: which answers are
written, under which names, and how the keeper moves `current` from version to version. Served
through nginx in tests/test_proxy.py."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from catalog.conditional import RENDER_VERSION, request_version
from roles_site.pagestore import (
    CURRENT,
    HEADERS_FILE,
    ROUTES,
    STAMP_FILE,
    Keeper,
    PageStore,
    eligible,
    file_stem,
    generation_name,
    own_headers,
    route_profile,
)
from roles_site.serve import (
    STATIC_FALLBACK,
    STORE_KEY,
    nginx_quoted,
    static_fields,
    static_headers,
    store_fields,
    store_patterns,
)

HOST = "127.0.0.1:8123"
ROLE = "/roles/product-manager/"


@pytest.fixture
def web(seed_catalog) -> Client:
    return Client(HTTP_HOST=HOST)


@pytest.fixture
def store(tmp_path: Path, web: Client) -> PageStore:
    """A store whose expected headers are those of a page and an API answer, like serve.py's,
    with the current version's generation made, like the keeper's."""
    samples = {"html": own_headers(web.get("/")), "json": own_headers(web.get("/api/v1/roles/"))}
    (tmp_path / HEADERS_FILE).write_text(json.dumps(samples))
    token = request_version(web.get("/").wsgi_request).token
    generation = tmp_path / generation_name(token)
    generation.mkdir()
    (generation / STAMP_FILE).write_text("1700000000")
    return PageStore(tmp_path, budget=10_000_000)


def kept(store: PageStore) -> list[str]:
    return sorted(
        str(path.relative_to(store.root)).split("/", 1)[1]
        for path in store.root.glob("gen-*/**/index.*")
        if path.is_file()
    )


def keep(web: Client, store: PageStore, path: str, **headers) -> None:
    response = web.get(path, **headers)
    store.keep(response.wsgi_request, response)


def test_a_page_is_written_identity_and_gzip_with_the_version_time(web, store) -> None:
    response = web.get(ROLE, HTTP_ACCEPT_ENCODING="gzip")
    store.keep(response.wsgi_request, response)
    name = f"http/{HOST}{ROLE}index.page.q-.h.html"
    assert kept(store) == [name, f"{name}.gz"]
    (file,) = store.root.glob(f"gen-*/{name}")
    assert gzip.decompress(Path(f"{file}.gz").read_bytes()) == file.read_bytes()
    assert file.read_bytes() == gzip.decompress(response.content)
    assert Path(f"{file}.gz").read_bytes() == response.content  # what Django sent
    assert os.stat(file).st_mtime == 1700000000


def test_names_hold_query_representation_and_vary(web, store) -> None:
    keep(web, store, "/search/?q=roadmap")
    keep(web, store, "/api/v1/roles/")
    partial = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "comparison"}
    keep(web, store, "/compare/product-manager/vs/project-manager/?diff=1", **partial)
    restore = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    keep(web, store, "/", **restore)
    assert [name for name in kept(store) if not name.endswith(".gz")] == [
        f"http/{HOST}/api/v1/roles/index.page.q-.a.json",
        f"http/{HOST}/compare/product-manager/vs/project-manager/"
        "index.hx-comparison.q-diff=1.t.html",
        f"http/{HOST}/index.page.q-.h.html",
        f"http/{HOST}/search/index.page.q-q=roadmap.t.html",
    ]


# Every kind of public answer, by route.
PUBLIC = [
    "/",
    "/roles/",
    ROLE,
    "/compare/",
    "/compare/product-manager/vs/project-manager/",
    "/collaboration/",
    "/search/?q=roadmap",
    "/sources/",
    "/changes/",
    "/api/v1/",
    "/api/v1/roles/",
    "/api/v1/roles/product-manager/",
    "/api/v1/compare/product-manager/vs/project-manager/",
]


@pytest.mark.parametrize("path", PUBLIC)
def test_each_public_answer_has_its_routes_profile_and_is_written(web, store, path) -> None:
    """nginx looks under each route for one profile's name only (ROUTES): an answer of another
    profile would never be served from the store. A view that changes its Vary fails here."""
    keep(web, store, path)
    assert [name.rsplit(".", 2)[-2:] for name in kept(store) if not name.endswith(".gz")] == [
        route_profile(path).split(".")[1:]
    ]


def test_an_answer_of_another_profile_than_its_route_is_not_written(
    web, store, monkeypatch
) -> None:
    """If nginx looked under /changes/ for answers that vary on HX-Target too, the change log
    (which varies on Accept-Encoding only) would not be written: nginx would never serve it."""
    monkeypatch.setitem(ROUTES, "/changes/", ".t.html")
    keep(web, store, "/changes/")
    assert kept(store) == []


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/roles/no-such-role/", {}),  # an error
        ("/api/v1/roles/?bogus=1", {}),  # a 400
        ("/admin/login/", {}),  # private, sets a cookie
        ("/healthz", {}),
        ("/search/?q=road/map", {}),  # a query string nginx would not name
        ("/search/?q=roadmap", {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "a b"}),
        ("/", {"HTTP_HOST": "LOCALHOST"}),  # a Host nginx would not name
    ],
)
def test_answers_nginx_must_not_serve_are_not_written(web, store, path, headers) -> None:
    keep(web, store, path, **headers)
    assert kept(store) == []


def test_only_a_get_answer_that_anyone_may_be_given_is_eligible(web) -> None:
    response = web.get(ROLE)
    assert eligible(response.wsgi_request, response)
    head = web.head(ROLE)
    assert not eligible(head.wsgi_request, head)
    response.set_cookie("visitor", "1")
    assert not eligible(response.wsgi_request, response)
    other = web.get(ROLE)
    other["Vary"] = "Cookie"
    assert not eligible(other.wsgi_request, other)
    request = RequestFactory().get("/roles/", HTTP_HOST=HOST)
    assert file_stem(request) == f"http/{HOST}/roles/index.page.q-"
    for path in ("//roles/", "/roles/../admin/", "/roles/.hidden/", "/roles"):
        request.path = path
        assert file_stem(request) is None, path
    request.path = "/roles/"
    for host in ("..", ".", "a..b", ".example.com", "Example.com", "a/b", ""):
        request.META["HTTP_HOST"] = host
        assert file_stem(request) is None, host


def test_an_answer_with_other_headers_than_the_sample_is_not_written(web, store) -> None:
    response = web.get(ROLE)
    response["X-Frame-Options"] = "SAMEORIGIN"  # nginx would send DENY
    store.keep(response.wsgi_request, response)
    assert kept(store) == []


def test_nothing_is_written_without_its_generation_or_beyond_the_budget(web, store) -> None:
    for generation in store.root.glob("gen-*"):
        (generation / STAMP_FILE).unlink()
        generation.rmdir()
    keep(web, store, ROLE)
    assert not list(store.root.glob("gen-*"))  # not made again by the writer
    assert kept(store) == []


def test_the_budget_bounds_what_one_process_writes(web, store) -> None:
    store.budget = len(web.get("/").content) * 2
    keep(web, store, "/")
    keep(web, store, ROLE)
    assert [name for name in kept(store) if not name.endswith(".gz")] == [
        f"http/{HOST}/index.page.q-.h.html"
    ]


def test_the_keeper_switches_current_and_removes_older_generations(tmp_path: Path) -> None:
    versions = [("1.100.5", 100.5)]
    keeper = Keeper(tmp_path / "pages", lambda: versions[-1])
    keeper.start_fresh()
    assert keeper.tick(now=200)
    first = tmp_path / "pages" / f"gen-{RENDER_VERSION}-1.100.5"
    assert (tmp_path / "pages" / CURRENT).resolve() == first
    assert (first / STAMP_FILE).read_text() == "100"
    assert not keeper.tick(now=200)  # the same version: nothing to do

    versions.append(("2.100.9", 100.9))  # the same second: one later, so no ETag repeats
    assert keeper.tick(now=200)
    second = tmp_path / "pages" / f"gen-{RENDER_VERSION}-2.100.9"
    assert (tmp_path / "pages" / CURRENT).resolve() == second
    assert (second / STAMP_FILE).read_text() == "101"
    assert not first.exists()
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == [CURRENT, second.name]

    versions.append(("3.101.2", 101.2))  # would be 102, still the future at 101.5: wait
    assert not keeper.tick(now=101.5)
    assert (tmp_path / "pages" / CURRENT).resolve() == second
    assert keeper.tick(now=102.1)
    assert (tmp_path / "pages" / CURRENT).resolve().name.endswith("-3.101.2")


def test_the_keeper_survives_a_database_error(tmp_path: Path) -> None:
    calls = []

    def failing() -> tuple[str, float]:
        calls.append(1)
        keeper.stopped.set()
        raise OSError("database away")

    keeper = Keeper(tmp_path / "pages", failing)
    keeper.start_fresh()
    keeper.run()  # logs and carries on until stopped
    assert calls == [1]
    assert not (tmp_path / "pages" / CURRENT).exists()


def test_nginx_serves_one_name_per_route_with_its_headers_as_constants() -> None:
    headers = {
        "html": {"Cache-Control": "public", "Content-Security-Policy": "default-src 'none'"},
        "json": {"Cache-Control": "public", "Access-Control-Allow-Origin": "*"},
    }
    pages = store_fields(Path("/store"), headers)["@STORE_PAGES@"]
    # `location /` itself, then one nested location for each other route, in ROUTES's order.
    blocks = pages.split("\n\n")
    assert [block.split()[1] for block in blocks[1:]] == sorted(ROUTES)[1:]
    for prefix, block in zip(sorted(ROUTES), blocks, strict=True):
        lines = [line.strip() for line in block.splitlines()]
        rewrite = next(line for line in lines if line.startswith("rewrite "))
        assert rewrite.endswith(f"{ROUTES[prefix]} break;"), prefix
        adds = [line for line in lines if line.startswith("add_header ")]
        if ROUTES[prefix] == ".a.json":
            assert adds == [
                'add_header Vary "Accept-Encoding";',
                'add_header Cache-Control "public";',
                'add_header Access-Control-Allow-Origin "*";',
                "add_header X-Cache STORE;",
            ]
        else:
            assert adds[1:] == [
                'add_header Cache-Control "public";',
                "add_header Content-Security-Policy \"default-src 'none'\";",
                "add_header X-Cache STORE;",
            ], prefix
        assert "$" not in " ".join(adds)  # no map looked up per request
        # Each route decides first (a nested location inherits no "if"): the file for each
        # representation, else Django.
        start = 1 if prefix != "/" else 0
        decide = lines[start : start + 8]
        assert decide[0] == f'set $store_key "{STORE_KEY}";', prefix
        assert [line.split(" ~ ")[0] for line in decide[1::3][:2]] == ["if ($store_key"] * 2
        assert [line.split()[2].rsplit(".q-", 1)[0] for line in decide[2::3][:2]] == [
            "/$scheme/$http_host${store_p}index.page",
            "/$scheme/$http_host${store_p}index.hx-$store_t",
        ], prefix
        assert decide[7] == "return 418;", prefix
    off = store_fields(Path("/store"), None)  # the store off: every request goes to Django
    assert off["@STORE_PAGES@"].split() == ["return", "418;", "#", "the", "store", "is", "off"]
    assert nginx_quoted("a $b") is None


def test_static_files_get_djangos_headers_or_nosniff_if_it_cannot_be_asked(tmp_path: Path) -> None:
    # Served through nginx and held against whitenoise's own answer in tests/test_proxy.py.
    assert static_headers(tmp_path) == STATIC_FALLBACK == {"X-Content-Type-Options": "nosniff"}
    fields = static_fields({"Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"})
    for field in ("@STATIC_HEADERS@", "@STATIC_HEADERS_NESTED@"):
        assert [line.strip() for line in fields[field].splitlines()] == [
            'add_header Referrer-Policy "same-origin";',
            'add_header X-Content-Type-Options "nosniff";',
        ]


def nginx_key(method="GET", host=HOST, uri=ROLE, htmx="", restore="", target="", precondition=""):
    """STORE_KEY as nginx fills it in for such a request."""
    return f"{htmx}|{restore}|{target}|{method}|{precondition}|{host}|{uri}"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (nginx_key(), ("page", "/roles/product-manager/", None, None)),
        (nginx_key(uri="/search/?q=roadmap"), ("page", "/search/", "q=roadmap", None)),
        (nginx_key(method="HEAD"), ("page", ROLE, None, None)),
        (nginx_key(htmx="true", target="comparison"), ("hx", ROLE, None, "comparison")),
        (nginx_key(htmx="true"), ("hx", ROLE, None, "")),
        # django-htmx's rules: an htmx history restore is the page; "TRUE" is not htmx.
        (nginx_key(htmx="true", restore="true", target="main"), ("page", ROLE, None, None)),
        (nginx_key(htmx="TRUE", target="main"), ("page", ROLE, None, None)),
        # Django's to answer: another method, a precondition, a Host, path, query or target
        # nginx would not name, or a header value that would shift the fields.
        (nginx_key(method="POST"), None),
        (nginx_key(precondition='"x"'), None),
        (nginx_key(host="LOCALHOST"), None),
        (nginx_key(host=".."), None),
        (nginx_key(uri="//roles/product-manager/"), None),
        (nginx_key(uri="/a/../b/"), None),
        (nginx_key(uri="/search/?q=road/map"), None),
        (nginx_key(htmx="true", target="a b"), None),
        (nginx_key(htmx="true|true", target="main"), None),
    ],
)
def test_nginx_decides_the_representation_as_django_names_it(key, expected) -> None:
    """store_patterns, read as Python reads them (nginx's PCRE spells a named group "(?<"): what
    nginx would serve each request from the store, or None for Django."""
    matches = []
    for representation, pattern in store_patterns().items():
        match = re.fullmatch(pattern.replace("(?<", "(?P<"), key)
        if match:
            groups = match.groupdict()
            kind = representation.split("-")[0]
            matches.append((kind, groups["store_p"], groups["store_q"], groups.get("store_t")))
    assert len(matches) <= 1, key  # the expressions exclude each other
    assert (matches[0] if matches else None) == expected
