"""What changed, readably: before → after per field, for the admin's history and the public log.

django-reversion stores each record's state per revision; a change is the difference from the
same record's previous version. When a revision is saved, its changes are written to `Change`
rows (who saved it is left out), so the public change log at /changes/ and its Atom feed are
plain queries, filterable by role.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass

import reversion
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe
from reversion.models import Revision, Version

from catalog.conditional import catalog_conditional
from catalog.models import Change, Role

CATALOG_LOADED = "Catalog loaded from fixtures/"
CATALOG_RELOADED = "Catalog reloaded from fixtures/"
HISTORY_BEGINS = "Records as they were when history began"
FIRST_REVISIONS = {CATALOG_LOADED, HISTORY_BEGINS}
LOADS = {CATALOG_LOADED, CATALOG_RELOADED}
SKIPPED_FIELDS = {"id", "updated"}
PER_PAGE = 20


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def stored_fields(version: Version) -> dict:
    return json.loads(version.serialized_data)[0]["fields"]


def previous_versions(versions: list[Version]) -> dict[int, Version]:
    """Each version's predecessor for the same record, one query per kind of record."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for version in versions:
        wanted[version.content_type_id].add(version.object_id)
    earlier: dict[tuple[int, str], list[Version]] = defaultdict(list)
    newest = max((version.pk for version in versions), default=0)
    for content_type_id, ids in wanted.items():
        for version in Version.objects.filter(
            content_type_id=content_type_id, object_id__in=ids, pk__lt=newest
        ).order_by("pk"):
            earlier[(content_type_id, version.object_id)].append(version)
    found = {}
    for version in versions:
        before = [
            v for v in earlier[(version.content_type_id, version.object_id)] if v.pk < version.pk
        ]
        if before:
            found[version.pk] = before[-1]
    return found


def editable_fields(model: type[models.Model]) -> list[models.Field]:
    opts = model._meta
    return [
        field
        for field in [*opts.concrete_fields, *opts.many_to_many]
        if field.name not in SKIPPED_FIELDS
    ]


def as_list(value) -> list:
    return sorted(value or []) if isinstance(value, list) else value


def record_diffs(versions: list[Version]) -> dict[int, list[FieldChange] | None]:
    """For each version: the fields it changed, as readable text; None if it is the first."""
    previous = previous_versions(versions)
    raw: dict[int, list[tuple[models.Field, object, object]] | None] = {}
    for version in versions:
        before_version = previous.get(version.pk)
        if before_version is None:
            raw[version.pk] = None
            continue
        before, after = stored_fields(before_version), stored_fields(version)
        raw[version.pk] = [
            (field, before.get(field.name), after.get(field.name))
            for field in editable_fields(version._model)
            if as_list(before.get(field.name)) != as_list(after.get(field.name))
        ]
    names = related_names(
        (field, value) for rows in raw.values() for field, *values in rows or [] for value in values
    )
    return {
        pk: None
        if rows is None
        else [
            FieldChange(
                str(field.verbose_name).capitalize(),
                readable(field, before, names),
                readable(field, after, names),
            )
            for field, before, after in rows
        ]
        for pk, rows in raw.items()
    }


def related_names(pairs) -> dict[tuple[type[models.Model], str], str]:
    """The names of the records that changed foreign keys point at, one query per model."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for field, value in pairs:
        if field.is_relation and value not in (None, ""):
            wanted[field.related_model].update(value if isinstance(value, list) else [value])
    return {
        (model, str(pk)): str(obj)
        for model, pks in wanted.items()
        for pk, obj in model._default_manager.in_bulk(list(pks)).items()
    }


def readable(field: models.Field, value, names: dict) -> str:
    if value in (None, "", []):
        return ""
    if field.is_relation:
        values = value if isinstance(value, list) else [value]
        return ", ".join(
            sorted(names.get((field.related_model, str(v)), f"(removed #{v})") for v in values)
        )
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


# --- writing the history and the public log ------------------------------------------------


def version_unversioned_records(comment: str) -> int:
    """One revision holding every catalog record that has no version yet; how many it holds.

    After a load, the loaded content is every record's first version, so the first edit shows
    what it changed and the loaded text can be restored.
    """
    count = 0
    with reversion.create_revision():
        reversion.set_comment(comment)
        for model in reversion.get_registered_models():
            if model._meta.app_label != "catalog":
                continue
            versioned = set(
                Version.objects.get_for_model(model).values_list("object_id", flat=True)
            )
            # Peers: each relation a version follows is read for all the records at once.
            for obj in model._default_manager.fetch_mode(models.FETCH_PEERS):
                if str(obj.pk) not in versioned:
                    reversion.add_to_revision(obj)
                    count += 1
    return count


def edited_since_last_load() -> list[str]:
    """The catalog records changed since the last load from fixtures/, as the change log names
    them: in a revision (every revision, if none was a load), or saved outside one."""
    last_load = Revision.objects.filter(comment__in=LOADS).order_by("-pk").first()
    changes = (
        Change.objects.exclude(revision__comment__in=LOADS)
        .filter(revision_id__gt=last_load.pk if last_load else 0)
        .order_by("pk")
    )
    records = {
        (change.kind, change.record): f"{change.kind} “{change.record}”" for change in changes
    }
    if last_load is not None:
        for model in reversion.get_registered_models():
            if model._meta.app_label == "catalog" and hasattr(model, "updated"):
                for obj in model._default_manager.filter(updated__gt=last_load.date_created):
                    kind = str(model._meta.verbose_name)
                    records[(kind, str(obj))] = f"{kind} “{obj}”"
        records |= deleted_since(last_load)
    return list(records.values())


def deleted_since(load: Revision) -> dict[tuple[str, str], str]:
    """The records a load saved that are gone now (an editor deleted them)."""
    versions = defaultdict(list)
    for version in load.version_set.filter(content_type__app_label="catalog"):
        versions[version._model].append(version)
    deleted = {}
    for model, saved in versions.items():
        kept = set(
            map(
                str,
                model._default_manager.filter(pk__in=[v.object_id for v in saved]).values_list(
                    "pk", flat=True
                ),
            )
        )
        kind = str(model._meta.verbose_name)
        for version in saved:
            if version.object_id not in kept:
                deleted[(kind, version.object_repr)] = f"{kind} “{version.object_repr}” (deleted)"
    return deleted


def record_link(obj: models.Model) -> tuple[str, Role | None]:
    """The record's public address (a page or an anchor on one) and the role it belongs to."""
    role = obj if isinstance(obj, Role) else getattr(obj, "role", None)
    if hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url(), role
    if role is not None and hasattr(obj, "anchor"):
        return f"{role.get_absolute_url()}#{obj.anchor}", role
    return "", role


