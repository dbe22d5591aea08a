"""Load the content fixtures: into an empty catalog, or over one no editor has changed since the
last load; a catalog editors have changed is left alone unless `--replace` is given, and the
command says which records that would lose.

Every record is validated the way the admin validates it (field rules, unique slugs, one
Accountable per activity, a responsibility behind each R and A) and one invalid record refuses
the whole load: Django's `loaddata` does the reading and saving inside our transaction, and a
`pre_save` check, connected only while this command loads, cleans each record before it is
written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import reversion
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.signals import post_save, pre_save

from catalog.changes import (
    CATALOG_LOADED,
    CATALOG_RELOADED,
    HISTORY_BEGINS,
    edited_since_last_load,
    version_unversioned_records,
)
from catalog.fixture_files import FIXTURE_FILES, catalog_matches_fixtures, fixture_labels
from catalog.models import (
    Collaboration,
    Pairing,
    Role,
    check_contribution_responsibilities,
    check_one_accountable,
    check_pairing_roles,
    now_to_the_second,
)


def describe(error: ValidationError) -> str:
    return "; ".join(
        " ".join(messages) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(messages)}"
        for field, messages in error.message_dict.items()
    )


Saved = dict[type[models.Model], set]


@contextmanager
def validating_loads() -> Iterator[Saved]:
    """Clean every catalog record a fixture load saves, as the admin would; yields the ids of
    the records saved, by model."""
    saved: Saved = defaultdict(set)

    def clean(sender: type[models.Model], instance: models.Model, raw: bool, **kwargs) -> None:
        if not raw or sender._meta.app_label != "catalog":
            return
        if hasattr(instance, "updated") and instance.updated is None:
            instance.updated = now_to_the_second()
        # loaddata gives a record the id of the one its natural key finds: one already in the
        # catalog is updated (no clash with itself), one saved earlier in this load repeated.
        instance._state.adding = instance.pk is None or instance.pk in saved[sender]
        try:
            instance.full_clean()
        except ValidationError as error:
            raise CommandError(
                f"Invalid catalog data in {sender._meta.label} “{instance}”: {describe(error)}"
            ) from None

    def note(sender: type[models.Model], instance: models.Model, raw: bool, **kwargs) -> None:
        if raw and sender._meta.app_label == "catalog":
            saved[sender].add(instance.pk)

    pre_save.connect(clean, dispatch_uid="load_catalog_validation")
    post_save.connect(note, dispatch_uid="load_catalog_saved")
    try:
        yield saved
    finally:
        pre_save.disconnect(dispatch_uid="load_catalog_validation")
        post_save.disconnect(dispatch_uid="load_catalog_saved")


def check_across_records() -> None:
    """The rules a single record cannot show: each activity has exactly one Accountable, each
    R and A names its own role's responsibilities that it exercises, and each pairing holds two
    to four roles that no other pairing holds."""
    try:
        activities = Collaboration.objects.prefetch_related(
            "contributions__role", "contributions__responsibilities"
        )
        for collaboration in activities:
            letters = [part.raci for part in collaboration.contributions.all()]
            check_one_accountable(letters, f"“{collaboration.slug}”")
            for part in collaboration.contributions.all():
                try:
                    check_contribution_responsibilities(
                        part.role, part.raci, part.responsibilities.all()
                    )
                except ValidationError as error:
                    raise ValidationError(
                        f"“{collaboration.slug}”, {part.role.slug}: {error.messages[0]}"
                    ) from None
        for pairing in Pairing.objects.prefetch_related("roles"):
            try:
                check_pairing_roles(list(pairing.roles.all()), pairing)
            except ValidationError as error:
                raise ValidationError(f"Pairing “{pairing.slug}”: {error.messages[0]}") from None
    except ValidationError as error:
        raise CommandError(f"Invalid catalog data: {error.messages[0]}") from None


def remove_what_was_not_loaded(saved: Saved) -> None:
    """Delete the catalog records the fixtures no longer hold (in reverse load order, so
    citations go before their sources)."""
    for label in reversed([label for labels in FIXTURE_FILES.values() for label in labels]):
        model = apps.get_model(label)
        model._default_manager.exclude(pk__in=saved[model]).delete()


def would_lose(edited: list[str]) -> str:
    named = "\n".join(f"  {record}" for record in edited)
    return (
        "fixtures/ differ from the catalog, but editors have changed the catalog since it was "
        f"last loaded, so it is left as it is. Loading the fixtures over it would lose "
        f"{len(edited)} record(s) edited since the last load:\n{named}\n"
        "To keep those edits, write them to fixtures/ first: "
        ".venv/bin/python manage.py export_catalog\n"
        "To replace the catalog with fixtures/: .venv/bin/python manage.py load_catalog --replace"
    )


class Command(BaseCommand):
    help = (
        "Load fixtures/ (or the given fixture files) into an empty catalog, or over one no "
        "editor has changed since the last load; --replace loads over editors' changes too."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "fixtures", nargs="*", help="Fixture files to load instead of the whole catalog."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the catalog with the fixtures even where editors have changed it.",
        )

    def handle(self, *args, fixtures: list[str], replace: bool, **options) -> None:
        if not Role.objects.exists():
            with transaction.atomic():
                self.load(fixtures, options["verbosity"])
                check_across_records()
                version_unversioned_records(CATALOG_LOADED)
            return
        version_unversioned_records(HISTORY_BEGINS)
        if not replace:
            if not fixtures and catalog_matches_fixtures():
                self.stdout.write("Catalog matches fixtures/; nothing to load.")
                return
            if edited := edited_since_last_load():
                self.stdout.write(would_lose(edited))
                return
        # One revision, so the change log shows what the fixtures changed, record by record.
        # Given files are loaded over the catalog; the whole of fixtures/ replaces it.
        with transaction.atomic(), reversion.create_revision():
            reversion.set_comment(CATALOG_RELOADED)
            saved = self.load(fixtures, options["verbosity"])
            if not fixtures:
                remove_what_was_not_loaded(saved)
            check_across_records()
        self.stdout.write("Loaded the fixtures over the catalog; /changes/ shows what changed.")

    def load(self, fixtures: list[str], verbosity: int) -> Saved:
        with validating_loads() as saved:
            call_command(
                "loaddata",
                *(fixtures or fixture_labels()),
                verbosity=verbosity,
                stdout=self.stdout,
                stderr=self.stderr,
            )
        return saved
