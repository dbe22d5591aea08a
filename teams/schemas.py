"""The API's payload for a team's chart (catalog.schemas' conventions: every field required, no
other allowed), built on `Chart` so the export, the API and its OpenAPI share one schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from catalog.schemas import HtmlUrl, Strict, Updated
from teams.chart import Chart


class TeamOut(Strict):
    id: Annotated[str, Field(description="The team's public id, from its address.")]
    html_url: HtmlUrl
    version: Annotated[int, Field(ge=1, description="Goes up by one at each save.")]
    updated: Updated
    chart: Chart
