"""`make bench`: load-test `make serve` with wrk, print one table and verdicts (docs/bench.md)."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from bench.server import BASE_DIR, Client, Server, free_port, server_env
from roles_site.serve import production_environ

RESULTS = BASE_DIR / "bench-results"
WORK = RESULTS / "last-run"  # the server's database, runtime folder and log, fresh each time
SAME_SIZE = "bench-same-size"  # the same-size files' folder in the static root
COMPARE = "/compare/product-manager/vs/project-manager/"
CONNECTIONS, THREADS = 64, 2  # wrk's
RENDER_CONNECTIONS = 8  # full renders: every core busy, and a short queue left when wrk stops
NGINX_SHARE = 0.75  # of the same-size static file's rate, every row through nginx
GUNICORN_SHARE = 0.80  # of whitenoise's 304 for the same-size file, the comparison's 304
SLOW_CLIENTS, SLOW_LIMIT = 200, 1.0  # a visitor's longest wait (s) while they hold connections
# Each row's run, and right after it its same-size file's from the same server.
PAIRS = {"nginx": "nginx static", "gunicorn 304": "whitenoise 304"}
KINDS = ("nginx", "nginx static", "gunicorn 304", "whitenoise 304", "full render")


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
    etags: dict[str, str] = field(default_factory=dict)  # path -> the ETag gunicorn sends
    runs: dict[str, list[Run]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    memory_kb: int = 0  # the server's memory after the row's last run

    def request(self, kind: str) -> tuple[str, dict[str, str]]:
        """The path and headers of a run of this kind: a 304 run names the path's ETag."""
        path = self.static_path if kind in ("nginx static", "whitenoise 304") else self.path
        etag = {"If-None-Match": self.etags[path]} if kind.endswith("304") else {}
        return path, {**self.headers, **etag}

    def share(self, kind: str) -> float:
        """The median over the rounds of the row's rate over its static file's."""
        pairs = zip(self.runs[kind], self.runs[PAIRS[kind]], strict=True)
        return statistics.median(mine.rps / static.rps for mine, static in pairs)

    def median(self, kind: str, measure: str) -> float:
        return statistics.median(getattr(run, measure) for run in self.runs[kind])

    def errors(self) -> int:
        return sum(run.errors for runs in self.runs.values() for run in runs)


def page_rows() -> list[Row]:
    """Each page and API answer, as is and gzipped."""
    pages = [
        ("home", "/", {}),
        ("role page", "/roles/product-manager/", {}),
        ("comparison", COMPARE, {}),
        ("comparison of four roles", f"{COMPARE}vs/product-owner/vs/scrum-master/", {}),
        ("HTMX partial", f"{COMPARE}?diff=1", {"HX-Request": "true", "HX-Target": "comparison"}),
        ("search", "/search/?q=roadmap", {}),
        ("API roles", "/api/v1/roles/", {}),
    ]
    return [Row(name + suffix, path, {**headers, **more}) for name, path, headers in pages
            for suffix, more in (("", {}), (", gzip", {"Accept-Encoding": "gzip"}))]  # fmt: skip


def same_size_files(rows: list[Row], bodies: dict[str, bytes], static_root: Path) -> None:
    """For each row a file of exactly its body, named like a hashed collected file; a gzipped
    body is the .gz beside its decompressed twin (nginx and whitenoise send it a gzip client)."""
    folder = static_root / SAME_SIZE
    folder.mkdir(exist_ok=True)
    for number, row in enumerate(rows):
        body = bodies[row.name]
        row.size = len(body)
        name = f"{number}.{row.size:012x}.{'json' if row.path.startswith('/api/') else 'html'}"
        if row.headers.get("Accept-Encoding") == "gzip":
            (folder / f"{name}.gz").write_bytes(body)
            body = gzip.decompress(body)
        (folder / name).write_bytes(body)
        row.static_path = f"/static/{SAME_SIZE}/{name}"


