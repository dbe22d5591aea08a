"""Print each public page's server time, query count and compressed first-load bytes.

Renders through the whole middleware stack in-process, every figure a real render, on whatever
catalog the database holds.
"""

from __future__ import annotations

import gzip
import logging
import re
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Role

ASSET = re.compile(r'<(?:link rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def pages() -> list[tuple[str, str, dict]]:
    roles = list(Role.objects.order_by("order")[:2])
    a, b = roles[0].slug, roles[-1].slug
    compare = reverse("catalog:compare", args=[a, b])
    role = reverse("catalog:role-detail", args=[a])
    return [
        ("home", reverse("catalog:home"), {}),
        ("roles", reverse("catalog:role-list"), {}),
        ("role page", role, {}),
        (
            "role page, function filter (htmx)",
            f"{role}?function=strategy",
            {"HX-Request": "true", "HX-Target": "responsibilities"},
        ),
        ("comparison", compare, {}),
        (
            "comparison, differences only (htmx)",
            f"{compare}?diff=1",
            {"HX-Request": "true", "HX-Target": "details"},
        ),
        ("collaboration", reverse("catalog:collaboration"), {}),
        ("search", reverse("catalog:search") + "?q=roadmap", {}),
        (
            "live search (htmx)",
            reverse("catalog:search") + "?q=risk",
            {"HX-Request": "true", "HX-Target": "live-results"},
        ),
        ("sources", reverse("catalog:sources"), {}),
    ]


class Command(BaseCommand):
    help = "Measure server time, queries and compressed bytes of every public page."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, *args, runs: int, **options) -> None:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            self.measure(runs)

    def measure(self, runs: int) -> None:
        logging.getLogger("roles.request").setLevel(logging.WARNING)
        client = Client()
        asset_sizes: dict[str, int] = {}
        rows = []
        for name, url, headers in pages():
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url, headers=headers, secure=True)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url, headers=headers, secure=True)
            html = response.content
            if response.get("Content-Encoding") != "gzip":
                html = gzip.compress(html, 6)
            css = js = 0
            for asset in ASSET.findall(response.content.decode()) if not headers else []:
                if asset not in asset_sizes:
                    path = finders.find(asset.removeprefix(settings.STATIC_URL).lstrip("/"))
                    asset_sizes[asset] = len(gzip.compress(Path(path).read_bytes(), 9))
                if asset.endswith(".css"):
                    css += asset_sizes[asset]
                elif asset.endswith(".js"):
                    js += asset_sizes[asset]
            rows.append(
                (
                    name,
                    response.status_code,
                    statistics.median(timings),
                    len(queries),
                    len(html),
                    css,
                    js,
                )
            )
        header = (
            "page",
            "status",
            "server ms (median)",
            "queries",
            "HTML gz",
            "CSS gz",
            "JS gz",
            "total gz",
        )
        self.stdout.write(" | ".join(header))
        for name, status, ms, count, html, css, js in rows:
            total = html + css + js
            self.stdout.write(
                f"{name} | {status} | {ms:.1f} | {count} | {html:,} | {css:,} | {js:,} | {total:,}"
            )
