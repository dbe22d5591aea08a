"""`{% search_maxlength %}`: the one maxlength every search box carries (catalog.search)."""

from __future__ import annotations

from django import template

from catalog.search import SEARCH_MAX_LENGTH

register = template.Library()


@register.simple_tag
def search_maxlength() -> int:
    return SEARCH_MAX_LENGTH
