"""The OpenAPI 3.1 description of the API and the downloads, served at /api/v1/openapi.json.

Written by hand as data, with every property required and no others allowed, so that validating
a real response against it (tests/test_api_openapi.py) fails on any drift in either direction.
"""

from __future__ import annotations

import copy
from typing import Any

SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"


# --- schema helpers ----------------------------------------------------------------------------


def obj(doc: str = "", /, **properties: Any) -> dict[str, Any]:
    """An object with exactly these properties, all required; `doc` is its description."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if doc:
        schema["description"] = doc
    return schema


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def text(description: str = "") -> dict[str, Any]:
    return {"type": "string", "description": description} if description else {"type": "string"}


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


SLUG = {"type": "string", "pattern": SLUG_PATTERN, "description": "Stable identifier."}
URL = {"type": "string", "format": "uri", "description": "This resource in the API."}
HTML_URL = {"type": "string", "format": "uri", "description": "This resource's web page."}
URI = {"type": "string", "format": "uri"}
URI_TEMPLATE = {"type": "string", "description": "An RFC 6570 URI template."}
UPDATED = {"type": "string", "format": "date-time", "description": "Last change (ISO 8601)."}
ORDER = {"type": "integer", "minimum": 0}
COUNT = {"type": "integer", "minimum": 0}
LEVEL = enum("essential", "useful")
INVOLVEMENT = enum("leads", "supports", "none")
RACI = {
    "raci": enum("R", "A", "C", "I"),
    "raci_label": enum("Responsible", "Accountable", "Consulted", "Informed"),
    "raci_meaning": enum("does the work", "owns the outcome", "is asked before", "is told after"),
}


# --- schemas -------------------------------------------------------------------------------------

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": obj(
        "Every error: bad input (400), unknown resource (404), a write method (405).",
        error=obj(status={"type": "integer", "enum": [400, 404, 405]}, message=text()),
    ),
    "Index": obj(
        "Where to start: links to every collection, URI templates for single resources.",
        name=text(),
        description=text(),
        version=enum("v1"),
        url=URL,
        html_url=HTML_URL,
        updated=nullable(UPDATED),
        links=obj(
            roles=URI,
            role=URI_TEMPLATE,
            compare=URI_TEMPLATE,
            collaborations=URI,
            collaboration=URI_TEMPLATE,
            sources=URI,
            source=URI_TEMPLATE,
            openapi=URI,
            catalog_json=URI,
            catalog_csv=URI,
            role_markdown=URI_TEMPLATE,
            compare_markdown=URI_TEMPLATE,
        ),
    ),
    "FunctionRef": obj(slug=SLUG, name=text()),
    "RoleRef": obj(slug=SLUG, name=text(), url=URL, html_url=HTML_URL),
    "CitationRef": obj(
        "Where an item's claim comes from: a source (details under /api/v1/sources/<slug>/) "
        "and the place in it, a section, a page or a quotation of at most 25 words.",
        source=SLUG,
        locator=text(),
    ),
    "CollaborationRef": obj(slug=SLUG, title=text(), url=URL, html_url=HTML_URL),
    "KnowledgeAreaRef": obj(slug=SLUG, name=text(), description=text()),
    "DimensionRef": obj(slug=SLUG, name=text(), description=text()),
    "StageRef": obj(slug=SLUG, name=text(), order=ORDER),
    "RoleSummary": obj(
        "A role's headline. `updated` covers the role and everything that belongs to it.",
        slug=SLUG,
        url=URL,
        html_url=HTML_URL,
        markdown_url=URI,
        name=text(),
        short_name=text("Used in tight places; may be empty."),
        summary=text(),
        main_goal=text(),
        order=ORDER,
        key_functions=array(ref("FunctionRef")),
        updated=UPDATED,
    ),
    "Responsibility": obj(
        slug=SLUG,
        title=text(),
        description=text(),
        function=ref("FunctionRef"),
        order=ORDER,
        citations=array(ref("CitationRef")),
        html_url=HTML_URL,
        updated=UPDATED,
    ),
    "RoleKnowledge": obj(
        area=ref("KnowledgeAreaRef"),
        level=LEVEL,
        note=text(),
        citations=array(ref("CitationRef")),
        html_url=HTML_URL,
        updated=UPDATED,
    ),
    "Trait": obj(
        "A role's value on one dimension of the side-by-side table.",
        dimension=ref("DimensionRef"),
        text=text(),
        citations=array(ref("CitationRef")),
        html_url=HTML_URL,
        updated=UPDATED,
    ),
    "Involvement": obj(
        "How a role takes part in a lifecycle stage.",
        stage=ref("StageRef"),
        level=INVOLVEMENT,
        note=text(),
        citations=array(ref("CitationRef")),
        html_url=HTML_URL,
        updated=UPDATED,
    ),
    "RolePart": obj(
        "The role's part in a collaboration, with its RACI letter.",
        collaboration=ref("CollaborationRef"),
        **RACI,
        text=text(),
        citations=array(ref("CitationRef")),
        updated=UPDATED,
    ),
    "SourceSummary": obj(
        slug=SLUG,
        url=URL,
        html_url=HTML_URL,
        title=text(),
        kind=enum("standard", "framework", "occupation", "practitioner", "editorial", "seed"),
        publisher=text(),
        edition=text(),
        year=nullable({"type": "integer", "description": "Year of the edition cited."}),
        accessed=nullable(
            {"type": "string", "format": "date", "description": "When the editors checked it."}
        ),
        link=nullable({**URI, "description": "The source document itself."}),
        note=text("What the source is for in this catalog."),
        order=ORDER,
        updated=UPDATED,
    ),
    "Citation": obj(
        "Something that cites a source. `role` is set for items that belong to a role.",
        kind=enum(
            "role",
            "responsibility",
            "knowledge_area",
            "role_knowledge",
            "trait",
            "lifecycle_stage",
            "involvement",
            "collaboration",
            "contribution",
        ),
        slug=SLUG,
        title=text(),
        locator=text("Where in the source the claim comes from."),
        role=nullable(SLUG),
        url=nullable(URL),
        html_url=nullable(HTML_URL),
    ),
    "Contribution": obj(
        role=ref("RoleRef"),
        **RACI,
        text=text(),
        citations=array(ref("CitationRef")),
        updated=UPDATED,
    ),
    "Collaboration": obj(
        "A shared activity or hand-off: each role's part and RACI letter, one Accountable.",
        slug=SLUG,
        url=URL,
        html_url=HTML_URL,
        title=text(),
        description=text(),
        order=ORDER,
        citations=array(ref("CitationRef")),
        accountable=nullable(ref("RoleRef")),
        contributions=array(ref("Contribution")),
        updated=UPDATED,
    ),
    "Function": obj(slug=SLUG, name=text(), description=text(), order=ORDER, updated=UPDATED),
    "Dimension": obj(slug=SLUG, name=text(), description=text(), order=ORDER, updated=UPDATED),
    "KnowledgeArea": obj(
        slug=SLUG,
        name=text(),
        description=text(),
        order=ORDER,
        citations=array(ref("CitationRef")),
        updated=UPDATED,
    ),
    "LifecycleStage": obj(
        slug=SLUG,
        name=text(),
        description=text(),
        order=ORDER,
        citations=array(ref("CitationRef")),
        updated=UPDATED,
    ),
}

SCHEMAS["Role"] = obj(
    "A role in full. With ?function=, responsibilities are only those of that function.",
    **SCHEMAS["RoleSummary"]["properties"],
    description=text(),
    citations=array(ref("CitationRef")),
    responsibilities=array(ref("Responsibility")),
    knowledge=array(ref("RoleKnowledge")),
    traits=array(ref("Trait")),
    involvement=array(ref("Involvement")),
    collaborations=array(ref("RolePart")),
    sources=array(ref("SourceSummary")),
)
SCHEMAS["Source"] = obj(
    "A source and everything that cites it.",
    **SCHEMAS["SourceSummary"]["properties"],
    cited_by=array(ref("Citation")),
)
SCHEMAS["RoleList"] = obj(
    url=URL,
    html_url=HTML_URL,
    updated=nullable(UPDATED),
    count=COUNT,
    roles=array(ref("RoleSummary")),
)
SCHEMAS["CollaborationList"] = obj(
    url=URL,
    html_url=HTML_URL,
    updated=nullable(UPDATED),
    count=COUNT,
    collaborations=array(ref("Collaboration")),
)
SCHEMAS["SourceList"] = obj(
    url=URL,
    html_url=HTML_URL,
    updated=nullable(UPDATED),
    count=COUNT,
    sources=array(ref("Source")),
)


SCHEMAS["TraitCell"] = obj(
    text=text(), citations=array(ref("CitationRef")), html_url=HTML_URL, updated=UPDATED
)
SCHEMAS["KnowledgeCell"] = obj(
    level=LEVEL,
    note=text(),
    citations=array(ref("CitationRef")),
    html_url=HTML_URL,
    updated=UPDATED,
)
SCHEMAS["InvolvementCell"] = obj(
    level=INVOLVEMENT,
    note=text(),
    citations=array(ref("CitationRef")),
    html_url=HTML_URL,
    updated=UPDATED,
)
SCHEMAS["PartCell"] = obj(**RACI, text=text(), citations=array(ref("CitationRef")), updated=UPDATED)
SCHEMAS["Comparison"] = obj(
    "Role a and role b side by side, in the order of the URL. A side that has nothing on a "
    "row is null.",
    url=URL,
    html_url=HTML_URL,
    markdown_url=URI,
    updated=UPDATED,
    a=ref("RoleSummary"),
    b=ref("RoleSummary"),
    key_functions=obj(
        only_a=array(ref("FunctionRef")),
        shared=array(ref("FunctionRef")),
        only_b=array(ref("FunctionRef")),
    ),
    dimensions=array(
        obj(
            slug=SLUG,
            name=text(),
            description=text(),
            a=nullable(ref("TraitCell")),
            b=nullable(ref("TraitCell")),
        )
    ),
    responsibilities=obj(a=array(ref("Responsibility")), b=array(ref("Responsibility"))),
    knowledge=array(
        obj(
            area=ref("KnowledgeAreaRef"),
            a=nullable(ref("KnowledgeCell")),
            b=nullable(ref("KnowledgeCell")),
        )
    ),
    lifecycle=array(
        obj(
            stage=ref("StageRef"),
            a=nullable(ref("InvolvementCell")),
            b=nullable(ref("InvolvementCell")),
        )
    ),
    collaborations=array(
        obj(
            "An activity both roles take part in.",
            collaboration=ref("CollaborationRef"),
            a=ref("PartCell"),
            b=ref("PartCell"),
        )
    ),
    sources=array(ref("SourceSummary")),
)
SCHEMAS["Catalog"] = obj(
    "The whole catalog in one document.",
    url=URI,
    api=URI,
    updated=nullable(UPDATED),
    roles=array(ref("Role")),
    collaborations=array(ref("Collaboration")),
    sources=array(ref("SourceSummary")),
    functions=array(ref("Function")),
    knowledge_areas=array(ref("KnowledgeArea")),
    dimensions=array(ref("Dimension")),
    lifecycle_stages=array(ref("LifecycleStage")),
)


# --- parameters, responses, paths --------------------------------------------------------------


def slug_parameter(where: str, name: str, description: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": {"type": "string", "pattern": SLUG_PATTERN},
        "example": example,
    }


CONDITIONAL_HEADERS = {
    "ETag": {"description": "Changes whenever catalog content changes.", "schema": text()},
    "Last-Modified": {"schema": text()},
    "Access-Control-Allow-Origin": {"schema": enum("*")},
}

RESPONSES = {
    "NotModified": {"description": "Not modified since the ETag or date the client sent."},
    "BadRequest": {
        "description": "Unknown, repeated or invalid query parameter.",
        "content": {"application/json": {"schema": ref("Error")}},
    },
    "NotFound": {
        "description": "No such role, collaboration or source.",
        "content": {"application/json": {"schema": ref("Error")}},
    },
    "Moved": {
        "description": "A renamed role's old slug: the same resource at the current slug.",
        "headers": {"Location": {"schema": text()}},
    },
}


def ok(description: str, media_type: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": CONDITIONAL_HEADERS,
        "content": {media_type: {"schema": schema}},
    }


def download(description: str, filename: str, media_type: str) -> dict[str, Any]:
    response = ok(description, media_type, {"type": "string"})
    response["headers"] = {
        **CONDITIONAL_HEADERS,
        "Content-Disposition": {
            "description": f'attachment; filename="{filename}"',
            "schema": text(),
        },
    }
    return response


def operation(
    operation_id: str,
    summary: str,
    success: dict[str, Any],
    *,
    tag: str,
    parameters: list[dict[str, Any]] | None = None,
    not_found: bool = False,
    moved: bool = False,
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": success}
    if moved:
        responses["301"] = {"$ref": "#/components/responses/Moved"}
    responses["304"] = {"$ref": "#/components/responses/NotModified"}
    responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    result: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "responses": responses,
    }
    if parameters:
        result["parameters"] = parameters
    return result


ROLE_SLUG = slug_parameter("path", "slug", "A role's slug.", "product-manager")
PAIR = [
    slug_parameter("path", "a", "The first role's slug.", "product-manager"),
    slug_parameter("path", "b", "The second role's slug.", "project-manager"),
]
FUNCTION_FILTER = slug_parameter(
    "query", "function", "Only responsibilities in this function.", "strategy"
)

PATHS = {
    "/api/v1/": {
        "get": operation(
            "getIndex",
            "Links to everything",
            ok("Index", "application/json", ref("Index")),
            tag="api",
        )
    },
    "/api/v1/roles/": {
        "get": operation(
            "listRoles",
            "Every role",
            ok("Roles in display order", "application/json", ref("RoleList")),
            tag="roles",
        )
    },
    "/api/v1/roles/{slug}/": {
        "get": operation(
            "getRole",
            "One role in full",
            ok("The role", "application/json", ref("Role")),
            tag="roles",
            parameters=[ROLE_SLUG, FUNCTION_FILTER],
            not_found=True,
            moved=True,
        )
    },
    "/api/v1/compare/{a}/vs/{b}/": {
        "get": operation(
            "compareRoles",
            "Two roles side by side",
            ok("The comparison", "application/json", ref("Comparison")),
            tag="roles",
            parameters=[*PAIR, FUNCTION_FILTER],
            not_found=True,
            moved=True,
        )
    },
    "/api/v1/collaborations/": {
        "get": operation(
            "listCollaborations",
            "Every shared activity with RACI",
            ok("Collaborations", "application/json", ref("CollaborationList")),
            tag="collaborations",
            parameters=[
                slug_parameter(
                    "query", "role", "Only activities this role takes part in.", "project-manager"
                )
            ],
        )
    },
    "/api/v1/collaborations/{slug}/": {
        "get": operation(
            "getCollaboration",
            "One shared activity with RACI",
            ok("The collaboration", "application/json", ref("Collaboration")),
            tag="collaborations",
            parameters=[
                slug_parameter("path", "slug", "A collaboration's slug.", "strategy-to-execution")
            ],
            not_found=True,
        )
    },
    "/api/v1/sources/": {
        "get": operation(
            "listSources",
            "Every source and what cites it",
            ok("Sources", "application/json", ref("SourceList")),
            tag="sources",
        )
    },
    "/api/v1/sources/{slug}/": {
        "get": operation(
            "getSource",
            "One source and what cites it",
            ok("The source", "application/json", ref("Source")),
            tag="sources",
            parameters=[slug_parameter("path", "slug", "A source's slug.", "seed-document")],
            not_found=True,
        )
    },
    "/api/v1/openapi.json": {
        "get": operation(
            "getOpenApi",
            "This description",
            ok("OpenAPI 3.1", "application/json", {"type": "object"}),
            tag="api",
        )
    },
    "/downloads/catalog.json": {
        "get": operation(
            "downloadCatalogJson",
            "The whole catalog as one JSON document",
            {
                **download("The catalog", "roles-catalog.json", "application/json"),
                "content": {"application/json": {"schema": ref("Catalog")}},
            },
            tag="downloads",
        )
    },
    "/downloads/catalog-csv.zip": {
        "get": operation(
            "downloadCatalogCsv",
            "The whole catalog as CSV, one file per entity, in a zip",
            download("A zip of CSV files", "roles-catalog-csv.zip", "application/zip"),
            tag="downloads",
        )
    },
    "/roles/{slug}.md": {
        "get": operation(
            "downloadRoleMarkdown",
            "A role as Markdown",
            download("The role", "{slug}.md", "text/markdown"),
            tag="downloads",
            parameters=[ROLE_SLUG],
            not_found=True,
            moved=True,
        )
    },
    "/compare/{a}/vs/{b}.md": {
        "get": operation(
            "downloadComparisonMarkdown",
            "A comparison as Markdown",
            download("The comparison", "{a}-vs-{b}.md", "text/markdown"),
            tag="downloads",
            parameters=PAIR,
            not_found=True,
            moved=True,
        )
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
    "info": {
        "title": "Roles API",
        "version": "1.0.0",
        "summary": "Read-only open data: job roles, how they differ, and who does what (RACI).",
        "description": (
            "Every resource is named by a stable slug; a renamed role's old slug answers 301. "
            "Responses carry ETag and Last-Modified and answer 304 to a matching conditional "
            "request. Any origin may GET (CORS). Unknown or repeated query parameters are a "
            "400; an unknown slug is a 404; any method but GET, HEAD or OPTIONS is a 405. "
            'Errors are JSON: {"error": {"status": …, "message": …}}.'
        ),
    },
    "tags": [
        {"name": "api", "description": "Start here."},
        {"name": "roles", "description": "Roles and comparisons."},
        {"name": "collaborations", "description": "Shared activities with RACI."},
        {"name": "sources", "description": "Cited sources."},
        {"name": "downloads", "description": "The catalog as files."},
    ],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS, "responses": RESPONSES},
}


def openapi_document(server: str) -> dict[str, Any]:
    """The description with `server` (scheme and host this request came to) as its server."""
    document = copy.deepcopy(DOCUMENT)
    document["servers"] = [{"url": server}]
    return document
