"""The API's payloads as schemas that read model objects: django-ninja serialises what an
operation returns (a model, a list of them, a `Comparison`) through them and generates the OpenAPI
document (/api/v1/openapi.json) from them, so a payload and its description are one thing.

A field reads the attribute of its name, else the one its `validation_alias` names, else its
`resolve_<field>` method; links are absolute, on the host the request came to (ninja passes the
request in the context). Every field is required and no other is allowed
(`additionalProperties: false`).
"""

from __future__ import annotations

import types
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst, slugify
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, create_model

from catalog import models as catalog_models
from catalog.models import Raci
from catalog.registry import citation_kinds, content_models

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def iso(moment: Any) -> Any:
    """A datetime as the API writes it (ISO 8601 in UTC, to the second, with a Z); anything else
    (a time already written, None) as it is."""
    if not isinstance(moment, datetime):
        return moment
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def api_url(request: HttpRequest, name: str, *args: str) -> str:
    return absolute(request, reverse(f"api:{name}", args=args))


def page_url(request: HttpRequest, name: str, *args: str) -> str:
    return absolute(request, reverse(f"catalog:{name}", args=args))


Slug = Annotated[str, Field(pattern=SLUG_PATTERN, description="Stable identifier.")]
Url = Annotated[
    str, Field(description="This resource in the API.", json_schema_extra={"format": "uri"})
]
HtmlUrl = Annotated[
    str, Field(description="This resource's web page.", json_schema_extra={"format": "uri"})
]
Uri = Annotated[str, Field(json_schema_extra={"format": "uri"})]
UriTemplate = Annotated[str, Field(description="An RFC 6570 URI template.")]
Updated = Annotated[
    str,
    BeforeValidator(iso),
    Field(description="Last change (ISO 8601, UTC).", json_schema_extra={"format": "date-time"}),
]
Order = Annotated[int, Field(ge=0)]
Level = Literal["essential", "useful"]
InvolvementLevel = Literal["leads", "supports", "none"]
RaciLetter = Literal["R", "A", "C", "I"]
RaciLabel = Literal["Responsible", "Accountable", "Consulted", "Informed"]
RaciMeaning = Literal["does the work", "owns the outcome", "is asked before", "is told after"]


class Strict(Schema):
    model_config = ConfigDict(json_schema_extra={"additionalProperties": False})


class OnSite(Strict):
    """Something with a page of its own: `html_url` is where the model says it is."""

    @staticmethod
    def resolve_html_url(item: Any, context: dict[str, Any]) -> str:
        return absolute(context["request"], item.get_absolute_url())


def serialise(schema: type[Schema], item: Any, request: HttpRequest) -> dict[str, Any]:
    """`item` as the API answers it, for the downloads that render the same payload."""
    return schema.model_validate(item, context={"request": request}).model_dump()


def shown_responsibilities(role: Any, context: dict[str, Any]) -> list[Any]:
    """A role's responsibilities (from `with_page`), only those of ?function= when it is given."""
    function = context["request"].GET.get("function")
    return [r for r in role.responsibilities.all() if function in (None, r.function.slug)]


# --- errors and the index ----------------------------------------------------------------------


class ErrorBody(Strict):
    status: Literal[400, 404, 405]
    message: str


class Error(Strict):
    """Every error: bad input (400), unknown resource (404), a write method (405)."""

    error: ErrorBody


class IndexLinks(Strict):
    roles: Uri
    role: UriTemplate
    compare: UriTemplate
    collaborations: Uri
    collaboration: UriTemplate
    sources: Uri
    source: UriTemplate
    openapi: Uri
    catalog_json: Uri
    catalog_csv: Uri
    move: UriTemplate
    role_markdown: UriTemplate
    compare_markdown: UriTemplate


class Index(Strict):
    """Where to start: links to every collection, URI templates for single resources."""

    name: str
    description: str
    version: Literal["v1"]
    url: Url
    html_url: HtmlUrl
    updated: Updated | None
    links: IndexLinks


# --- references --------------------------------------------------------------------------------


