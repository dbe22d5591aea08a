"""Delete team charts not saved for TEAM_RETENTION_DAYS days (off when the setting is unset)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from teams.models import Team


class Command(BaseCommand):
    help = "Delete teams not saved for TEAM_RETENTION_DAYS days; does nothing when it is unset."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        days = settings.TEAM_RETENTION_DAYS
        if days is None:
            self.stdout.write("TEAM_RETENTION_DAYS is unset: no team is removed.")
            return
        old = Team.objects.untouched_for(days)
        if dry_run:
            self.stdout.write(f"{old.count()} team(s) not saved for {days} days.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"Deleted {deleted} team(s) not saved for {days} days.")
