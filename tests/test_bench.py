"""The bench's own bookkeeping (bench/run.py), without a server: the same-size files each page row
is set against, and the runs and pairs a round is made of. Its figures are for people to read
(`make bench`), not asserted here."""

from __future__ import annotations

import gzip
import http.client
from pathlib import Path

import pytest

from bench.run import (
    SAME_SIZE,
    Row,
    Run,
    alternating_pairs,
    main,
    median_interval,
    same_size_files,
    schedule,
    too_near,
)
from bench.server import Response


def answer(body: bytes, content_type: str = "text/html; charset=utf-8", **headers) -> Response:
    message = http.client.HTTPMessage()
    message["Content-Type"] = content_type
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return Response(200, message, body)


def test_a_same_size_file_is_the_page_stores_own_file_where_it_can_be(tmp_path: Path) -> None:
    page = b"<p>" + b"x" * 5000 + b"</p>"
    folder = tmp_path / "pages" / "gen-1" / "http" / "host" / "compare"
    folder.mkdir(parents=True)
    (tmp_path / "pages" / "current").symlink_to("gen-1")
    (folder / "index.page.q-.t.html").write_bytes(page)
    (folder / "index.page.q-.t.html.gz").write_bytes(gzip.compress(page))
    static_root = tmp_path / "static"
    static_root.mkdir()
    rows = [Row("page", "/compare/"), Row("page, gzip", "/compare/"), Row("api", "/api/")]
    answers = {
        "page": answer(page),
        "page, gzip": answer(gzip.compress(page), Content_Encoding="gzip"),
        "api": answer(b'{"not": "stored"}', "application/json"),  # no such file: a copy
    }
    made = same_size_files(rows, answers, static_root, tmp_path / "pages")

    assert [static.linked for static in made] == [True, True, False]
    files = {path.name: path for path in (static_root / SAME_SIZE).iterdir()}
    for row, static in zip(rows, made, strict=True):
        assert row.same_size is static and static.size == len(answers[row.name].body)
        name = static.path.rsplit("/", 1)[1]
        served = files[f"{name}.gz" if row.name.endswith("gzip") else name]
        assert served.read_bytes() == answers[row.name].body
    identity = files[made[0].path.rsplit("/", 1)[1]]
    assert identity.stat().st_ino == (folder / "index.page.q-.t.html").stat().st_ino
    zipped = files[made[1].path.rsplit("/", 1)[1] + ".gz"]
    assert zipped.stat().st_ino == (folder / "index.page.q-.t.html.gz").stat().st_ino
    # Its identity twin, for a client that asks for none, is the store's too.
    assert files[made[1].path.rsplit("/", 1)[1]].stat().st_ino == identity.stat().st_ino
    assert files[made[2].path.rsplit("/", 1)[1]].stat().st_nlink == 1

    # Without a store (or one that does not hold the answer), copies of the bytes.
    again = same_size_files(rows[:1], {"page": answer(page + b" ")}, static_root)
    assert not again[0].linked


def rows_with_ceilings() -> tuple[Row, Row, Row, Row]:
    """A page with its collected ceiling and its static file of the same size, and the 304."""
    collected = Row("static file", "/static/big.js", kind="static")
    collected.ceiling = collected
    page = Row("comparison", "/compare/", ceiling=collected)
    page.same_size = Row("same size", "/static/same.html", kind="static", targets=("proxy",))
    repeat = Row("comparison, repeat visit (304)", "/compare/", kind="304", ceiling=collected)
    repeat.same_size = page.same_size
    return page, repeat, collected, page.same_size


def test_a_round_measures_each_targets_pairs_and_the_table_apart() -> None:
    page, repeat, collected, same = rows_with_ceilings()
    rows = [page, repeat, collected, same]

    steps = schedule(rows, 0)
    # Through the proxy the page only in pairs; at gunicorn in the table (its p99) and in pairs.
    assert steps == [
        (page, "gunicorn"),
        (page, collected, "gunicorn"),
        (page, same, "proxy"),
        (repeat, "gunicorn"),
        (repeat, collected, "gunicorn"),
        (repeat, "proxy"),
        (collected, "gunicorn"),
        (collected, "proxy"),
    ]
    assert schedule(rows, 1, table=False) == [s for s in steps if len(s) == 3]
    assert schedule(rows, 1, pairs=False) == [s for s in steps if len(s) == 2]


