"""Django admin for editors: every catalog model, with revisions, diffs, revert and recover.

Every change form carries the stale-edit guard (catalog.forms.CatalogForm). django-reversion
records each admin save as one revision, with the rows edited inline on the same page and who
saved it; reverting a revision restores all of its rows, and a deleted record can be recovered.
Revert and recover change content, so both need the change permission, checked here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import re_path, reverse
from django.utils.text import Truncator
from reversion.admin import VersionAdmin
from reversion.models import Version

from catalog.changes import record_diffs
from catalog.forms import (
    LOADED_VERSION,
    CatalogForm,
    ContributionForm,
    ContributionInlineForm,
    ContributionInlineFormSet,
    PairingForm,
    RoleForm,
    SizedTextarea,
    reverting,
)
from catalog.models import (
    KEY_DIFFERENCES_MAX,
    AntiPattern,
    AntiPatternCitation,
    Certification,
    CertificationCitation,
    Citation,
    Collaboration,
    CollaborationCitation,
    Confusion,
    Contribution,
    ContributionCitation,
    Dimension,
    Function,
    KeyDifference,
    KnowledgeArea,
    KnowledgeAreaCitation,
    LifecycleStage,
    LifecycleStageCitation,
    OccupationCode,
    OccupationCodeCitation,
    Pairing,
    PairingCitation,
    Raci,
    Responsibility,
    ResponsibilityCitation,
    Role,
    RoleCitation,
    RoleKnowledge,
    RoleKnowledgeCitation,
    RoleLevel,
    RoleLevelCitation,
    RoleMove,
    RoleMoveCitation,
    RoleSlugRedirect,
    Source,
    StageInvolvement,
    StageInvolvementCitation,
    Trait,
    TraitCitation,
    check_key_differences,
    now_to_the_second,
)

SLUG_HELP = "Its name in web addresses and links; changing it breaks links already shared."
ORDER_HELP = "Lower comes first in lists."


def well_formed(field: models.Field, value) -> bool:
    """Whether `value` could be a key of the model `field` points at (not "abc" for an int)."""
    target = field.target_field if field.many_to_one else field.related_model._meta.pk
    try:
        target.to_python(value)
    except ValidationError:
        return False
    return True


class SafeAutocompleteMixin:
    """Renders a posted junk id as "nothing chosen" instead of a 500 from the lookup; the
    field's own validation then reports it as a form error."""

    def optgroups(self, name, value, attr=None):
        value = [item for item in value if item in ("", None) or well_formed(self.field, item)]
        return super().optgroups(name, value, attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeAutocompletes:
    """Autocomplete pickers that show a posted junk id as a form error, not a 500."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", SafeAutocompleteSelect(db_field, self.admin_site))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault("widget", SafeAutocompleteSelectMultiple(db_field, self.admin_site))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class EditorFields(SafeAutocompletes):
    """What every catalog form and inline shares: the stale-edit guard's hidden field, text
    boxes sized to their text, help on slugs and order, and autocompletes that never 500."""

    form = CatalogForm
    formfield_overrides = {models.TextField: {"widget": SizedTextarea}}

    def get_fieldsets(self, request: HttpRequest, obj=None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))
        if LOADED_VERSION in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], LOADED_VERSION]}), *rest]

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and not field.help_text:
            if isinstance(db_field, models.SlugField):
                field.help_text = SLUG_HELP
            elif db_field.name == "order":
                field.help_text = ORDER_HELP
        return field


class WellFormedInitialData:
    """Drop `?role=…` style prefills that aren't valid ids, instead of a 500 from the widget."""

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.is_relation and field.related_model is not None:
                values = value if isinstance(value, list) else [value]
                if not all(well_formed(field, item) for item in values):
                    del initial[name]
        return initial


def require_valid_ids(*pairs: tuple[type[models.Model], str]) -> None:
    """404 unless each id in the URL is a well-formed primary key of its model."""
    for model, value in pairs:
        try:
            model._meta.pk.to_python(unquote(value))
        except ValidationError:
            raise Http404(f"No {model._meta.verbose_name} with id {value!r}.") from None


def shortened(name: str, chars: int, ordering: str | None = None):
    """A list column showing the start of a long value, so every column fits a laptop screen."""

    @admin.display(description=name.replace("_", " ").capitalize(), ordering=ordering or name)
    def column(self, obj) -> str:
        return Truncator(str(getattr(obj, name) or "")).chars(chars)

    return column


class CatalogAdmin(WellFormedInitialData, EditorFields, VersionAdmin):
    object_history_template = "admin/catalog/object_history.html"
    history_latest_first = True
    list_per_page = 50

    @admin.display(description="Updated", ordering="updated")
    def updated_on(self, obj):
        """The day only: the time made the column as wide as two others."""
        return obj.updated.date() if obj.updated else None

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """Each revision of the record, newest first, with what it changed: field, old → new."""
        require_valid_ids((self.model, object_id))
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id!r}.")
        versions = list(
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision__user", "content_type")
            .order_by("-pk")
        )
        diffs = record_diffs(versions)
        opts = self.model._meta
        action_list = [
            {
                "revision": version.revision,
                "changes": diffs[version.pk],
                "url": reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                    args=[quote(version.object_id), version.pk],
                ),
            }
            for version in versions
        ]
        context = {"action_list": action_list, **(extra_context or {})}
        return admin.ModelAdmin.history_view(self, request, object_id, context)

    def revision_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        require_valid_ids((self.model, object_id), (Version, version_id))
        version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        return self._guarded_revert(request, version, super().revision_view, object_id, version_id)

    def recover_view(self, request: HttpRequest, version_id: str, extra_context=None):
        require_valid_ids((Version, version_id))
        version = get_object_or_404(Version.objects.get_deleted(self.model), pk=version_id)
        return self._guarded_revert(request, version, super().recover_view, version_id)

    def _guarded_revert(self, request: HttpRequest, version: Version, view, *args) -> HttpResponse:
        """Revert and recover write content: refuse them without the change permission (the
        page itself may be looked at), and refuse a revert over rows saved since it was opened."""
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
        elif not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = list(version.revision.version_set.select_related("content_type"))
        request.reverted_versions = versions
        live = [v.object for v in versions]  # None for a row deleted since
        request.reverted_rows = [row for row in live if row is not None]
        with reverting(request.reverted_rows):
            return view(request, *args)

    def get_urls(self) -> list:
        # reversion's own patterns take digits only, so ".../history/abc/" would fall through
        # to the admin's catch-all redirect; these answer 404 for any malformed id instead.
        opts = self.opts
        view = self.admin_site.admin_view
        return [
            re_path(
                r"^recover/([^/]+)/$",
                view(self.recover_view),
                name=f"{opts.app_label}_{opts.model_name}_recover",
            ),
            re_path(
                r"^([^/]+)/history/([^/]+)/$",
                view(self.revision_view),
                name=f"{opts.app_label}_{opts.model_name}_revision",
            ),
            *super().get_urls(),
        ]

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # A revert writes the old rows back as they were, `updated` included; they changed now.
        for version in getattr(request, "reverted_versions", []):
            version._model._default_manager.filter(pk=version.object_id).update(
                updated=now_to_the_second()
            )


