"""`make bench`: load-test `make serve` with wrk; print one table and the verdicts.

Each page and API row, as is and gzipped, through nginx and at gunicorn, each run followed by a
static file of exactly the row's body from the same server (docs/bench.md has the method). The
report is also written to bench-results/.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from bench.server import BASE_DIR, Client, Server, free_port
from roles_site.serve import production_environ

RESULTS = BASE_DIR / "bench-results"
SAME_SIZE = "bench-same-size"  # the same-size files' folder in the static root
COMPARE = "/compare/product-manager/vs/project-manager/"
GZIP = {"Accept-Encoding": "gzip"}
TARGETS = ("nginx", "gunicorn")
CONNECTIONS, THREADS = 64, 2  # wrk's
NGINX_SHARE = 0.75  # of the same-size static file's rate, every row through nginx
GUNICORN_SHARE = 0.80  # of the same-size static file's rate, the comparison at gunicorn
SLOW_CLIENTS = 200
SLOW_LIMIT = 1.0  # seconds a visitor may wait while the slow clients hold connections
# Estimates for the duration printed at the start: seconds one wrk run takes beyond its -d, and
# the two server starts.
WRK_OVERHEAD = 0.15
STARTS = 30


class Run(NamedTuple):
    rps: float
    p50: float  # ms
    p99: float  # ms
    errors: int


@dataclass
class Row:
    name: str
    path: str
    headers: dict[str, str]
    size: int = 0
    static_path: str = ""  # the static file of exactly this row's body (same_size_files)
    # One run a round for each target, of the row and of its static file right after it.
    runs: dict[str, list[Run]] = field(default_factory=lambda: {t: [] for t in TARGETS})
    static_runs: dict[str, list[Run]] = field(default_factory=lambda: {t: [] for t in TARGETS})
    memory_kb: int = 0  # the server's memory after the row's last round

    def share(self, target: str) -> float:
        """The median over the rounds of the row's rate over its static file's."""
        pairs = zip(self.runs[target], self.static_runs[target], strict=True)
        return statistics.median(mine.rps / static.rps for mine, static in pairs)

    def median(self, target: str, measure: str) -> float:
        return statistics.median(getattr(run, measure) for run in self.runs[target])

    def errors(self) -> int:
        runs = [*self.runs.values(), *self.static_runs.values()]
        return sum(run.errors for target_runs in runs for run in target_runs)


PAGES = [
    ("home", "/", {}),
    ("role page", "/roles/product-manager/", {}),
    ("comparison", COMPARE, {}),
    ("comparison of four roles", f"{COMPARE}vs/product-owner/vs/scrum-master/", {}),
    ("HTMX partial", f"{COMPARE}?diff=1", {"HX-Request": "true", "HX-Target": "comparison"}),
    ("search", "/search/?q=roadmap", {}),
    ("API roles", "/api/v1/roles/", {}),
]


def page_rows() -> list[Row]:
    """Each page and API answer as is and gzipped."""
    return [
        Row(f"{name}{suffix}", path, {**headers, **encoding})
        for name, path, headers in PAGES
        for suffix, encoding in (("", {}), (", gzip", GZIP))
    ]


def same_size_files(rows: list[Row], bodies: dict[str, bytes], static_root: Path) -> None:
    """For each row a static file of exactly its body (`bodies`: row name -> body) under
    <static root>/bench-same-size/, with a hashed name like every collected file; a gzipped body
    is the .gz beside its decompressed twin, which nginx and whitenoise send a gzip client."""
    folder = static_root / SAME_SIZE
    folder.mkdir(exist_ok=True)
    for number, row in enumerate(rows):
        body = bodies[row.name]
        row.size = len(body)
        digest = hashlib.sha256(body).hexdigest()[:12]
        name = f"{number}.{digest}.{'json' if row.path.startswith('/api/') else 'html'}"
        if row.headers.get("Accept-Encoding") == "gzip":
            (folder / f"{name}.gz").write_bytes(body)
            body = gzip.decompress(body)
        (folder / name).write_bytes(body)
        row.static_path = f"/static/{SAME_SIZE}/{name}"


def parse_wrk(output: str) -> Run:
    """wrk --latency's report: requests a second, p50 and p99 in ms, and errors (socket errors
    and answers other than 2xx or 3xx)."""
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    latency = re.findall(r"^\s+(?:50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p50, p99 = (float(number) * units[unit] for number, unit in latency)
    errors = re.findall(r"(?:connect|read|write|timeout|responses:) (\d+)", output)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    return Run(rps, p50, p99, sum(map(int, errors)))


def wrk(url: str, seconds: int, headers: dict | None = None, script: Path | None = None) -> Run:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command += ["--timeout", "5s", *(["-s", str(script)] if script else []), url]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def settle(port: int, path: str, headers: dict[str, str]) -> None:
    """One request, answered only once the server has worked off what the last run left queued
    (at gunicorn, a slow page's backlog outlives wrk's run), so no run measures another's tail."""
    Client(port, timeout=60).get(path, headers=headers)


