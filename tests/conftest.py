"""Shared fixtures: the seed catalog, a synthetic large catalog, and a real Chromium."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from bench.server import server_env
from tests.rows import Rows, capture, insert_rows

REQUIRE_BROWSER = os.environ.get("ROLES_REQUIRE_BROWSER") == "1"


@contextmanager
def run_wide(tmp_path_factory, worker_id: str, name: str) -> Iterator[Path]:
    """A folder every xdist worker of this run shares, held under the lock `name` while the
    block runs: what one worker makes there, the others find instead of making it again."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield root
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_seed_rows() -> Rows:
    """Every row `load_catalog` writes, kept after a load that is rolled back."""
    rows, _ = capture(lambda: call_command("load_catalog", verbosity=0))
    return rows


@pytest.fixture(scope="session")
def seed_rows(django_db_setup, django_db_blocker, tmp_path_factory, worker_id) -> Rows:
    """Every row `load_catalog` writes, read once per run and then rolled back.

    Loading validates each record and writes its first revision, seconds of CPU; inserting the
    same rows again takes a few milliseconds, so tests that only read the seed get it at that
    price. One worker loads; the others read its rows from a file (every worker's test
    database is migrated alike, so the same ids are free in each).
    """
    with run_wide(tmp_path_factory, worker_id, "seed-rows") as root:
        kept = root / "seed-rows.pickle"
        if kept.exists():
            return pickle.loads(kept.read_bytes())
        with django_db_blocker.unblock():
            seed = read_seed_rows()
        kept.write_bytes(pickle.dumps(seed))
        return seed


@pytest.fixture(scope="session")
def loaded_database_file(tmp_path_factory, worker_id) -> Path:
    """A SQLite database that `migrate` and `load_catalog` have made, as `make serve` leaves
    an empty one: made once per run, by the real commands in another process. What
    `load_catalog` said is kept beside it, in load_catalog.out."""
    with run_wide(tmp_path_factory, worker_id, "loaded-database") as root:
        path = root / "loaded.sqlite3"
        if not path.exists():
            draft = root / "loaded-draft.sqlite3"
            env = server_env(DJANGO_SQLITE_NAME=str(draft))
            for command in (["migrate", "--no-input", "--verbosity", "0"], ["load_catalog"]):
                said = subprocess.run(
                    [sys.executable, "manage.py", *command],
                    cwd=Path(__file__).resolve().parent.parent,
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            (root / "load_catalog.out").write_text(said)
            with sqlite3.connect(draft) as source, sqlite3.connect(path) as target:
                source.backup(target)
        return path


@pytest.fixture
def loaded_database(loaded_database_file, tmp_path) -> Path:
    """A copy of that database of this test's own, for the server processes it starts: they
    find the catalog loaded instead of spending seconds loading it again."""
    copy_path = tmp_path / "loaded.sqlite3"
    with sqlite3.connect(loaded_database_file) as source, sqlite3.connect(copy_path) as target:
        source.backup(target)
    return copy_path


@pytest.fixture(scope="session", autouse=True)
def static_files_scanned_once_per_process() -> Iterator[None]:
    """WhiteNoise reads STATIC_ROOT's tree once, when the middleware is made: once per process
    in production, but once per test here, since every test's client makes the middleware
    chain again. That scan (a stat and a header set per file, with its .gz and .br twins) was
    0.25 s of every client test's CPU, most of the API tests' time. The scan's result is kept
    for the process, under everything it depends on; a change to any WHITENOISE_ setting or to
    DEBUG scans again.
    """
    from django.conf import settings
    from whitenoise.base import WhiteNoise

    # make serve collects into build folders inside STATIC_ROOT; on a fresh clone, until a
    # server test has made it, WhiteNoise warned on every client test that it is missing.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    scan = WhiteNoise.update_files_dictionary
    scanned: dict[tuple, dict] = {}

    def update_files_dictionary(self, root: str, prefix: str) -> None:
        knobs = tuple(
            (name, repr(getattr(settings, name)))
            for name in dir(settings)
            if name.startswith("WHITENOISE_") or name == "DEBUG"
        )
        key = (type(self), root, prefix, knobs)
        if key not in scanned:
            before = dict(self.files)
            self.files = {}
            scan(self, root, prefix)
            scanned[key] = self.files
            self.files = before | scanned[key]
        else:
            self.files.update(scanned[key])

    WhiteNoise.update_files_dictionary = update_files_dictionary
    yield
    WhiteNoise.update_files_dictionary = scan


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Real logins, without a deliberately slow hash (a second of CPU) for every test user.

    Server processes that tests start (tests/test_durability.py) keep the production hashers.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_catalog_version() -> None:
    """Each test has its own database: the catalog version a process keeps in memory must not
    carry over from the last test's (catalog.conditional)."""
    from catalog.conditional import clock

    clock.forget()


@pytest.fixture
def seed_catalog(db, seed_rows) -> None:
    """The committed content from fixtures/, exactly as `load_catalog` leaves it."""
    insert_rows(seed_rows)


@pytest.fixture
def live_seed_catalog(transactional_db, seed_rows) -> None:
    """The same content, committed, for tests whose server threads or processes read it.

    Like `seed_catalog`, the rows `load_catalog` wrote once per session, inserted again: loading
    validates every record and writes its first revision, seconds of CPU per test otherwise.
    The catalog version row, which migrate makes and the transactional flush removed, is
    made again: servers read it for their ETags (catalog.conditional).
    """
    from catalog.models import CatalogVersion

    insert_rows(seed_rows)
    CatalogVersion.objects.get_or_create(pk=1, defaults={"number": 1})


# --- browser ---------------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Debian's builds of Chromium, best first: the headless shell is the same Blink without the
# browser's window, GPU and profile machinery (what Playwright itself runs headless); measured
# on the comparison and RACI browser tests, 40 s of CPU instead of 74 s.
CHROMIUM_NAMES = ("chromium-headless-shell", "chromium", "chromium-browser")


def chromium_executable() -> str | None:
    """ROLES_CHROMIUM if set, else the first of CHROMIUM_NAMES installed, else None
    (Playwright's own browser)."""
    found = (shutil.which(name) for name in CHROMIUM_NAMES)
    return os.environ.get("ROLES_CHROMIUM") or next((path for path in found if path), None)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium when installed, else Playwright's own browser; skip if neither runs."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependencies missing
        pytest.skip("playwright is not installed")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable(), args=CHROMIUM_ARGS, headless=True
            )
        except Exception as error:  # any launch failure means no browser here
            pytest.skip(f"no Chromium could be launched: {error}")
        yield browser
        browser.close()


