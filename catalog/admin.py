"""Django admin for editors: every catalog model, with history, diffs and revert.

Every change form carries the stale-edit guard (catalog.forms.CatalogForm), and every change,
inline ones included, is recorded by django-simple-history with who made it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from catalog.forms import (
    LOADED_VERSION,
    CatalogForm,
    ContributionForm,
    ContributionInlineForm,
    ContributionInlineFormSet,
    RoleForm,
)
from catalog.models import (
    Citation,
    Collaboration,
    CollaborationCitation,
    Contribution,
    ContributionCitation,
    Dimension,
    Function,
    KnowledgeArea,
    KnowledgeAreaCitation,
    LifecycleStage,
    LifecycleStageCitation,
    Raci,
    Responsibility,
    ResponsibilityCitation,
    Role,
    RoleCitation,
    RoleKnowledge,
    RoleKnowledgeCitation,
    RoleSlugRedirect,
    Source,
    StageInvolvement,
    StageInvolvementCitation,
    Trait,
    TraitCitation,
)

admin.site.site_header = "Roles admin"
admin.site.site_title = "Roles admin"
admin.site.index_title = "Catalog content"


class GuardedFields:
    """Always render the stale-edit guard's hidden field, whatever `fields` an admin lists."""

    form = CatalogForm

    def get_fields(self, request: HttpRequest, obj=None) -> list[str]:
        fields = list(super().get_fields(request, obj))
        return fields if LOADED_VERSION in fields else [*fields, LOADED_VERSION]


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
                target = field.target_field if field.many_to_one else field.related_model._meta.pk
                try:
                    for item in value if isinstance(value, list) else [value]:
                        target.to_python(item)
                except ValidationError:
                    del initial[name]
        return initial


class CatalogAdmin(WellFormedInitialData, GuardedFields, SimpleHistoryAdmin):
    object_history_list_template = "admin/catalog/object_history_list.html"
    list_per_page = 50

    # simple-history looks ids up unchecked, so "/role/abc/history/" would be a 500, not a 404.
    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        require_valid_ids((self.model, object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ):
        require_valid_ids((self.model, object_id), (self.model.history.model, version_id))
        return super().history_form_view(request, object_id, version_id, extra_context)


def require_valid_ids(*pairs: tuple[type[models.Model], str]) -> None:
    """404 unless each id in the URL is a well-formed primary key of its model."""
    for model, value in pairs:
        try:
            model._meta.pk.to_python(unquote(value))
        except ValidationError:
            raise Http404(f"No {model._meta.verbose_name} with id {value!r}.") from None


class CatalogInline(GuardedFields):
    extra = 0
    show_change_link = True  # each row's own page has its History button
    # Full-size text boxes would push a table row's later columns off a laptop screen.
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 30})}
    }


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
    list_display = ["title", "kind", "publisher", "edition", "year", "accessed", "order", "updated"]
    list_filter = ["kind", "publisher"]
    search_fields = ["title", "publisher", "slug", "url", "note"]
    ordering = ["order", "title"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Function)
class FunctionAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(KnowledgeArea)
class KnowledgeAreaAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Dimension)
class DimensionAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(LifecycleStage)
class LifecycleStageAdmin(CatalogAdmin):
    list_display = ["name", "slug", "order", "updated"]
    search_fields = ["name", "slug", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}


# --- roles and what belongs to them ----------------------------------------------------------


