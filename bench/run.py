"""`make bench`: run `make serve` (nginx in front of gunicorn) and wrk on loopback; print a table.

Every page is measured as is and gzipped, at gunicorn directly and through the proxy, three times
(rounds in turn, so a busy moment hits one round, not one row); the table shows each median and its
spread. Each row is set against its own ceiling, served by the same server: at gunicorn
whitenoise's collected static file nearest in size to that row's body in the same encoding (gzip
rows against a precompressed .gz of about the same compressed size); through the proxy nginx's own
static file of exactly the row's bytes (same_size_files). A target is judged on many short pairs of
runs, the row and its ceiling back to back (alternating_pairs; --pair-rounds rounds of --pairs
pairs of --pair-seconds), the median of the pairs' ratios: on a host whose CPU speed changes from
one fifth of a second to the next, a few long runs per side left a verdict to chance. A target
whose median lies so near its share that the median's 95% interval (order statistics of its pairs:
median_interval) holds the share gets --pairs more pairs a round, in further rounds, up to
--max-pairs (too_near): two runs of 16 pairs had given two rows that 40 pairs put at 92-94% of
their files opposite verdicts. The report says of each target whether its verdict is settled. On a
machine of two or more cores the proxy column is measured with nginx on one core and wrk on
another; shared, where the scheduler put wrk's threads moved a row by up to 86% from round to
round. Placed apart, nginx's core is the busy one for small answers; for the 140-230 KB
uncompressed pages wrk's is (it reads 8 KB a system call, nginx's core was 64-84% busy), so there
both rates are wrk's, and a ratio near 100% says that nginx kept up with wrk for the page as for
its file. The p99 targets take the median of each round's p99 ratio over extra rounds. Then the
slow-client scenario (200 connections trickling headers while wrk loads the comparison), the
comparison page's first-load weight, and a 60-second mixed load run through the proxy with the
proxy's cache hit ratio. Nothing here is asserted by a test; the numbers are for people to read
(and are written to bench-results/).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import os
import platform
import re
import runpy
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

from bench.server import BASE_DIR, Client, Server, free_port
from roles_site.serve import GUNICORN_CONF, production_environ

RESULTS = BASE_DIR / "bench-results"
COMPARE = "/compare/product-manager/vs/project-manager/"
COMPARE_FOUR = "/compare/product-manager/vs/project-manager/vs/product-owner/vs/scrum-master/"
GZIP = {"Accept-Encoding": "gzip"}
TARGETS = ("gunicorn", "proxy")


@dataclass
class Run:
    rps: float
    p50: float
    p99: float
    errors: int


@dataclass
class Row:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "page"  # page, 304 or static
    # Headers that differ through the proxy: the 304's If-None-Match names the page store's ETag
    # there (nginx's own for a stored page), Django's at gunicorn.
    proxy_headers: dict[str, str] | None = None
    size: int = 0
    status: int = 0
    runs: dict[str, list[Run]] = field(default_factory=lambda: {t: [] for t in TARGETS})
    # The static file this row is set against (a static row is its own), and the extra rounds
    # at gunicorn that the p99 targets are judged on.
    ceiling: Row | None = None
    tail: list[Run] = field(default_factory=list)
    # Through the proxy, also a static file of exactly this row's body (same_size_files), and
    # where a row is measured (those files only through the proxy: whitenoise knows its files
    # from its start).
    same_size: Row | None = None
    linked: bool = False  # a same-size file that is the page store's own file (a hard link)
    targets: tuple[str, ...] = TARGETS
    # What a target is judged on: (this row's run, its ceiling's run) measured back to back,
    # --pairs of them a round (alternating_pairs), by target.
    pairs: dict[str, list[tuple[Run, Run]]] = field(
        default_factory=lambda: {t: [] for t in TARGETS}
    )

    def ceiling_for(self, target: str) -> Row:
        """What the row's ratio at `target` is judged against: through the proxy the static file
        of its exact size, at gunicorn the collected file nearest it."""
        return self.same_size if target == "proxy" and self.same_size else self.ceiling

    @property
    def gzipped(self) -> bool:
        return "gzip" in self.headers.get("Accept-Encoding", "")

    def headers_for(self, target: str) -> dict[str, str]:
        return self.proxy_headers if target == "proxy" and self.proxy_headers else self.headers

    def paired_with(self, target: str) -> Row | None:
        """The ceiling this row is measured beside at `target`, in alternating pairs, if a target
        is judged on it: through the proxy every page against its static file of the same size,
        at gunicorn the comparison and its 304 against the collected file nearest them."""
        if target == "proxy" and self.kind == "page":
            return self.same_size
        if target == "gunicorn" and (self.name == "comparison" or self.kind == "304"):
            return self.ceiling
        return None

    def ratios(self, target: str) -> list[float]:
        """Each pair's ratio, this row's rate over its ceiling's."""
        return [mine.rps / theirs.rps for mine, theirs in self.pairs[target]]

    def share(self, target: str) -> float:
        """The least ratio to its ceiling that the target at `target` asks of this row (issue
        12): the comparison at gunicorn 80%, its 304 there and every page through the proxy 90%."""
        return 0.8 if target == "gunicorn" and self.kind == "page" else 0.9

    def clear(self, target: str) -> bool:
        """Whether the 95% interval of the pairs' median lies wholly on one side of the target's
        share: the verdict is settled."""
        interval = median_interval(self.ratios(target))
        share = self.share(target)
        return interval is not None and (interval[0] >= share or interval[1] < share)

    def settled(self, target: str, most: int) -> bool:
        """Whether the target has pairs enough: its verdict is clear, or it has `most` pairs."""
        return len(self.pairs[target]) >= most or self.clear(target)

    def median(self, target: str, measure: str = "rps") -> float:
        return statistics.median(getattr(run, measure) for run in self.runs[target])

    def spread(self, target: str) -> float:
        values = [run.rps for run in self.runs[target]]
        return (max(values) - min(values)) / statistics.median(values)

    def errors(self) -> int:
        return sum(run.errors for runs in self.runs.values() for run in runs)


