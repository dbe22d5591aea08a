"""Configuration from the environment, `make serve`'s server, /healthz, request logs, backups."""

from __future__ import annotations

import json
import logging
import os
import re
import runpy
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.models import QuerySet

from bench.server import Client, Server
from catalog.management.commands.backup import backup_sqlite

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "x" * 20 + "-a-long-random-production-secret-for-tests-only-" + "y" * 20

# Every variable the README documents (and any other DJANGO_* one, such as the browser tests'
# DJANGO_ALLOW_ASYNC_UNSAFE), cleared so this process's environment cannot leak in.
ROLES_VARIABLES = ["DATABASE_URL", "REDIS_URL", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS"]

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(settings.DATABASES["default"]["NAME"]),
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "ADMIN_URL": settings.ADMIN_URL,
    "LOG_LEVEL": settings.LOG_LEVEL,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
}))
"""


def clean_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ROLES_VARIABLES and not k.startswith("DJANGO_")
    }
    env["DJANGO_SETTINGS_MODULE"] = "roles_site.settings"
    env.update(overrides)
    return env


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_under(**env: str) -> dict:
    result = run_python(PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- configuration ---------------------------------------------------------------------------


def test_defaults_are_a_development_setup_on_sqlite() -> None:
    values = settings_under()
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DB_NAME"] == str(BASE_DIR / "db.sqlite3")
    assert values["CACHE"] == "django.core.cache.backends.dummy.DummyCache"
    assert values["ADMIN_URL"] == "admin/"
    assert values["LOG_LEVEL"] == "INFO"


def test_every_setting_follows_its_environment_variable() -> None:
    values = settings_under(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="roles.example.com, www.roles.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://roles.example.com",
        DATABASE_URL="postgres://roles:pw@db.internal:5432/roles",
        REDIS_URL="redis://cache.internal:6379/1",
        DJANGO_ADMIN_URL="/editors-only/",
        DJANGO_LOG_LEVEL="warning",
    )
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["roles.example.com", "www.roles.example.com"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://roles.example.com"]
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["DB_NAME"] == "roles"
    assert values["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert values["ADMIN_URL"] == "editors-only/"
    assert values["LOG_LEVEL"] == "WARNING"
    # Production is HTTPS-only unless a loopback server says otherwise.
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


@pytest.mark.parametrize(
    "key", [None, "django-insecure-development-only-key-do-not-use-in-production", "short"]
)
def test_production_refuses_to_start_without_a_real_secret_key(key: str | None) -> None:
    env = {"DJANGO_DEBUG": "0"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key
    result = run_python("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_passes_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=clean_env(
            DJANGO_DEBUG="0",
            DJANGO_SECRET_KEY=PRODUCTION_KEY,
            DJANGO_ALLOWED_HOSTS="roles.example.com",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sqlite_is_tuned_for_a_web_server(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "print(*[cursor.execute(f'PRAGMA {p}').fetchone()[0] for p in "
        "('journal_mode', 'busy_timeout', 'synchronous', 'foreign_keys')])\n"
        "print(connection.transaction_mode)"
    )
    result = run_python(code, DJANGO_SQLITE_NAME=str(tmp_path / "tuned.sqlite3"))
    assert result.returncode == 0, result.stderr
    pragmas, mode = result.stdout.splitlines()
    # WAL: readers never wait for the writer; 20 s busy timeout; NORMAL sync is durable in WAL
    # against a crashed process; immediate transactions queue writers instead of failing them.
    assert pragmas.split() == ["wal", "20000", "1", "1"]
    assert mode == "IMMEDIATE"


def test_gunicorn_sizes_workers_to_the_cores_and_binds_loopback_on_port(monkeypatch) -> None:
    conf = BASE_DIR / "roles_site" / "gunicorn.conf.py"
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("PORT", "8765")
    values = runpy.run_path(str(conf))
    assert values["workers"] == 2 * (os.cpu_count() or 1) + 1
    assert values["bind"] == ["127.0.0.1:8765"]
    assert values["control_socket_disable"] is True
    assert values["pidfile"] is None
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(conf))["workers"] == 3


# --- /healthz and request logs ---------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_does(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(QuerySet, "first", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def request_log():
    logger = logging.getLogger("roles.request")
    handler = Lines()
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_each_request_logs_one_line_with_status_and_duration(client, request_log) -> None:
    client.get("/healthz")
    client.get("/no-such-page/")
    assert len(request_log) == 2
    assert re.fullmatch(r"GET /healthz 200 \d+\.\dms \d+B", request_log[0])
    assert re.fullmatch(r"GET /no-such-page/ 404 \d+\.\dms .*", request_log[1])


@pytest.mark.django_db
def test_request_log_never_holds_a_teams_edit_key(client, request_log) -> None:
    key = "k" * 32
    client.get(f"/teams/{'n' * 22}/edit/{key}/history/?x=1")
    assert key not in request_log[0]
    assert request_log[0].startswith(f"GET /teams/{'n' * 22}/edit/…/history/?x=1 404 ")


@pytest.mark.django_db
def test_request_log_cuts_very_long_urls(client, request_log) -> None:
    client.get("/no-such-page/", {"q": "x" * 5000})
    assert len(request_log) == 1
    assert len(request_log[0]) < 400


# --- backup ----------------------------------------------------------------------------------


def test_backup_copies_a_consistent_snapshot_while_writes_go_on(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    db = sqlite3.connect(source)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE pair (id INTEGER PRIMARY KEY, half INTEGER)")
    db.commit()
    stop = threading.Event()

    def write_pairs() -> None:
        writer = sqlite3.connect(source, timeout=30)
        while not stop.is_set():
            with writer:  # both halves in one transaction: a copy has all pairs or none
                writer.execute("INSERT INTO pair (half) VALUES (0)")
                writer.execute("INSERT INTO pair (half) VALUES (1)")
        writer.close()

    thread = threading.Thread(target=write_pairs)
    thread.start()
    try:
        copies = []
        for n in range(5):
            target = tmp_path / f"copy-{n}.sqlite3"
            backup_sqlite(source, target)
            copies.append(target)
    finally:
        stop.set()
        thread.join()
    for target in copies:
        copy = sqlite3.connect(target)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (count,) = copy.execute("SELECT count(*) FROM pair").fetchone()
        assert count % 2 == 0
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        copy.close()
    assert not list(tmp_path.glob(".*.tmp"))


def test_backup_command_writes_a_copy_of_the_configured_sqlite_database(tmp_path: Path) -> None:
    source = tmp_path / "site.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE note (text TEXT)")
        db.execute("INSERT INTO note VALUES ('kept')")
    target = tmp_path / "backups" / "copy.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "backup", str(target)],
        cwd=BASE_DIR,
        env=clean_env(DJANGO_SQLITE_NAME=str(source)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert sqlite3.connect(target).execute("SELECT text FROM note").fetchall() == [("kept",)]


@pytest.mark.django_db
def test_backup_command_dumps_postgresql_with_pg_dump(tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass (.ci/run)")
    target = tmp_path / "roles.pgdump"
    call_command("backup", str(target))
    assert target.read_bytes().startswith(b"PGDMP")


# --- make serve --------------------------------------------------------------------------------


@pytest.mark.servers
def test_two_servers_start_at_once_and_serve_compressed_hashed_static_files(
    tmp_path: Path,
) -> None:
    """What `make serve` runs, twice on one fresh database: set-up must not race."""
    env = clean_env(DJANGO_SQLITE_NAME=str(tmp_path / "serve.sqlite3"), WEB_CONCURRENCY="2")
    first = Server(env, tmp_path / "first.log")
    second = Server(env, tmp_path / "second.log")
    results: dict[str, Exception | None] = {}

    def start(server: Server, name: str) -> None:
        try:
            server.start()
            results[name] = None
        except Exception as error:  # reported below with the server's log
            results[name] = error

    threads = [
        threading.Thread(target=start, args=(s, n)) for s, n in ((first, "a"), (second, "b"))
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == {"a": None, "b": None}, results
        for server in (first, second):
            client = Client(server.port)
            health = client.get("/healthz").json()
            assert health["status"] == "ok"
            assert health["catalog_version"] > 1  # content was loaded, once
            manifest = json.loads(client.get("/static/staticfiles.json").body)
            hashed = manifest["paths"]["admin/css/base.css"]
            response = client.get(f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
            assert response.status == 200
            assert response.headers["Content-Encoding"] == "gzip"
            assert "immutable" in response.headers["Cache-Control"]
            assert "max-age=315360000" in response.headers["Cache-Control"]
    finally:
        first.stop()
        second.stop()
    log = first.log_path.read_text()
    assert re.search(r"INFO roles\.request GET /healthz 200 \d+\.\dms", log)
    # gunicorn on its socket behind nginx, or on the port itself without nginx.
    assert re.search(r"Listening at: (unix:/|http://127\.0\.0\.1:)", log)
