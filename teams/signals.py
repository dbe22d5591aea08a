"""Editors may find and delete teams; a deleted team's saved versions go with it."""

from __future__ import annotations


def editors_may_delete_teams(using: str = "default", **kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    editors, _ = Group.objects.using(using).get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="teams", codename__in=["view_team", "delete_team"]
        )
    )


def forget_versions(sender, instance, using: str = "default", **kwargs) -> None:
    """reversion keeps a deleted object's versions for recovery; a team's are its content, and
    deleting the team (from the admin or by prune_teams) must remove them too."""
    from reversion.models import Version

    Version.objects.using(using).get_for_object(instance).delete()
