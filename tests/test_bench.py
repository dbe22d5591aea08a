"""The bench's own bookkeeping (bench/run.py), without a server: the same-size files each page row
is set against. Its figures are for people to read (`make bench`), not asserted here."""

from __future__ import annotations

import gzip
import http.client
from pathlib import Path

from bench.run import SAME_SIZE, Row, same_size_files
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
