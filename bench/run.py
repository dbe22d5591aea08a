"""`make bench`: run the production-like server and wrk on loopback, and print a table.

Each row is one URL under wrk's load (64 connections by default): requests/s and p50/p99
latency, as a ratio to the ceiling, a static file of about the same size served by the same
server. Then: the comparison page's first-load weight, a 60-second mixed load run (errors and
memory), and the targets from the issue, each with its verdict. Nothing here is asserted by a
test; the numbers are for people to read (and are written to bench-results/).
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import runpy
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from bench.server import BASE_DIR, Client, Server
from roles_site.serve import GUNICORN_CONF, production_environ

RESULTS = BASE_DIR / "bench-results"
COMPARE = "/compare/product-manager/vs/project-manager/"


@dataclass
class Row:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    requests: int = 0
    errors: int = 0
    size: int = 0
    status: int = 0
    queries: str = ""
    first_rps: float = 0.0


def rows_to_measure(etag: str, static_path: str) -> list[Row]:
    return [
        Row("home", "/"),
        Row("role page", "/roles/product-manager/"),
        Row("comparison", COMPARE),
        Row(
            "HTMX partial (compare, differences only)",
            f"{COMPARE}?diff=1",
            {"HX-Request": "true", "HX-Target": "comparison"},
        ),
        Row("search", "/search/?q=roadmap"),
        Row("comparison, repeat visit (304)", COMPARE, {"If-None-Match": etag}),
        Row("comparison, gzip", COMPARE, {"Accept-Encoding": "gzip"}),
        Row("static file, same size (ceiling)", static_path),
    ]


# --- wrk ---------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(
    url: str,
    seconds: int,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "errors": (sum(map(int, socket_errors.groups())) if socket_errors else 0)
        + (int(bad.group(1)) if bad else 0),
        "output": output,
    }


def mix_script(rows: list[Row]) -> Path:
    """A wrk Lua script that sends every row's request in turn."""
    lines = ["local requests = {}", "local i = 0", "init = function(args)"]
    for row in rows:
        headers = ", ".join(f'["{k}"] = "{v}"' for k, v in row.headers.items())
        lines.append(f'  table.insert(requests, wrk.format("GET", "{row.path}", {{{headers}}}))')
    lines += [
        "end",
        "request = function()",
        "  i = i % #requests + 1",
        "  return requests[i]",
        "end",
    ]
    path = RESULTS / "mix.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


# --- memory ------------------------------------------------------------------------------------


