"""Lighthouse on the team pages (start, read-only, edit; axe covers the history too) and on a
move page, against a live server, with its mobile preset: 100 in accessibility, best practices
and SEO. Performance is a timing, and timings are not judged by tests here (the rest of the suite
keeps the machine busy): run Lighthouse on a quiet machine for it, as the issue notes report.

The read-only, edit and history pages are `noindex` on purpose (a team's chart is for those
given the link), and Lighthouse's SEO category counts "is-crawlable" against that: on those pages
every other SEO audit must pass. Lighthouse is an npm package: .ci/run installs it
(`npm install --no-save --prefix .lighthouse lighthouse`); without it, or without Chromium, the
test is skipped here, and fails in CI (ROLES_REQUIRE_BROWSER=1), where it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_BROWSER, chromium_executable
from tests.factories import make_team

BASE = Path(__file__).resolve().parent.parent
LIGHTHOUSE = BASE / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ["accessibility", "best-practices", "seo"]
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu"
NOINDEX = {"team-read-only", "team-edit"}

pytestmark = pytest.mark.browser


def lighthouse() -> tuple[str, str]:
    # The headless shell where installed (tests/conftest.py): the same audits, a fifth less CPU.
    chrome = os.environ.get("CHROME_PATH") or chromium_executable()
    missing = [
        what
        for what, there in [
            (f"lighthouse at {LIGHTHOUSE}", LIGHTHOUSE.is_file()),
            ("node", shutil.which("node")),
            ("chromium", chrome),
        ]
        if not there
    ]
    if missing:
        reason = f"Lighthouse needs {' and '.join(missing)}: `npm install --no-save --prefix "
        reason += ".lighthouse lighthouse` (and Debian's chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(reason)
        pytest.skip(reason)
    return str(LIGHTHOUSE), chrome


# Lighthouse waits a second for each of first paint, load, a quiet network and a quiet CPU
# before it reads the page: time for a slow site's late requests. These pages make none (no
# script but htmx, no third parties), so a tenth of that waits on nothing less.
QUICK = {
    "extends": "lighthouse:default",
    "settings": {
        name: 100
        for name in (
            "pauseAfterFcpMs",
            "pauseAfterLoadMs",
            "networkQuietThresholdMs",
            "cpuQuietThresholdMs",
        )
    },
}


def start_audit(url: str, folder: Path) -> tuple[subprocess.Popen, Path]:
    """Lighthouse auditing `url` in a process of its own, writing its report into `folder`."""
    command, chrome = lighthouse()
    folder.mkdir()
    config, out = folder / "config.json", folder / "report.json"
    config.write_text(json.dumps(QUICK))
    process = subprocess.Popen(
        [
            command,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--config-path={config}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env={**os.environ, "CHROME_PATH": chrome},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    return process, out


def failures(report: dict, *, noindex: bool) -> dict[str, object]:
    """Categories under 100, and for a noindex page the SEO audits that fail but is-crawlable."""
    found: dict[str, object] = {}
    for name in CATEGORIES:
        category = report["categories"][name]
        if name == "seo" and noindex:
            failing = [
                ref["id"]
                for ref in category["auditRefs"]
                if ref["weight"] and report["audits"][ref["id"]]["score"] != 1
            ]
            if failing != ["is-crawlable"]:
                found[name] = failing
        elif category["score"] != 1:
            found[name] = [
                (ref["id"], report["audits"][ref["id"]]["score"])
                for ref in category["auditRefs"]
                if ref["weight"] and report["audits"][ref["id"]]["score"] != 1
            ]
    return found


def paths() -> dict[str, str]:
    team, key = make_team(
        ["product-owner", "scrum-master", "project-manager"],
        own_roles=[("Tech lead", "project-manager")],
        name="Checkout squad",
    )
    return {
        "team-start": "/teams/new/",
        "team-read-only": f"/teams/{team.public_id}/",
        "team-edit": f"/teams/{team.public_id}/edit/{key}/",
        "move": "/roles/business-analyst/to/product-owner/",
    }


def test_lighthouse_finds_nothing_to_improve(live_seed_catalog, live_server, tmp_path):
    # The four audits at once: each mostly waits on its page, so together they take little
    # longer than one.
    lighthouse()
    runs = {
        name: start_audit(live_server.url + path, tmp_path / name) for name, path in paths().items()
    }
    found = {}
    for name, (process, out) in runs.items():
        _, errors = process.communicate(timeout=240)
        assert process.returncode == 0, (name, errors.decode()[-2000:])
        report = json.loads(out.read_text())
        if problems := failures(report, noindex=name in NOINDEX):
            found[name] = problems
    assert found == {}
