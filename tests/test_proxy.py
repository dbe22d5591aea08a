"""`make serve` behind nginx: slow clients cannot take the site down, public answers are kept by
the proxy and then served by nginx as files (the page store, roles_site.pagestore) with nginx's
own validators, and an edit shows through the proxy within the stated bound.

These start the real server (python -m roles_site.serve, what `make serve` runs). They need
nginx: skipped where it is not installed, required in CI (ROLES_REQUIRE_NGINX=1, .ci/run).
"""

from __future__ import annotations

import gzip
import os
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.server import BASE_DIR, Client, Response, Server, free_port, server_env

REQUIRE_NGINX = os.environ.get("ROLES_REQUIRE_NGINX") == "1"
# An edit is visible through the proxy within this many seconds (README, "Production").
EDIT_VISIBLE_WITHIN = 5.0
ROLE = "/roles/product-manager/"
pytestmark = pytest.mark.servers


def need_nginx() -> None:
    if shutil.which("nginx") is None:
        if REQUIRE_NGINX:
            pytest.fail("ROLES_REQUIRE_NGINX=1 but nginx is not installed")
        pytest.skip("nginx is not installed")


@pytest.fixture(scope="module")
def served(tmp_path_factory, loaded_database_file) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("served")
    # gunicorn on loopback too: Django's own answers, to hold the stored ones against.
    env = nginx_env(folder, loaded_database_file, WEB_CONCURRENCY="2", UPSTREAM_PORT=free_port())
    with Server(env, folder / "server.log") as server:
        yield server


def nginx_env(folder: Path, loaded_database_file: Path, **settings) -> dict[str, str]:
    """`make serve` with nginx, on a copy of the loaded catalog (tests/conftest.py: the server
    starts in a second, not ten), its runtime folder in `folder`."""
    need_nginx()
    database = folder / "served.sqlite3"
    with sqlite3.connect(loaded_database_file) as source, sqlite3.connect(database) as target:
        source.backup(target)
    return server_env(
        DJANGO_SQLITE_NAME=str(database),
        SERVE_PROXY="nginx",
        SERVE_RUNTIME_DIR=str(folder / "runtime"),
        **{name: str(value) for name, value in settings.items()},
    )


def django_get(server: Server, path: str, headers: dict | None = None) -> Response:
    """Django's answer (gunicorn, no nginx) to what a visitor asks the proxy."""
    upstream = Client(int(server.env["UPSTREAM_PORT"]))
    return upstream.get(path, headers={"Host": f"127.0.0.1:{server.port}", **(headers or {})})


def stored(client: Client, path: str, headers: dict | None = None) -> Response:
    """The proxy's answer once it comes from the page store: Django's first answer writes the
    file, and nginx looks for it again within a second (each nginx worker on its own)."""
    start = time.monotonic()
    while (response := client.get(path, headers=headers)).headers.get("X-Cache") != "STORE":
        assert time.monotonic() - start < 5, (path, headers, response.headers.get("X-Cache"))
        time.sleep(0.1)
    return response


def stored_files(server: Server) -> list[str]:
    pages = Path(server.env["SERVE_RUNTIME_DIR"]) / "pages" / "current"
    return sorted(str(p.relative_to(pages)) for p in pages.rglob("index.*"))


def shell(server: Server, code: str) -> None:
    """Run `code` in another process on the server's database, like an editor elsewhere."""
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=server.env,
        check=True,
        capture_output=True,
    )


def timed_get(port: int, path: str) -> tuple[float, int]:
    start = time.monotonic()
    try:
        status = Client(port, timeout=5).get(path).status
    except OSError:
        status = 0
    return time.monotonic() - start, status


def closed_by_nginx(sock: socket.socket) -> bool:
    """Whether nginx has closed this connection (its FIN is waiting to be read)."""
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable) and sock.recv(1) == b""


