"""Write the catalog back to fixtures/ with natural keys, in a byte-stable form."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.fixture_files import FIXTURE_FILES, render_fixture


class Command(BaseCommand):
    help = "Write the database's catalog content to fixtures/ (natural keys, sorted, indented)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            default=str(settings.FIXTURE_DIRS[0]),
            help="Folder to write the fixture files to (default: fixtures/).",
        )

    def handle(self, *args, output: str, **options) -> None:
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        for name, labels in FIXTURE_FILES.items():
            (folder / name).write_text(render_fixture(labels), encoding="utf-8")
            self.stdout.write(f"wrote {folder / name}")
