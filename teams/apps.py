from __future__ import annotations

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = "Teams' own RACI charts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate

        from teams import signals

        # After the catalog's handler, which sets the Editors group's permissions afresh.
        post_migrate.connect(signals.editors_may_delete_teams, sender=self)
        post_delete.connect(signals.forget_versions, sender="teams.Team")
