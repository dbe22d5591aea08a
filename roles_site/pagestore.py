"""The page store: public answers written as files that nginx serves as it serves static files.

`make serve` (roles_site.serve) runs a keeper in its parent process and passes the store's root
to gunicorn as DJANGO_PAGE_STORE. The keeper follows the catalog version: for each version it
makes a generation folder `gen-<render version>-<version token>/`, points the `current` link at it
and removes the older ones. Django (PageStoreMiddleware) writes each eligible answer, identity and
gzip, into the generation of the version it was rendered at, and only if that folder exists: an
answer rendered at a version the keeper has moved past lands in a removed or dead folder, never in
the current one. nginx (deploy/nginx.conf) serves `current/<file>` and falls back to the proxy.

A file's name holds everything the answer varies on, computed the same way nginx computes it:
scheme, Host, path, query string, representation (page or htmx partial), and the answer's Vary
and kind (`PROFILES`). Each path prefix has one profile (`ROUTES`), whose Vary and Content-Type
nginx sends. The other headers nginx adds come from one place: serve.py asks Django for one page
and one API answer and writes their headers into `headers.json` here and into nginx's config; an
answer whose headers differ from those is not stored (nginx would send the wrong ones).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import has_vary_header
from django.utils.text import compress_string
from django_htmx.middleware import HtmxDetails

logger = logging.getLogger("roles.pagestore")

STORE_ENV = "DJANGO_PAGE_STORE"
BUDGET_ENV = "DJANGO_PAGE_STORE_BUDGET"
CURRENT = "current"
HEADERS_FILE = "headers.json"
STAMP_FILE = "stamp"

# The Vary values stored answers may carry, each with the file name's suffix that names it (and
# the Content-Type its extension gives). An answer with any other Vary or type is not stored: it
# is served by the proxy cache as before.
PROFILES = {
    ".t.html": ("text/html; charset=utf-8", "HX-Request, HX-Target, Accept-Encoding"),
    ".h.html": ("text/html; charset=utf-8", "HX-Request, Accept-Encoding"),
    ".a.json": ("application/json", "Accept-Encoding"),
    ".a.html": ("text/html; charset=utf-8", "Accept-Encoding"),
}
KINDS = {"text/html; charset=utf-8": "html", "application/json": "json"}
# The profile of the answers under each path prefix (the longest prefix that matches wins). nginx
# has a location for each (serve.py, deploy/nginx.conf) that looks for that one file name and
# adds that profile's headers as constants: measured with perf, every name tried and every
# header looked up in a map cost nginx more than the static file it is measured against. An
# answer of another profile than its route's is not stored (nginx would not look for it).
ROUTES = {
    "/": ".h.html",
    "/api/": ".a.json",
    "/changes/": ".a.html",
    "/compare/": ".t.html",
    "/search/": ".t.html",
}
# Headers nginx makes itself for a file (or that differ per answer): never taken from Django.
OWN_HEADERS = frozenset(
    {
        "date",
        "content-length",
        "content-type",
        "content-encoding",
        "etag",
        "last-modified",
        "server",
        "vary",
    }
)

# What nginx accepts too (deploy/nginx.conf's map): anything else goes to Django.
SAFE_PATH = re.compile(r"/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*")
SAFE_QUERY = re.compile(r"[A-Za-z0-9_.=&+%-]{0,128}")
SAFE_HOST = re.compile(r"[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}(?::[0-9]{1,5})?")
SAFE_TARGET = re.compile(r"[A-Za-z0-9_-]{0,77}")
MAX_PATH = 400
KNOWN_LIMIT = 20_000  # names a process remembers as written, per version


def generation_name(token: str) -> str:
    from catalog.conditional import RENDER_VERSION

    return f"gen-{RENDER_VERSION}-{token}"


def representation_name(request: HttpRequest) -> str | None:
    """catalog.conditional.representation, for the safe htmx targets nginx can name too."""
    htmx = HtmxDetails(request)
    if not htmx or htmx.history_restore_request:
        return "page"
    target = request.META.get("HTTP_HX_TARGET", "")
    return f"hx-{target}" if SAFE_TARGET.fullmatch(target) else None


def file_stem(request: HttpRequest) -> str | None:
    """`<scheme>/<host><path>index.<representation>.q-<query>`, or None if nginx would not look
    for it."""
    host = request.META.get("HTTP_HOST", "")
    path = request.path
    query = request.META.get("QUERY_STRING", "")
    if (
        not SAFE_HOST.fullmatch(host)
        or len(path) > MAX_PATH
        or not SAFE_PATH.fullmatch(path)
        or not SAFE_QUERY.fullmatch(query)
    ):
        return None
    representation = representation_name(request)
    if representation is None:
        return None
    return f"{request.scheme}/{host}{path}index.{representation}.q-{query}"


def route_profile(path: str) -> str:
    """The profile nginx looks for under `path`: that of the longest prefix in ROUTES."""
    return ROUTES[max((prefix for prefix in ROUTES if path.startswith(prefix)), key=len)]


def own_headers(response: HttpResponseBase) -> dict[str, str]:
    """The response's headers that nginx must add itself."""
    return {
        name: value for name, value in response.headers.items() if name.lower() not in OWN_HEADERS
    }