class CatalogInline(EditorFields):
    extra = 0
    show_change_link = True  # each row's own page has its History button


class FoldedInline(CatalogInline):
    """Starts folded (a <details>), so a long page opens on what is edited most."""

    classes = ["collapse"]


def accountability_gaps(deleting: QuerySet[Contribution]) -> list[str]:
    """Collaborations that would keep some contributions but not exactly one Accountable."""
    gaps = []
    ids = list(deleting.values_list("pk", flat=True))
    for collaboration in Collaboration.objects.filter(contributions__in=ids).distinct():
        left = list(collaboration.contributions.exclude(pk__in=ids).values_list("raci", flat=True))
        if left and left.count(Raci.ACCOUNTABLE) != 1:
            gaps.append(collaboration.title)
    return gaps


class KeepsOneAccountable:
    """Refuse a delete that would leave a collaboration without its Accountable role."""

    def contributions_deleted_with(self, obj) -> QuerySet[Contribution]:
        raise NotImplementedError

    def get_actions(
        self, request: HttpRequest, action_location=admin.ActionLocation.CHANGE_LIST
    ) -> dict:
        # Bulk delete can't say which collaboration it would break; delete one at a time.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        gaps = accountability_gaps(self.contributions_deleted_with(obj)) if obj else []
        if gaps:
            self.message_user(
                request,
                f"Not deleted: {', '.join(gaps)} would be left without exactly one Accountable "
                "role. Make another role Accountable there first.",
                messages.ERROR,
            )
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            )
        return super().delete_view(request, object_id, extra_context)


# --- sources and reference lists -------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(CatalogAdmin):
    list_display = ["title_start", "kind", "publisher_start", "year", "accessed"]
    title_start = shortened("title", 44)
    publisher_start = shortened("publisher", 24)
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "publisher", "slug", "url", "note"]
    ordering = ["order", "title"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Function)
class FunctionAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated_on"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(KnowledgeArea)
class KnowledgeAreaAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated_on"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Dimension)
class DimensionAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated_on"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(LifecycleStage)
class LifecycleStageAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated_on"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


# --- roles and what belongs to them ----------------------------------------------------------


class ResponsibilityInline(CatalogInline, admin.StackedInline):
    """Stacked: a responsibility's description is the content, so it gets the room."""

    model = Responsibility
    fields = [("title", "slug", "order"), "function", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["function"]
    ordering = ["order", "slug"]


# Stacked rather than tabular: a table row of a picker, a note and a source ran past the right
# edge of a 1280 px screen; stacked, each row's text gets the full width.
class RoleKnowledgeInline(FoldedInline, admin.StackedInline):
    model = RoleKnowledge
    fields = [("area", "level"), "note"]
    autocomplete_fields = ["area"]
    ordering = ["area__order", "area__name"]


class TraitInline(FoldedInline, admin.StackedInline):
    model = Trait
    fields = ["dimension", "text"]
    autocomplete_fields = ["dimension"]
    ordering = ["dimension__order", "dimension__name"]


class StageInvolvementInline(FoldedInline, admin.StackedInline):
    model = StageInvolvement
    fields = [("stage", "level"), "note"]
    autocomplete_fields = ["stage"]
    ordering = ["stage__order", "stage__name"]


class ConfusionInline(CatalogInline, admin.TabularInline):
    model = Confusion
    fk_name = "role"
    fields = ["other", "why", "order"]
    autocomplete_fields = ["other"]
    ordering = ["order", "other__order"]
    verbose_name = "role it is confused with"
    verbose_name_plural = "often confused with"
    show_change_link = False  # the row is all there is


class AntiPatternInline(FoldedInline, admin.StackedInline):
    model = AntiPattern
    fk_name = "role"
    fields = [("name", "slug", "order"), "looks_like", "why_it_hurts", "confused_with"]
    autocomplete_fields = ["confused_with"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["order", "slug"]


class CertificationInline(FoldedInline, admin.StackedInline):
    model = Certification
    fields = [("name", "slug", "order"), ("body", "url"), "attests"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["order", "slug"]


class OccupationCodeInline(FoldedInline, admin.StackedInline):
    model = OccupationCode
    fields = [("scheme", "code", "slug", "order"), ("title", "url"), "fit"]
    ordering = ["order", "slug"]


class RoleLevelInline(FoldedInline, admin.StackedInline):
    model = RoleLevel
    fields = [("name", "slug", "order"), ("sfia_level", "ddat_level"), "what_changes"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["order", "slug"]


@admin.register(Role)
class RoleAdmin(KeepsOneAccountable, CatalogAdmin):
    form = RoleForm
    list_display = ["name", "short_name", "order", "updated_on"]
    list_filter = ["key_functions"]
    search_fields = [
        "name",
        "short_name",
        "other_titles",
        "slug",
        "summary",
        "main_goal",
        "description",
    ]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["key_functions"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "short_name"),
                    ("slug", "order"),
                    "other_titles",
                    "summary",
                    "main_goal",
                ]
            },
        ),
        ("About the role", {"fields": ["description", "key_functions"]}),
    ]
    inlines = [
        ResponsibilityInline,
        ConfusionInline,
        RoleKnowledgeInline,
        TraitInline,
        StageInvolvementInline,
        AntiPatternInline,
        CertificationInline,
        OccupationCodeInline,
        RoleLevelInline,
    ]

    def contributions_deleted_with(self, obj: Role) -> QuerySet[Contribution]:
        return obj.contributions.all()

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # reversion writes a reverted role back without Role.save(), so a revert that undoes a
        # rename must keep the newer address working itself.
        for row in getattr(request, "reverted_rows", []):
            if isinstance(row, Role) and row.pk == form.instance.pk:
                form.instance.moved_from(row.slug)


@admin.register(RoleSlugRedirect)
class RoleSlugRedirectAdmin(WellFormedInitialData, SafeAutocompletes, admin.ModelAdmin):
    """Old slugs of renamed roles (no `updated` or history on this model: it is a pointer)."""

    list_display = ["old_slug", "role"]
    list_filter = ["role"]
    list_select_related = ["role"]
    search_fields = ["old_slug", "role__name", "role__slug"]
    ordering = ["old_slug"]
    autocomplete_fields = ["role"]