def median_interval(values: list[float], confidence: float = 0.95) -> tuple[float, float] | None:
    """An interval that holds the median of the distribution `values` were drawn from with at
    least `confidence`, whatever that distribution: the k-th lowest and the k-th highest value,
    k the largest for which fewer than k of n values fall below the median with a chance of at
    most (1 - confidence) / 2 (binomial, one half). The 4th to the 13th of 16, the 24th to the
    41st of 64. None for too few values (below 6 for 95%): even the lowest and the highest hold
    the median with less than that chance."""
    ordered = sorted(values)
    count, tail = len(ordered), (1 - confidence) / 2
    if not count or 1 / 2**count > tail:
        return None
    k, below = 1, 1  # below: the ways fewer than k+1 values fall below, out of 2**count
    while (below + math.comb(count, k)) / 2**count <= tail:
        below += math.comb(count, k)
        k += 1
    return ordered[k - 1], ordered[count - k]


def page_rows() -> list[Row]:
    pages = [
        ("home", "/", {}),
        ("role page", "/roles/product-manager/", {}),
        ("comparison", COMPARE, {}),
        ("comparison of four roles", COMPARE_FOUR, {}),
        (
            "HTMX partial (compare, differences only)",
            f"{COMPARE}?diff=1",
            {"HX-Request": "true", "HX-Target": "comparison"},
        ),
        ("search", "/search/?q=roadmap", {}),
        ("API roles (JSON)", "/api/v1/roles/", {}),
    ]
    rows = []
    for name, path, headers in pages:
        rows.append(Row(name, path, headers))
        rows.append(Row(f"{name}, gzip", path, {**headers, **GZIP}))
    return rows


def with_ceilings(rows: list[Row], files: dict[tuple[str, bool], int]) -> list[Row]:
    """`rows` and, after them, the static files they are set against: for each row the file
    nearest its size in its encoding (`files`: (path, gzipped) -> bytes); the 304 is set
    against the comparison's."""
    ceilings: dict[tuple[str, bool], Row] = {}
    for row in rows:
        if row.kind == "304":
            row.ceiling = next(r for r in rows if r.name == "comparison").ceiling
            continue
        path, gzipped = min(
            (key for key in files if key[1] == row.gzipped),
            key=lambda key: abs(files[key] - row.size),
        )
        if (path, gzipped) not in ceilings:
            name = f"static file{', gzip' if gzipped else ''} ({path.rsplit('/', 1)[-1]})"
            static = Row(name, path, dict(GZIP) if gzipped else {}, "static")
            static.size, static.ceiling = files[(path, gzipped)], static
            ceilings[(path, gzipped)] = static
        row.ceiling = ceilings[(path, gzipped)]
    return rows + sorted(ceilings.values(), key=lambda r: (r.gzipped, r.size))


SAME_SIZE = "bench-same-size"


def same_size_files(
    rows: list[Row], answers: dict, static_root: Path, store: Path | None = None
) -> list[Row]:
    """For each page row, a static file of exactly its body, served by nginx's own static
    location as the site's hashed static files are: the row's bytes, identity and gzip, under
    <static root>/bench-same-size/ (removed when the bench ends), from `answers` (row name ->
    the response nginx gave, from the page store). The issue's standard is "a static file of the
    same size"; the collected file nearest a row is up to 15% larger or smaller, and for a large
    body the time goes on its bytes. Where the page store (`store`) holds the answer's very file,
    the static file is a hard link to it: the same bytes in the same memory. Copies of one body
    sent at rates up to 25% apart here, file to file (how the kernel happened to keep each in
    memory), which moved a large page's ratio from run to run. The 304 is set against the
    comparison's."""
    folder = static_root / SAME_SIZE
    folder.mkdir(exist_ok=True)
    stored = store_files(store) if store else {}
    made = []
    for number, row in enumerate(r for r in rows if r.kind == "page"):
        response = answers[row.name]
        kind = response.headers.get("Content-Type", "")
        # A hashed name, as every static file the site links to has: nginx serves it as those.
        digest = hashlib.sha256(response.body).hexdigest()[:12]
        name = f"{number}.{digest}.{'json' if kind.startswith('application/json') else 'html'}"
        zipped = response.headers.get("Content-Encoding") == "gzip"
        source = stored_file(stored, response.body)
        linked = source is not None and link(
            [(source, folder / (f"{name}.gz" if zipped else name))]
            + ([(source.with_suffix(""), folder / name)] if zipped else [])
        )
        if not linked and zipped:
            (folder / f"{name}.gz").write_bytes(response.body)
            (folder / name).write_bytes(gzip.decompress(response.body))
        elif not linked:
            (folder / name).write_bytes(response.body)
        static = Row(
            f"static file of the same size ({row.name})",
            f"/static/{SAME_SIZE}/{name}",
            dict(row.headers),  # the same request but for its path (an htmx one's headers too)
            "static",
            targets=("proxy",),
        )
        static.size, static.ceiling, static.linked = len(response.body), static, linked
        row.same_size = static
        made.append(static)
    repeat = next((r for r in rows if r.kind == "304"), None)
    if repeat:
        repeat.same_size = next(r for r in rows if r.name == "comparison").same_size
    return made