def parse_wrk(output: str) -> Run:
    """wrk --latency's req/s, p50 and p99 (ms), and errors (socket, and not 2xx or 3xx)."""
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
    latency = re.findall(r"^\s+(?:50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p50, p99 = (float(number) * units[unit] for number, unit in latency)
    errors = re.findall(r"(?:connect|read|write|timeout|responses:) (\d+)", output)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    return Run(rps, p50, p99, sum(map(int, errors)))


def wrk(url: str, seconds: int, headers: dict | None = None, script="", c=CONNECTIONS) -> Run:
    command = ["wrk", f"-t{THREADS}", f"-c{c}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    command += [arg for item in (headers or {}).items() for arg in ("-H", ": ".join(item))]
    command += [*(["-s", script] if script else []), url]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def mix_script(requests: list[tuple[str, dict[str, str]]]) -> str:
    """A wrk Lua script that sends each of `requests` (path, headers) in turn."""
    lua = "local requests, i = {}, 0\ninit = function(args)\n"
    for path, headers in requests:
        fields = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        lua += f"  table.insert(requests, wrk.format('GET', {json.dumps(path)}, {{{fields}}}))\n"
    lua += "end\nrequest = function()\n  i = i % #requests + 1\n  return requests[i]\nend\n"
    (WORK / "mix.lua").write_text(lua)
    return str(WORK / "mix.lua")


def usage(pgid: int) -> tuple[int, int]:
    """CPU time (ticks) and PSS (KiB) of the server's processes (nginx, gunicorn: one group)."""
    ticks = kib = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # state, ppid, pgrp, ...
            if int(fields[2]) == pgid:
                rollup = (stat.parent / "smaps_rollup").read_text()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
                kib += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)[1])
        except (OSError, IndexError, TypeError):
            continue
    return ticks, kib


def idle(pgid: int) -> None:
    """Wait (a minute at most) until the server has worked off what the last run left queued,
    its processes using under a tenth of a core: no run shares the machine with another's tail."""
    last = usage(pgid)[0]
    for _ in range(600):
        time.sleep(0.1)
        previous, last = last, usage(pgid)[0]
        if last - previous <= os.sysconf("SC_CLK_TCK") / 100:
            return


def slow_clients(port: int, seconds: int, script: str) -> tuple[list[float], int]:
    """While 200 connections each send a header line every 2 s and wrk sends every row and file
    in turn, a visitor asks for the comparison every half second: how long each visit took (10 s
    if it failed), and wrk's errors."""

    def connect() -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    sockets, visits = [connect() for _ in range(SLOW_CLIENTS)], []
    load = ThreadPoolExecutor(1).submit(wrk, f"http://127.0.0.1:{port}/", seconds, script=script)
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
    for sock in sockets:
        sock.close()
    return visits, load.result().errors


def table(rows: list[Row]) -> list[str]:
    """Markdown: each pair's req/s, share, p50 and p99; the full render; errors; memory."""
    pair = "req/s | {} req/s | share | p50 ms | p99 ms"
    head = f"| row | bytes | nginx {pair.format('static')} | 304 at gunicorn "
    head += f"{pair.format('whitenoise 304')} | full render req/s | p99 ms | errors | server MiB |"
    lines = [head, "| --- " + "| ---: " * 15 + "|"]
    for row in rows:
        cells = [row.name, f"{row.size:,}"]
        for kind, static in PAIRS.items():
            cells += [f"{row.median(kind, 'rps'):,.0f}", f"{row.median(static, 'rps'):,.0f}"]
            cells += [f"{row.share(kind):.0%}", f"{row.median(kind, 'p50'):.2f}"]
            cells.append(f"{row.median(kind, 'p99'):.2f}")
        cells += [f"{row.median('full render', 'rps'):,.0f}"]
        cells += [f"{row.median('full render', 'p99'):.0f}", str(row.errors())]
        lines.append(f"| {' | '.join(cells)} | {row.memory_kb / 1024:.0f} |")
    return lines


