"""Every public page is valid HTML by the W3C's Nu HTML Checker (vnu.jar, npm package vnu-jar).

The checker runs on Java. .ci/run installs both (`npm install --no-save --prefix .vnu vnu-jar`);
elsewhere set VNU_JAR to a vnu.jar, or run the same npm command. Without it the test is skipped
here with the reason, and fails in CI (ROLES_REQUIRE_BROWSER=1), where it must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_BROWSER

BASE = Path(__file__).resolve().parent.parent
VNU_JAR = Path(
    os.environ.get("VNU_JAR")
    or BASE / ".vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)

PM, PJM = "product-manager", "project-manager"
PAGES = {
    "home": "/",
    "roles": "/roles/",
    "role": f"/roles/{PM}/",
    "role-filtered": f"/roles/{PJM}/?function=planning",
    "role-move": f"/roles/{PJM}/to/{PM}/",
    "role-move-missing": f"/roles/sponsor/to/{PM}/",
    "compare": f"/compare/{PM}/vs/{PJM}/",
    "compare-differences": f"/compare/{PM}/vs/{PJM}/?diff=1",
    "compare-at-levels": f"/compare/{PM}/vs/{PJM}/?level=head-of-product&diff=1",
    "compare-unknown-level": f"/compare/{PM}/vs/{PJM}/?level=nobody",
    "compare-no-ladders": "/compare/product-owner/vs/scrum-master/",
    "compare-self": f"/compare/{PM}/vs/{PM}/",
    "compare-start": "/compare/",
    "compare-start-error": "/compare/?a=nobody&b=",
    "compare-three-repeated": f"/compare/{PM}/vs/{PJM}/vs/{PM}/",
    "compare-three-unknown": f"/compare/{PM}/vs/{PJM}/vs/nobody/",
    "compare-five": f"/compare/{PM}/vs/{PJM}/vs/a/vs/b/vs/c/",
    "collaboration": "/collaboration/",
    "collaboration-filtered": f"/collaboration/?role={PM}",
    "collaboration-print-all": f"/collaboration/?role={PM}&print=all",
    "search": "/search/",
    "search-results": "/search/?q=roadmap",
    "search-corrected": "/search/?q=roadmpa",
    "search-none": "/search/?q=zebra",
    "sources": "/sources/",
    "changes": "/changes/",
    "changes-role": f"/changes/?role={PM}",
    "not-found": "/no-such-page/",
}


def checker() -> list[str]:
    """The command that runs vnu.jar, or a skip (a failure in CI) saying what is missing."""
    java = shutil.which("java")
    missing = [
        what
        for what, there in [("java", java), (f"vnu.jar at {VNU_JAR}", VNU_JAR.is_file())]
        if not there
    ]
    if missing:
        reason = (
            f"the Nu HTML Checker needs {' and '.join(missing)}: "
            "`npm install --no-save --prefix .vnu vnu-jar` (and a Java runtime)"
        )
        if REQUIRE_BROWSER:
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always"]


def test_every_public_page_has_no_html_errors(client, seed_catalog, tmp_path):
    command = checker()
    files = []
    for name, url in PAGES.items():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        files.append(str(path))
    run = subprocess.run(
        [*command, *files], capture_output=True, text=True, timeout=300, check=True
    )
    messages = json.loads(run.stderr)["messages"]
    errors = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