class ConsoleErrors(list):
    def attach(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.append(message.text))
        page.on("pageerror", lambda error: self.append(str(error)))


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server for in-memory SQLite: every request thread shares the test's one
    connection, and two requests reading it at once (a page and its htmx swap, two browser
    contexts) garble each other's rows. Connections stay threaded; the app runs one request at a
    time, its body read inside the lock."""

    lock = threading.Lock()

    def set_app(self, app) -> None:
        def one_at_a_time(environ, start_response):
            with self.lock:
                answer = app(environ, start_response)
                try:
                    return [b"".join(answer)]
                finally:
                    answer.close()

        super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(browser, live_server, console_errors) -> Iterator:
    """A fresh page in a fresh context; fails the test if the console logged an error."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    console_errors.attach(page)
    yield page
    context.close()
    assert list(console_errors) == [], f"console errors: {list(console_errors)}"


# --- collection: browser marks and order; CI guard: browser tests must run in CI --------------


@pytest.hookimpl(trylast=True)  # after pytest-django has put database tests in Django's order
def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "page" in getattr(item, "fixturenames", ()) or "browser" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.browser)
    # Tests that start real server processes (marked `servers`) first. They mostly wait on
    # their servers (slow clients, timeouts, a kill mid-burst): started first, that waiting
    # overlaps the other workers' tests instead of ending the run alone. They use no test
    # database, and the sort is stable, so pytest-django's order of database tests is kept.
    items.sort(key=lambda item: item.get_closest_marker("servers") is None)


def pytest_sessionfinish(session, exitstatus) -> None:
    if not REQUIRE_BROWSER:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = [
        report
        for report in reporter.stats.get("skipped", [])
        if "browser" in getattr(report, "keywords", {})
    ]
    ran = [
        report
        for report in reporter.stats.get("passed", []) + reporter.stats.get("failed", [])
        if "browser" in getattr(report, "keywords", {}) and report.when == "call"
    ]
    if skipped or not ran:
        reporter.write_line(
            f"ROLES_REQUIRE_BROWSER=1 but {len(skipped)} browser test(s) were skipped "
            f"and {len(ran)} ran: failing the run.",
            red=True,
        )
        session.exitstatus = 1