def test_slow_clients_do_not_delay_a_normal_visitor(served: Server) -> None:
    """200 connections each sending one header line every 2 s, for 20 s; nginx drops each once
    its client_header_timeout (10 s, deploy/nginx.conf) runs out, and it is opened again, so 200
    are pending all along."""

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    slow = [connect() for _ in range(200)]
    opened = [time.monotonic()] * len(slow)
    dropped_after: list[float] = []  # how long each dropped connection had trickled
    timings: list[tuple[float, int, str]] = []
    start = time.monotonic()
    next_line = start
    line = 0
    try:
        while time.monotonic() - start < 20:
            if time.monotonic() >= next_line:
                line += 1
                for index, sock in enumerate(slow):
                    try:
                        if closed_by_nginx(sock):
                            raise ConnectionResetError
                        sock.sendall(f"X-Slow-{line}: a\r\n".encode())
                    except OSError:  # nginx dropped it: come back
                        sock.close()
                        dropped_after.append(time.monotonic() - opened[index])
                        slow[index], opened[index] = connect(), time.monotonic()
                next_line += 2
            for path in ("/healthz", ROLE, "/search/?q=roadmap"):
                elapsed, status = timed_get(served.port, path)
                timings.append((elapsed, status, path))
            time.sleep(0.3)
    finally:
        for sock in slow:
            sock.close()
    assert len(timings) >= 30
    assert {status for _, status, _ in timings} == {200}, timings
    worst = max(timings)
    assert worst[0] < 1.0, f"slowest normal request: {worst}"
    # Dropped for the header timeout: not sooner, and not much later (a line every 2 s tells).
    assert len(dropped_after) >= len(slow) / 2, len(dropped_after)
    assert min(dropped_after) > 9 and max(dropped_after) < 14, sorted(dropped_after)


def test_public_answers_are_kept_and_revalidated_by_etag(served: Server) -> None:
    client = Client(served.port)
    for path in (ROLE, "/api/v1/roles/"):
        first = client.get(path)
        assert first.status == 200
        again = client.get(path)
        assert again.headers["X-Cache"] in {"HIT", "STALE", "UPDATING", "REVALIDATED", "STORE"}
        assert again.body == first.body
        # Revalidated by the ETag of the latest answer: the store's replaces Django's once the
        # store takes over (each nginx worker within a second).
        start = time.monotonic()
        while client.get(path, headers={"If-None-Match": again.headers["ETag"]}).status != 304:
            assert time.monotonic() - start < EDIT_VISIBLE_WITHIN, path
            time.sleep(0.1)
            again = client.get(path)
            assert again.body == first.body
    zipped = client.get(ROLE, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    partial = client.get(ROLE, headers={"HX-Request": "true"})
    assert b"<html" not in partial.body and b"<html" in client.get(ROLE).body
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert b"<html" in client.get(ROLE, headers=restore).body
    assert b"<html" in client.get(ROLE, headers={"HX-Request": "TRUE"}).body  # not htmx
    assert b"<html" not in client.get(ROLE, headers={"HX-Request": "true"}).body


def test_errors_cookies_and_the_admin_are_never_kept(served: Server) -> None:
    client = Client(served.port)
    for path in ("/roles/no-such-role/", "/api/v1/roles/?bogus=1", "/admin/login/", "/healthz"):
        statuses = {client.get(path).headers.get("X-Cache") for _ in range(3)}
        assert statuses <= {None, "MISS", "BYPASS", "EXPIRED"}, (path, statuses)
    for header in ("If-None-Match", "If-Match"):
        assert client.get("/roles/no-such-role/", headers={header: "*"}).status == 404
        api = client.get("/api/v1/roles/no-such-role/", headers={header: "*"})
        assert api.status == 404
        assert api.headers["Content-Type"].startswith("application/json")


STORED = [  # one or more under each route of the store (roles_site.pagestore.ROUTES)
    ("/", {}),
    (ROLE, {}),
    ("/changes/", {}),
    ("/api/v1/roles/", {}),
    ("/search/?q=roadmap", {}),
    (
        "/compare/product-manager/vs/project-manager/?diff=1",
        {"HX-Request": "true", "HX-Target": "comparison"},
    ),
]
SAME_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "Vary",
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Expose-Headers",
)


def without_nonces(body: bytes) -> bytes:
    return re.sub(rb' nonce="[^"]*"', b"", body)


@pytest.fixture(scope="module")
def warm(served: Server) -> Server:
    """Every answer of STORED written into the store, and seen there by every nginx worker."""
    client = Client(served.port)
    for path, headers in STORED:
        for encoding in ({}, {"Accept-Encoding": "gzip"}):
            stored(client, path, {**headers, **encoding})
    time.sleep(1.1)  # open_file_cache_valid: a worker that had not found a file looks again
    return served


