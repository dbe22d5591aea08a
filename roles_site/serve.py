"""`make serve`: migrate, load the content (never over editors' changes), build static files,
then run nginx on 127.0.0.1:PORT in front of gunicorn on a unix socket (deploy/nginx.conf), or
gunicorn alone on PORT when SERVE_PROXY=none or nginx is not installed.

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
import ipaddress
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
    # Each start is a new deploy as far as ETags go: code or templates may have changed.
    env.setdefault("DJANGO_DEPLOY_ID", format(time.time_ns() // 1_000_000, "x"))
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
    """Migrate, load the content (never over editors' changes), build static files; return the
    build."""
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    with setup_lock():
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_catalog", verbosity=0)
        return build_static(env)


def render_error_page(runtime: Path, static_root: Path) -> None:
    """The app's page for requests nginx refuses itself (deploy/nginx.conf's error_page)."""
    from django.template.loader import render_to_string
    from django.test import override_settings

    with override_settings(STATIC_ROOT=static_root):  # the build nginx serves
        html = render_to_string("400.html")
    (runtime / "errors").mkdir(exist_ok=True)
    (runtime / "errors" / "400.html").write_text(html)


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


# The headers nginx decides for a static file itself: the file's own, its Cache-Control and CORS
# per location (deploy/nginx.conf), Vary from gzip_vary (where a .gz lies beside the file).
STATIC_OWN_HEADERS = frozenset(
    {
        "date",
        "content-length",
        "content-type",
        "content-encoding",
        "etag",
        "last-modified",
        "server",
        "vary",
        "cache-control",
        "access-control-allow-origin",
    }
)
# What a static file carries at least, if Django cannot be asked.
STATIC_FALLBACK = {"X-Content-Type-Options": "nosniff"}


def static_headers(static_root: Path) -> dict[str, str]:
    """The headers whitenoise sends with a collected static file that nginx must add itself: those
    Django's middleware gives every answer (CSP, nosniff, Referrer-Policy, Cross-Origin-Opener-
    Policy, over HTTPS Strict-Transport-Security). nginx serves static files in whitenoise's
    place, so they carry the same; STATIC_FALLBACK if Django cannot be asked."""
    from django.conf import settings
    from django.test import Client, override_settings

    try:
        manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
        path = manifest.get("css/site.css") or next(iter(manifest.values()))
        hosts = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host.strip(".*")]
        client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")  # a Host Django serves
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
        if name.lower() not in STATIC_OWN_HEADERS
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


def nginx_config(
    runtime: Path,
    port: int,
    socket_path: Path,
    static_root: Path,
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
        "@TRUSTED_PROXIES@": trusted_proxies(os.environ.get("SERVE_TRUSTED_PROXIES", "127.0.0.1")),
        "@STATIC_ROOT@": str(static_root),
        **static_fields(static),
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace(name, value)
    path = runtime / "nginx.conf"
    path.write_text(text)
    return path


def trusted_proxies(given: str) -> str:
    """deploy/nginx.conf's @TRUSTED_PROXIES@: the addresses or networks, comma-separated, whose
    X-Forwarded-Proto nginx passes on, as geo entries."""
    try:
        networks = [ipaddress.ip_network(item.strip()) for item in given.split(",") if item.strip()]
    except ValueError as error:
        raise SystemExit(f"SERVE_TRUSTED_PROXIES: {error}") from None
    return "\n        ".join(f"{network} 1;" for network in networks)


def gunicorn_command() -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]


def run_behind_nginx(env: dict[str, str], port: int) -> int:
    """gunicorn on a socket, nginx on the port; both end when either ends or we are stopped."""
    given = env.get("SERVE_RUNTIME_DIR")
    runtime = Path(given) if given else Path(tempfile.mkdtemp(prefix=f"roles-serve-{port}-"))
    runtime.mkdir(parents=True, exist_ok=True)
    socket_path = runtime / "gunicorn.sock"
    socket_path.unlink(missing_ok=True)
    binds = [f"unix:{socket_path}"]
    if env.get("UPSTREAM_PORT"):  # gunicorn directly on loopback too: `make bench` compares
        binds.append(f"127.0.0.1:{env['UPSTREAM_PORT']}")
    # Behind our nginx: take the visitor's address from nginx's X-Real-IP, for requests on the
    # socket only (roles_site.clientaddress); the loopback port keeps its connection's address.
    gunicorn_env = {**env, "GUNICORN_BIND": ",".join(binds), "DJANGO_BEHIND_NGINX": "1"}
    static_root = Path(env["DJANGO_STATIC_ROOT"])
    render_error_page(runtime, static_root)
    config = nginx_config(runtime, port, socket_path, static_root, static_headers(static_root))
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
