"""Service time of one request in one process: the comparison's 304 against whitenoise's static
file, called through the WSGI application with no server, no socket and no other thread.

`make bench` runs this after its load rounds (python -m bench.service, with the server's
environment). At 64 connections over gunicorn's threads a p99 mostly measures who waited for a
core; here each request is timed alone, on the wall clock and in CPU time, and the slowest 1% are
checked for what the 304 path itself may do on some requests only: re-read the catalog version
(catalog.conditional, at most once per CATALOG_VERSION_CHECK_SECONDS) or run the garbage
collector. Prints one JSON object as its last line (the app's request log goes before it).
"""

from __future__ import annotations

import gc
import io
import json
import os
import sys
import time
from collections.abc import Callable

COMPARE = "/compare/product-manager/vs/project-manager/"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def during(events: list[float], span: tuple[float, float]) -> bool:
    return any(span[0] <= moment <= span[1] for moment in events)


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    static_path = sys.argv[2]
    from django.conf import settings

    from roles_site.serve import prepare, production_environ

    settings.STATIC_ROOT = str(prepare(production_environ(dict(os.environ))))
    from django.core.wsgi import get_wsgi_application

    from catalog import conditional

    application = get_wsgi_application()

    def call(path: str, **headers: str) -> tuple[str, dict]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **headers,
        }
        answer: list = []
        body = application(
            environ, lambda status, headers, exc=None: answer.extend([status, headers])
        )
        for _chunk in body:
            pass
        if hasattr(body, "close"):
            body.close()
        return answer[0], dict(answer[1])

    # Count what happens on some requests only: version re-reads and collector runs.
    reads: list[float] = []
    original = conditional.read_version

    def counted() -> conditional.Version:
        reads.append(time.perf_counter())
        return original()

    conditional.read_version = counted
    collections: list[float] = []
    gc.callbacks.append(
        lambda phase, info: collections.append(time.perf_counter()) if phase == "start" else None
    )

    etag = call(COMPARE)[1]["ETag"]
    cases: dict[str, Callable[[], tuple[str, dict]]] = {
        "304": lambda: call(COMPARE, HTTP_IF_NONE_MATCH=etag),
        "static": lambda: call(static_path),
    }
    result = {}
    for name, request in cases.items():
        status = request()[0]
        for _ in range(requests // 10):  # warm
            request()
        reads.clear()
        collections.clear()
        walls, cpus, spans = [], [], []
        for _ in range(requests):
            start, cpu = time.perf_counter(), time.thread_time()
            request()
            end = time.perf_counter()
            walls.append((end - start) * 1000)
            cpus.append((time.thread_time() - cpu) * 1000)
            spans.append((start, end))
        slowest = sorted(range(requests), key=walls.__getitem__)[-max(1, requests // 100) :]

        result[name] = {
            "status": status,
            "requests": requests,
            "wall_p50": percentile(walls, 0.5),
            "wall_p99": percentile(walls, 0.99),
            "cpu_p50": percentile(cpus, 0.5),
            "cpu_p99": percentile(cpus, 0.99),
            "version_reads": len(reads),
            "collections": len(collections),
            "slowest": len(slowest),
            "slowest_with_read": sum(during(reads, spans[i]) for i in slowest),
            "slowest_with_collection": sum(during(collections, spans[i]) for i in slowest),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
