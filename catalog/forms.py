"""Admin forms: a stale-edit guard for every catalog form, and the one-Accountable RACI rule."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet

from catalog.models import (
    Contribution,
    Pairing,
    Raci,
    Role,
    check_contribution_responsibilities,
    check_one_accountable,
    check_pairing_roles,
    pairing_slug,
)

LOADED_VERSION = "loaded_version"

# While a revision is being reverted: each row's version as it was live, before the revert.
# django-reversion writes the old values into the database before the form is built, so the
# guard has to compare against what the editor saw live, not against the reverted row.
_LIVE_VERSIONS: ContextVar[dict[tuple[str, str], str] | None] = ContextVar(
    "live_versions", default=None
)


@contextmanager
def reverting(rows: list[models.Model]) -> Iterator[None]:
    """Guard a revert: every row it touches must still be as it was when the page was opened."""
    token = _LIVE_VERSIONS.set({row_key(row): live_version(row) for row in rows})
    try:
        yield
    finally:
        _LIVE_VERSIONS.reset(token)


def row_key(row: models.Model) -> tuple[str, str]:
    return (row._meta.label_lower, str(row.pk))


def live_version(row: models.Model) -> str:
    names = [field.attname for field in row._meta.concrete_fields]
    return row_version({name: getattr(row, name) for name in names})


class SizedTextarea(forms.Textarea):
    """A text box as tall as its text (2 to 14 lines), so no sentence is cut off or hidden."""

    def __init__(self, attrs=None) -> None:
        super().__init__({"cols": 80, **(attrs or {})})

    def get_context(self, name, value, attrs) -> dict:
        context = super().get_context(name, value, attrs)
        text = str(value or "")
        width = int(self.attrs["cols"])
        lines = sum(max(1, math.ceil(len(line) / width)) for line in text.splitlines() or [""])
        context["widget"]["attrs"]["rows"] = min(14, max(2, lines + 1))
        return context


class UnchangingHiddenField(forms.CharField):
    """A hidden value that never counts as a change, so it can't turn an untouched row dirty."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


def row_version(values: dict) -> str:
    """The row's `updated` time plus a digest of its values.

    `updated` alone has whole-second precision, so two saves within one second would look alike;
    the digest tells them apart (and equal digests mean there is nothing to lose).
    """
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:16]
    updated = values.get("updated")
    return f"{updated.isoformat() if updated else ''}/{digest}"


class CatalogForm(forms.ModelForm):
    """Refuses to save over a row that someone else saved after this form was opened.

    The form carries the row's version (its `updated` time and a digest) from when it was
    rendered; a save that would change the row is refused if the row has moved on since.
    Unchanged inline rows aren't saved, so they are never refused.
    """

    loaded_version = UnchangingHiddenField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields[LOADED_VERSION].initial = self._saved_version()

    def _reverted_from(self) -> str | None:
        """On a revert page: the row's version before the revert (None if it did not exist)."""
        live = _LIVE_VERSIONS.get()
        return None if live is None else live.get(row_key(self.instance))

    def _is_revert(self) -> bool:
        return _LIVE_VERSIONS.get() is not None

    def _saved_version(self) -> str | None:
        if self._is_revert():
            return self._reverted_from()
        names = [field.attname for field in self.instance._meta.concrete_fields]
        if self.is_bound:
            manager = type(self.instance)._default_manager
            values = manager.filter(pk=self.instance.pk).values(*names).first()
        else:
            values = {name: getattr(self.instance, name) for name in names}
        return row_version(values) if values else None

    def clean(self) -> dict:
        cleaned_data = super().clean()
        # A revert always overwrites the row, so it is checked even when it looks unchanged.
        if self.instance.pk is not None and (self._is_revert() or self.has_changed()):
            saved = self._saved_version()
            if saved is not None and saved != cleaned_data.get(LOADED_VERSION):
                name = self.instance._meta.verbose_name
                self.add_error(
                    None,
                    ValidationError(
                        f"Someone else saved this {name} since you opened it; reload to see "
                        "their change, then make yours again. Nothing was saved.",
                        code="stale",
                    ),
                )
        return cleaned_data