def profile_of(response: HttpResponseBase, expected: dict[str, dict[str, str]]) -> str | None:
    """The file name suffix for an answer nginx can serve with exactly its headers, else None."""
    content_type = response.get("Content-Type", "")
    kind = KINDS.get(content_type)
    if kind is None or own_headers(response) != expected.get(kind):
        return None
    for suffix, (profile_type, vary) in PROFILES.items():
        if profile_type == content_type and response.get("Vary") == vary:
            return suffix
    return None


def eligible(request: HttpRequest, response: HttpResponseBase) -> bool:
    """The rule of PageCacheMiddleware.storable, for a GET answer any client may be given: catalog
    content (its ETag names this request's resource at this version), kept only until the next
    version."""
    from catalog.conditional import catalog_validators

    cache_control = response.get("Cache-Control", "")
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "public" in cache_control
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not has_vary_header(response, "Cookie")
        and not response.has_header("Content-Disposition")
        and response.get("ETag", "").removeprefix("W/") == catalog_validators(request)[0]
    )


def bodies(response: HttpResponseBase) -> tuple[bytes, bytes] | None:
    """(identity, gzip) as GZipMiddleware sends them, or None if it would not compress. Its gzip
    carries a few random bytes in the header (BREACH: Django's max_random_bytes); an answer the
    store may keep holds no secret, so its gzip is the one Django sent, or one without them."""
    content = response.content
    encoding = response.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(content), content
    if encoding:
        return None
    zipped = compress_string(content)
    if len(zipped) >= len(content):
        return None
    return content, zipped


