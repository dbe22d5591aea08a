"""Editors find teams by name or id, read their chart, and delete them; they do not edit them
(only the key holders do)."""

from __future__ import annotations

from django.contrib import admin
from reversion.admin import VersionAdmin

from teams.models import Team


@admin.register(Team)
class TeamAdmin(VersionAdmin):
    list_display = ["__str__", "public_id", "version", "created", "updated"]
    search_fields = ["name", "public_id"]
    date_hierarchy = "updated"
    readonly_fields = ["public_id", "name", "document", "version", "created", "updated"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def view_on_site(self, obj: Team) -> str:
        return obj.get_absolute_url()
