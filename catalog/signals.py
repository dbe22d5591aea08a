"""Bump the catalog version whenever content changes, so ETags and caches move on; write the
public change log's rows whenever a revision is saved."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from reversion.signals import post_revision_commit

from catalog.changes import record_changes
from catalog.conditional import clock
from catalog.models import CatalogVersion

CONTENT_MODELS = {
    "source",
    "function",
    "role",
    "roleslugredirect",
    "confusion",
    "responsibility",
    "knowledgearea",
    "roleknowledge",
    "dimension",
    "trait",
    "lifecyclestage",
    "stageinvolvement",
    "collaboration",
    "contribution",
    "pairing",
    "keydifference",
    "antipattern",
    "certification",
    "occupationcode",
    *(f"{kind}citation" for kind in ("antipattern", "certification", "occupationcode")),
    *(f"{kind}citation" for kind in ("role", "responsibility", "knowledgearea", "roleknowledge")),
    *(f"{kind}citation" for kind in ("trait", "lifecyclestage", "stageinvolvement")),
    *(f"{kind}citation" for kind in ("collaboration", "contribution", "pairing")),
}


def after_migrate(using: str = "default", **kwargs) -> None:
    """The catalog version row, and the Editors group: change catalog content, nothing else.

    Run after every migrate (and flush), so a content model added later is granted too."""
    from django.contrib.auth.models import Group, Permission

    CatalogVersion.objects.using(using).get_or_create(pk=1, defaults={"number": 1})
    editors, _ = Group.objects.using(using).get_or_create(name="Editors")
    editors.permissions.set(
        Permission.objects.using(using).filter(
            content_type__app_label="catalog", content_type__model__in=CONTENT_MODELS
        )
    )


def bump_catalog_version() -> None:
    # This process reads the version again now, and again once the edit commits (another
    # thread may have read the old one in between); other processes within their interval.
    clock.forget()
    transaction.on_commit(clock.forget)
    changed = CatalogVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed=timezone.now()
    )
    if not changed:
        CatalogVersion.objects.create(pk=1, number=2)


def is_content(sender) -> bool:
    meta = sender._meta
    return meta.app_label == "catalog" and meta.model_name in CONTENT_MODELS


@receiver(post_save)
@receiver(post_delete)
def content_changed(sender, **kwargs) -> None:
    if is_content(sender):
        bump_catalog_version()


@receiver(m2m_changed)
def content_relation_changed(sender, action: str, instance, **kwargs) -> None:
    if action.startswith("post_") and is_content(type(instance)):
        bump_catalog_version()


@receiver(post_revision_commit)
def revision_saved(sender, revision, versions, **kwargs) -> None:
    record_changes(revision, versions)