def store_files(store: Path) -> dict[int, list[Path]]:
    """The page store's current files by their size."""
    files: dict[int, list[Path]] = {}
    current = store / "current"
    for path in current.rglob("*") if current.is_dir() else ():
        if path.is_file():
            files.setdefault(path.stat().st_size, []).append(path)
    return files


def stored_file(files: dict[int, list[Path]], body: bytes) -> Path | None:
    """The file of the page store whose bytes are `body`, if there is one."""
    return next((path for path in files.get(len(body), []) if path.read_bytes() == body), None)


def link(pairs: list[tuple[Path, Path]]) -> bool:
    """Each (file, new name) hard-linked, or False (and none left) if one cannot be."""
    made = []
    try:
        for source, target in pairs:
            os.link(source, target)
            made.append(target)
    except OSError:  # another file system, or no such file
        for target in made:
            target.unlink()
        return False
    return True


def static_root_of(runtime: Path) -> Path:
    """The static build nginx serves, from the config `make serve` wrote."""
    config = (runtime / "nginx.conf").read_text()
    return Path(re.search(r"location \^~ /static/ \{\s*alias (\S+)/;", config).group(1))


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
    cpus: set[int] | None = None,
) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
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


def nginx_processes(pid_file: Path) -> tuple[int, set[int]]:
    """nginx's master (from its pid file) and its children; OSError where /proc does not list
    them."""
    master = int(pid_file.read_text())
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return master, set(map(int, children))


@dataclass
class Placement:
    """Where nginx and wrk run while the proxy column is measured: nginx (master and workers)
    on the first core, wrk with one thread on the others; None where there is one core."""

    nginx_pid_file: Path
    server: set[int] = field(default_factory=lambda: {0})

    @property
    def client(self) -> set[int]:
        return set(range(os.cpu_count() or 1)) - self.server

    def pin(self, cpus: set[int]) -> None:
        master, children = nginx_processes(self.nginx_pid_file)
        for pid in (master, *children):
            os.sched_setaffinity(pid, cpus)

    def describe(self) -> str:
        return (
            f"proxy column: nginx on core {', '.join(map(str, sorted(self.server)))}, wrk with "
            f"one thread on core {', '.join(map(str, sorted(self.client)))}"
        )


def placement(runtime: Path, args) -> Placement | None:
    if not args.pin or (os.cpu_count() or 1) < 2 or not hasattr(os, "sched_setaffinity"):
        return None
    try:
        nginx_processes(runtime / "nginx.pid")
    except OSError as error:  # no /proc/<pid>/task/<pid>/children here: measure unpinned
        print(f"nginx and wrk share every core: {error}", flush=True)
        return None
    return Placement(runtime / "nginx.pid")


class Layouts:
    """nginx on a different memory layout in each round: before round n its config gets an unused
    map holding a string of 40 x n characters, and nginx reloads it (the configuration as `make
    serve` wrote it is back for the scenarios). Where nginx's structures fall in memory moved a
    ratio by more than the target's margin: the same static file ran at 120,000 req/s or
    135,000 req/s, nothing else changed but an add_header in another location; eight such
    unused maps of different sizes put the gzipped API answer at 86% to 94% of its static
    file. A median over rounds on different layouts is then a median over layouts too, not
    one layout's luck."""

    def __init__(self, runtime: Path) -> None:
        self.config = runtime / "nginx.conf"
        self.original = self.config.read_text()
        self.pid_file = runtime / "nginx.pid"

    def use(self, number: int) -> None:
        """Layout `number` (0: the configuration as written), once nginx's new workers run."""
        pad = "x" * (40 * number)
        text = self.original.replace(
            "http {\n", f'http {{\n    map $request_id $bench_layout {{ default "{pad}"; }}\n', 1
        )
        self.config.write_text(text if number else self.original)
        master, old = nginx_processes(self.pid_file)
        os.kill(master, signal.SIGHUP)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            _master, now = nginx_processes(self.pid_file)
            if now and not now & old:
                return
            time.sleep(0.05)
        raise RuntimeError("nginx did not reload within 15 s")


def layouts(runtime: Path, args) -> Layouts | None:
    if not args.layouts:
        return None
    try:
        nginx_processes(runtime / "nginx.pid")
    except OSError as error:  # a reload could not be seen to finish: one layout throughout
        print(f"nginx on one memory layout: {error}", flush=True)
        return None
    return Layouts(runtime)


def mix_script(rows: list[Row]) -> Path:
    """A wrk Lua script that sends every row's request in turn."""
    lines = ["local requests = {}", "local i = 0", "init = function(args)"]
    for row in rows:
        headers = ", ".join(f'["{k}"] = "{v}"' for k, v in row.headers_for("proxy").items())
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


def static_files(client: Client) -> dict[tuple[str, bool], int]:
    """Every collected text file (hashed name) as served as is and, where a precompressed .gz
    is served for it, gzipped: (path, gzipped) -> bytes of the body."""
    manifest = client.get("/static/staticfiles.json").json()["paths"].values()
    files = {}
    for name in manifest:
        if not name.endswith((".css", ".js", ".svg", ".txt", ".json", ".html")):
            continue
        path = f"/static/{name}"
        for gzipped in (False, True):
            response = client.request("HEAD", path, headers=GZIP if gzipped else {})
            if response.status == 200 and gzipped == (
                response.headers.get("Content-Encoding") == "gzip"
            ):
                files[(path, gzipped)] = int(response.headers["Content-Length"])
    return files


