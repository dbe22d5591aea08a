"""`mark` filter: wrap the searched words in <mark>, escaping the text around them."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def mark(text: object, words: list[str] | None) -> SafeString:
    """Escape `text` piece by piece and mark each match, so no mark ever lands inside markup."""
    text = str(text)
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)),
        re.IGNORECASE,
    )
    pieces, end = [], 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[end : match.start()]))
        pieces.append(format_html("<mark>{}</mark>", match.group()))
        end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))


@register.filter
def excerpt(text: object, words: list[str] | None, width: int = 160) -> str:
    """About `width` characters of `text` around its first searched word; "" if none occurs."""
    text = str(text)
    folded = text.casefold()
    hits = [i for word in words or [] if (i := folded.find(word.casefold())) >= 0]
    if not hits:
        return ""
    first = min(hits)
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    # Whole words only: step in to the nearest spaces, never past the match itself.
    if start and (space := text.find(" ", start, first)) >= 0:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", first, end)) > first:
        end = space
    return f"{'…' if start else ''}{text[start:end].strip()}{'…' if end < len(text) else ''}"