class FunctionRef(Strict):
    slug: Slug
    name: str


class RoleRef(OnSite):
    slug: Slug
    name: str
    url: Url
    html_url: HtmlUrl

    @staticmethod
    def resolve_url(role: Any, context: dict[str, Any]) -> str:
        return api_url(context["request"], "role-detail", role.slug)


class CitationRef(Strict):
    """Where a claim comes from: a source (by slug; details under /api/v1/sources/) and the
    place in it: a section, a page, or a quotation of at most 25 words."""

    source: Slug
    locator: str

    @staticmethod
    def resolve_source(citation: Any) -> str:
        return citation.source.slug


Citations = Annotated[list[CitationRef], Field(description="Each source that backs the item.")]


class CollaborationRef(OnSite):
    slug: Slug
    title: str
    url: Url
    html_url: HtmlUrl

    @staticmethod
    def resolve_url(collaboration: Any, context: dict[str, Any]) -> str:
        return api_url(context["request"], "collaboration-detail", collaboration.slug)


class KnowledgeAreaRef(Strict):
    slug: Slug
    name: str
    description: str


class DimensionRef(Strict):
    slug: Slug
    name: str
    description: str


class StageRef(Strict):
    slug: Slug
    name: str
    order: Order


class ResponsibilityRef(OnSite):
    slug: Slug
    title: str
    html_url: HtmlUrl


# --- levels and moves --------------------------------------------------------------------------


class RoleLevel(OnSite):
    """One rung of a role's ladder; a role with no ladder of its own has one rung saying so."""

    slug: Slug
    name: str
    what_changes: str = Field(description="Scope, autonomy, influence and the decisions owned.")
    sfia_level: int | None = Field(
        ge=1, le=7, description="SFIA 9 level of responsibility; null when the role has no ladder."
    )
    ddat_level: str = Field(description="The UK DDaT framework's role level; may be empty.")
    order: Order
    citations: Citations
    html_url: HtmlUrl


class MoveRef(OnSite):
    """A written move from one role to another."""

    slug: Slug
    from_role: RoleRef
    to_role: RoleRef
    summary: str
    url: Url
    html_url: HtmlUrl

    @staticmethod
    def resolve_url(move: Any, context: dict[str, Any]) -> str:
        return api_url(context["request"], "role-move", move.from_role.slug, move.to_role.slug)


class RoleItemRef(OnSite):
    """An item that belongs to a role (a certification, an anti-pattern), named by both slugs."""

    slug: Slug
    role: Slug
    name: str
    html_url: HtmlUrl

    @staticmethod
    def resolve_role(item: Any) -> str:
        return item.role.slug


class GapCertification(RoleItemRef):
    body: str


class AntiPatternRef(RoleItemRef):
    looks_like: str
    why_it_hurts: str


class Move(MoveRef):
    """A move in full: what transfers, what to learn, what closes the gap, the old role's
    anti-patterns people bring along, and both roles' ladders."""

    transfers: str
    to_learn: str
    knowledge_areas: list[KnowledgeAreaRef]
    certifications: list[GapCertification]
    anti_patterns: list[AntiPatternRef] = Field(description="The old role's, to leave behind.")
    from_levels: list[RoleLevel]
    to_levels: list[RoleLevel]
    citations: Citations
    updated: Updated

    @staticmethod
    def resolve_from_levels(move: Any) -> list[Any]:
        return list(move.from_role.levels.all())

    @staticmethod
    def resolve_to_levels(move: Any) -> list[Any]:
        return list(move.to_role.levels.all())


# --- roles -------------------------------------------------------------------------------------


class RoleSummary(RoleRef):
    """A role's headline. `updated` covers the role and everything that belongs to it."""

    markdown_url: Uri
    short_name: str = Field(description="Used in tight places; may be empty.")
    summary: str
    main_goal: str
    order: Order
    key_functions: list[FunctionRef]
    updated: Updated = Field(validation_alias="changed")

    @staticmethod
    def resolve_markdown_url(role: Any, context: dict[str, Any]) -> str:
        return api_url(context["request"], "role-markdown", role.slug)


