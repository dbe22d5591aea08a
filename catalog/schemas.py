"""The API's payloads as Pydantic schemas: django-ninja validates every response against them and
generates the OpenAPI document (/api/v1/openapi.json) from them.

Every field is required and no other is allowed (`extra="forbid"` becomes
`additionalProperties: false`), so a payload that drifts from its schema fails in the tests.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.db import models
from django.utils.text import capfirst, slugify
from pydantic import BaseModel, ConfigDict, Field, create_model

from catalog.registry import citation_kinds, content_models

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"

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
    Field(description="Last change (ISO 8601, UTC).", json_schema_extra={"format": "date-time"}),
]
Order = Annotated[int, Field(ge=0)]
Level = Literal["essential", "useful"]
InvolvementLevel = Literal["leads", "supports", "none"]
RaciLetter = Literal["R", "A", "C", "I"]
RaciLabel = Literal["Responsible", "Accountable", "Consulted", "Informed"]
RaciMeaning = Literal["does the work", "owns the outcome", "is asked before", "is told after"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class RoleRef(Strict):
    slug: Slug
    name: str
    url: Url
    html_url: HtmlUrl


class CitationRef(Strict):
    """Where a claim comes from: a source (by slug; details under /api/v1/sources/) and the
    place in it: a section, a page, or a quotation of at most 25 words."""

    source: Slug
    locator: str


Citations = Annotated[list[CitationRef], Field(description="Each source that backs the item.")]


class CollaborationRef(Strict):
    slug: Slug
    title: str
    url: Url
    html_url: HtmlUrl


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


# --- roles -------------------------------------------------------------------------------------


class RoleSummary(Strict):
    """A role's headline. `updated` covers the role and everything that belongs to it."""

    slug: Slug
    url: Url
    html_url: HtmlUrl
    markdown_url: Uri
    name: str
    short_name: str = Field(description="Used in tight places; may be empty.")
    summary: str
    main_goal: str
    order: Order
    key_functions: list[FunctionRef]
    updated: Updated


class Responsibility(Strict):
    slug: Slug
    title: str
    description: str
    function: FunctionRef
    order: Order
    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class RoleKnowledge(Strict):
    area: KnowledgeAreaRef
    level: Level
    note: str
    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class Trait(Strict):
    """A role's value on one dimension of the side-by-side table."""

    dimension: DimensionRef
    text: str
    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class Involvement(Strict):
    """How a role takes part in a lifecycle stage."""

    stage: StageRef
    level: InvolvementLevel
    note: str
    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class RolePart(Strict):
    """The role's part in a collaboration, with its RACI letter."""

    collaboration: CollaborationRef
    raci: RaciLetter
    raci_label: RaciLabel
    raci_meaning: RaciMeaning
    text: str
    citations: Citations
    updated: Updated


class SourceSummary(Strict):
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


class Role(RoleSummary):
    """A role in full. With ?function=, responsibilities are only those of that function."""

    description: str
    citations: Citations
    responsibilities: list[Responsibility]
    knowledge: list[RoleKnowledge]
    traits: list[Trait]
    involvement: list[Involvement]
    collaborations: list[RolePart]
    sources: list[SourceSummary]


class RoleList(Strict):
    url: Url
    html_url: HtmlUrl
    updated: Updated | None
    count: Order
    roles: list[RoleSummary]


# --- comparison --------------------------------------------------------------------------------


class TraitCell(Strict):
    text: str
    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class KnowledgeCell(Strict):
    level: Level
    note: str
    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class InvolvementCell(Strict):
    level: InvolvementLevel
    note: str
    citations: Citations
    html_url: HtmlUrl
    updated: Updated


class PartCell(Strict):
    raci: RaciLetter
    raci_label: RaciLabel
    raci_meaning: RaciMeaning
    text: str
    citations: Citations
    updated: Updated


class KeyFunction(Strict):
    """A function that is key for at least one compared role."""

    function: FunctionRef
    roles: list[Slug] = Field(description="The compared roles it is key for, in column order.")


class Statement(Strict):
    text: str
    citations: Citations


class BottomLine(Strict):
    """The answer first: what editors wrote for exactly these roles, else each role's key
    question (or, lacking one, its summary)."""

    text: str
    by_editors: bool
    statements: list[Statement]


CELLS = Field(description="One per compared role, in column order; null where it has none.")
TraitCells = Annotated[list[TraitCell | None], CELLS]
KnowledgeCells = Annotated[list[KnowledgeCell | None], CELLS]
InvolvementCells = Annotated[list[InvolvementCell | None], CELLS]
PartCells = Annotated[list[PartCell | None], CELLS]


class DimensionRow(Strict):
    slug: Slug
    name: str
    description: str
    cells: TraitCells


class RoleResponsibilities(Strict):
    role: Slug
    items: list[Responsibility]


class KnowledgeRow(Strict):
    area: KnowledgeAreaRef
    cells: KnowledgeCells


class StageRow(Strict):
    """Every lifecycle stage is a row; a role not involved in it is null."""

    stage: StageRef
    cells: InvolvementCells


class SharedActivity(Strict):
    """An activity at least two of the compared roles take part in."""

    collaboration: CollaborationRef
    cells: PartCells


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
        ),
    ]
    key_functions: list[KeyFunction]
    dimensions: list[DimensionRow]
    responsibilities: list[RoleResponsibilities]
    knowledge: list[KnowledgeRow]
    lifecycle: list[StageRow]
    collaborations: list[SharedActivity]
    sources: list[SourceSummary]


# --- collaborations and sources ----------------------------------------------------------------


class Contribution(Strict):
    role: RoleRef
    raci: RaciLetter
    raci_label: RaciLabel
    raci_meaning: RaciMeaning
    text: str
    citations: Citations
    updated: Updated


class Collaboration(Strict):
    """A shared activity or hand-off: each role's part and RACI letter, one Accountable."""

    slug: Slug
    url: Url
    html_url: HtmlUrl
    title: str
    description: str
    order: Order
    citations: Citations
    accountable: RoleRef | None
    contributions: list[Contribution]
    updated: Updated


class CollaborationList(Strict):
    url: Url
    html_url: HtmlUrl
    updated: Updated | None
    count: Order
    collaborations: list[Collaboration]


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


class Source(SourceSummary):
    """A source and everything that cites it."""

    cited_by: list[Citation]


class SourceList(Strict):
    url: Url
    html_url: HtmlUrl
    updated: Updated | None
    count: Order
    sources: list[Source]


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
