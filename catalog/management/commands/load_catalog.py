"""Load the content fixtures into an empty catalog; leave a catalog editors have changed alone.

Every record is validated the way the admin validates it (field rules, unique slugs, one
Accountable per activity, a responsibility behind each R and A) and one invalid record refuses
the whole load: Django's `loaddata` does the reading and saving inside our transaction, and a
`pre_save` check, connected only while this command loads, cleans each record before it is
written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.signals import pre_save

from catalog.changes import CATALOG_LOADED, HISTORY_BEGINS, version_unversioned_records
from catalog.fixture_files import fixture_labels
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


@contextmanager
def validating_loads() -> Iterator[None]:
    """Clean every catalog record a fixture load saves, as the admin would."""

    def clean(sender: type[models.Model], instance: models.Model, raw: bool, **kwargs) -> None:
        if not raw or sender._meta.app_label != "catalog":
            return
        if hasattr(instance, "updated") and instance.updated is None:
            instance.updated = now_to_the_second()
        try:
            instance.full_clean()
        except ValidationError as error:
            raise CommandError(
                f"Invalid catalog data in {sender._meta.label} “{instance}”: {describe(error)}"
            ) from None

    pre_save.connect(clean, dispatch_uid="load_catalog_validation")
    try:
        yield
    finally:
        pre_save.disconnect(dispatch_uid="load_catalog_validation")


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


class Command(BaseCommand):
    help = "Load fixtures/ (or the given fixture files) into the database if it has no catalog."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "fixtures", nargs="*", help="Fixture files to load instead of the whole catalog."
        )

    def handle(self, *args, **options) -> None:
        if Role.objects.exists():
            self.stdout.write("Catalog already has content; leaving it as editors left it.")
            version_unversioned_records(HISTORY_BEGINS)
            return
        with transaction.atomic(), validating_loads():
            call_command(
                "loaddata",
                *(options["fixtures"] or fixture_labels()),
                verbosity=options["verbosity"],
                stdout=self.stdout,
                stderr=self.stderr,
            )
            check_across_records()
            version_unversioned_records(CATALOG_LOADED)