def mix_script(rows: list[Row]) -> Path:
    """A wrk Lua script that sends every row's request, and its static file's, in turn."""
    lines = ["local requests = {}", "local i = 0", "init = function(args)"]
    for row in rows:
        headers = ", ".join(f'["{k}"] = "{v}"' for k, v in row.headers.items())
        for path in (row.path, row.static_path):
            lines.append(f'  table.insert(requests, wrk.format("GET", "{path}", {{{headers}}}))')
    lines += ["end", "request = function()", "  i = i % #requests + 1", "  return requests[i]"]
    path = RESULTS / "mix.lua"
    path.write_text("\n".join([*lines, "end", ""]))
    return path


def group_memory_kb(pgid: int) -> int:
    """Proportional set size of the server's processes (nginx and gunicorn), in KiB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) != pgid:  # state, ppid, pgrp
                continue
            rollup = (stat.parent / "smaps_rollup").read_text()
        except (OSError, IndexError, ValueError):
            continue
        total += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)[1])
    return total


def slow_clients(port: int, seconds: int) -> list[float]:
    """While 200 connections each send a header line every 2 s and wrk loads the comparison, a
    visitor asks for it every half second: how long each visit took (10 s if it failed)."""

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    sockets = [connect() for _ in range(SLOW_CLIENTS)]
    load = threading.Thread(target=wrk, args=(f"http://127.0.0.1:{port}{COMPARE}", seconds))
    load.start()
    visits = []
    for tick in range(seconds * 2):
        for index, sock in enumerate(sockets if tick % 4 == 3 else []):
            try:
                sock.sendall(f"X-Slow-{tick}: a\r\n".encode())
            except OSError:  # nginx dropped it (client_header_timeout): another comes
                sock.close()
                sockets[index] = connect()
        start = time.monotonic()
        try:
            ok = Client(port, timeout=10).get(COMPARE).status == 200
        except OSError:
            ok = False
        visits.append(time.monotonic() - start if ok else 10.0)
        time.sleep(max(0.0, 0.5 - visits[-1]))
    load.join()
    for sock in sockets:
        sock.close()
    return visits


def table(rows: list[Row]) -> list[str]:
    """Markdown: for each target the row's req/s, its static file's, the share, p50 and p99."""
    per_target = "req/s | static req/s | share | p50 ms | p99 ms"
    lines = [
        f"| row | bytes | nginx {per_target} | gunicorn {per_target} | errors | server MiB |",
        "| --- " + "| ---: " * 13 + "|",
    ]
    for row in rows:
        cells = [row.name, f"{row.size:,}"]
        for target in TARGETS:
            static = statistics.median(run.rps for run in row.static_runs[target])
            cells += [f"{row.median(target, 'rps'):,.0f}", f"{static:,.0f}"]
            cells += [f"{row.share(target):.0%}", f"{row.median(target, 'p50'):.2f}"]
            cells.append(f"{row.median(target, 'p99'):.2f}")
        cells += [str(row.errors()), f"{row.memory_kb / 1024:.0f}"]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def verdicts(rows: list[Row], mixed_errors: int, visits: list[float]) -> list[str]:
    """One line per target: what it asks, the figure it is judged on, MET or NOT MET."""
    lowest = min(rows, key=lambda row: row.share("nginx"))
    nginx = lowest.share("nginx")
    compare = next(row for row in rows if row.name == "comparison").share("gunicorn")
    errors = sum(row.errors() for row in rows) + mixed_errors
    slowest = max(visits, default=0.0)
    lines = [
        f"cached pages through nginx ≥ {NGINX_SHARE:.0%} of nginx's same-size static file: "
        f"lowest {nginx:.0%} ({lowest.name}) — {met(nginx >= NGINX_SHARE)}",
        f"the comparison at gunicorn ≥ {GUNICORN_SHARE:.0%} of whitenoise's: {compare:.0%} — "
        f"{met(compare >= GUNICORN_SHARE)}",
        f"zero errors: {errors} — {met(errors == 0)}",
        f"{SLOW_CLIENTS} slow clients never delay a visitor past {SLOW_LIMIT:.0f} s: slowest of "
        f"{len(visits)} visits {slowest * 1000:.0f} ms — {met(slowest < SLOW_LIMIT)}",
    ]
    return [f"- {line}" for line in lines[: 3 + bool(visits)]]


def met(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every run (default 3)")
    parser.add_argument("--seconds", type=int, default=1, help="each wrk run, s (default 1)")
    parser.add_argument("--slow", type=int, default=10, help="slow-client check, s (0: skip)")
    parser.add_argument("--mixed", type=int, default=10, help="mixed run for errors, s (0: skip)")
    args = parser.parse_args(argv)
    if min(args.rounds, args.seconds) < 1:
        parser.error("--rounds and --seconds are at least 1")
    if shutil.which("wrk") is None or shutil.which("nginx") is None:
        print("make bench needs wrk and nginx: apt-get install wrk nginx", file=sys.stderr)
        return 2

    rows = page_rows()
    runs = len(rows) * len(TARGETS) * 2 * args.rounds
    expected = STARTS + 2 + runs * (args.seconds + WRK_OVERHEAD) + args.slow + args.mixed
    print(
        f"{len(rows)} rows, each with its static file, through nginx and at gunicorn in "
        f"{args.rounds} rounds of {args.seconds} s runs, {args.slow} s of slow clients, a "
        f"{args.mixed} s mixed run: about {expected // 60:.0f} min {expected % 60:.0f} s",
        flush=True,
    )
    RESULTS.mkdir(exist_ok=True)
    env = production_environ(dict(os.environ))
    if not env.get("DATABASE_URL"):
        for leftover in RESULTS.glob("bench.sqlite3*"):
            leftover.unlink()
        env["DJANGO_SQLITE_NAME"] = str(RESULTS / "bench.sqlite3")
    runtime = RESULTS / "serve"
    shutil.rmtree(runtime, ignore_errors=True)
    # The same ports in both starts: a page that names its host keeps its size.
    env.update(SERVE_PROXY="nginx", SERVE_RUNTIME_DIR=str(runtime), UPSTREAM_PORT=str(free_port()))
    log = RESULTS / "server.log"
    log.unlink(missing_ok=True)
    server = Server(env, log, port=int(env["PORT"]) if env.get("PORT") else None)
    ports = {"nginx": server.port, "gunicorn": int(env["UPSTREAM_PORT"])}

    # whitenoise lists its files when it starts: one start to learn each body, one to measure.
    with server:
        direct = Client(ports["gunicorn"])
        bodies = {row.name: direct.get(row.path, headers=row.headers).body for row in rows}
        # The static root nginx and whitenoise serve, from the config `make serve` wrote.
        config = (runtime / "nginx.conf").read_text()
        static_root = Path(re.search(r"location \^~ /static/ \{\s*alias (\S+)/;", config)[1])
    try:
        same_size_files(rows, bodies, static_root)
        with server:
            report = measure(args, server, rows, ports)
    finally:
        shutil.rmtree(static_root / SAME_SIZE, ignore_errors=True)
    print(report)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"bench-{stamp}.md").write_text(report)
    (RESULTS / "latest.md").write_text(report)
    return 0


def measure(args, server: Server, rows: list[Row], ports: dict[str, int]) -> str:
    """Check each answer is its file's size, warm both targets, run the rounds and the checks."""
    started = time.monotonic()
    for row in rows:
        for target, port in ports.items():
            for path in (row.path, row.static_path):
                answer = Client(port).get(path, headers=row.headers)
                # Django pads each gzipped answer with up to 100 random bytes (against BREACH).
                slack = 100 if answer.headers.get("Content-Encoding") == "gzip" else 0
                if answer.status != 200 or abs(len(answer.body) - row.size) > slack:
                    raise RuntimeError(f"{target} {path}: {answer.status}, {len(answer.body)} B")
    script = mix_script(rows)
    for port in ports.values():
        wrk(f"http://127.0.0.1:{port}/", 1, script=script)
    for number in range(args.rounds):
        for row in rows:
            for target, port in ports.items():
                base = f"http://127.0.0.1:{port}"
                settle(port, row.path, row.headers)
                row.runs[target].append(wrk(base + row.path, args.seconds, row.headers))
                settle(port, row.static_path, row.headers)
                static = wrk(base + row.static_path, args.seconds, row.headers)
                row.static_runs[target].append(static)
            row.memory_kb = group_memory_kb(server.process.pid)
        print(f"  round {number + 1} of {args.rounds} done", flush=True)
    visits = slow_clients(server.port, args.slow) if args.slow else []
    mixed = wrk(server.base_url + "/", args.mixed, script=script) if args.mixed else None
    lines = [
        "",
        f"Roles bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {os.cpu_count()} cores "
        f"{platform.machine()}, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.2f}; measured in {time.monotonic() - started:.0f} s",
        f"wrk: {CONNECTIONS} connections, {THREADS} threads, {args.rounds} rounds of "
        f"{args.seconds} s runs; each figure the median of the rounds, share the median of the "
        "rounds' row / same-size static file from the same server",
        "",
        *table(rows),
        "",
    ]
    if mixed:
        lines.append(
            f"mixed run through nginx, every row and file in turn, {args.mixed} s: "
            f"{mixed.rps:,.0f} req/s, p99 {mixed.p99:.2f} ms, errors {mixed.errors}; server memory "
            f"(PSS, nginx + gunicorn) after it {group_memory_kb(server.process.pid) / 1024:.0f} MiB"
        )
    lines += ["", *verdicts(rows, mixed.errors if mixed else 0, visits)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