# --- slow clients ------------------------------------------------------------------------------


class SlowClients(threading.Thread):
    """`count` connections, each sending one header line every 2 s; a dropped one comes back."""

    def __init__(self, port: int, count: int) -> None:
        super().__init__(daemon=True)
        self.port, self.count = port, count
        self.stop = threading.Event()
        self.reopened = 0

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        return sock

    def run(self) -> None:
        sockets = [self.connect() for _ in range(self.count)]
        line = 0
        while not self.stop.wait(2.0):
            line += 1
            for index, sock in enumerate(sockets):
                try:
                    sock.sendall(f"X-Slow-{line}: a\r\n".encode())
                except OSError:
                    sock.close()
                    sockets[index] = self.connect()
                    self.reopened += 1
        for sock in sockets:
            sock.close()


def normal_visits(port: int, seconds: float) -> list[float]:
    """A visitor's request every half second: how long each took (10 s for one that failed)."""
    timings = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.monotonic()
        try:
            ok = Client(port, timeout=10).get(COMPARE).status == 200
        except OSError:
            ok = False
        timings.append(time.monotonic() - start if ok else 10.0)
        time.sleep(0.5)
    return timings


def slow_client_scenario(port: int, seconds: int, args) -> dict:
    """200 slow clients for `seconds` while wrk loads the comparison and a visitor browses."""
    slow = SlowClients(port, 200)
    slow.start()
    time.sleep(2)
    visits: list[float] = []
    visitor = threading.Thread(target=lambda: visits.extend(normal_visits(port, seconds)))
    visitor.start()
    result = wrk(f"http://127.0.0.1:{port}{COMPARE}", seconds, args.connections, args.threads)
    visitor.join()
    slow.stop.set()
    slow.join()
    return {**result, "visits": visits, "reopened": slow.reopened}


# --- the proxy's cache -------------------------------------------------------------------------


def cache_statuses(log: Path, offset: int) -> Counter:
    """X-Cache of each page request logged after `offset` (deploy/nginx.conf): STORE for the
    page store, else the proxy cache's verdict; static files have none."""
    with open(log, "rb") as file:
        file.seek(offset)
        lines = file.read().decode(errors="replace").splitlines()
    return Counter(
        fields[2] for line in lines if len(fields := line.split()) > 2 and fields[2] != "-"
    )


# --- the run -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="per row and round (default 3)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--pair-rounds",
        type=int,
        default=4,
        help="rounds of the pairs each target is judged on (default 4; nginx on another memory "
        "layout in each round)",
    )
    parser.add_argument(
        "--pairs", type=int, default=4, help="pairs of runs a round for each target (default 4)"
    )
    parser.add_argument(
        "--pair-seconds", type=int, default=1, help="seconds of each run in a pair (default 1)"
    )
    parser.add_argument(
        "--max-pairs",
        type=int,
        default=64,
        help="pairs a target may have: while the 95%% interval of a target's median holds its "
        "share, it gets --pairs more a round, in further rounds, up to this many (default 64)",
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="for the proxy column, share every core between nginx and wrk (default: one each)",
    )
    parser.add_argument(
        "--one-layout",
        dest="layouts",
        action="store_false",
        help="keep nginx's configuration as written in every round (default: reload it with an "
        "unused map of another size before each round: Layouts)",
    )
    parser.add_argument("--slow", type=int, default=20, help="slow-client scenario, s (0: skip)")
    parser.add_argument("--soak", type=int, default=60, help="mixed load run, seconds (0: skip)")
    parser.add_argument(
        "--service",
        type=int,
        default=5000,
        help="requests timed one at a time in one process (bench.service; 0: skip)",
    )
    parser.add_argument(
        "--tail-rounds",
        type=int,
        default=6,
        help="extra rounds at gunicorn for the p99 targets (comparison, 304, their ceiling)",
    )
    args = parser.parse_args(argv)
    if min(args.pair_rounds, args.pairs, args.pair_seconds, args.rounds, args.seconds) < 1:
        parser.error(
            "--rounds, --seconds, --pair-rounds, --pairs and --pair-seconds are at least 1"
        )
    if shutil.which("wrk") is None or shutil.which("nginx") is None:
        print("make bench needs wrk and nginx: apt-get install wrk nginx", file=sys.stderr)
        return 2

    RESULTS.mkdir(exist_ok=True)
    env = production_environ(dict(os.environ))
    if not env.get("DATABASE_URL"):
        database = RESULTS / "bench.sqlite3"
        for leftover in RESULTS.glob("bench.sqlite3*"):
            leftover.unlink()
        env["DJANGO_SQLITE_NAME"] = str(database)
    runtime = RESULTS / "serve"
    shutil.rmtree(runtime, ignore_errors=True)
    env.update(SERVE_PROXY="nginx", SERVE_RUNTIME_DIR=str(runtime), UPSTREAM_PORT=str(free_port()))
    gunicorn = runpy.run_path(str(GUNICORN_CONF))
    log = RESULTS / "server.log"
    log.unlink(missing_ok=True)
    server = Server(env, log, port=int(env["PORT"]) if env.get("PORT") else None)
    print(f"starting the server (make serve) on {server.base_url} …", flush=True)
    server.start()
    try:
        return run(args, env, server, gunicorn, runtime)
    finally:
        server.stop()


