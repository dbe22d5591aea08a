"""A team chart's link-preview card, drawn like the catalog's (catalog.cards)."""

from __future__ import annotations

from catalog.cards import HEIGHT, MARGIN, MUTED, WIDTH, canvas, font, png, write
from teams.chart import Chart


def team_card(chart: Chart) -> bytes:
    image, draw = canvas("Roles · a team's RACI chart")
    width = WIDTH - 2 * MARGIN
    y = write(draw, (MARGIN, 100), chart.title, font(72, bold=True), width=width, max_lines=2)
    roles = ", ".join(role.name for role in chart.roles)
    y = write(draw, (MARGIN, y + 16), roles, font(36, bold=True), width=width, max_lines=3)
    write(
        draw,
        (MARGIN, min(y + 20, HEIGHT - 150)),
        f"{len(chart.activities)} shared activities: who is Responsible, Accountable, "
        "Consulted or Informed.",
        font(32),
        width=width,
        max_lines=2,
        fill=MUTED,
    )
    return png(image)
