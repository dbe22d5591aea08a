"""Link-preview images (og:image): 1200x630 PNG cards drawn with Pillow from the catalog.

One for the home page, one per role and one per comparison, in the roles' accent colours. The
font is DejaVu Sans, shipped in catalog/fonts/ (licence beside it), so a card looks the same on
every machine; Pillow's own default font lacks letters such as "é" and "—".
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from catalog.models import Role

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
FONTS = Path(__file__).resolve().parent / "fonts"
BACKGROUND = "#fbfbf9"
TEXT = "#1d2125"
MUTED = "#515a63"
RULE = "#d5d8d2"
# The light scheme's --accent-0 … --accent-7 from static/css/site.css (Role.accent picks one).
ACCENTS = [
    "#1f5f8b",
    "#a34700",
    "#2f7a3b",
    "#7a3fa0",
    "#a3224f",
    "#4d5a12",
    "#0b6b6b",
    "#4a3fb5",
]


@cache
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(FONTS / name, size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """`text` in lines no wider than `width`, at most `max_lines`, the last cut with "…"."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and face.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and face.getlength(f"{last}…") > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = f"{last.rstrip(',;:')}…"
    return lines


def write(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    face: ImageFont.FreeTypeFont,
    *,
    width: int,
    max_lines: int,
    fill: str = TEXT,
) -> int:
    """Draw wrapped `text` from `xy`; return the y just below it."""
    x, y = xy
    step = round(face.size * 1.25)
    for line in wrap(text, face, width, max_lines):
        draw.text((x, y), line, font=face, fill=fill)
        y += step
    return y


def accent(role: Role) -> str:
    return ACCENTS[role.accent % len(ACCENTS)]


def key_question(role: Role) -> str:
    """The role's key question (from Role.objects.with_cards()), else its summary."""
    traits = getattr(role, "key_question_traits", None) or []
    return traits[0].text if traits else role.summary


def canvas(label: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, 48), label.upper(), font=font(24, bold=True), fill=MUTED)
    draw.line([(MARGIN, HEIGHT - 78), (WIDTH - MARGIN, HEIGHT - 78)], fill=RULE, width=2)
    draw.text(
        (MARGIN, HEIGHT - 60),
        "Roles — a plain-language reference for roles people mix up",
        font=font(24),
        fill=MUTED,
    )
    return image, draw


def png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def role_card(role: Role) -> bytes:
    image, draw = canvas("Roles · what the role does")
    draw.rectangle([(0, 0), (24, HEIGHT)], fill=accent(role))
    width = WIDTH - 2 * MARGIN
    y = write(draw, (MARGIN, 100), role.name, font(72, bold=True), width=width, max_lines=2)
    y = write(
        draw,
        (MARGIN, y + 16),
        key_question(role),
        font(42, bold=True),
        width=width,
        max_lines=2,
        fill=accent(role),
    )
    write(draw, (MARGIN, y + 20), role.summary, font(32), width=width, max_lines=4)
    return png(image)


def fitting(text: str, sizes: Sequence[int], width: int) -> ImageFont.FreeTypeFont:
    """The largest bold face of `sizes` that sets `text` on one line, else the smallest."""
    for size in sizes:
        if font(size, bold=True).getlength(text) <= width:
            return font(size, bold=True)
    return font(sizes[-1], bold=True)


def comparison_card(roles: Sequence[Role]) -> bytes:
    """Two to four roles in columns: name, key question, and (while there is room) summary."""
    image, draw = canvas("Roles · side by side")
    width = WIDTH - 2 * MARGIN
    title = " vs ".join(role.name for role in roles)
    face = fitting(title, (60, 54, 48, 42), width)
    y = write(draw, (MARGIN, 96), title, face, width=width, max_lines=2)
    gap = 60 if len(roles) == 2 else 36
    column = (width - gap * (len(roles) - 1)) // len(roles)
    small = len(roles) > 2
    top = y + 24
    for i, role in enumerate(roles):
        x = MARGIN + i * (column + gap)
        draw.rectangle([(x, top), (x + column, top + 10)], fill=accent(role))
        below = write(
            draw,
            (x, top + 28),
            role.name,
            font(30 if small else 36, bold=True),
            width=column,
            max_lines=2 if small else 1,
            fill=accent(role),
        )
        below = write(
            draw,
            (x, below + 4),
            key_question(role),
            font(26 if small else 32, bold=True),
            width=column,
            max_lines=3 if small else 2,
        )
        write(
            draw,
            (x, below + 10),
            role.summary,
            font(22 if small else 24),
            width=column,
            max_lines=4,
            fill=MUTED,
        )
    return png(image)


def home_card(roles: Sequence[Role]) -> bytes:
    image, draw = canvas("Roles · who does what")
    width = WIDTH - 2 * MARGIN
    y = write(
        draw,
        (MARGIN, 100),
        "Roles people mix up, side by side",
        font(72, bold=True),
        width=width,
        max_lines=2,
    )
    y = write(
        draw,
        (MARGIN, y + 10),
        "What each role does and must know, how they differ, and "
        "who is accountable when they work together.",
        font(32),
        width=width,
        max_lines=2,
        fill=MUTED,
    )
    face = font(30, bold=True)
    x, y = MARGIN, y + 30
    for role in roles:
        chip = round(face.getlength(role.name)) + 48
        if x + chip > WIDTH - MARGIN:
            x, y = MARGIN, y + 66
        if y + 52 > HEIGHT - 96:
            break  # no room for more; the card is a preview, the page lists them all
        draw.rounded_rectangle([(x, y), (x + chip, y + 52)], radius=26, fill=accent(role))
        draw.text((x + 24, y + 9), role.name, font=face, fill="#ffffff")
        x += chip + 16
    return png(image)