def run(args, env: dict[str, str], server: Server, gunicorn: dict, runtime: Path) -> int:
    ports = {"gunicorn": int(env["UPSTREAM_PORT"]), "proxy": server.port}
    direct = Client(ports["gunicorn"])
    compare = direct.get(COMPARE)
    assert compare.status == 200, f"{COMPARE}: {compare.status}"
    rows = page_rows()
    etag = {"If-None-Match": compare.headers["ETag"]}
    rows.append(Row("comparison, repeat visit (304)", COMPARE, etag, "304"))
    answers = {}
    for row in rows:
        answers[row.name] = response = direct.get(row.path, headers=row.headers)
        row.status, row.size = response.status, len(response.body)
    rows = with_ceilings(rows, static_files(Client(ports["proxy"])))
    for row in rows:
        if row.kind == "static":
            row.status = direct.get(row.path, headers=row.headers).status
    static_root = static_root_of(runtime)
    try:
        proxied = Client(ports["proxy"])
        served = {row.name: from_store(proxied, row) for row in rows if row.kind == "page"}
        rows += same_size_files(rows, served, static_root, runtime / "pages")
        for row in rows:
            if row.targets == ("proxy",):
                response = proxied.get(row.path, headers=row.headers)
                row.status = response.status
                assert (response.status, len(response.body)) == (200, row.size), row.name
        return measure(args, env, server, gunicorn, runtime, rows, ports)
    finally:
        shutil.rmtree(static_root / SAME_SIZE, ignore_errors=True)


def from_store(client: Client, row: Row):
    """nginx's answer to `row`, once it comes from the page store (each worker looks for a file
    again within a second); its last answer if none does within 5 s."""
    start = time.monotonic()
    while True:
        response = client.get(row.path, headers=row.headers)
        if response.headers.get("X-Cache") == "STORE" or time.monotonic() - start > 5:
            return response
        time.sleep(0.2)


def schedule(
    rows: list[Row], number: int, table: bool = True, pairs: bool = True
) -> list[tuple[Row, str] | tuple[Row, Row, str]]:
    """Round `number`'s steps, in order. `table`: each row once at each of its targets, (row,
    target), for the table; a page through the proxy and its static file of the same size are
    measured only in pairs. `pairs`: each pair a target is judged on, (row, ceiling, target),
    measured as alternating_pairs."""
    steps: list[tuple[Row, str] | tuple[Row, Row, str]] = []
    for row in rows:
        if row.kind == "static" and row.targets == ("proxy",):
            continue  # a same-size file: measured beside its row
        for target in row.targets:
            ceiling = row.paired_with(target)
            if table and not (ceiling and target == "proxy"):
                steps.append((row, target))
            if pairs and ceiling:
                steps.append((row, ceiling, target))
    return steps


def too_near(rows: list[Row], number: int, most: int) -> list[tuple[Row, Row, str]]:
    """The pairs steps of round `number` whose target is not settled yet (Row.settled): its
    median too near its share for its pairs to tell which side it is on, and fewer than `most`
    pairs. Looking again after each round makes a wrong side somewhat likelier than the interval
    alone says; what it is for is that a target near its share gets pairs enough for the same
    verdict run after run, and the report says which stayed too near to tell."""
    return [
        step for step in schedule(rows, number, table=False) if not step[0].settled(step[2], most)
    ]


def alternating_pairs(row: Row, ceiling: Row, target: str, first: int, count: int, run) -> None:
    """`count` pairs of runs (`run(row)` gives one), `row` and `ceiling` back to back, which of
    them goes first alternating from pair to pair (`first` says who starts: the round's
    number). This machine's CPU is not steady: the same loop of pure CPU work took 0.11 s or
    0.24 s from one fifth of a second to the next (a shared host), so two runs a few seconds
    apart can differ by half whatever they serve, and 5 rounds of 3 s per side left a row's
    median to chance (the home page gzipped at 64-94% of its file, round by round). Many short
    runs, each paired with the ceiling's run beside it, put the same moment's luck on both
    sides of most pairs; the target takes the median of the pairs' ratios (three times 16 pairs
    of 1 s of the home page against its file gave 95.3%, 94.7%, 95.1%)."""
    for number in range(count):
        order = (row, ceiling) if (first + number) % 2 == 0 else (ceiling, row)
        runs = {id(which): run(which) for which in order}
        mine, theirs = runs[id(row)], runs[id(ceiling)]
        row.pairs[target].append((mine, theirs))
        if target == "proxy":  # measured only in pairs: the table's figures are these runs
            row.runs[target].append(mine)
            ceiling.runs[target].append(theirs)


