"""Scale out: two real server processes on one PostgreSQL database (and, where a Redis server is
installed, one shared Redis cache). An edit through either is seen on the other within 5 s: each
process re-reads the catalog version at most once a second, what it keeps (roles_site.pagecache)
is keyed on that version, and nginx in front keeps an answer a second or two.

The two-process tests need PostgreSQL: they run when the suite does (DATABASE_URL=postgres://…,
as in .ci/run). The page cache's own tests run anywhere.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import caches
from django.db import connection
from django.test import Client as DjangoClient
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bench.server import Client, Server, free_port, server_env
from catalog.conditional import clock
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
    # Warm until nginx serves the page from its page store (roles_site.pagestore): its ETag is
    # then nginx's, the one later answers revalidate against.
    start = time.monotonic()
    while (before := reader.get(page)).headers.get("X-Cache") != "STORE":
        assert before.status == 200
        assert time.monotonic() - start < EDIT_VISIBLE_WITHIN, before.headers.get("X-Cache")
        time.sleep(0.1)
    time.sleep(1.1)  # every nginx worker has looked for the file again (open_file_cache_valid)
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


# --- the page cache, in one process ----------------------------------------------------------


@pytest.fixture
def page_cache(seed_catalog):
    middleware = list(settings.MIDDLEWARE)
    if "roles_site.pagecache.PageCacheMiddleware" not in middleware:
        middleware.insert(
            middleware.index("django.middleware.gzip.GZipMiddleware"),
            "roles_site.pagecache.PageCacheMiddleware",
        )
    cache = caches[settings.PAGE_CACHE_ALIAS]
    cache.clear()
    # Query counts below must not catch the version's once-a-second re-read on a slow machine.
    with override_settings(MIDDLEWARE=middleware, CATALOG_VERSION_CHECK_SECONDS=3600):
        yield cache
    cache.clear()


def queries_for(client, url: str, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return len(queries), response


COMPARE = "/compare/product-manager/vs/project-manager/"


def test_a_page_rendered_behind_the_cache_reads_the_version_once(client, seed_catalog) -> None:
    clock.forget()
    without_cache, _ = queries_for(client, COMPARE)
    clock.forget()
    middleware = [*settings.MIDDLEWARE]
    if "roles_site.pagecache.PageCacheMiddleware" not in middleware:
        middleware.insert(0, "roles_site.pagecache.PageCacheMiddleware")
    caches[settings.PAGE_CACHE_ALIAS].clear()
    with override_settings(MIDDLEWARE=middleware):
        # A new client: a client builds its middleware chain once, on its first request.
        behind_cache, _ = queries_for(DjangoClient(), COMPARE)
    caches[settings.PAGE_CACHE_ALIAS].clear()
    assert behind_cache == without_cache


def test_a_kept_page_is_served_without_a_query_and_the_same_bytes(client, page_cache) -> None:
    first_count, first = queries_for(client, COMPARE)
    again_count, again = queries_for(client, COMPARE)
    assert first_count > 1
    assert again_count == 0  # the catalog version is in memory (catalog.conditional)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    count, repeat = queries_for(client, COMPARE, **{"If-None-Match": first["ETag"]})
    assert (count, repeat.status_code) == (0, 304)


def test_each_htmx_target_and_encoding_is_kept_apart(client, page_cache) -> None:
    page = client.get(COMPARE)
    partial = client.get(COMPARE, headers={"HX-Request": "true", "HX-Target": "details"})
    other = client.get(COMPARE, headers={"HX-Request": "true", "HX-Target": "comparison"})
    zipped = client.get(COMPARE, headers={"Accept-Encoding": "gzip"})
    assert b"<html" in page.content and b"<html" not in partial.content
    assert partial.content != other.content
    assert zipped["Content-Encoding"] == "gzip"
    for headers, expected in (
        ({}, page),
        ({"HX-Request": "true", "HX-Target": "details"}, partial),
        ({"HX-Request": "true", "HX-Target": "comparison"}, other),
        ({"Accept-Encoding": "gzip"}, zipped),
    ):
        count, again = queries_for(client, COMPARE, **headers)
        assert count == 0
        assert again.content == expected.content


def test_an_edit_moves_every_page_on_at_once(client, page_cache) -> None:
    client.get(COMPARE)
    role = Role.objects.get(slug="product-manager")
    role.name = "Product lead"
    role.save()
    count, after = queries_for(client, COMPARE)
    assert count > 1
    assert "Product lead" in after.content.decode()


def test_errors_admin_pages_and_cookies_are_not_kept(client, page_cache, admin_client) -> None:
    client.get("/roles/no-such-role/")
    assert queries_for(client, "/roles/no-such-role/")[0] > 1
    admin_client.get("/admin/")
    assert queries_for(admin_client, "/admin/")[0] > 1
