"""The bench's own logic (bench/run.py) without a server: its files, its reading of wrk and of
/proc, its wait for an idle server, its medians and its verdicts. Its figures are for people to
read (`make bench`), not asserted here."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest

from bench import run
from bench.run import (
    SAME_SIZE,
    Row,
    Run,
    idle,
    main,
    mix_script,
    page_rows,
    parse_wrk,
    same_size_files,
    table,
    usage,
    verdicts,
)

WRK_OUTPUT = """\
Running 1s test @ http://127.0.0.1:8000/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.10ms    1.02ms  40.00ms   90.00%
  Latency Distribution
     50%  850.00us
     75%    2.00ms
     90%    3.00ms
     99%    1.20s
  12000 requests in 1.00s, 50.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:  11987.65
Transfer/sec:     49.90MB
"""


def test_wrk_output_is_read_in_milliseconds_with_every_kind_of_error() -> None:
    assert parse_wrk(WRK_OUTPUT) == Run(11987.65, 0.85, 1200.0, 9)


def with_runs(row: Row, kind: str, rates: list[float], static: list[float]) -> Row:
    row.runs[kind] = [Run(rate, 1.0, 2.0, 0) for rate in rates]
    row.runs[run.PAIRS[kind]] = [Run(rate, 1.0, 2.0, 0) for rate in static]
    return row


def test_a_share_is_the_median_of_each_rounds_ratio_to_the_file_measured_beside_it() -> None:
    # A busy second halves the page and its file alike: that round's ratio is still 100%.
    row = with_runs(Row("home", "/", {}), "nginx", [100, 50, 80], [100, 50, 100])
    assert row.share("nginx") == 1.0
    assert row.median("nginx", "rps") / 100 == 0.8  # what medians of the rates apart would say


def measured(shares: dict[str, float], compare: float = 0.8, errors: int = 0) -> list[Row]:
    rows = page_rows()
    for row in rows:
        with_runs(row, "nginx", [shares.get(row.name, 1.0) * 1000] * 3, [1000] * 3)
        revalidated = compare * 1000 if row.name == "comparison" else 900
        with_runs(row, "gunicorn 304", [revalidated] * 3, [1000] * 3)
        row.runs["full render"] = [Run(15, 150.0, 900.0, 0)]
    rows[0].runs["full render"][0] = Run(15, 150.0, 900.0, errors)
    return rows


def test_verdicts_hold_at_the_targets_share_and_name_the_lowest_row() -> None:
    met = verdicts(measured({"search, gzip": 0.75, "home": 0.9}), 0, [0.2, 0.999])
    assert [line.rsplit(" — ", 1)[1] for line in met] == ["MET"] * 4
    assert "lowest 75% (search, gzip)" in met[0]

    missed = verdicts(measured({"API roles": 0.74}, compare=0.79, errors=1), 2, [0.2, 1.0])
    assert [line.rsplit(" — ", 1)[1] for line in missed] == ["NOT MET"] * 4
    assert "lowest 74% (API roles)" in missed[0] and "79%" in missed[1]
    assert missed[2] == "- zero errors: 3 — NOT MET"  # every run's errors and the slow check's
    assert "slowest of 2 visits 1000 ms" in missed[3]
    # Without the slow-client check there is no verdict on it, rather than a made-up one.
    assert len(verdicts(measured({}), 0, [])) == 3


def test_the_gunicorn_target_is_judged_on_revalidation_not_on_the_full_render() -> None:
    rows = measured({})
    for row in rows:
        row.runs["full render"] = [Run(1, 150.0, 900.0, 0)]  # 0.1% of the file's rate
    assert verdicts(rows, 0, [])[1].endswith("80% — MET")


def test_a_revalidation_names_the_etag_of_what_it_asks_for() -> None:
    row = Row("page, gzip", "/page/", {"Accept-Encoding": "gzip"}, static_path="/static/p.html")
    row.etags = {"/page/": 'W/"page"', "/static/p.html": '"file"'}
    assert row.request("gunicorn 304") == (
        "/page/",
        {"Accept-Encoding": "gzip", "If-None-Match": 'W/"page"'},
    )
    assert row.request("whitenoise 304")[1]["If-None-Match"] == '"file"'
    assert row.request("nginx static") == ("/static/p.html", {"Accept-Encoding": "gzip"})
    assert row.request("full render") == ("/page/", {"Accept-Encoding": "gzip"})


def test_the_mix_script_quotes_an_etag_for_lua(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(run, "WORK", tmp_path)
    lua = Path(mix_script([("/a/", {"If-None-Match": 'W/"c1-x"'}), ("/b/", {})])).read_text()
    assert 'wrk.format(\'GET\', "/a/", {["If-None-Match"] = "W/\\"c1-x\\""})' in lua
    assert "wrk.format('GET', \"/b/\", {})" in lua


def test_idle_waits_until_the_servers_cpu_time_stops_growing(monkeypatch) -> None:
    ticks = iter([0, 40, 80, 120, 121, 500])
    monkeypatch.setattr(run, "usage", lambda pgid: (next(ticks), 0))
    monkeypatch.setattr(run.time, "sleep", lambda seconds: None)
    idle(1)
    assert next(ticks) == 500  # it stopped at the first 100 ms with at most one tick


def test_usage_reads_this_process_groups_cpu_time_and_memory() -> None:
    ticks, kib = usage(os.getpgrp())
    assert ticks > 0 and kib > 10_000  # this Python alone uses more than 10 MiB


def test_a_same_size_file_holds_the_rows_exact_body_under_a_hashed_name(tmp_path: Path) -> None:
    page = b"<p>" + b"x" * 5000 + b"</p>"
    rows = [Row("page", "/", {}), Row("page, gzip", "/", {"Accept-Encoding": "gzip"})]
    rows.append(Row("api", "/api/v1/roles/", {}))
    same_size_files(rows, {"page": page, "page, gzip": gzip.compress(page), "api": b"{}"}, tmp_path)

    folder = tmp_path / SAME_SIZE
    files = [folder / row.static_path.removeprefix(f"/static/{SAME_SIZE}/") for row in rows]
    # Names nginx's location for hashed static files matches, as collected files' (nginx.conf).
    assert all(re.fullmatch(r".+\.[0-9a-f]{12}\.[A-Za-z0-9]+", file.name) for file in files)
    assert len(set(files)) == 3
    assert files[0].read_bytes() == page and rows[0].size == len(page)
    # A gzip client gets the .gz of exactly the row's bytes; any other its decompressed twin.
    assert files[1].with_name(files[1].name + ".gz").read_bytes() == gzip.compress(page)
    assert files[1].read_bytes() == page and rows[1].size == len(gzip.compress(page))
    assert files[2].suffix == ".json" and files[2].read_bytes() == b"{}"


def test_the_table_has_a_cell_under_every_heading() -> None:
    rows = measured({"home": 0.8})
    lines = table(rows)
    assert len(lines) == 2 + len(rows)
    assert {line.count("|") for line in lines} == {lines[0].count("|")}
    nginx, gunicorn = "800 | 1,000 | 80% | 1.00 | 2.00", "900 | 1,000 | 90% | 1.00 | 2.00"
    assert lines[2] == f"| home | 0 | {nginx} | {gunicorn} | 15 | 900 | 0 | 0 |"


def test_a_bench_of_no_rounds_is_refused_before_anything_starts() -> None:
    with pytest.raises(SystemExit) as refused:
        main(["--rounds", "0"])
    assert refused.value.code == 2