def record_changes(revision: Revision, versions: list[Version]) -> None:
    """Write the public log's rows for a revision that was just saved (reversion's signal)."""
    catalog_versions = [v for v in versions if v.content_type.app_label == "catalog"]
    if not catalog_versions:
        return
    if revision.comment in FIRST_REVISIONS:
        Change.objects.create(
            revision=revision,
            action=Change.Action.LOADED,
            kind="catalog",
            record=f"{len(catalog_versions)} records",
        )
        return
    rows = []
    for version, fields in record_diffs(catalog_versions).items():
        if fields == []:  # a row saved along with its role or collaboration, unchanged
            continue
        version = next(v for v in catalog_versions if v.pk == version)
        obj = version.object
        url, role = record_link(obj) if obj is not None else ("", None)
        rows.append(
            Change(
                revision=revision,
                action=Change.Action.ADDED if fields is None else Change.Action.CHANGED,
                kind=str(version._model._meta.verbose_name),
                record=version.object_repr[:300],
                url=url,
                role=role,
                fields=[asdict(change) for change in fields or []],
            )
        )
    Change.objects.bulk_create(rows)


# --- the public change log -------------------------------------------------------------------


def role_filter(request: HttpRequest) -> tuple[Role | None, str]:
    """The role named by ?role=, if any; an unknown slug is reported and ignored."""
    slug = request.GET.get("role", "")[:80]
    if not slug:
        return None, ""
    role = Role.objects.filter(slug=slug).first()
    return role, "" if role else slug


@require_safe
@catalog_conditional
def change_log(request: HttpRequest) -> TemplateResponse:
    role, unknown_role = role_filter(request)
    changes = Change.objects.all() if role is None else Change.objects.for_role(role)
    page = Paginator(changes.entries(), PER_PAGE).get_page(request.GET.get("page"))
    title = f"Changes to the {role.name}" if role else "What changed"
    return TemplateResponse(
        request,
        "catalog/changes.html",
        {
            "page_title": title,
            "page_description": "Every change to the catalog, newest first: when, which "
            "records, and what each said before and after.",
            "canonical_url": request.build_absolute_uri(request.path),
            "page": page,
            "role": role,
            "unknown_role": unknown_role,
            "nav": "changes",
        },
    )


class ChangeFeed(Feed):
    """The change log as Atom: one entry per revision, newest first."""

    feed_type = Atom1Feed
    title = "Roles: what changed"
    subtitle = "Every change to the catalog of roles, newest first."
    description_template = "catalog/_change_entry.html"

    def link(self) -> str:
        return reverse("catalog:changes")

    def items(self) -> list[Revision]:
        return list(Change.objects.all().entries()[:PER_PAGE])

    def item_title(self, revision: Revision) -> str:
        return "; ".join(
            f"{change.get_action_display()} {change.kind} “{change.record}”"
            if change.action != Change.Action.LOADED
            else f"Catalog loaded ({change.record})"
            for change in revision.changes.all()
        )

    def item_link(self, revision: Revision) -> str:
        return f"{reverse('catalog:changes')}#change-{revision.pk}"

    def item_pubdate(self, revision: Revision):
        return revision.date_created

    def item_updateddate(self, revision: Revision):
        return revision.date_created

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "revision": kwargs["item"]}
