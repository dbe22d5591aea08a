"""The catalog's models, read from the models themselves, never listed by hand.

Content models are the concrete subclasses of `models.Content`; citation models the concrete
subclasses of `models.Citation`. Downloads, `/sources/`, `cited_by`, the catalog version and the
Editors' permissions all read these, so a model added later is in every one of them.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models

from catalog.models import Citation, Content


def content_models() -> list[type[models.Model]]:
    """Every model whose rows are catalog content, in the order models.py defines them."""
    return [
        model for model in apps.get_app_config("catalog").get_models() if issubclass(model, Content)
    ]


def citation_models() -> list[type[Citation]]:
    """One per citable model, in the order models.py defines them."""
    return [model for model in content_models() if issubclass(model, Citation)]


def cited_model(citation: type[Citation]) -> type[models.Model]:
    return citation._meta.get_field("item").related_model


def cited_from(citation: type[Citation]) -> str:
    """The name of a source's citations of this model (`source.rolecitations`)."""
    return citation._meta.get_field("source").remote_field.get_accessor_name()


def kind_of(model: type[models.Model]) -> str:
    """A cited model's kind in `cited_by`: its name in snake case, unless it says otherwise."""
    snake_case = re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()
    return getattr(model, "cited_as", None) or snake_case


def citation_kinds() -> list[str]:
    return [kind_of(cited_model(citation)) for citation in citation_models()]