@admin.register(Responsibility)
class ResponsibilityAdmin(CatalogAdmin):
    list_display = ["title_start", "role", "function_start", "updated_on"]
    title_start = shortened("title", 40)
    function_start = shortened("function", 20, "function__name")
    list_filter = ["role", "function"]
    list_select_related = ["role", "function"]
    search_fields = ["title", "slug", "description", "role__name", "function__name"]
    ordering = ["role__order", "order", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["role", "function"]


@admin.register(AntiPattern)
class AntiPatternAdmin(CatalogAdmin):
    list_display = ["name", "role", "confused_with", "updated_on"]
    list_filter = ["role"]
    list_select_related = ["role", "confused_with"]
    search_fields = ["name", "slug", "looks_like", "why_it_hurts", "role__name"]
    ordering = ["role__order", "order", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["role", "confused_with"]


@admin.register(Certification)
class CertificationAdmin(CatalogAdmin):
    list_display = ["name", "body", "role", "updated_on"]
    list_filter = ["role"]
    list_select_related = ["role"]
    search_fields = ["name", "slug", "body", "attests", "role__name"]
    ordering = ["role__order", "order", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["role"]


@admin.register(OccupationCode)
class OccupationCodeAdmin(CatalogAdmin):
    list_display = ["title", "scheme", "code", "role", "updated_on"]
    list_filter = ["role", "scheme"]
    list_select_related = ["role"]
    search_fields = ["title", "code", "fit", "role__name"]
    ordering = ["role__order", "order", "slug"]
    autocomplete_fields = ["role"]


@admin.register(RoleKnowledge)
class RoleKnowledgeAdmin(CatalogAdmin):
    list_display = ["area_start", "role", "level", "updated_on"]
    area_start = shortened("area", 40, "area__name")
    list_filter = ["role", "level", "area"]
    list_select_related = ["role", "area"]
    search_fields = ["area__name", "note", "role__name"]
    ordering = ["role__order", "area__order", "area__name"]
    autocomplete_fields = ["role", "area"]


@admin.register(Trait)
class TraitAdmin(CatalogAdmin):
    list_display = ["dimension", "role", "text_start", "updated_on"]
    text_start = shortened("text", 60)
    list_filter = ["role", "dimension"]
    list_select_related = ["role", "dimension"]
    search_fields = ["text", "dimension__name", "role__name"]
    ordering = ["dimension__order", "role__order"]
    autocomplete_fields = ["role", "dimension"]


@admin.register(StageInvolvement)
class StageInvolvementAdmin(CatalogAdmin):
    list_display = ["stage", "role", "level", "updated_on"]
    list_filter = ["role", "level", "stage"]
    list_select_related = ["role", "stage"]
    search_fields = ["stage__name", "note", "role__name"]
    ordering = ["stage__order", "role__order"]
    autocomplete_fields = ["role", "stage"]


# --- collaborations --------------------------------------------------------------------------


class ContributionInline(CatalogInline, admin.StackedInline):
    model = Contribution
    form = ContributionInlineForm
    formset = ContributionInlineFormSet
    fields = [("role", "raci"), "text", "responsibilities"]
    autocomplete_fields = ["role", "responsibilities"]
    ordering = ["role__order", "role__name"]


@admin.register(Collaboration)
class CollaborationAdmin(CatalogAdmin):
    list_display = ["title", "slug", "accountable", "order", "updated_on"]
    list_filter = ["contributions__role"]
    search_fields = ["title", "slug", "description", "contributions__text"]
    ordering = ["order", "title"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ContributionInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Collaboration]:
        return super().get_queryset(request).prefetch_related("contributions__role")

    @admin.display(description="Accountable")
    def accountable(self, collaboration: Collaboration) -> str:
        roles = [
            c.role.label for c in collaboration.contributions.all() if c.raci == Raci.ACCOUNTABLE
        ]
        return ", ".join(roles) or "—"


@admin.register(Contribution)
class ContributionAdmin(KeepsOneAccountable, CatalogAdmin):
    form = ContributionForm
    list_display = ["collaboration_start", "role", "raci", "updated_on"]
    collaboration_start = shortened("collaboration", 40, "collaboration__title")
    list_filter = ["raci", "role", "collaboration"]
    list_select_related = ["collaboration", "role"]
    search_fields = ["text", "collaboration__title", "role__name"]
    ordering = ["collaboration__order", "role__order"]
    autocomplete_fields = ["collaboration", "role", "responsibilities"]

    def contributions_deleted_with(self, obj: Contribution) -> QuerySet[Contribution]:
        return Contribution.objects.filter(pk=obj.pk)


# --- pairings --------------------------------------------------------------------------------


class KeyDifferenceFormSet(BaseInlineFormSet):
    """The rows a pairing would keep, counted together: at most six with the key question."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.checked_with_siblings = True
        return form

    def clean(self) -> None:
        super().clean()
        kept = [
            form.cleaned_data["dimension"].slug
            for form in self.forms
            if form.cleaned_data.get("dimension") and not form.cleaned_data.get("DELETE")
        ]
        check_key_differences(kept)


class KeyDifferenceInline(CatalogInline, admin.TabularInline):
    model = KeyDifference
    formset = KeyDifferenceFormSet
    fields = ["dimension", "order"]
    autocomplete_fields = ["dimension"]
    ordering = ["order", "dimension__order"]
    max_num = KEY_DIFFERENCES_MAX
    show_change_link = False  # the row is only a dimension and a position


@admin.register(Pairing)
class PairingAdmin(CatalogAdmin):
    """Roles people confuse: the bottom line (cited) and the rows of its key-differences table."""

    form = PairingForm
    list_display = ["__str__", "bottom_line_start", "updated_on"]
    bottom_line_start = shortened("bottom_line", 60)
    list_filter = ["roles"]
    search_fields = ["bottom_line", "slug", "roles__name"]
    ordering = ["slug"]
    fields = ["roles", "slug", "bottom_line"]
    autocomplete_fields = ["roles"]
    inlines = [KeyDifferenceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Pairing]:
        return super().get_queryset(request).prefetch_related("roles")


@admin.register(RoleLevel)
class RoleLevelAdmin(CatalogAdmin):
    list_display = ["name", "role", "sfia_level", "updated_on"]
    list_filter = ["role", "sfia_level"]
    list_select_related = ["role"]
    search_fields = ["name", "slug", "what_changes", "ddat_level", "role__name"]
    ordering = ["role__order", "order", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["role"]


@admin.register(RoleMove)
class RoleMoveAdmin(CatalogAdmin):
    list_display = ["__str__", "order", "updated_on"]
    list_filter = ["from_role", "to_role"]
    list_select_related = ["from_role", "to_role"]
    search_fields = ["slug", "summary", "transfers", "to_learn"]
    ordering = ["order", "slug"]
    fields = [
        ("from_role", "to_role"),
        ("slug", "order"),
        "summary",
        "transfers",
        "to_learn",
        "knowledge_areas",
        "certifications",
        "anti_patterns",
    ]
    autocomplete_fields = ["from_role", "to_role", "knowledge_areas", "certifications"]
    filter_horizontal = ["anti_patterns"]


# --- citations (issue 9) ---------------------------------------------------------------------
# Each cited item's citations (source + locator) are edited inline on that item's own page.
# Kept in one block so the admin's layout can change around it without touching it.


def citation_inline(citation_model: type[Citation]) -> type[admin.TabularInline]:
    """A tabular inline for one kind of citation: source, locator, order."""
    return type(
        f"{citation_model.__name__}Inline",
        (CatalogInline, admin.TabularInline),
        {
            "model": citation_model,
            "fields": ["source", "locator", "order"],
            "autocomplete_fields": ["source"],
            "ordering": ["order", "source__order"],
            "extra": 0,
            "verbose_name": "citation",
            "verbose_name_plural": "citations (source and where in it)",
        },
    )


CITATION_INLINES: dict[type[admin.ModelAdmin], type[Citation]] = {
    RoleAdmin: RoleCitation,
    ResponsibilityAdmin: ResponsibilityCitation,
    KnowledgeAreaAdmin: KnowledgeAreaCitation,
    RoleKnowledgeAdmin: RoleKnowledgeCitation,
    TraitAdmin: TraitCitation,
    LifecycleStageAdmin: LifecycleStageCitation,
    StageInvolvementAdmin: StageInvolvementCitation,
    CollaborationAdmin: CollaborationCitation,
    ContributionAdmin: ContributionCitation,
    PairingAdmin: PairingCitation,
    AntiPatternAdmin: AntiPatternCitation,
    CertificationAdmin: CertificationCitation,
    OccupationCodeAdmin: OccupationCodeCitation,
    RoleLevelAdmin: RoleLevelCitation,
    RoleMoveAdmin: RoleMoveCitation,
}
for parent_admin, citation_model in CITATION_INLINES.items():
    parent_admin.inlines = [*parent_admin.inlines, citation_inline(citation_model)]