class Responsibility(ResponsibilityRef):
    description: str
    function: FunctionRef
    order: Order
    citations: Citations
    updated: Updated


class CitedItem(OnSite):
    """What an item of a role says besides its row: its citations, its place, its last change."""

    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class TraitCell(CitedItem):
    text: str


class KnowledgeCell(CitedItem):
    level: Level
    note: str


class InvolvementCell(CitedItem):
    level: InvolvementLevel
    note: str


class PartCell(Strict):
    """A role's part in a shared activity: its RACI letter, what it does, and (for an R or an A)
    the responsibilities on its role page that the part exercises."""

    raci: RaciLetter
    raci_label: RaciLabel
    raci_meaning: RaciMeaning = Field(validation_alias="meaning")
    text: str
    citations: Citations
    updated: Updated
    responsibilities: list[ResponsibilityRef]

    @staticmethod
    def resolve_raci_label(part: Any) -> str:
        return Raci(part.raci).label


class RoleKnowledge(KnowledgeCell):
    area: KnowledgeAreaRef


class Trait(TraitCell):
    """A role's value on one dimension of the side-by-side table."""

    dimension: DimensionRef


class Involvement(InvolvementCell):
    """How a role takes part in a lifecycle stage."""

    stage: StageRef


class RolePart(PartCell):
    """The role's part in a collaboration, with its RACI letter."""

    collaboration: CollaborationRef


class AntiPattern(CitedItem):
    """A way a role goes wrong: what it looks like, why it hurts and, when the harm comes from
    taking it for another role, that role."""

    slug: Slug
    role: Slug
    name: str
    looks_like: str
    why_it_hurts: str
    confused_with: Slug | None = Field(
        description="The role it is then mistaken for, or drifts into; null if none."
    )
    order: Order

    @staticmethod
    def resolve_role(pattern: Any) -> str:
        return pattern.role.slug

    @staticmethod
    def resolve_confused_with(pattern: Any) -> str | None:
        return pattern.confused_with.slug if pattern.confused_with else None


class Certification(CitedItem):
    """A recognised certification for the role; with no issuing body, a plain note that the
    role has none of its own."""

    slug: Slug
    name: str
    body: str = Field(description="The issuing body; empty when the role has none.")
    url: str = Field(description="The issuing body's page for it; may be empty.")
    attests: str
    order: Order


class OccupationCode(CitedItem):
    """Where the role sits in an occupational classification; an empty code says it has no code
    of its own there, and the title names the closest."""

    slug: Slug
    scheme: Literal["onet", "uk-soc", "esco", "isco"]
    scheme_label: str
    code: str
    title: str
    url: str = Field(description="The classification's own page for the code; may be empty.")
    fit: str
    order: Order

    @staticmethod
    def resolve_scheme_label(code: Any) -> str:
        return code.get_scheme_display()


class Confusion(OnSite):
    """Another role people mix this one up with, why, and the comparison of the two."""

    role: RoleRef = Field(validation_alias="other")
    why: str
    url: Url
    html_url: HtmlUrl

    @staticmethod
    def resolve_url(confusion: Any, context: dict[str, Any]) -> str:
        slugs = (confusion.role.slug, confusion.other.slug)
        return api_url(context["request"], "compare", *slugs)


class SourceSummary(OnSite):
    slug: Slug
    url: Url
    html_url: HtmlUrl
    title: str
    kind: Literal["standard", "framework", "occupation", "practitioner", "editorial", "seed"]
    publisher: str
    edition: str
    year: int | None
    accessed: str | None = Field(
        description="When the editors last checked it (ISO 8601 date).",
        json_schema_extra={"format": "date"},
    )
    link: Uri | None = Field(description="The source document itself.")
    note: str
    order: Order
    updated: Updated

    @staticmethod
    def resolve_url(source: Any, context: dict[str, Any]) -> str:
        return api_url(context["request"], "source-detail", source.slug)

    @staticmethod
    def resolve_accessed(source: Any) -> str | None:
        return source.accessed.isoformat() if source.accessed else None

    @staticmethod
    def resolve_link(source: Any) -> str | None:
        return source.url or None


