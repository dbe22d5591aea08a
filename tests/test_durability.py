"""Kill the server (SIGKILL, master and workers) during a burst of admin edits, restart it, and
show every edit it acknowledged is stored and the SQLite database passes its integrity check.
Then back up the database while the restarted server takes more edits.

WAL with synchronous=NORMAL: a commit is in the WAL before the response leaves, so a crashed
process loses nothing it acknowledged (a power cut may lose the last commits; see README).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bench.server import BASE_DIR, Client, Server, server_env

PASSWORD = "a-long-editor-password-for-tests"
EDITORS = 6

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="SQLite durability: runs in the SQLite pass",
    ),
    pytest.mark.servers,
]


def durability_env(database: Path) -> dict[str, str]:
    return server_env(
        DJANGO_SQLITE_NAME=str(database),
        DJANGO_SECRET_KEY="durability-test-secret-key-long-enough-for-production-settings-0123",
        WEB_CONCURRENCY="3",
    )


class EditBurst:
    """Editors adding sources through the admin at once, each on its own connection, until
    stopped."""

    def __init__(self, port: int, prefix: str) -> None:
        self.port = port
        self.prefix = prefix
        self.acknowledged: list[str] = []
        self.errors: list[Exception] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.edit, args=(n,)) for n in range(EDITORS)]

    def edit(self, n: int) -> None:
        client = Client(self.port, timeout=60)  # generous: CI machines may be busy
        client.cookies = dict(self.session)
        try:
            form = dict(client.form("/admin/catalog/source/add/", "source_form"))
            for i in range(10_000):
                if self.stop.is_set():
                    return
                slug = f"{self.prefix}-{n}-{i}"
                form.update(slug=slug, title=f"Edit {n}.{i}", _save="Save")
                if client.post("/admin/catalog/source/add/", form).status == 302:
                    self.acknowledged.append(slug)
        except Exception as error:  # reported by wait_for; after the kill, expected and ignored
            self.errors.append(error)

    def __enter__(self) -> EditBurst:
        # One sign-in, its session shared by the editors: each sign-in hashes the password
        # with production's PBKDF2, a third of a second of CPU that tests nothing here.
        signed_in = Client(self.port, timeout=60)
        signed_in.login("admin/", "editor", PASSWORD)
        self.session = signed_in.cookies
        for thread in self.threads:
            thread.start()
        return self

    def wait_for(self, count: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            if len(self.errors) == EDITORS:
                break
            time.sleep(0.05)
        assert len(self.acknowledged) >= count, f"{len(self.acknowledged)} edits: {self.errors}"

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def stored_slugs(database: Path, prefix: str) -> set[str]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT slug FROM catalog_source WHERE slug LIKE ?", (f"{prefix}-%",))
        return {slug for (slug,) in rows}


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def test_every_acknowledged_admin_edit_survives_a_kill(tmp_path: Path, loaded_database) -> None:
    database = loaded_database
    env = durability_env(database)
    server = Server(env, tmp_path / "before-kill.log").start()
    try:
        subprocess.run(
            [sys.executable, "manage.py", "createsuperuser", "--no-input"],
            cwd=BASE_DIR,
            env={
                **env,
                "DJANGO_SUPERUSER_USERNAME": "editor",
                "DJANGO_SUPERUSER_EMAIL": "editor@example.com",
                "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
            },
            check=True,
            capture_output=True,
        )
        with EditBurst(server.port, "kill") as burst:
            burst.wait_for(40)
            server.kill()  # mid-burst: requests are in flight
        acknowledged = set(burst.acknowledged)
    finally:
        server.stop()

    with Server(env, tmp_path / "after-kill.log", port=server.port) as restarted:
        stored = stored_slugs(database, "kill")
        lost = acknowledged - stored
        print(
            f"\nkill during admin edits: {len(acknowledged)} acknowledged, "
            f"{len(stored)} stored, {len(lost)} lost; integrity_check: {integrity(database)}"
        )
        assert not lost
        assert integrity(database) == "ok"

        # A consistent copy while the restarted server takes more edits.
        backup = tmp_path / "backup.sqlite3"
        with EditBurst(restarted.port, "after") as burst:
            burst.wait_for(10)
            subprocess.run(
                [sys.executable, "manage.py", "backup", str(backup)],
                cwd=BASE_DIR,
                env=env,
                check=True,
                capture_output=True,
            )
        assert integrity(backup) == "ok"
        assert stored_slugs(backup, "kill") == stored
        assert stored_slugs(backup, "after") <= stored_slugs(database, "after")