def verdicts(rows: list[Row], mixed_errors: int, visits: list[float]) -> list[str]:
    """One line per target: what it asks, the figure it is judged on, MET or NOT MET."""
    lowest = min(rows, key=lambda row: row.share("nginx"))
    nginx = lowest.share("nginx")
    compare = next(row for row in rows if row.name == "comparison").share("gunicorn 304")
    errors = sum(row.errors() for row in rows) + mixed_errors
    slowest = max(visits, default=0.0)
    lines = [
        (f"cached pages through nginx ≥ {NGINX_SHARE:.0%} of nginx's same-size static file: "
         f"lowest {nginx:.0%} ({lowest.name})", nginx >= NGINX_SHARE),
        (f"the comparison at gunicorn ≥ {GUNICORN_SHARE:.0%} of whitenoise's, both revalidated "
         f"(If-None-Match → 304): {compare:.0%}", compare >= GUNICORN_SHARE),
        (f"zero errors: {errors}", errors == 0),
        (f"{SLOW_CLIENTS} slow clients never delay a visitor past {SLOW_LIMIT:.0f} s: slowest of "
         f"{len(visits)} visits {slowest * 1000:.0f} ms", slowest < SLOW_LIMIT),
    ]  # fmt: skip
    return [f"- {text} — {'MET' if ok else 'NOT MET'}" for text, ok in lines[: 3 + bool(visits)]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 10), metavar="1-9")
    parser.add_argument("--slow", type=int, default=10, help="slow clients, s (0: none)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None or shutil.which("nginx") is None:
        sys.exit("make bench needs wrk and nginx: apt-get install wrk nginx")
    shutil.rmtree(WORK, ignore_errors=True)  # a fresh copy of the content, cache and log
    WORK.mkdir(parents=True)
    # The same ports in both starts: a page that names its host keeps its size.
    env = production_environ(server_env(DJANGO_SQLITE_NAME=str(WORK / "bench.sqlite3")))
    env.update(SERVE_PROXY="nginx", SERVE_RUNTIME_DIR=str(WORK), UPSTREAM_PORT=str(free_port()))
    server = Server(env, WORK / "server.log")
    rows, direct = page_rows(), Client(int(env["UPSTREAM_PORT"]))
    # whitenoise lists its files when it starts: one start to learn each body, one to measure.
    with server:
        bodies = {row.name: direct.get(row.path, headers=row.headers).body for row in rows}
        config = (WORK / "nginx.conf").read_text()  # the static root nginx and whitenoise serve
        static_root = Path(re.search(r"location \^~ /static/ \{\s*alias (\S+)/;", config)[1])
    try:
        same_size_files(rows, bodies, static_root)
        with server:
            report = measure(args, server, rows, direct)
    finally:
        shutil.rmtree(static_root / SAME_SIZE, ignore_errors=True)
    print(report)
    (RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.md").write_text(report)
    return 0


def measure(args, server: Server, rows: list[Row], direct: Client) -> str:
    """Check, fill nginx's cache, the rounds, the full renders (last: their queue outlives wrk)."""
    started, pgid = time.monotonic(), server.process.pid
    for row in rows:  # each answer and file at gunicorn: 200 with the row's size, then 304
        for path in (row.path, row.static_path):
            answer = direct.get(path, headers=row.headers)
            row.etags[path] = etag = answer.headers.get("ETag", "")
            again = direct.get(path, headers={**row.headers, "If-None-Match": etag}).status
            # Django pads each gzipped answer with up to 100 random bytes (against BREACH).
            slack = 100 if answer.headers.get("Content-Encoding") == "gzip" else 0
            if answer.status != 200 or abs(len(answer.body) - row.size) > slack or again != 304:
                raise RuntimeError(f"{path}: {answer.status}, {len(answer.body)} B, then {again}")
    # Every row and its file in turn, as wrk asks for them (nginx keeps each request's variant).
    script = mix_script([row.request(kind) for row in rows for kind in ("nginx", "nginx static")])
    wrk(server.base_url + "/", 1, script=script)

    def run(row: Row, kind: str, c: int = CONNECTIONS) -> None:
        path, headers = row.request(kind)
        port = server.port if kind.startswith("nginx") else direct.port
        idle(pgid)
        row.runs[kind].append(wrk(f"http://127.0.0.1:{port}{path}", 1, headers, c=c))
        row.memory_kb = usage(pgid)[1]

    for number in range(args.rounds):
        for row, kind in ((row, kind) for row in rows for kind in KINDS[:4]):
            run(row, kind)
        print(f"  round {number + 1} of {args.rounds} done", flush=True)
    for row in rows:
        run(row, "full render", RENDER_CONNECTIONS)
    idle(pgid)
    visits, errors = slow_clients(server.port, args.slow, script) if args.slow else ([], 0)
    header = (
        f"\nRoles bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.2f}, {time.monotonic() - started:.0f} s. wrk, {CONNECTIONS} "
        f"connections: medians of {args.rounds} rounds of 1 s runs (share: of each round's row / "
        f"file); full render (not judged): one run, {RENDER_CONNECTIONS} connections\n"
    )
    return "\n".join([header, *table(rows), "", *verdicts(rows, errors, visits), ""])


if __name__ == "__main__":
    sys.exit(main())