class Role(RoleSummary):
    """A role in full. With ?function=, responsibilities are only those of that function."""

    description: str
    other_titles: list[str] = Field(
        validation_alias="other_title_list", description="Other titles people use for it."
    )
    confused_with: list[Confusion] = Field(
        validation_alias="confusions", description="Roles often confused with it, and why."
    )
    citations: Citations
    responsibilities: list[Responsibility]
    knowledge: list[RoleKnowledge]
    traits: list[Trait]
    involvement: list[Involvement] = Field(validation_alias="involvements")
    collaborations: list[RolePart] = Field(validation_alias="contributions")
    anti_patterns: list[AntiPattern]
    certifications: list[Certification]
    occupation_codes: list[OccupationCode]
    sources: list[SourceSummary] = Field(validation_alias="cited_sources")
    levels: list[RoleLevel] = Field(description="The role's ladder, lowest level first.")
    moves: list[MoveRef] = Field(description="Written moves out of this role, then into it.")

    @staticmethod
    def resolve_moves(role: Any) -> list[Any]:
        return [*role.moves_out.all(), *role.moves_in.all()]

    @staticmethod
    def resolve_responsibilities(role: Any, context: dict[str, Any]) -> list[Any]:
        return shown_responsibilities(role, context)


class Listing(Strict):
    """A collection: where it is, its newest change, how many."""

    url: Url
    html_url: HtmlUrl
    updated: Updated | None
    count: Order

    @staticmethod
    def resolve_url(items: list[Any], context: dict[str, Any]) -> str:
        return absolute(context["request"], context["request"].path)

    @staticmethod
    def resolve_count(items: list[Any]) -> int:
        return len(items)


def newest(moments: Any) -> datetime | None:
    return max(filter(None, moments), default=None)


def listing(name: str, entries: str, item: type[Strict], page: str, changed: str) -> type[Listing]:
    """The schema of a list of `item`s (what the operation returns), under `entries`: its page
    is the catalog page named `page`, its `updated` the newest of the items' `changed`."""
    resolvers = {
        f"resolve_{entries}": staticmethod(lambda items: items),
        "resolve_html_url": staticmethod(lambda items, context: page_url(context["request"], page)),
        "resolve_updated": staticmethod(
            lambda items: newest(getattr(entry, changed) for entry in items)
        ),
    }
    namespace = {"__module__": __name__, "__annotations__": {entries: list[item]}, **resolvers}
    return types.new_class(name, (Listing,), exec_body=lambda body: body.update(namespace))


RoleList = listing("RoleList", "roles", RoleSummary, page="role-list", changed="changed")


# --- comparison --------------------------------------------------------------------------------


class KeyFunction(Strict):
    """A function that is key for at least one compared role."""

    function: FunctionRef
    roles: list[Slug] = Field(description="The compared roles it is key for, in column order.")

    @staticmethod
    def resolve_roles(key: Any) -> list[str]:
        return [role.slug for role in key.roles]


class Statement(Strict):
    text: str
    citations: Citations


class BottomLine(Strict):
    """The answer first: what editors wrote for exactly these roles, else each role's key
    question (or, lacking one, its summary)."""

    text: str = Field(validation_alias="bottom_line_text")
    by_editors: bool
    statements: list[Statement] = Field(validation_alias="bottom_line")

    @staticmethod
    def resolve_by_editors(comparison: Any) -> bool:
        return comparison.pairing is not None


CELLS = Field(description="One per compared role, in column order; null where it has none.")
TraitCells = Annotated[list[TraitCell | None], CELLS]
KnowledgeCells = Annotated[list[KnowledgeCell | None], CELLS]
InvolvementCells = Annotated[list[InvolvementCell | None], CELLS]
PartCells = Annotated[list[PartCell | None], CELLS]


