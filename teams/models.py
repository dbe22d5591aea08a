"""A team's own RACI chart, shared without accounts: a public id anyone with the link may read,
and the hash of a secret edit key for those who may change it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import reversion
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from teams.chart import TEAM_NAME_MAX, Chart

PUBLIC_ID_BYTES = 16  # 128 bits: the read-only address cannot be guessed
EDIT_KEY_BYTES = 24  # 192 bits


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


def key_hash(key: str) -> str:
    """A random key of 192 bits needs no slow hash: SHA-256 keeps it out of the database."""
    return hashlib.sha256(key.encode()).hexdigest()


class TeamQuerySet(models.QuerySet):
    def untouched_for(self, days: int) -> TeamQuerySet:
        """Teams not saved in the last `days` days."""
        return self.filter(updated__lt=timezone.now() - timedelta(days=days))


@reversion.register()
class Team(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    name = models.CharField(max_length=TEAM_NAME_MAX, blank=True, editable=False)
    document = models.JSONField(help_text="The chart: roles, activities and letters.")
    # Optimistic concurrency: a save names the version it edited; a stale one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_index=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-updated"]

    def __str__(self) -> str:
        return self.name or f"Team {self.public_id[:6]}…"

    def get_absolute_url(self) -> str:
        return reverse("teams:detail", args=[self.public_id])

    @property
    def chart(self) -> Chart:
        return Chart.model_validate(self.document)

    @chart.setter
    def chart(self, chart: Chart) -> None:
        self.document = chart.model_dump(mode="json")
        self.name = chart.name

    def new_key(self) -> str:
        """A fresh edit key: only its hash is kept, so it is shown once, to its creator."""
        key = secrets.token_urlsafe(EDIT_KEY_BYTES)
        self.key_hash = key_hash(key)
        return key

    def opens_with(self, key: str) -> bool:
        return hmac.compare_digest(key_hash(key), self.key_hash)

    def edit_url(self, key: str) -> str:
        return reverse("teams:edit", args=[self.public_id, key])


class TeamStart(models.Model):
    """One team created, by a keyed hash of the client's address: enough to count starts per
    address for the rate limit, and not the address itself. Kept for an hour."""

    address = models.CharField(max_length=64, db_index=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    WINDOW = timedelta(hours=1)

    def __str__(self) -> str:
        return f"A team started at {self.created:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash(address: str) -> str:
        return hmac.new(
            settings.SECRET_KEY.encode(), f"team-start:{address}".encode(), hashlib.sha256
        ).hexdigest()

    @classmethod
    def allow(cls, address: str, limit: int) -> bool:
        """Record a start from `address` if it has made fewer than `limit` in the last hour."""
        since = timezone.now() - cls.WINDOW
        cls.objects.filter(created__lt=since).delete()
        hashed = cls.hash(address)
        if cls.objects.filter(address=hashed).count() >= limit:
            return False
        cls.objects.create(address=hashed)
        return True