class RoleForm(CatalogForm):
    class Meta:
        model = Role
        fields = [
            "name",
            "slug",
            "short_name",
            "order",
            "other_titles",
            "summary",
            "main_goal",
            "description",
            "key_functions",
        ]
        widgets = {"summary": SizedTextarea, "main_goal": SizedTextarea}


class PairingForm(CatalogForm):
    """Two to four roles no other pairing holds; the slug follows from them when left empty."""

    class Meta:
        model = Pairing
        fields = ["roles", "slug", "bottom_line"]
        widgets = {"bottom_line": SizedTextarea}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self) -> dict:
        cleaned_data = super().clean()
        roles = list(cleaned_data.get("roles") or [])
        if "roles" in cleaned_data:
            try:
                check_pairing_roles(roles, self.instance)
            except ValidationError as error:
                self.add_error("roles", error)
        if roles and not cleaned_data.get("slug") and "slug" not in self.errors:
            cleaned_data["slug"] = pairing_slug(roles)
            self.instance.slug = cleaned_data["slug"]
        return cleaned_data


class ContributionInlineForm(CatalogForm):
    class Meta:
        model = Contribution
        fields = ["collaboration", "role", "raci", "text", "responsibilities"]

    def clean(self) -> dict:
        # Here, not in Contribution.clean: a many-to-many can't be read before the row is saved.
        cleaned_data = super().clean()
        role, raci = cleaned_data.get("role"), cleaned_data.get("raci")
        if role is not None and raci is not None:
            try:
                check_contribution_responsibilities(
                    role, raci, cleaned_data.get("responsibilities") or []
                )
            except ValidationError as error:
                self.add_error("responsibilities", error)
        return cleaned_data

    def validate_constraints(self) -> None:
        # "One Accountable" is checked across all of a collaboration's rows at once (by the
        # formset, or by ContributionForm.clean), so the A can move from one role to another in
        # a single save; row by row, the database would still show the old A.
        exclude = self._get_validation_exclusions() | {"raci"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


class ContributionForm(ContributionInlineForm):
    """A single contribution edited on its own must leave each collaboration with one A."""

    def clean(self) -> dict:
        cleaned_data = super().clean()
        collaboration, raci = cleaned_data.get("collaboration"), cleaned_data.get("raci")
        if collaboration is None or raci is None:
            return cleaned_data
        others = self._other_letters(collaboration.pk)
        try:
            check_one_accountable([*others, raci], f"“{collaboration}”")
        except ValidationError as error:
            self.add_error("raci", error)
        moved_from = self.instance.collaboration if self.instance.pk else None
        if moved_from is not None and moved_from.pk != collaboration.pk:
            left_behind = self._other_letters(moved_from.pk)
            if left_behind:
                try:
                    check_one_accountable(left_behind, f"“{moved_from}” after this moves")
                except ValidationError as error:
                    self.add_error("collaboration", error)
        return cleaned_data

    def _other_letters(self, collaboration_pk: int) -> list[str]:
        return list(
            Contribution.objects.filter(collaboration_id=collaboration_pk)
            .exclude(pk=self.instance.pk)
            .values_list("raci", flat=True)
        )


class ContributionInlineFormSet(BaseInlineFormSet):
    """A collaboration's contributions: exactly one role Accountable, saved without a clash."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        letters = [
            form.cleaned_data["raci"]
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        check_one_accountable(letters, f"“{self.instance}”" if self.instance.title else "it")

    def save_existing_objects(self, commit: bool = True) -> list:
        # Save the row giving up the A first, so the DB never holds two A's mid-save.
        count = self.initial_form_count()
        self.forms[:count] = sorted(self.forms[:count], key=lambda form: not self._gives_up_a(form))
        return super().save_existing_objects(commit)

    def _gives_up_a(self, form: forms.ModelForm) -> bool:
        was_a = form.initial.get("raci") == Raci.ACCOUNTABLE
        return was_a and (
            self._should_delete_form(form) or form.cleaned_data.get("raci") != Raci.ACCOUNTABLE
        )