class DimensionRow(Strict):
    slug: Slug = Field(validation_alias="dimension.slug")
    name: str = Field(validation_alias="dimension.name")
    description: str = Field(validation_alias="dimension.description")
    cells: TraitCells

    @staticmethod
    def resolve_cells(row: Any) -> list[Any]:
        return [cell.trait for cell in row.cells]


class RoleResponsibilities(Strict):
    role: Slug = Field(validation_alias="slug")
    items: list[Responsibility]

    @staticmethod
    def resolve_items(role: Any, context: dict[str, Any]) -> list[Any]:
        return shown_responsibilities(role, context)


class KnowledgeRow(Strict):
    area: KnowledgeAreaRef
    cells: KnowledgeCells

    @staticmethod
    def resolve_cells(row: Any) -> list[Any]:
        return [cell.knowledge for cell in row.cells]


class StageRow(Strict):
    """Every lifecycle stage is a row; a role not involved in it is null."""

    stage: StageRef
    cells: InvolvementCells

    @staticmethod
    def resolve_cells(row: Any) -> list[Any]:
        return [cell.involvement for cell in row.cells]


class SharedActivity(Strict):
    """An activity at least two of the compared roles take part in."""

    collaboration: CollaborationRef
    cells: PartCells = Field(validation_alias="parts")


class RoleLadder(Strict):
    """One compared role's ladder, lowest level first."""

    role: Slug = Field(validation_alias="slug")
    levels: list[RoleLevel]


class Comparison(Strict):
    """Two to four roles side by side, in the order of the URL (the columns' order). Every row
    has one cell per role in `roles` order."""

    url: Url
    html_url: HtmlUrl
    markdown_url: Uri
    updated: Updated
    roles: Annotated[list[RoleSummary], Field(min_length=2, max_length=4)]
    bottom_line: BottomLine
    key_differences: Annotated[
        list[DimensionRow],
        Field(
            max_length=6,
            description="The rows that answer how the roles differ, after the bottom line.",
            validation_alias="key_difference_rows",
        ),
    ]
    key_functions: list[KeyFunction]
    dimensions: list[DimensionRow] = Field(validation_alias="dimension_rows")
    responsibilities: list[RoleResponsibilities] = Field(validation_alias="roles")
    knowledge: list[KnowledgeRow] = Field(validation_alias="knowledge_rows")
    lifecycle: list[StageRow]
    collaborations: list[SharedActivity]
    anti_patterns: list[AntiPattern] = Field(
        description="The compared roles' anti-patterns in which one is taken for another of "
        "them, in column order."
    )
    levels: list[RoleLadder] = Field(
        validation_alias="roles", description="Each role's ladder, in column order."
    )
    moves: list[MoveRef] = Field(description="The written moves between the compared roles.")
    sources: list[SourceSummary]

    @staticmethod
    def resolve_url(comparison: Any, context: dict[str, Any]) -> str:
        return api_url(context["request"], "compare", *comparison.slugs)

    @staticmethod
    def resolve_html_url(comparison: Any, context: dict[str, Any]) -> str:
        return page_url(context["request"], "compare", *comparison.slugs)

    @staticmethod
    def resolve_markdown_url(comparison: Any, context: dict[str, Any]) -> str:
        return api_url(context["request"], "compare-markdown", *comparison.slugs)

    @staticmethod
    def resolve_updated(comparison: Any) -> datetime | None:
        return newest(role.changed for role in comparison.roles)

    @staticmethod
    def resolve_bottom_line(comparison: Any) -> Any:
        return comparison


# --- collaborations and sources ----------------------------------------------------------------


class Contribution(PartCell):
    role: RoleRef


class Collaboration(CollaborationRef):
    """A shared activity or hand-off: each role's part and RACI letter, one Accountable, and why
    that role is the Accountable one."""

    description: str
    why_accountable: str = Field(
        description="Why the accountable role owns the outcome, and who does when it is missing; "
        "may be empty."
    )
    order: Order
    citations: Citations
    accountable: RoleRef | None
    contributions: list[Contribution]
    updated: Updated = Field(validation_alias="changed")

    @staticmethod
    def resolve_accountable(collaboration: Any) -> Any:
        parts = collaboration.contributions.all()
        return next((part.role for part in parts if part.raci == Raci.ACCOUNTABLE), None)


