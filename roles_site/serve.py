"""`make serve`: migrate, load content into an empty database, build static files, run gunicorn.

Several may run at once on different ports. The set-up steps hold a file lock, so two servers
never migrate or collect at the same moment; static files are collected into a build folder named
after a hash of their sources, and each server is pointed at its own build, so a later collect
never rewrites files under a running server.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
STATIC_BUILDS = BASE_DIR / "staticfiles"
GUNICORN_CONF = Path(__file__).resolve().parent / "gunicorn.conf.py"
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


def main() -> None:
    env = production_environ(dict(os.environ))
    env["DJANGO_STATIC_ROOT"] = str(prepare(env))
    os.chdir(BASE_DIR)
    argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
    os.execve(sys.executable, [*argv, *sys.argv[1:], "roles_site.wsgi:application"], env)


if __name__ == "__main__":
    main()