def write_file(folder: Path, name: str, data: bytes, stamp: int) -> None:
    fd, draft = tempfile.mkstemp(dir=folder, prefix=".draft-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(draft, 0o644)
        os.utime(draft, (stamp, stamp))
        os.replace(draft, folder / name)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise


def make_folders(generation: Path, relative: str) -> Path:
    """generation/relative, made one level at a time: never re-creates a removed generation."""
    folder = generation
    for part in relative.split("/"):
        if part:
            folder = folder / part
            with contextlib.suppress(FileExistsError):
                folder.mkdir()
    return folder


class PageStore:
    """Writes answers into the store's generation folders, within a byte budget per version."""

    def __init__(self, root: Path, budget: int) -> None:
        self.root = root
        self.budget = budget
        self.token = ""
        self.written = 0
        self.known: set[str] = set()
        self.stamps: dict[str, int] = {}
        self.expected: dict[str, dict[str, str]] | None = None
        self.lock = threading.Lock()

    def headers(self) -> dict[str, dict[str, str]]:
        if self.expected is None:
            try:
                self.expected = json.loads((self.root / HEADERS_FILE).read_text())
            except (OSError, ValueError):
                return {}
        return self.expected

    def stamp(self, generation: Path) -> int | None:
        """The generation's time (its files' mtime), which the keeper wrote; None if it is gone."""
        stamp = self.stamps.get(generation.name)
        if stamp is None:
            try:
                stamp = int((generation / STAMP_FILE).read_text())
            except (OSError, ValueError):
                return None
            self.stamps = {generation.name: stamp}
        return stamp

    def spend(self, token: str, size: int) -> bool:
        with self.lock:
            self.follow(token)
            if self.written + size > self.budget:
                return False
            self.written += size
            return True

    def follow(self, token: str) -> None:
        if token != self.token:
            self.token, self.written, self.known = token, 0, set()

    def is_known(self, token: str, name: str) -> bool:
        """Whether this process has seen `name` in `token`'s generation already: a repeat
        request (one nginx did not serve from the file yet, or one straight to gunicorn) then
        costs no file system look-up."""
        with self.lock:
            self.follow(token)
            if name in self.known:
                return True
            if len(self.known) < KNOWN_LIMIT:
                self.known.add(name)
            return False

    def keep(self, request: HttpRequest, response: HttpResponseBase) -> None:
        if not eligible(request, response):
            return
        stem = file_stem(request)
        suffix = profile_of(response, self.headers()) if stem else None
        if stem is None or suffix is None or suffix != route_profile(request.path):
            return
        from catalog.conditional import request_version

        version = request_version(request)
        generation = self.root / generation_name(version.token)
        if not generation.is_dir():  # not made yet, or gone: look again next time
            return
        target = generation / f"{stem}{suffix}"
        if self.is_known(version.token, str(target)) or target.exists():
            return
        stamp = self.stamp(generation)
        pair = bodies(response)
        if stamp is None or pair is None:
            return
        identity, zipped = pair
        if not self.spend(version.token, len(identity) + len(zipped)):
            return
        folder = make_folders(generation, os.path.dirname(stem))
        # The compressed file first: nginx finds the identity file, then looks beside it.
        write_file(folder, f"{target.name}.gz", zipped, stamp)
        write_file(folder, target.name, identity, stamp)


class PageStoreMiddleware:
    """Writes eligible answers into the page store (roles_site.pagestore), when `make serve` runs
    nginx in front and DJANGO_PAGE_STORE names the store. Outside every middleware that adds
    headers, so it sees the answer as the client does."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        root = os.environ.get(STORE_ENV, "")
        budget = int(os.environ.get(BUDGET_ENV, str(64 * 1024 * 1024)))
        self.store = PageStore(Path(root), budget) if root else None

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.store is not None and request.method == "GET":
            try:
                self.store.keep(request, response)
            except Exception:  # a full disk, a removed folder: the answer is still good
                logger.warning("page store: could not keep %s", request.path, exc_info=True)
        return response


# --- the keeper (in `make serve`'s parent process) ----------------------------------------------


@dataclass
class Generation:
    name: str
    stamp: int


class Keeper:
    """Follows the catalog version: a generation folder for each, `current` pointing at the
    newest. Files in one generation share one time (their Last-Modified), a second after the
    previous generation's at least, so two versions never give a file the same ETag."""

    INTERVAL = 0.5

    def __init__(self, root: Path, read_token: Callable[[], tuple[str, float] | None]) -> None:
        self.root = root
        self.read_token = read_token
        self.current: Generation | None = None
        self.stopped = threading.Event()

    def start_fresh(self) -> None:
        """Nothing kept from an earlier run: its answers may have had other settings."""
        for child in self.root.glob("gen-*"):
            shutil.rmtree(child, ignore_errors=True)
        (self.root / CURRENT).unlink(missing_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)

    def tick(self, now: float | None = None) -> bool:
        """Switch to the catalog's version if it changed; True if it switched."""
        now = time.time() if now is None else now
        read = self.read_token()
        if read is None:
            return False
        token, changed = read
        name = generation_name(token)
        if self.current is not None and self.current.name == name:
            return False
        stamp = math.floor(changed)
        if self.current is not None:
            stamp = max(stamp, self.current.stamp + 1)
        if stamp > now:  # never a Last-Modified in the future: switch a moment later
            return False
        folder = self.root / name
        folder.mkdir(exist_ok=True)
        (folder / STAMP_FILE).write_text(str(stamp))
        link = self.root / f".{CURRENT}-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(name)
        os.replace(link, self.root / CURRENT)
        self.current = Generation(name, stamp)
        for child in self.root.glob("gen-*"):
            if child.name != name:
                shutil.rmtree(child, ignore_errors=True)
        return True

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.tick()
            except Exception:  # the database away a moment: keep the current generation
                logger.warning("page store: could not follow the catalog version", exc_info=True)
                close_connection()
            self.stopped.wait(self.INTERVAL)
        close_connection()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="page-store-keeper", daemon=True)
        thread.start()
        return thread


def close_connection() -> None:
    from django.db import connection

    with contextlib.suppress(Exception):
        connection.close()


def catalog_token() -> tuple[str, float] | None:
    """The catalog version's token and time (catalog.conditional.read_version), None if it has
    none yet."""
    from catalog.conditional import read_version

    version = read_version()
    if version.changed is None:
        return None
    return version.token, version.changed.timestamp()