@pytest.mark.parametrize(("path", "headers"), STORED)
def test_public_answers_are_served_from_the_store_as_django_answered(
    warm: Server, path: str, headers: dict
) -> None:
    served = warm
    client = Client(served.port)
    zipped_headers = {**headers, "Accept-Encoding": "gzip"}
    page, zipped = stored(client, path, headers), stored(client, path, zipped_headers)
    django, django_zipped = (
        django_get(served, path, headers),
        django_get(served, path, zipped_headers),
    )
    assert django.status == page.status == zipped.status == 200
    assert "Content-Encoding" not in page.headers
    assert zipped.headers["Content-Encoding"] == django_zipped.headers["Content-Encoding"] == "gzip"
    # The same bytes (but for the script nonce each render draws; the CSP does not name it).
    assert without_nonces(page.body) == without_nonces(django.body)
    assert gzip.decompress(zipped.body) == page.body
    for name in SAME_HEADERS:
        assert page.headers.get(name) == django.headers.get(name), name
        assert zipped.headers.get(name) == django_zipped.headers.get(name), name
    assert page.headers["Last-Modified"] == django.headers["Last-Modified"]

    head = client.request("HEAD", path, headers=headers)
    assert (head.status, head.body, head.headers["X-Cache"]) == (200, b"", "STORE")
    assert head.headers["Content-Length"] == str(len(page.body))
    for validator in (
        {"If-None-Match": page.headers["ETag"]},
        {"If-Modified-Since": page.headers["Last-Modified"]},
    ):
        repeat = client.get(path, headers={**headers, **validator})
        assert (repeat.status, repeat.body, repeat.headers["X-Cache"]) == (304, b"", "STORE")
        assert repeat.headers["Cache-Control"] == page.headers["Cache-Control"]
    assert client.get(path, headers={**headers, "If-None-Match": '"other"'}).status == 200


def test_what_nginx_must_leave_to_django_is_not_served_from_the_store(warm: Server) -> None:
    served = warm
    client = Client(served.port)
    answers = {
        # Preconditions the store cannot judge: Django's 412, in JSON on the API.
        "if-match": client.get("/api/v1/roles/", headers={"If-Match": '"x"'}),
        "if-unmodified-since": client.get(
            ROLE, headers={"If-Unmodified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
        ),
        # A Host Django does not allow: its 400, in JSON on the API.
        "unknown host": client.get(ROLE, headers={"Host": "evil.example"}),
        "unknown host, api": client.get("/api/v1/roles/", headers={"Host": "evil.example"}),
        "unknown parameter": client.get("/api/v1/roles/?bogus=1"),
        "post": client.request("POST", ROLE, body=b"a=1"),
        "head of an error": client.request("HEAD", "/roles/no-such-role/"),
        "unsafe query": client.get("/search/?q=road/map"),
        "unsafe target": client.get(ROLE, headers={"HX-Request": "true", "HX-Target": "a b"}),
        "double slash": client.get("//roles/product-manager/"),
    }
    for name, response in answers.items():
        assert response.headers.get("X-Cache") != "STORE", name
    assert answers["if-match"].status == 412
    assert answers["if-match"].headers["Content-Type"].startswith("application/json")
    assert answers["if-unmodified-since"].status == 412
    assert answers["unknown host"].status == 400
    assert answers["unknown host, api"].status == 400
    assert answers["unknown host, api"].headers["Content-Type"].startswith("application/json")
    assert answers["unknown parameter"].status == 400
    assert answers["post"].status in {403, 405}
    assert answers["head of an error"].status == 404
    for _ in range(2):  # nothing of these was written
        client.get("/roles/no-such-role/")
        client.get("/healthz")
        client.get("/admin/login/")
        client.get("/search/?q=road/map")
    names = stored_files(served)
    assert not [n for n in names if "no-such-role" in n or "admin" in n or "healthz" in n]
    assert not [n for n in names if "road" in n and "roadmap" not in n]
    assert not [n for n in names if n.startswith("http/evil")]


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("TRACE", "/api/v1/roles/", "GET, HEAD, OPTIONS"),
        ("DELETE", "/api/v1/roles/", "GET, HEAD, OPTIONS"),
        ("TRACE", ROLE, "GET, HEAD"),
        ("TRACE", "/static/staticfiles.json", "GET, HEAD"),
        ("DELETE", "/static/staticfiles.json", "GET, HEAD"),
    ],
)
def test_a_405_through_nginx_names_what_the_path_allows(served, method, path, allowed) -> None:
    response = Client(served.port).request(method, path)
    assert response.status == 405
    assert response.headers["Allow"] == allowed
    if path.startswith("/api/"):
        assert response.json()["error"]["status"] == 405


def test_static_files_are_served_by_nginx_compressed_and_immutable(served: Server) -> None:
    client = Client(served.port)
    hashed = client.get("/static/staticfiles.json").json()["paths"]["admin/css/base.css"]
    response = client.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]