CollaborationList = listing(
    "CollaborationList", "collaborations", Collaboration, page="collaboration", changed="changed"
)


class Citation(Strict):
    """Something that cites a source. `role` is set for items that belong to a role."""

    kind: Literal[*citation_kinds()] = Field(  # type: ignore[valid-type]
        description="What sort of item: one per model that cites sources."
    )
    slug: Slug
    title: str
    role: Slug | None
    locator: str = Field(description="Where in the source the item's claim comes from.")
    url: Url | None
    html_url: HtmlUrl | None

    @staticmethod
    def resolve_role(citation: Any) -> str | None:
        return None if citation.role is None else citation.role.slug

    @staticmethod
    def resolve_url(citation: Any, context: dict[str, Any]) -> str | None:
        request = context["request"]
        if citation.role is not None:
            return api_url(request, "role-detail", citation.role.slug)
        if isinstance(citation.item, catalog_models.Collaboration):
            return api_url(request, "collaboration-detail", citation.slug)
        if isinstance(citation.item, catalog_models.Pairing):
            slugs = (role.slug for role in citation.item.ordered_roles)
            return api_url(request, "compare", *slugs)
        return None

    @staticmethod
    def resolve_html_url(citation: Any, context: dict[str, Any]) -> str | None:
        path = citation.path
        return None if path is None else absolute(context["request"], path)


class Source(SourceSummary):
    """A source and everything that cites it."""

    cited_by: list[Citation]


SourceList = listing("SourceList", "sources", Source, page="sources", changed="updated")


# --- the whole catalog: one list of records per content model, generated from the models ------

DATA_FORMAT = 2  # 1 held roles, activities and sources nested as the API shows them

Key = Annotated[
    str,
    Field(description="A record's natural key: its slugs, joined by “/” where it has several."),
]


def field_type(field: models.Field) -> object:
    """The JSON type of a model field's value in a record."""
    if field.many_to_many:
        return list[Key]
    if field.many_to_one:
        kind: object = Key
    elif field.choices:
        kind = Literal[*(value for value, _ in field.flatchoices)]
    elif isinstance(field, models.DateTimeField):
        kind = Updated
    elif isinstance(field, models.DateField):
        kind = Annotated[str, Field(json_schema_extra={"format": "date"})]
    elif isinstance(field, models.IntegerField):
        kind = int
    else:
        kind = str
    return kind | None if field.null else kind


def record_fields(model: type[models.Model]) -> list[models.Field]:
    """Every field a record of `model` holds: all but the database's own id."""
    meta = model._meta
    return [field for field in [*meta.concrete_fields, *meta.many_to_many] if not field.primary_key]


def table_name(model: type[models.Model]) -> str:
    """A model's name in the downloads: its plural in snake case (roles, role_citations)."""
    return slugify(model._meta.verbose_name_plural).replace("-", "_")


def record_schema(model: type[models.Model]) -> type[Strict]:
    fields = {
        field.name: (
            field_type(field),
            Field(description=str(field.help_text or capfirst(field.verbose_name))),
        )
        for field in record_fields(model)
    }
    return create_model(f"{model.__name__}Record", __base__=Strict, __doc__=model.__doc__, **fields)


Catalog = create_model(
    "Catalog",
    __base__=Strict,
    __doc__=f"The whole catalog in one document, data format {DATA_FORMAT}: every record of every "
    "content model, one list per model, each record's fields as in the database, with natural "
    "keys for the records it refers to.",
    format=(Literal[DATA_FORMAT], Field(description="The version of this document's layout.")),
    url=(Uri, ...),
    api=(Uri, ...),
    updated=(Updated | None, ...),
    **{table_name(model): (list[record_schema(model)], ...) for model in content_models()},
)