def steadiness(tries: int = 20) -> list[float]:
    """Milliseconds that one fixed piece of pure CPU work took, `tries` times in a row: how
    steady this machine's CPU is (printed with the report)."""
    times = []
    for _ in range(tries):
        start = time.perf_counter()
        total = 0
        for number in range(300_000):
            total += number
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(args, env, server: Server, gunicorn: dict, runtime: Path, rows, ports) -> int:
    """Every row in rounds, then the p99 rounds, the scenarios and the mixed run; the report."""
    rounds = max(args.rounds, args.pair_rounds)
    table = sum(len(step) == 2 for step in schedule(rows, 0, pairs=False))
    paired = len(schedule(rows, 0, table=False))
    total = table * args.rounds * (args.seconds + 1) + 3 * args.tail_rounds * args.seconds
    total += paired * args.pair_rounds * args.pairs * 2 * (args.pair_seconds + 1)
    more = max(0, args.max_pairs - args.pair_rounds * args.pairs) * 2 * (args.pair_seconds + 1)
    print(
        f"measuring {len(rows)} rows at gunicorn and through the proxy, {args.rounds} rounds of "
        f"{args.seconds} s; then each of {paired} targets' pairs, {args.pairs} of "
        f"{args.pair_seconds} s runs a round, in {args.pair_rounds} rounds (at most about "
        f"{total // 60} min {total % 60} s, and up to {more // 60} min {more % 60} s more for "
        "each target too near its share to tell) …",
        flush=True,
    )
    steady = steadiness()
    for row in rows:
        for target in row.targets:
            url = f"http://127.0.0.1:{ports[target]}{row.path}"
            wrk(url, 1, args.connections, 2, row.headers_for(target))
    # Warm now, the comparison is served from the page store: its 304 is by the store's ETag.
    repeat = next(r for r in rows if r.kind == "304")
    time.sleep(1.1)  # nginx looks for a file it did not find again after a second
    proxied = Client(ports["proxy"]).get(COMPARE)
    if proxied.headers.get("X-Cache") == "STORE":
        repeat.proxy_headers = {"If-None-Match": proxied.headers["ETag"]}
    load = []
    place = placement(runtime, args)
    layout = layouts(runtime, args)

    def once(row: Row, target: str, seconds: int) -> Run:
        url = f"http://127.0.0.1:{ports[target]}{row.path}"
        threads, cpus = args.threads, None
        if place and target == "proxy":
            threads, cpus = 1, place.client
        result = wrk(url, seconds, args.connections, threads, row.headers_for(target), cpus=cpus)
        return Run(result["rps"], result["p50"], result["p99"], result["errors"])

    for number in range(rounds):
        if layout:
            layout.use(number)
        if place:
            place.pin(place.server)
        load.append(os.getloadavg()[0])
        steps = schedule(rows, number, table=number < args.rounds, pairs=number < args.pair_rounds)
        for step in steps:
            if len(step) == 2:
                row, target = step
                row.runs[target].append(once(row, target, args.seconds))
            else:
                row, ceiling, target = step
                alternating_pairs(
                    row,
                    ceiling,
                    target,
                    number,
                    args.pairs,
                    lambda which, target=target: once(which, target, args.pair_seconds),
                )
        print(f"  round {number + 1} of {rounds} done", flush=True)
    # A target whose median is too near its share for its pairs to tell which side it is on gets
    # more pairs, round by round on further layouts, up to --max-pairs.
    number = rounds
    while unsettled := too_near(rows, number, args.max_pairs):
        if layout:
            layout.use(number)
        if place:
            place.pin(place.server)
        load.append(os.getloadavg()[0])
        for row, ceiling, target in unsettled:
            alternating_pairs(
                row,
                ceiling,
                target,
                number,
                min(args.pairs, args.max_pairs - len(row.pairs[target])),
                lambda which, target=target: once(which, target, args.pair_seconds),
            )
        number += 1
        print(
            f"  round {number}: more pairs for {len(unsettled)} targets too near their share "
            "to tell",
            flush=True,
        )
    if layout:  # the scenarios below run as in production: as configured, on every core
        layout.use(0)
    if place:
        place.pin(set(range(os.cpu_count() or 1)))

    # A p99 at 64 connections over gunicorn's threads moves a lot from one round to the next:
    # the p99 targets are judged on the median of many rounds' ratios, row and ceiling in turn.
    tail_rows = [r for r in rows if r.name == "comparison" or r.kind == "304"]
    for row in list(tail_rows):
        if not any(row.ceiling is other for other in tail_rows):
            tail_rows.append(row.ceiling)
    if args.tail_rounds:
        print(f"{args.tail_rounds} more rounds at gunicorn for the p99 targets …", flush=True)
    for _ in range(args.tail_rounds):
        for row in tail_rows:
            url = f"http://127.0.0.1:{ports['gunicorn']}{row.path}"
            result = wrk(url, args.seconds, args.connections, args.threads, row.headers)
            row.tail.append(Run(result["rps"], result["p50"], result["p99"], result["errors"]))

    service = None
    if args.service:
        print(f"service time in one process: {args.service:,} requests each …", flush=True)
        compare = next(r for r in rows if r.name == "comparison")
        output = subprocess.run(
            [sys.executable, "-m", "bench.service", str(args.service), compare.ceiling.path],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        service = json.loads(output.strip().splitlines()[-1])

    slow = None
    if args.slow:
        print(f"slow-client scenario: {args.slow} s …", flush=True)
        slow = slow_client_scenario(server.port, args.slow, args)

    weight, parts = first_load(Client(server.port), COMPARE)

    soak = None
    if args.soak:
        print(f"mixed load run through the proxy: {args.soak} s …", flush=True)
        access_log = runtime / "access.log"
        time.sleep(1.5)  # nginx flushes its log buffer every second
        offset = access_log.stat().st_size if access_log.exists() else 0
        sampler = MemorySampler(server.process.pid)
        sampler.start()
        # Every page, the 304 and the comparison's static files, in turn.
        compare = next(r for r in rows if r.name == "comparison")
        script = mix_script(
            [r for r in rows if r.kind != "static"]
            + [r for r in rows if r.kind == "static" and r.path == compare.ceiling.path]
        )
        soak = wrk(server.base_url + "/", args.soak, args.connections, args.threads, None, script)
        sampler.stop.set()
        sampler.join()
        time.sleep(1.5)
        soak["memory"] = sampler.samples
        soak["cache"] = cache_statuses(access_log, offset)

    report = render(
        args, env, gunicorn, rows, weight, parts, slow, soak, load, service, place, layout, steady
    )
    print(report)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"bench-{stamp}.md").write_text(report)
    (RESULTS / "latest.md").write_text(report)
    return 0