def test_a_page_kept_before_a_restart_is_stored_after_it(tmp_path, loaded_database_file) -> None:
    """`make serve` again on the same SERVE_RUNTIME_DIR: the page store starts empty, and so must
    the proxy cache, or a page it kept would only ever be revalidated (a 304: nothing to store)."""
    env = nginx_env(tmp_path, loaded_database_file, WEB_CONCURRENCY="1")
    port = free_port()  # the same Host, so the same key in the proxy cache
    with Server(env, tmp_path / "first.log", port) as server:
        assert Client(port).get(ROLE).headers["X-Cache"] == "MISS"  # kept by the proxy
    with Server(env, tmp_path / "second.log", port) as server:
        stored(Client(server.port), ROLE)


def test_static_files_carry_the_headers_whitenoise_sends(served: Server) -> None:
    """nginx serves static files in whitenoise's place: the same security headers, and Vary where
    a .gz lies beside the file (a shared cache must not give it to a client that asked for none).
    Left out: what differs by server (dates, ETag scheme, the spelling of the same Cache-Control
    and Content-Type)."""
    client = Client(served.port)
    hashed = client.get("/static/staticfiles.json").json()["paths"]["css/site.css"]
    own = {"date", "server", "connection", "keep-alive", "etag", "cache-control", "content-type"}
    own |= {"accept-ranges"}  # nginx serves byte ranges of a static file; whitenoise too, unasked
    for path in (f"/static/{hashed}", "/static/css/site.css"):
        for encoding in ("gzip", "identity"):
            headers = {"Accept-Encoding": encoding}
            proxied = client.get(path, headers=headers)
            django = django_get(served, path, headers)
            assert proxied.status == django.status == 200, path
            assert proxied.headers["Server"] == "nginx"
            expected = {k.lower(): v for k, v in django.headers.items() if k.lower() not in own}
            got = {k.lower(): v for k, v in proxied.headers.items() if k.lower() not in own}
            assert got == expected, (path, encoding)
    assert "content-security-policy" in expected and expected["vary"] == "Accept-Encoding"
    # No .gz beside it: nothing to vary on, from either server.
    assert "Vary" not in client.get("/static/staticfiles.json").headers


def test_an_edit_shows_through_the_proxy_within_the_bound(served: Server) -> None:
    client = Client(served.port)
    stored(client, ROLE)  # served from the page store
    stored(client, "/api/v1/roles/product-manager/")
    name = f"Product manager {time.time_ns()}"
    edit = (
        "from catalog.models import Role; "
        f"role = Role.objects.get(slug='product-manager'); role.name = {name!r}; role.save()"
    )
    shell(served, edit)  # another process saves, like an editor on another instance
    saved = time.monotonic()
    while name not in client.get(ROLE).text:
        assert time.monotonic() - saved < EDIT_VISIBLE_WITHIN, "the edit never showed"
        time.sleep(0.1)
    api = client.get("/api/v1/roles/product-manager/")
    while name not in api.text:
        assert time.monotonic() - saved < EDIT_VISIBLE_WITHIN, "the API never showed the edit"
        time.sleep(0.1)
        api = client.get("/api/v1/roles/product-manager/")


def test_a_sign_in_lockout_through_the_proxy_is_for_one_visitor(served: Server) -> None:
    """nginx passes each visitor's own address to Django, replacing any the client sent: five
    failures from one address, each claiming another, lock out that address only."""
    user, password = f"visitor-{time.time_ns()}", "a-long-password-for-the-lockout"
    shell(
        served,
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user({user!r}, password={password!r}, is_staff=True)",
    )

    def sign_in(client: Client, password: str, headers: dict | None = None) -> int:
        fields = dict(client.form("/admin/login/"))
        fields.update(username=user, password=password, next="/admin/")
        return client.post("/admin/login/", fields, headers=headers).status

    attacker = Client(served.port)
    for attempt in range(5):
        forged = {"X-Real-IP": f"10.0.0.{attempt}", "X-Forwarded-For": f"10.0.1.{attempt}"}
        sign_in(attacker, "wrong", forged)
    assert sign_in(attacker, password, {"X-Real-IP": "10.0.0.99"}) == 429
    assert sign_in(Client(served.port, source="127.0.0.2"), password) == 302


def test_without_nginx_make_serve_runs_gunicorn_alone(tmp_path: Path, loaded_database) -> None:
    env = server_env(
        DJANGO_SQLITE_NAME=str(loaded_database), WEB_CONCURRENCY="1", SERVE_PROXY="none"
    )
    with Server(env, tmp_path / "alone.log") as server:
        response = Client(server.port).get(ROLE)
        assert response.status == 200
        assert response.headers["Server"].startswith("gunicorn")