def test_pairs_run_back_to_back_with_who_goes_first_alternating() -> None:
    page, _repeat, collected, same = rows_with_ceilings()
    order = []
    rates = iter([100.0, 200.0, 300.0, 150.0, 90.0, 100.0])

    def run(row: Row) -> Run:
        order.append(row.name)
        return Run(next(rates), 1.0, 2.0, 0)

    alternating_pairs(page, same, "proxy", 0, 2, run)
    alternating_pairs(page, collected, "gunicorn", 1, 1, run)

    assert order == [
        "comparison",
        "same size",
        "same size",
        "comparison",
        "static file",  # round 1 starts with the ceiling
        "comparison",
    ]
    assert page.ratios("proxy") == [0.5, 150.0 / 300.0]
    assert page.ratios("gunicorn") == [100.0 / 90.0]
    # Through the proxy a page has no other runs: the table's figures are its pairs' runs.
    assert [run.rps for run in page.runs["proxy"]] == [100.0, 150.0]
    assert [run.rps for run in same.runs["proxy"]] == [200.0, 300.0]
    # At gunicorn the table keeps its own rounds: the collected file's runs stay aligned with
    # every row set against it.
    assert page.runs["gunicorn"] == [] and collected.runs["gunicorn"] == []


def test_a_bench_of_no_pairs_is_refused_before_anything_starts() -> None:
    # A target with no pairs would have no median: refused with a usage error, no server started.
    with pytest.raises(SystemExit) as refused:
        main(["--pairs", "0"])
    assert refused.value.code == 2


def test_the_medians_interval_is_order_statistics_of_the_pairs() -> None:
    # Binomial(16, 1/2): P(at most 3 below the median) = 697/65536 <= 2.5% < P(at most 4).
    assert median_interval([float(n) for n in range(16, 0, -1)]) == (4.0, 13.0)
    assert median_interval([float(n) for n in range(1, 65)]) == (24.0, 41.0)
    # Six values are the fewest for 95%: the lowest and the highest. Below that there is none.
    assert median_interval([3.0, 1.0, 2.0, 6.0, 5.0, 4.0]) == (1.0, 6.0)
    assert median_interval([2.0, 1.0, 3.0, 5.0, 4.0]) is None
    assert median_interval([]) is None


def with_ratios(row: Row, target: str, ratios: list[float]) -> None:
    row.pairs[target] = [
        (Run(ratio * 1000, 1.0, 2.0, 0), Run(1000.0, 1.0, 2.0, 0)) for ratio in ratios
    ]


def test_a_target_too_near_its_share_gets_more_pairs_until_it_is_settled_or_has_the_most() -> None:
    page, repeat, collected, same = rows_with_ceilings()
    rows = [page, repeat, collected, same]
    steady = [0.95, 0.96, 0.97, 0.98] * 4  # all 16 above 90%: the interval 95%-98%
    near = [0.80, 0.85, 0.88, 0.92, 0.93, 0.94, 0.96, 1.00] * 2  # median 92.5%, interval 85%-96%
    with_ratios(page, "proxy", steady)
    with_ratios(page, "gunicorn", [0.5, 0.6, 0.7, 0.75] * 4)  # wholly below its 80%: settled
    with_ratios(repeat, "gunicorn", near)

    assert (page.share("gunicorn"), page.share("proxy"), repeat.share("gunicorn")) == (
        0.8,
        0.9,
        0.9,
    )
    assert too_near(rows, 4, 64) == [(repeat, collected, "gunicorn")]
    # Too few pairs for an interval: not settled, however far from the share they lie.
    with_ratios(page, "proxy", [1.5] * 5)
    assert too_near(rows, 4, 64)[0] == (page, same, "proxy")
    with_ratios(page, "proxy", steady)
    # At the most pairs allowed a target is settled however near it is, and the bench stops.
    assert too_near(rows, 4, 16) == []
    # More pairs, more of them near the median: the interval narrows until it clears 90%.
    with_ratios(repeat, "gunicorn", near * 2 + [0.92, 0.93] * 16)
    assert median_interval(repeat.ratios("gunicorn")) == (0.92, 0.93)
    assert too_near(rows, 8, 64) == []
