"""/healthz: 200 when the database answers and holds the catalog's tables, 503 when it does not.

Load balancers and `make bench` poll it; the body names the catalog version this instance sees,
so two instances on one database can be seen to agree.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from catalog.models import CatalogVersion

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        version = CatalogVersion.objects.filter(pk=1).values_list("number", flat=True).first()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "catalog_version": version or 0})
