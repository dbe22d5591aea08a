"""`make serve` behind nginx: slow clients cannot take the site down, public answers are kept by
the proxy and revalidated by Django's ETag, and an edit shows through the proxy within the stated
bound.

These start the real server (python -m roles_site.serve, what `make serve` runs). They need
nginx: skipped where it is not installed, required in CI (ROLES_REQUIRE_NGINX=1, .ci/run).
"""

from __future__ import annotations

import http.client
import os
import pwd
import re
import select
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    # gunicorn on loopback too: Django's own answers, to hold the proxy's against.
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
    """200 connections each sending one header line every 2 s, until nginx has dropped each
    once its client_header_timeout (10 s, deploy/nginx.conf) ran out; a dropped one is opened
    again, so 200 are pending all along."""

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
        while len(dropped_after) < len(slow) and time.monotonic() - start < 20:
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
    assert len(dropped_after) == len(slow), len(dropped_after)
    assert min(dropped_after) > 9 and max(dropped_after) < 14, sorted(dropped_after)


def test_public_answers_are_kept_and_revalidated_by_etag(served: Server) -> None:
    client = Client(served.port)
    for path in (ROLE, "/api/v1/roles/"):
        first = client.get(path)
        assert first.status == 200
        again = client.get(path)
        assert again.headers["X-Cache"] in {"HIT", "STALE", "UPDATING", "REVALIDATED"}
        assert again.body == first.body
        etag = first.headers["ETag"]
        assert again.headers["ETag"] == etag == django_get(served, path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status == 304
    # Past its s-maxage (1 s) and stale-while-revalidate (1 s), the kept answer is revalidated
    # with Django by its ETag: Django's 304 refreshes it.
    time.sleep(2.5)
    client.get(ROLE)
    assert client.get(ROLE).headers["X-Cache"] in {"HIT", "REVALIDATED", "UPDATING"}
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


def test_the_access_log_never_holds_a_teams_edit_key(served: Server) -> None:
    key = "k" * 32
    Client(served.port).get(f"/teams/{'n' * 22}/edit/{key}/?x=1")
    log = Path(served.env["SERVE_RUNTIME_DIR"]) / "access.log"
    start = time.monotonic()  # nginx writes its buffer out within a second (flush=1s)
    while "/edit/[key]/?x=1" not in log.read_text(encoding="utf-8"):
        assert time.monotonic() - start < 5
        time.sleep(0.2)
    assert key not in log.read_text(encoding="utf-8")


def test_what_nginx_must_leave_to_django_reaches_django(served: Server) -> None:
    client = Client(served.port)
    answers = {
        # Preconditions nginx would judge itself: Django's 412, in JSON on the API.
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
    }
    assert answers["if-match"].status == 412
    assert answers["if-match"].headers["Content-Type"].startswith("application/json")
    assert answers["if-unmodified-since"].status == 412
    assert answers["unknown host"].status == 400
    assert answers["unknown host, api"].status == 400
    assert answers["unknown host, api"].headers["Content-Type"].startswith("application/json")
    assert answers["unknown parameter"].status == 400
    assert answers["post"].status in {403, 405}
    assert answers["head of an error"].status == 404


REFUSED_BY_NGINX = {
    400: b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n",  # two Hosts
    413: b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000000\r\n\r\n",
    414: b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
}


@pytest.mark.parametrize("status", REFUSED_BY_NGINX)
def test_what_nginx_refuses_gets_the_apps_error_page(served: Server, status: int) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(REFUSED_BY_NGINX[status])
        raw = http.client.HTTPResponse(sock)
        raw.begin()
        head, body = raw, raw.read()
    assert head.status == status
    assert head.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<h1>We could not read that request</h1>" in body
    assert re.search(rb'href="/static/css/site\.[0-9a-f]{12}\.css"', body)


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
    client.get(ROLE)  # kept by the proxy
    client.get("/api/v1/roles/product-manager/")
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


TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@contextmanager
def tls_front(folder: Path, upstream: int) -> Iterator[tuple[int, ssl.SSLContext]]:
    """A second nginx that terminates TLS with a certificate made now and passes requests to
    `make serve`'s on `upstream`, marked X-Forwarded-Proto: https; its port and a context that
    trusts its certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    key_type = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-days",
            "1",
            *key_type,
            *subject,
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in TEMP_PATHS)
    config = folder / "front.conf"
    config.write_text(
        f"""{user} worker_processes 1; pid {folder}/front.pid; error_log stderr warn; daemon off;
        events {{}}
        http {{
            access_log off; {temp}
            server {{
                listen 127.0.0.1:{port} ssl;
                ssl_certificate {cert};
                ssl_certificate_key {key};
                location / {{
                    proxy_pass http://127.0.0.1:{upstream};
                    proxy_set_header Host $http_host;
                    proxy_set_header X-Forwarded-Proto $scheme;
                }}
            }}
        }}"""
    )
    front = subprocess.Popen(["nginx", "-e", "stderr", "-p", str(folder), "-c", str(config)])
    try:
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert front.poll() is None, "the TLS front end did not start"
            time.sleep(0.05)
        yield port, ssl.create_default_context(cafile=cert)
    finally:
        front.terminate()
        front.wait(timeout=10)


def test_https_through_a_tls_front_end(tmp_path, loaded_database_file) -> None:
    """README's set-up: a TLS-terminating proxy in front of `make serve`, DJANGO_SECURE_SSL=1.
    Its https requests get pages with HSTS and an admin session in a Secure cookie; a plain
    http request, or one from elsewhere claiming https, is redirected to https."""
    env = nginx_env(tmp_path, loaded_database_file, WEB_CONCURRENCY="1", DJANGO_SECURE_SSL="1")
    with Server(env, tmp_path / "server.log") as server, tls_front(tmp_path, server.port) as tls:
        port, context = tls
        shell(
            server,
            "from django.contrib.auth import get_user_model; get_user_model().objects"
            ".create_superuser('editor', 'editor@example.com', 'a-long-editor-password')",
        )
        visitor = Client(port, tls=context)
        page = visitor.get(ROLE)
        assert page.status == 200
        assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")

        editor = Client(port, tls=context)
        signed_in = editor.login("admin/", "editor", "a-long-editor-password")
        session = [c for c in signed_in.headers.get_all("Set-Cookie") if c.startswith("sessionid=")]
        assert len(session) == 1 and "; Secure" in session[0], session
        admin = editor.get("/admin/")
        assert admin.status == 200
        assert "Catalog content" in admin.text and "Log out" in admin.text

        for plain in (
            Client(server.port).get(ROLE),
            Client(server.port, source="127.0.0.2").get(
                ROLE, headers={"X-Forwarded-Proto": "https"}
            ),
        ):
            assert plain.status == 301
            assert plain.headers["Location"] == f"https://127.0.0.1:{server.port}{ROLE}"
