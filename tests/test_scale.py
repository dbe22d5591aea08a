"""Scale out: two real server processes on one PostgreSQL database (and, where a Redis server is
installed, one shared Redis cache). An edit through either is seen on the other within 5 s: each
process re-reads the catalog version at most once a second, and nginx in front keeps an answer a
second or two.

They need PostgreSQL: they run when the suite does (DATABASE_URL=postgres://…, as in .ci/run).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from bench.server import Client, Server, free_port, server_env
from catalog.models import Role

SECRET_KEY = "two-instances-share-this-key-so-a-session-from-one-works-on-the-other-0123"
PASSWORD = "a-long-editor-password-for-tests"
# The README's bound: the version check (1 s) plus what the proxy may keep (tests/test_proxy.py).
EDIT_VISIBLE_WITHIN = 5.0


@pytest.fixture
def postgres_url(transactional_db) -> str:
    """The test database's URL, for server processes: data the test commits, they see."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (.ci/run does)")
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def catalog_with_editor(live_seed_catalog) -> None:
    # The servers are separate processes with the production hashers, not the tests' fast one.
    editor = get_user_model().objects.create_superuser("editor", "editor@example.com", None)
    hasher = PBKDF2PasswordHasher()
    editor.password = hasher.encode(PASSWORD, hasher.salt())
    editor.save(update_fields=["password"])


@pytest.fixture(params=["no cache", "redis"])
def redis_url(request, tmp_path: Path) -> Iterator[str]:
    if request.param == "no cache":
        yield ""
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def two_instances(postgres_url, redis_url, catalog_with_editor, tmp_path) -> Iterator[tuple]:
    env = server_env(
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        DJANGO_SECRET_KEY=SECRET_KEY,
        WEB_CONCURRENCY="2",
    )
    first = Server(env, tmp_path / "first.log")
    second = Server(env, tmp_path / "second.log")
    try:
        first.start()
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()


def edit_role_name(client: Client, role: Role, name: str) -> None:
    path = f"/admin/catalog/role/{role.pk}/change/"
    fields = [(key, value) for key, value in client.form(path, "role_form") if key != "name"]
    response = client.post(path, [*fields, ("name", name), ("_save", "Save")])
    assert response.status == 302, response.text[:2000]


def test_an_edit_through_one_instance_is_seen_on_the_other_within_the_bound(two_instances) -> None:
    first, second = two_instances
    role = Role.objects.get(slug="product-manager")
    page = role.get_absolute_url()
    reader = Client(second.port)
    etag = reader.get(page).headers["ETag"]
    assert reader.get(page, headers={"If-None-Match": etag}).status == 304

    editor = Client(first.port)
    editor.login("admin/", "editor", PASSWORD)
    edit_role_name(editor, role, "Product manager, edited on the first instance")

    # Seen within the bound: the other instance's version check, and the proxy's brief keep.
    saved = time.monotonic()
    after = reader.get(page, headers={"If-None-Match": etag})
    while after.status == 304 and time.monotonic() - saved < EDIT_VISIBLE_WITHIN:
        time.sleep(0.1)
        after = reader.get(page, headers={"If-None-Match": etag})
    assert after.status == 200
    assert after.headers["ETag"] != etag
    assert "Product manager, edited on the first instance" in after.text
    assert (
        Client(first.port).get("/healthz").json()["catalog_version"]
        == reader.get("/healthz").json()["catalog_version"]
    )

    # The editor's session, made on the first instance, works on the second: it lives in the
    # shared database. An edit there shows on the first.
    editor.port = second.port
    edit_role_name(editor, role, "Product manager")
    saved = time.monotonic()
    while "Product manager, edited" in Client(first.port).get(page).text:
        assert time.monotonic() - saved < EDIT_VISIBLE_WITHIN
        time.sleep(0.1)