def render(
    args, env, gunicorn, rows, weight, parts, slow, soak, load, service, place, layout, steady
) -> str:
    database = "PostgreSQL" if env.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    out = [
        "",
        f"Roles bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, {platform.system()} {platform.release()}; load average "
        f"at the start of each round: {', '.join(f'{value:.2f}' for value in load)}; CPU "
        f"steadiness before the rounds: one fixed loop of pure CPU work took "
        f"{min(steady):.0f}-{max(steady):.0f} ms (median {statistics.median(steady):.0f}) over "
        f"{len(steady)} tries in a row",
        f"server: make serve — nginx in front of gunicorn {gunicorn['workers']} workers x "
        f"{gunicorn['threads']} threads ({gunicorn['worker_class']}), DEBUG off, {database}",
        f"load: wrk on loopback, {args.connections} connections, {args.threads} threads, "
        f"{args.rounds} rounds of {args.seconds} s per row and target; each target's row and its "
        f"ceiling (through the proxy every page and its static file of the same size, at "
        f"gunicorn the comparison and the 304) in {args.pair_rounds} rounds of {args.pairs} "
        f"pairs of {args.pair_seconds} s runs back to back, which goes first alternating, "
        f"then {args.pairs} more a round for each target whose median's 95% interval still "
        f"held its share, up to {args.max_pairs} pairs; "
        "req/s is the median of a row's runs, ± the spread (max - min) / median, and a paired "
        "row's ratio the median of its pairs' ratios; "
        + (place.describe() if place else "nginx and wrk share every core")
        + (
            "; nginx reloaded on another memory layout before each round (Layouts)"
            if layout
            else "; nginx on one memory layout throughout"
        ),
        "ceiling: at gunicorn, the collected static file nearest the row's size in the same "
        "encoding (bytes in the ceiling column), whitenoise's; through the proxy, nginx's own "
        "static file of exactly the row's body (the same bytes, as a file: "
        f"{sum(row.linked for row in rows)} of {sum(row.kind == 'page' for row in rows)} "
        "a hard link to the page store's own file, the same bytes in the same memory), and for "
        "comparison also the collected file nearest it (medians); a 304 is set against the "
        "comparison's",
        "",
        "| row | status | bytes | ceiling bytes | gunicorn req/s | vs ceiling | p99 ms "
        "| vs ceiling | proxy req/s | vs same size | vs nearest collected | p99 ms | errors |",
        "| --- " + "| ---: " * 12 + "|",
    ]
    for row in rows:
        top = row.ceiling
        cells = []
        if "gunicorn" in row.targets:
            rps, p99 = row.median("gunicorn"), row.median("gunicorn", "p99")
            ratio = (
                statistics.median(row.ratios("gunicorn"))
                if row.pairs["gunicorn"]
                else rps / top.median("gunicorn")
            )
            cells.append(f"{rps:,.0f} ±{row.spread('gunicorn'):.0%} | {ratio:.0%}")
            cells.append(f"{p99:.2f} | {p99 / top.median('gunicorn', 'p99'):.1f}x")
        else:
            cells.append("— | — | — | —")
        rps = row.median("proxy")
        same = (
            statistics.median(row.ratios("proxy"))
            if row.pairs["proxy"]
            else rps / row.ceiling_for("proxy").median("proxy")
        )
        nearest = (
            f"{rps / top.median('proxy'):.0%}"
            if "proxy" in top.targets and top.runs["proxy"]
            else "—"
        )
        cells.append(f"{rps:,.0f} ±{row.spread('proxy'):.0%} | {same:.0%} | {nearest}")
        cells.append(f"{row.median('proxy', 'p99'):.2f}")
        out.append(
            f"| {row.name} | {row.status} | {row.size:,} | {top.size:,} | {' | '.join(cells)} "
            f"| {row.errors()} |"
        )

    def tail_ratios(row: Row) -> list[float]:
        runs = [
            *zip(row.runs["gunicorn"], row.ceiling.runs["gunicorn"], strict=True),
            *zip(row.tail, row.ceiling.tail, strict=True),
        ]
        return [mine.p99 / theirs.p99 for mine, theirs in runs]

    def pairs(row: Row, target: str) -> str:
        """A target's pairs: their median and verdict, whether the median's 95% interval settles
        the verdict, then how the pairs spread."""
        values, share = row.ratios(target), row.share(target)
        middle = statistics.median(values)
        low, high = (
            (statistics.quantiles(values, n=4, method="inclusive")[::2])
            if len(values) > 1
            else values * 2
        )
        interval = median_interval(values)
        return (
            f"{middle:.0%} — {verdict(middle >= share)}, "
            + (
                "settled"
                if row.clear(target)
                else f"NOT SETTLED ({len(values)} pairs do not tell which side of {share:.0%} "
                "its median is on)"
            )
            + (
                f"; 95% interval of the median {interval[0]:.0%}-{interval[1]:.0%}"
                if interval
                else "; too few pairs for a 95% interval of the median"
            )
            + f"; {len(values)} pairs of "
            f"{args.pair_seconds} s runs: middle half {low:.0%}-{high:.0%}, lowest "
            f"{min(values):.0%}, highest {max(values):.0%}, {sum(v >= share for v in values)} "
            f"of {len(values)} at or above {share:.0%}"
        )

    compare = next(r for r in rows if r.name == "comparison")
    repeat = next(r for r in rows if r.kind == "304")
    pages = [r for r in rows if r.kind == "page"]
    out += [
        "",
        "targets (the median of the pairs' ratios, and whether its 95% interval, order "
        "statistics of the pairs, lies wholly on one side of the target: settled; then how the "
        "pairs spread):",
    ]
    target_lines = []
    for row in pages:
        # The collected files are measured in --rounds rounds only: medians, not pairs.
        nearest = row.median("proxy") / row.ceiling.median("proxy")
        target_lines.append(
            f"- through the proxy, {row.name} ≥ {row.share('proxy'):.0%} of nginx's static file "
            f"of the same size ({row.same_size.size:,} B): {pairs(row, 'proxy')}; against the "
            f"collected file nearest it ({row.ceiling.size:,} B): {nearest:.0%}"
        )
    for row in (compare, repeat):
        target_lines.append(
            f"- at gunicorn, {row.name} ≥ {row.share('gunicorn'):.0%} of whitenoise's static file "
            f"({row.ceiling.size:,} B): {pairs(row, 'gunicorn')}"
        )
        values = tail_ratios(row)
        middle = statistics.median(values)
        target_lines.append(
            f"- at gunicorn, {row.name} p99 ≤ 2x the static file's: median of {len(values)} "
            f"rounds {middle:.1f}x (rounds {min(values):.1f}x to {max(values):.1f}x; "
            f"{sum(v <= 2 for v in values)} of {len(values)} within 2x) — {verdict(middle <= 2)}"
        )
    out += target_lines
    out.append(
        f"- first load of the comparison < 60 KB compressed: {weight / 1024:.1f} KB — "
        f"{verdict(weight < 60 * 1024)}"
    )
    if slow:
        worst = max(slow["visits"])
        out.append(
            f"- slow clients: a visitor's comparison in < 1 s while 200 slow clients trickle "
            f"headers and wrk loads the proxy: slowest {worst * 1000:.0f} ms of "
            f"{len(slow['visits'])} — {verdict(worst < 1.0)}"
        )
    if soak:
        out.append(
            f"- mixed load run with zero errors: {soak['errors']} — {verdict(soak['errors'] == 0)}"
        )
    out += [
        "",
        f"first load of the comparison page: {weight / 1024:.1f} KB compressed in total",
        *(f"  {size / 1024:6.1f} KB  {url}" for url, size in parts),
    ]
    if service:
        mine, static = service["304"], service["static"]
        out += [
            "",
            f"service time in one process, one request at a time (bench.service, "
            f"{mine['requests']:,} each; ms):",
            *(
                f"  {name} ({data['status']}): wall p50 {data['wall_p50']:.3f}, p99 "
                f"{data['wall_p99']:.3f}; CPU p50 {data['cpu_p50']:.3f}, p99 {data['cpu_p99']:.3f}"
                f"; {data['version_reads']} version re-reads, {data['collections']} GC runs"
                for name, data in (("304", mine), ("static file", static))
            ),
            f"  304 p99 / static p99: wall {mine['wall_p99'] / static['wall_p99']:.1f}x, CPU "
            f"{mine['cpu_p99'] / static['cpu_p99']:.1f}x; of the 304's slowest "
            f"{mine['slowest']}, {mine['slowest_with_read']} re-read the version and "
            f"{mine['slowest_with_collection']} ran the garbage collector",
        ]
    if slow:
        out += [
            "",
            f"slow-client scenario: {args.slow} s, 200 connections each sending a header line "
            f"every 2 s (nginx dropped and they reopened {slow['reopened']} times), wrk on the "
            f"comparison through the proxy: {slow['rps']:,.0f} req/s, p99 {slow['p99']:.2f} ms, "
            f"errors {slow['errors']}; a visitor's request every 0.5 s: median "
            f"{statistics.median(slow['visits']) * 1000:.0f} ms, slowest "
            f"{max(slow['visits']) * 1000:.0f} ms",
        ]
    if soak:
        memory = soak["memory"]
        warm = [kb for t, kb in memory if t >= 5] or [kb for _, kb in memory]
        first, last, peak = warm[0], warm[-1], max(warm)
        cache = soak["cache"]
        proxied = sum(cache.values())
        from_store = cache["STORE"]
        from_cache = cache["HIT"] + cache["STALE"] + cache["UPDATING"]
        out += [
            "",
            f"mixed load run through the proxy: {args.soak} s, {args.connections} connections, "
            f"every row in turn: {soak['requests']:,} requests, {soak['rps']:,.0f} req/s, "
            f"p50 {soak['p50']:.2f} ms, p99 {soak['p99']:.2f} ms, errors {soak['errors']}",
            f"hit ratio: {(from_store + from_cache) / proxied:.2%} of {proxied:,} page requests "
            f"answered by nginx: {from_store / proxied:.2%} from the page store, "
            f"{from_cache / proxied:.2%} from the proxy cache ("
            + ", ".join(f"{name} {count:,}" for name, count in cache.most_common())
            + "); static files are nginx's own and not counted",
            f"server memory (PSS, nginx + gunicorn): {first / 1024:.1f} MiB at 5 s, "
            f"{last / 1024:.1f} MiB at the end, peak {peak / 1024:.1f} MiB "
            f"({(last - first) / first:+.1%} over the run)",
        ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
