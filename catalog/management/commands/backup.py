"""A consistent copy of the database while the server runs.

SQLite: the online backup API copies a single snapshot page by page (writers keep going), into a
temporary file that is integrity-checked and then renamed into place, so a backup file is never
half-written. PostgreSQL: pg_dump, which reads one snapshot too.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def default_path(vendor: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if vendor == "sqlite" else "pgdump"
    return settings.BASE_DIR / "backups" / f"roles-{stamp}.{suffix}"


def backup_sqlite(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst)
        (result,) = dst.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":
            raise CommandError(f"The copy failed its integrity check: {result}")
        # A standalone file: no -wal beside it to lose when it is moved or mailed.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()
    os.replace(tmp, target)


def backup_postgresql(database: dict, target: Path) -> None:
    env = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            command.append(f"{option}={database[key]}")
    command.append(database["NAME"])
    try:
        subprocess.run(command, env=env, check=True)
    except FileNotFoundError:
        raise CommandError(
            "pg_dump is not installed (apt-get install postgresql-client)."
        ) from None
    except subprocess.CalledProcessError as error:
        raise CommandError(f"pg_dump failed with exit status {error.returncode}.") from None


class Command(BaseCommand):
    help = "Copy the database to a file, consistently, while the server keeps running."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", nargs="?", help="Where to write the copy (default: backups/roles-<time>.*)."
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, path: str | None, database: str, **options) -> None:
        connection = connections[database]
        target = Path(path) if path else default_path(connection.vendor)
        target.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            backup_sqlite(Path(connection.settings_dict["NAME"]), target)
        elif connection.vendor == "postgresql":
            backup_postgresql(connection.settings_dict, target)
        else:
            raise CommandError(f"No backup method for {connection.vendor}.")
        self.stdout.write(f"Backed up the {connection.vendor} database to {target}")
