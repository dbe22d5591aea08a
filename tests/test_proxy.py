"""`make serve` behind nginx: slow clients cannot take the site down, public answers are kept by
the proxy and revalidated by ETag, and an edit shows through the proxy within the stated bound.

These start the real server (python -m roles_site.serve, what `make serve` runs). They need
nginx: skipped where it is not installed, required in CI (ROLES_REQUIRE_NGINX=1, .ci/run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.server import BASE_DIR, Client, Server

REQUIRE_NGINX = os.environ.get("ROLES_REQUIRE_NGINX") == "1"
# An edit is visible through the proxy within this many seconds (README, "Production").
EDIT_VISIBLE_WITHIN = 5.0
ROLE = "/roles/product-manager/"
pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Server]:
    if shutil.which("nginx") is None:
        if REQUIRE_NGINX:
            pytest.fail("ROLES_REQUIRE_NGINX=1 but nginx is not installed")
        pytest.skip("nginx is not installed")
    folder = tmp_path_factory.mktemp("served")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "PORT", "SERVE_"))
    }
    env.update(
        DJANGO_SQLITE_NAME=str(folder / "served.sqlite3"),
        WEB_CONCURRENCY="2",
        SERVE_PROXY="nginx",
    )
    with Server(env, folder / "server.log") as server:
        yield server


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


def test_slow_clients_do_not_delay_a_normal_visitor(served: Server) -> None:
    """200 connections each sending one header line every 2 s, for 20 s; one that nginx drops
    is opened again, so 200 are pending all along."""

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    slow = [connect() for _ in range(200)]
    reopened = 0
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
                        sock.sendall(f"X-Slow-{line}: a\r\n".encode())
                    except OSError:  # nginx dropped it (client_header_timeout): come back
                        sock.close()
                        slow[index] = connect()
                        reopened += 1
                next_line += 2
            for path in ("/healthz", ROLE, "/search/?q=roadmap"):
                elapsed, status = timed_get(served.port, path)
                timings.append((elapsed, status, path))
            time.sleep(0.3)
    finally:
        for sock in slow:
            sock.close()
    assert len(timings) >= 30
    assert reopened > 0  # the slow clients really were slow enough to be dropped
    assert {status for _, status, _ in timings} == {200}, timings
    worst = max(timings)
    assert worst[0] < 1.0, f"slowest normal request: {worst}"


def test_a_slow_client_is_dropped_after_the_header_timeout(served: Server) -> None:
    sock = socket.create_connection(("127.0.0.1", served.port), timeout=20)
    sock.sendall(b"GET / HTTP/1.1\r\n")
    start = time.monotonic()
    dropped = None
    try:
        while time.monotonic() - start < 16:
            try:
                sock.sendall(b"X-Slow: a\r\n")
            except OSError:
                dropped = time.monotonic() - start
                break
            sock.settimeout(2)
            try:
                if sock.recv(1024) == b"":
                    dropped = time.monotonic() - start
                    break
            except TimeoutError:
                pass
    finally:
        sock.close()
    assert dropped is not None and dropped < 14  # client_header_timeout 10s (deploy/nginx.conf)


def test_public_answers_are_kept_and_revalidated_by_etag(served: Server) -> None:
    client = Client(served.port)
    for path in (ROLE, "/api/v1/roles/"):
        first = client.get(path)
        assert first.status == 200
        again = client.get(path)
        assert again.headers["X-Cache"] in {"HIT", "STALE", "UPDATING", "REVALIDATED"}
        assert again.body == first.body
        repeat = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert repeat.status == 304
    zipped = client.get(ROLE, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    partial = client.get(ROLE, headers={"HX-Request": "true"})
    assert b"<html" not in partial.body and b"<html" in client.get(ROLE).body
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert b"<html" in client.get(ROLE, headers=restore).body
    assert b"<html" not in client.get(ROLE, headers={"HX-Request": "true"}).body


def test_errors_cookies_and_the_admin_are_never_kept(served: Server) -> None:
    client = Client(served.port)
    for path in ("/roles/no-such-role/", "/api/v1/roles/?bogus=1", "/admin/login/", "/healthz"):
        statuses = {client.get(path).headers.get("X-Cache") for _ in range(2)}
        assert statuses <= {None, "MISS", "BYPASS", "EXPIRED"}, (path, statuses)
    for header in ("If-None-Match", "If-Match"):
        assert client.get("/roles/no-such-role/", headers={header: "*"}).status == 404
        api = client.get("/api/v1/roles/no-such-role/", headers={header: "*"})
        assert api.status == 404
        assert api.headers["Content-Type"].startswith("application/json")


def test_static_files_are_served_by_nginx_compressed_and_immutable(served: Server) -> None:
    client = Client(served.port)
    hashed = client.get("/static/staticfiles.json").json()["paths"]["admin/css/base.css"]
    response = client.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]


def test_an_edit_shows_through_the_proxy_within_the_bound(served: Server) -> None:
    client = Client(served.port)
    for _ in range(3):  # kept by the proxy
        assert client.get(ROLE).status == 200
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


def test_without_nginx_make_serve_runs_gunicorn_alone(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SERVE_"))
    }
    env.update(
        DJANGO_SQLITE_NAME=str(tmp_path / "alone.sqlite3"), WEB_CONCURRENCY="1", SERVE_PROXY="none"
    )
    with Server(env, tmp_path / "alone.log") as server:
        response = Client(server.port).get(ROLE)
        assert response.status == 200
        assert response.headers["Server"].startswith("gunicorn")