def group_memory_kb(pgid: int) -> int:
    """Proportional set size of the server's processes (master and workers), in KiB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # fields after the name: state, ppid, pgrp
                continue
            rollup = (stat.parent / "smaps_rollup").read_text()
        except (OSError, IndexError, ValueError):
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        total += int(match.group(1)) if match else 0
    return total


class MemorySampler(threading.Thread):
    def __init__(self, pgid: int) -> None:
        super().__init__(daemon=True)
        self.pgid = pgid
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.stop.is_set():
            self.samples.append((time.monotonic() - start, group_memory_kb(self.pgid)))
            self.stop.wait(1.0)


# --- page weight -------------------------------------------------------------------------------


class Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "icon"):
            self.urls.append(a["href"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.urls.append(a["src"])


def first_load(client: Client, path: str) -> tuple[int, list[tuple[str, int]]]:
    """Bytes a browser downloads on a first visit to `path`, each response compressed."""
    accept = {"Accept-Encoding": "gzip, br"}
    page = client.get(path, headers=accept)
    body = page.body
    html = gzip.decompress(body) if page.headers.get("Content-Encoding") == "gzip" else body
    parser = Assets()
    parser.feed(html.decode())
    parts = [(path, len(body))]
    for url in dict.fromkeys(parser.urls):
        if url.startswith("/"):
            parts.append((url, len(client.get(url, headers=accept).body)))
    return sum(size for _, size in parts), parts


def same_size_static_file(client: Client, size: int) -> tuple[str, int]:
    """The collected static file whose size is closest to `size` bytes."""
    manifest = client.get("/static/staticfiles.json").json()["paths"].values()
    best = ("", 0)
    for name in manifest:
        if not name.endswith((".css", ".js", ".svg", ".txt", ".json", ".html")):
            continue
        length = int(client.request("HEAD", f"/static/{name}").headers["Content-Length"])
        if abs(length - size) < abs(best[1] - size):
            best = (f"/static/{name}", length)
    return best


# --- query counts ------------------------------------------------------------------------------


def count_queries(env: dict[str, str], rows: list[Row]) -> None:
    """Each row's database queries, rendered in this process with the server's settings."""
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from roles_site.serve import STATIC_BUILDS, static_digest

    # The server's static build (its manifest gives {% static %} its hashed names).
    settings.STATIC_ROOT = STATIC_BUILDS / f"build-{static_digest()}"
    client = DjangoClient()
    for row in rows:
        if row.path.startswith("/static/"):
            row.queries = "0"
            continue
        counts = []
        for _ in range(2):  # rendered, then kept (roles_site.pagecache)
            with CaptureQueriesContext(connection) as queries:
                client.get(row.path, headers=row.headers)
            counts.append(len(queries))
        row.queries = " / ".join(map(str, counts)) if counts[0] != counts[1] else str(counts[0])
    connection.close()


# --- the run -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="per row (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--soak", type=int, default=60, help="mixed load run, seconds (0: skip)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("make bench needs wrk: apt-get install wrk", file=sys.stderr)
        return 2

    RESULTS.mkdir(exist_ok=True)
    env = production_environ(dict(os.environ))
    if not env.get("DATABASE_URL"):
        database = RESULTS / "bench.sqlite3"
        for leftover in RESULTS.glob("bench.sqlite3*"):
            leftover.unlink()
        env["DJANGO_SQLITE_NAME"] = str(database)
    gunicorn = runpy.run_path(str(GUNICORN_CONF))
    log = RESULTS / "server.log"
    log.unlink(missing_ok=True)
    server = Server(env, log, port=int(env["PORT"]) if env.get("PORT") else None)
    print(f"starting the server (make serve) on {server.base_url} …", flush=True)
    server.start()
    try:
        return run(args, env, server, gunicorn)
    finally:
        server.stop()


def run(args, env: dict[str, str], server: Server, gunicorn: dict) -> int:
    client = Client(server.port)
    compare = client.get(COMPARE)
    assert compare.status == 200, f"{COMPARE}: {compare.status}"
    static_path, _ = same_size_static_file(client, len(compare.body))
    rows = rows_to_measure(compare.headers["ETag"], static_path)
    for row in rows:
        response = client.get(row.path, headers=row.headers)
        row.status, row.size = response.status, len(response.body)
    count_queries(env, rows)

    print(f"measuring {len(rows)} rows, {args.seconds} s each …", flush=True)

    def measure(row: Row) -> dict:
        url = server.base_url + row.path
        wrk(url, 2, args.connections, args.threads, row.headers)  # warm up
        return wrk(url, args.seconds, args.connections, args.threads, row.headers)

    # The ceiling first and last: if the two differ much, something else was using the
    # machine and the ratios say little.
    ceiling = rows[-1]
    ceiling.first_rps = measure(ceiling)["rps"]
    for row in rows:
        result = measure(row)
        row.rps, row.p50, row.p99 = result["rps"], result["p50"], result["p99"]
        row.requests, row.errors = result["requests"], result["errors"]
        print(f"  {row.name}: {row.rps:,.0f} req/s", flush=True)

    weight, parts = first_load(client, COMPARE)

    soak = None
    if args.soak:
        print(f"mixed load run: {args.soak} s at {args.connections} connections …", flush=True)
        sampler = MemorySampler(server.process.pid)
        sampler.start()
        script = mix_script(rows)
        soak = wrk(server.base_url + "/", args.soak, args.connections, args.threads, None, script)
        sampler.stop.set()
        sampler.join()
        soak["memory"] = sampler.samples

    report = render(args, env, server, gunicorn, rows, ceiling, weight, parts, soak)
    print(report)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"bench-{stamp}.md").write_text(report)
    (RESULTS / "latest.md").write_text(report)
    return 0


def render(args, env, server, gunicorn, rows, ceiling, weight, parts, soak) -> str:
    database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    out = [
        "",
        f"Roles bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}",
        f"server: make serve — gunicorn {gunicorn['workers']} workers x {gunicorn['threads']} "
        f"threads ({gunicorn['worker_class']}), DEBUG off, {database}, request log on",
        f"load: wrk on loopback, {args.connections} connections, {args.threads} threads, "
        f"{args.seconds} s per row after a 2 s warm-up",
        "",
        "| row | status | bytes | queries (rendered / kept) | req/s | p50 ms | p99 ms "
        "| req/s vs ceiling | p99 vs ceiling | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        out.append(
            f"| {row.name} | {row.status} | {row.size:,} | {row.queries} | {row.rps:,.0f} "
            f"| {row.p50:.2f} | {row.p99:.2f} | {row.rps / ceiling.rps:.0%} "
            f"| {row.p99 / ceiling.p99:.1f}x | {row.errors} |"
        )
    compare = next(r for r in rows if r.name == "comparison")
    repeat = next(r for r in rows if "304" in r.name)
    drift = abs(ceiling.rps - ceiling.first_rps) / ceiling.rps
    out += [
        "",
        f"ceiling: {ceiling.path} ({ceiling.size:,} bytes; the comparison page is "
        f"{compare.size:,} bytes), served by whitenoise in the same server",
        f"ceiling measured first and last: {ceiling.first_rps:,.0f} and {ceiling.rps:,.0f} "
        f"req/s ({drift:.0%} apart)"
        + (": the machine was busy, the ratios are unreliable" if drift > 0.15 else ""),
        "",
        f"first load of the comparison page: {weight / 1024:.1f} KB compressed in total",
    ]
    out += [f"  {size / 1024:6.1f} KB  {url}" for url, size in parts]
    if soak:
        memory = soak["memory"]
        warm = [kb for t, kb in memory if t >= 5] or [kb for _, kb in memory]
        first, last, peak = warm[0], warm[-1], max(warm)
        out += [
            "",
            f"mixed load run: {args.soak} s, {args.connections} connections, every row in turn: "
            f"{soak['requests']:,} requests, {soak['rps']:,.0f} req/s, p50 {soak['p50']:.2f} ms, "
            f"p99 {soak['p99']:.2f} ms, errors {soak['errors']}",
            f"server memory (PSS, master + workers): {first / 1024:.1f} MiB at 5 s, "
            f"{last / 1024:.1f} MiB at the end, peak {peak / 1024:.1f} MiB "
            f"({(last - first) / first:+.1%} over the run)",
            "  "
            + ", ".join(
                f"{t:.0f} s: {kb / 1024:.1f}"
                for t, kb in memory[:: max(1, len(memory) // 6)] + memory[-1:]
            )
            + " MiB",
        ]
    out += [
        "",
        "targets:",
        f"- comparison ≥ 50% of the ceiling's req/s: {compare.rps / ceiling.rps:.0%} — "
        f"{verdict(compare.rps >= 0.5 * ceiling.rps)}",
        f"- comparison p99 ≤ 3x the ceiling's: {compare.p99 / ceiling.p99:.1f}x — "
        f"{verdict(compare.p99 <= 3 * ceiling.p99)}",
        f"- 304 ≥ 80% of the ceiling's req/s: {repeat.rps / ceiling.rps:.0%} — "
        f"{verdict(repeat.rps >= 0.8 * ceiling.rps)}",
        f"- first load of the comparison < 60 KB compressed: {weight / 1024:.1f} KB — "
        f"{verdict(weight < 60 * 1024)}",
    ]
    if soak:
        out.append(
            f"- load run with zero errors: {soak['errors']} — {verdict(soak['errors'] == 0)}"
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
