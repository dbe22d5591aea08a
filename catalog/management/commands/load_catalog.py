"""Load the content fixtures into an empty catalog; leave a catalog editors have changed alone."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from catalog.changes import CATALOG_LOADED, HISTORY_BEGINS, version_unversioned_records
from catalog.fixture_files import fixture_labels
from catalog.models import Role


class Command(BaseCommand):
    help = "Load fixtures/ into the database if it holds no catalog content yet."

    def handle(self, *args, **options) -> None:
        if Role.objects.exists():
            self.stdout.write("Catalog already has content; leaving it as editors left it.")
            version_unversioned_records(HISTORY_BEGINS)
            return
        call_command(
            "loaddata",
            *fixture_labels(),
            verbosity=options["verbosity"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        version_unversioned_records(CATALOG_LOADED)
