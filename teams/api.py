"""/api/v1/teams/<id>/: a team's chart as JSON, on the catalog's read-only API (catalog.api).

Not conditional on the catalog version like the catalog's operations: a team changes when its
editors save, so its answers are private and never kept by a shared cache.
"""

from __future__ import annotations

from functools import wraps
from typing import Annotated

from django.http import HttpRequest, HttpResponseBase
from ninja import Path
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from catalog import schemas
from catalog.api import ALWAYS, api, strict_query
from teams.exports import payload
from teams.models import Team
from teams.schemas import TeamOut

TeamId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{22}$", description="The team's id.")]


def private(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


@decorate_view(strict_query([]), private)
@api.api_operation(
    ["GET", "HEAD"],
    "/api/v1/teams/{public_id}/",
    response={200: TeamOut, 400: schemas.Error, 404: schemas.Error},
    url_name="team-detail",
    operation_id="getTeam",
    summary="A team's own RACI chart",
    tags=["teams"],
    openapi_extra={
        "responses": {
            400: ALWAYS[400],
            404: {"description": "No team has this id."},
        }
    },
)
def team_detail(request: HttpRequest, public_id: TeamId) -> dict:
    team = Team.objects.filter(public_id=public_id).first()
    if team is None:
        raise HttpError(404, "No team has this id.")
    return payload(request, team)
