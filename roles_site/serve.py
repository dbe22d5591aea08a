"""`make serve`: migrate, load content into an empty database, build static files, then run
nginx on 127.0.0.1:PORT in front of gunicorn on a unix socket (deploy/nginx.conf), or gunicorn
alone on PORT when SERVE_PROXY=none or nginx is not installed.

nginx holds slow clients and keeps public answers briefly (their Cache-Control says how long);
this process starts both, and stops both when either stops or it is told to stop. Several may run
at once on different ports. The set-up steps hold a file lock, so two servers
never migrate or collect at the same moment; static files are collected into a build folder named
after a hash of their sources, and each server is pointed at its own build, so a later collect
never rewrites files under a running server.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATIC_BUILDS = BASE_DIR / "staticfiles"
GUNICORN_CONF = Path(__file__).resolve().parent / "gunicorn.conf.py"
NGINX_TEMPLATE = BASE_DIR / "deploy" / "nginx.conf"
KEEP_BUILDS = 3
# What the page store's writers may write per catalog version, all workers together.
STORE_BUDGET = 256 * 1024 * 1024


def secret_key() -> str:
    """A random key kept beside the virtualenv, so sessions survive restarts of `make serve`."""
    path = BASE_DIR / ".venv" / "roles-secret-key"
    if not path.exists():
        # Several servers may start at once: write a whole key aside, then link it into place;
        # whoever links first wins and every other server reads that same, complete key.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".roles-secret-key.")
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(64))
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    return path.read_text().strip()


def production_environ(environ: dict[str, str]) -> dict[str, str]:
    """Production settings, on plain HTTP loopback unless told otherwise (see README)."""
    env = dict(environ)
    env.setdefault("DJANGO_DEBUG", "0")
    # 127.0.0.1 speaks plain HTTP; behind a TLS proxy set DJANGO_SECURE_SSL=1.
    env.setdefault("DJANGO_SECURE_SSL", "0")
    env.setdefault("DJANGO_SETTINGS_MODULE", "roles_site.settings")
    if not env.get("DJANGO_SECRET_KEY"):
        env["DJANGO_SECRET_KEY"] = secret_key()
    return env


@contextmanager
def setup_lock() -> Iterator[None]:
    STATIC_BUILDS.mkdir(exist_ok=True)
    with open(STATIC_BUILDS / ".setup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def static_digest() -> str:
    """A hash of every file collectstatic would collect and of how it is stored."""
    from importlib.metadata import version

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    digest.update(f"{version('django')} {version('whitenoise')}".encode())
    digest.update(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    files = {}
    for finder in get_finders():
        for path, storage in finder.list([]):
            files.setdefault(path, storage.path(path))
    for path in sorted(files):
        digest.update(path.encode() + b"\0")
        digest.update(Path(files[path]).read_bytes())
    return digest.hexdigest()[:16]


def build_static(env: dict[str, str]) -> Path:
    """The build folder for the current static sources, collected now if it does not exist."""
    build = STATIC_BUILDS / f"build-{static_digest()}"
    if not (build / "staticfiles.json").exists():
        shutil.rmtree(build, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=".collect-", dir=STATIC_BUILDS))
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=BASE_DIR,
            env={**env, "DJANGO_STATIC_ROOT": str(tmp)},
            check=True,
        )
        tmp.rename(build)
    os.utime(build)
    builds = sorted(STATIC_BUILDS.glob("build-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in builds[KEEP_BUILDS:]:
        shutil.rmtree(old, ignore_errors=True)
    return build


def prepare(env: dict[str, str]) -> Path:
    """Migrate, load content if the catalog is empty, build static files; return the build."""
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    with setup_lock():
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_catalog", verbosity=0)
        return build_static(env)


def proxy_wanted(env: dict[str, str]) -> bool:
    """nginx in front unless SERVE_PROXY=none; SERVE_PROXY=nginx insists on it."""
    choice = env.get("SERVE_PROXY", "").strip().lower()
    if choice in ("none", "0", "off"):
        return False
    if shutil.which("nginx") is None:
        if choice == "nginx":
            raise SystemExit("SERVE_PROXY=nginx but nginx is not installed: apt-get install nginx")
        print("nginx is not installed: serving with gunicorn alone (no slow-client protection)")
        return False
    return True


def sampling_client():
    """A test client for asking Django, at start, what it sends: under an allowed Host."""
    from django.conf import settings
    from django.test import Client

    hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host.strip(".*")]
    return Client(HTTP_HOST=hosts[0] if hosts else "localhost")


def sample_headers(static_root: Path) -> dict[str, dict[str, str]] | None:
    """The headers Django sends with a public page and with an API answer, less those nginx makes
    for a file itself (roles_site.pagestore.OWN_HEADERS): what nginx adds to stored answers, and
    what the writer checks each answer against. None if Django would not answer them here, or
    nginx could not send them (the store is then off)."""
    from django.conf import settings
    from django.test import override_settings
    from django.urls import reverse

    from roles_site.pagestore import KINDS, own_headers

    client = sampling_client()
    secure = settings.SECURE_SSL_REDIRECT
    samples = {}
    for path in (reverse("catalog:home"), reverse("api:role-list")):
        with override_settings(STATIC_ROOT=static_root):  # the build gunicorn is given
            response = client.get(path, secure=secure)
        kind = KINDS.get(response.get("Content-Type", ""))
        if response.status_code != 200 or kind is None:
            print(f"page store off: {path} answered {response.status_code}", flush=True)
            return None
        samples[kind] = own_headers(response)
        for name, value in samples[kind].items():
            if nginx_quoted(value) is None:
                print(f"page store off: nginx cannot send {name}: {value!r}", flush=True)
                return None
    return samples


# The headers nginx decides for a static file itself: its Cache-Control and CORS per location
# (deploy/nginx.conf), Vary from gzip_vary (where a .gz lies beside the file), the file's own.
STATIC_OWN_HEADERS = frozenset({"cache-control", "access-control-allow-origin"})
# What a static file carries at least, if Django cannot be asked.
STATIC_FALLBACK = {"X-Content-Type-Options": "nosniff"}


def static_headers(static_root: Path) -> dict[str, str]:
    """The headers whitenoise sends with a collected static file that nginx must add itself: those
    Django's middleware gives every answer (CSP, nosniff, Referrer-Policy, Cross-Origin-Opener-
    Policy, over HTTPS Strict-Transport-Security). nginx serves static files in whitenoise's
    place, so they carry the same; STATIC_FALLBACK if Django cannot be asked."""
    from django.conf import settings
    from django.test import override_settings

    from roles_site.pagestore import OWN_HEADERS

    try:
        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        path = manifest.get("css/site.css") or next(iter(manifest.values()))
        client = sampling_client()
        with override_settings(STATIC_ROOT=static_root):  # whitenoise reads its files now
            response = client.get(settings.STATIC_URL + path, secure=settings.SECURE_SSL_REDIRECT)
    except Exception as error:  # serve anyway, static files with nosniff only
        print(f"static files: Django's headers unknown ({error!r})", flush=True)
        return dict(STATIC_FALLBACK)
    if response.status_code != 200:
        print(f"static files: Django answered {response.status_code} for {path}", flush=True)
        return dict(STATIC_FALLBACK)
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in OWN_HEADERS | STATIC_OWN_HEADERS
    }
    if any(nginx_quoted(value) is None for value in headers.values()):
        print("static files: nginx cannot send Django's headers", flush=True)
        return dict(STATIC_FALLBACK)
    return headers


def static_fields(headers: dict[str, str]) -> dict[str, str]:
    """deploy/nginx.conf's @STATIC_HEADERS@ and @STATIC_HEADERS_NESTED@: `headers` as nginx
    directives for both static locations (a nested location that adds a header inherits none)."""
    lines = [f"add_header {name} {nginx_quoted(value)};" for name, value in headers.items()]
    return {
        "@STATIC_HEADERS_NESTED@": "\n                ".join(lines),
        "@STATIC_HEADERS@": "\n            ".join(lines),
    }


def nginx_quoted(value: str) -> str | None:
    """`value` as an nginx string, or None if it cannot be one (nginx reads "$" as a variable)."""
    if "$" in value or "\n" in value:
        return None
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Which file of the page store a request would be (roles_site.pagestore names it alike): one
# string of every part the name depends on, and for each representation one regular expression
# over it. A request is for the store only if it is a GET or HEAD; with no If-Match or
# If-Unmodified-Since (Django judges those); whose Host is labels of a host name (never "." or
# "..") and a port, one folder each (any other reaches Django, which answers 400 to one it does
# not allow); whose path and query string, as the client sent them (so "//x/" or "/a/../b/"
# still reach Django), are plain characters (named captures $store_p and $store_q). The htmx
# headers come first, so an htmx request fails the page's expression at its start, not after
# the whole path. Header matches are case-sensitive, as django-htmx's ("HX-Request: TRUE" is
# not htmx).
STORE_KEY = (
    "$http_hx_request|$http_hx_history_restore_request|$http_hx_target|$request_method"
    "|$http_if_match$http_if_unmodified_since|$http_host|$request_uri"
)


def store_patterns() -> dict[str, str]:
    """The representation (catalog.conditional.representation) -> the expression a request's
    STORE_KEY must match to be it: the page (not htmx, or an htmx history restore), or
    "hx-$store_t" for any other htmx request whose target nginx can name in a file. They
    exclude each other; a request that matches neither goes to Django."""
    from roles_site.pagestore import SAFE_HOST, SAFE_PATH, SAFE_QUERY, SAFE_TARGET

    rest = (
        rf"\|(?:GET|HEAD)\|\|{SAFE_HOST.pattern}\|(?<store_p>{SAFE_PATH.pattern})"
        rf"(?:\?(?<store_q>{SAFE_QUERY.pattern}))?$"
    )
    return {
        "page": rf"^(?:true\|true\|[^|]*|(?!true\|)[^|]*\|[^|]*\|[^|]*){rest}",
        "hx-$store_t": rf"^true\|(?!true\|)[^|]*\|(?<store_t>{SAFE_TARGET.pattern}){rest}",
    }


def store_fields(store: Path, headers: dict[str, dict[str, str]] | None) -> dict[str, str]:
    """deploy/nginx.conf's page-store fields: for each route of the store (pagestore.ROUTES), the
    file to serve and the headers to add, those of `headers` and the Vary its profile names. With
    no `headers` the store is off: every request goes to Django."""
    from roles_site.pagestore import KINDS, PROFILES, ROUTES

    fields = {"@STORE@": str(store), "@STORE_PAGES@": "            return 418;  # the store is off"}
    if headers is None:
        return fields
    # Each "if" names its file and serves it ("rewrite ... break": the "if" block serves with the
    # route's own settings and headers); a request neither matches goes to Django ("return" and
    # "rewrite" are what "if" does safely in a location). No map: nginx lowercases and hashes a
    # map's whole source string before it tries a regular expression (measured with perf: about
    # 0.15 us an answer, on a 1.2 us difference to a static file).
    decide = [f'set $store_key "{STORE_KEY}";']
    for representation, pattern in store_patterns().items():
        stem = f"/$scheme/$http_host${{store_p}}index.{representation}.q-$store_q"
        decide += [f'if ($store_key ~ "{pattern}") {{', f"    rewrite ^ {stem}@SUFFIX@ break;", "}"]
    decide.append("return 418;")
    lines = []
    # "/" first: its directives are those of `location /` itself, the other routes nest in it.
    for prefix, suffix in sorted(ROUTES.items()):
        content_type, vary = PROFILES[suffix]
        directives = [line.replace("@SUFFIX@", suffix) for line in decide]
        directives.append(f"add_header Vary {nginx_quoted(vary)};")
        directives += [
            f"add_header {name} {nginx_quoted(value)};"
            for name, value in headers[KINDS[content_type]].items()
        ]
        directives.append("add_header X-Cache STORE;")
        if prefix == "/":
            lines += [f"            {directive}" for directive in directives]
            continue
        # A nested location inherits neither "if" nor "rewrite", nor add_header once it has one:
        # each route has them all.
        lines += ["", f"            location {prefix} {{"]
        lines += [f"                {directive}" for directive in directives]
        lines.append("            }")
    fields["@STORE_PAGES@"] = "\n".join(lines)
    return fields


def nginx_config(
    runtime: Path,
    port: int,
    socket_path: Path,
    static_root: Path,
    store: Path,
    headers: dict[str, dict[str, str]] | None,
    static: dict[str, str],
) -> Path:
    """deploy/nginx.conf filled in for this server, written into its runtime folder."""
    # As root, nginx would hand its workers to "nobody", who may not read this checkout; keep
    # them as the user who runs `make serve`, like gunicorn.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    fields = {
        "@USER@": user,
        "@WORKERS@": os.environ.get("NGINX_WORKERS", "auto"),
        "@RUNTIME@": str(runtime),
        "@SOCKET@": str(socket_path),
        "@LISTEN@": f"127.0.0.1:{port}",
        "@STATIC_ROOT@": str(static_root),
        **static_fields(static),
        **store_fields(store, headers),
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace(name, value)
    path = runtime / "nginx.conf"
    path.write_text(text)
    return path


def gunicorn_command() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]


def start_page_store(
    runtime: Path, static_root: Path
) -> tuple[Path, dict[str, dict[str, str]] | None]:
    """The page store's root, its keeper started, and the headers stored answers carry (None:
    the store is off)."""
    from roles_site.pagestore import HEADERS_FILE, Keeper, catalog_token

    store = runtime / "pages"
    keeper = Keeper(store, catalog_token)
    keeper.start_fresh()
    try:
        headers = sample_headers(static_root)
    except Exception as error:  # the store is an optimisation: serve without it
        print(f"page store off: {error!r}", flush=True)
        headers = None
    if headers is None:
        return store, None
    (store / HEADERS_FILE).write_text(json.dumps(headers, indent=1))
    keeper.start()  # its first look at the catalog version is now
    return store, headers


def run_behind_nginx(env: dict[str, str], port: int) -> int:
    """gunicorn on a socket, nginx on the port; both end when either ends or we are stopped."""
    given = env.get("SERVE_RUNTIME_DIR")
    runtime = Path(given) if given else Path(tempfile.mkdtemp(prefix=f"roles-serve-{port}-"))
    runtime.mkdir(parents=True, exist_ok=True)
    # The proxy cache starts empty, as the page store does: a page nginx kept in an earlier run
    # would be revalidated (Django's 304) instead of answered in full, and so never stored.
    shutil.rmtree(runtime / "cache", ignore_errors=True)
    socket_path = runtime / "gunicorn.sock"
    socket_path.unlink(missing_ok=True)
    binds = [f"unix:{socket_path}"]
    if env.get("UPSTREAM_PORT"):  # gunicorn directly on loopback too: `make bench` compares
        binds.append(f"127.0.0.1:{env['UPSTREAM_PORT']}")
    # Behind our nginx: take the visitor's address from nginx's X-Real-IP, for requests on the
    # socket only (roles_site.clientaddress); the loopback port keeps its connection's address.
    gunicorn_env = {**env, "GUNICORN_BIND": ",".join(binds), "DJANGO_BEHIND_NGINX": "1"}
    from roles_site.pagestore import BUDGET_ENV, STORE_ENV

    static_root = Path(env["DJANGO_STATIC_ROOT"])
    store, headers = start_page_store(runtime, static_root)
    if headers is not None:
        workers = int(env.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
        gunicorn_env[STORE_ENV] = str(store)
        gunicorn_env[BUDGET_ENV] = str(STORE_BUDGET // max(workers, 1))
    config = nginx_config(
        runtime, port, socket_path, static_root, store, headers, static_headers(static_root)
    )
    print(f"nginx on http://127.0.0.1:{port} -> gunicorn on {socket_path}", flush=True)
    children: list[subprocess.Popen] = []

    def stop(*_args) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        children.append(
            subprocess.Popen(
                [*gunicorn_command(), *sys.argv[1:], "roles_site.wsgi:application"],
                env=gunicorn_env,
            )
        )
        while not socket_path.exists() and children[0].poll() is None:
            time.sleep(0.05)
        if children[0].poll() is None:
            nginx = ["nginx", "-e", "stderr", "-p", str(runtime), "-c", str(config)]
            children.append(subprocess.Popen(nginx))
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
        stop()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        return max(abs(child.returncode or 0) for child in children)
    finally:
        if not given:
            shutil.rmtree(runtime, ignore_errors=True)


def main() -> None:
    env = production_environ(dict(os.environ))
    env["DJANGO_STATIC_ROOT"] = str(prepare(env))
    os.chdir(BASE_DIR)
    port = int(env.get("PORT", "8000"))
    if proxy_wanted(env):
        sys.exit(run_behind_nginx(env, port))
    argv = gunicorn_command()
    os.execve(sys.executable, [*argv, *sys.argv[1:], "roles_site.wsgi:application"], env)


if __name__ == "__main__":
    main()