class ResponsibilityInline(CatalogInline, admin.StackedInline):
    """Stacked: a responsibility's description is the content, so it gets the room."""

    model = Responsibility
    fields = [("title", "slug"), ("function", "order"), "description"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["function"]
    ordering = ["order", "slug"]


class RoleKnowledgeInline(CatalogInline, admin.TabularInline):
    model = RoleKnowledge
    fields = ["area", "level", "note"]
    autocomplete_fields = ["area"]
    ordering = ["area__order", "area__name"]


class TraitInline(CatalogInline, admin.TabularInline):
    model = Trait
    fields = ["dimension", "text"]
    autocomplete_fields = ["dimension"]
    ordering = ["dimension__order", "dimension__name"]


class StageInvolvementInline(CatalogInline, admin.TabularInline):
    model = StageInvolvement
    fields = ["stage", "level", "note"]
    autocomplete_fields = ["stage"]
    ordering = ["stage__order", "stage__name"]


@admin.register(Role)
class RoleAdmin(KeepsOneAccountable, CatalogAdmin):
    form = RoleForm
    list_display = ["name", "short_name", "slug", "order", "updated"]
    list_filter = ["key_functions"]
    search_fields = ["name", "short_name", "slug", "summary", "main_goal", "description"]
    ordering = ["order", "name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["key_functions"]
    inlines = [ResponsibilityInline, RoleKnowledgeInline, TraitInline, StageInvolvementInline]

    def contributions_deleted_with(self, obj: Role) -> QuerySet[Contribution]:
        return obj.contributions.all()


@admin.register(RoleSlugRedirect)
class RoleSlugRedirectAdmin(WellFormedInitialData, admin.ModelAdmin):
    """Old slugs of renamed roles (no `updated` or history on this model: it is a pointer)."""

    list_display = ["old_slug", "role"]
    list_filter = ["role"]
    list_select_related = ["role"]
    search_fields = ["old_slug", "role__name", "role__slug"]
    ordering = ["old_slug"]
    autocomplete_fields = ["role"]


@admin.register(Responsibility)
class ResponsibilityAdmin(CatalogAdmin):
    list_display = ["title", "role", "function", "order", "updated"]
    list_filter = ["role", "function"]
    list_select_related = ["role", "function"]
    search_fields = ["title", "slug", "description", "role__name", "function__name"]
    ordering = ["role__order", "order", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["role", "function"]


@admin.register(RoleKnowledge)
class RoleKnowledgeAdmin(CatalogAdmin):
    list_display = ["area", "role", "level", "updated"]
    list_filter = ["role", "level", "area"]
    list_select_related = ["role", "area"]
    search_fields = ["area__name", "note", "role__name"]
    ordering = ["role__order", "area__order", "area__name"]
    autocomplete_fields = ["role", "area"]


@admin.register(Trait)
class TraitAdmin(CatalogAdmin):
    list_display = ["dimension", "role", "text", "updated"]
    list_filter = ["role", "dimension"]
    list_select_related = ["role", "dimension"]
    search_fields = ["text", "dimension__name", "role__name"]
    ordering = ["dimension__order", "role__order"]
    autocomplete_fields = ["role", "dimension"]


@admin.register(StageInvolvement)
class StageInvolvementAdmin(CatalogAdmin):
    list_display = ["stage", "role", "level", "updated"]
    list_filter = ["role", "level", "stage"]
    list_select_related = ["role", "stage"]
    search_fields = ["stage__name", "note", "role__name"]
    ordering = ["stage__order", "role__order"]
    autocomplete_fields = ["role", "stage"]


# --- collaborations --------------------------------------------------------------------------


class ContributionInline(CatalogInline, admin.TabularInline):
    model = Contribution
    form = ContributionInlineForm
    formset = ContributionInlineFormSet
    fields = ["role", "raci", "text"]
    autocomplete_fields = ["role"]
    ordering = ["role__order", "role__name"]


@admin.register(Collaboration)
class CollaborationAdmin(CatalogAdmin):
    list_display = ["title", "slug", "accountable", "order", "updated"]
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
    list_display = ["collaboration", "role", "raci", "updated"]
    list_filter = ["raci", "role", "collaboration"]
    list_select_related = ["collaboration", "role"]
    search_fields = ["text", "collaboration__title", "role__name"]
    ordering = ["collaboration__order", "role__order"]
    autocomplete_fields = ["collaboration", "role"]

    def contributions_deleted_with(self, obj: Contribution) -> QuerySet[Contribution]:
        return Contribution.objects.filter(pk=obj.pk)


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
}
for parent_admin, citation_model in CITATION_INLINES.items():
    parent_admin.inlines = [*parent_admin.inlines, citation_inline(citation_model)]
