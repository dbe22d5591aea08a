"""Content fixtures: loaded only into an empty catalog, validated, exported byte for byte."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from catalog.fixture_files import FIXTURE_FILES
from catalog.models import Collaboration, Contribution, Responsibility, Role

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.FIXTURE_DIRS[0])


def test_fixture_files_use_natural_keys_only():
    for name in FIXTURE_FILES:
        for record in json.loads((FIXTURES / name).read_text(encoding="utf-8")):
            assert "pk" not in record, f"{name}: {record['model']} carries a numeric pk"


def test_load_then_export_reproduces_the_committed_files_byte_for_byte(seed_catalog, tmp_path):
    call_command("export_catalog", output=str(tmp_path), stdout=StringIO())
    for name in FIXTURE_FILES:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name


def test_load_catalog_fills_an_empty_database():
    out = StringIO()
    call_command("load_catalog", stdout=out)
    assert Role.objects.count() >= 2
    assert "Installed" in out.getvalue()


def test_load_catalog_leaves_an_edited_catalog_alone(seed_catalog):
    role = Role.objects.order_by("order").first()
    role.summary = "An editor's own wording."
    role.save()
    out = StringIO()
    call_command("load_catalog", stdout=out)
    assert out.getvalue().strip() == "Catalog already has content; leaving it as editors left it."
    role.refresh_from_db()
    assert role.summary == "An editor's own wording."


def write_fixture(path: Path, records: list[dict]) -> str:
    path.write_text(json.dumps(records), encoding="utf-8")
    return str(path)


def good_records() -> list[dict]:
    return [
        {"model": "catalog.function", "fields": {"slug": "plan", "name": "Planning"}},
        {
            "model": "catalog.role",
            "fields": {"slug": "a", "name": "A", "summary": "s", "main_goal": "g"},
        },
        {
            "model": "catalog.role",
            "fields": {"slug": "b", "name": "B", "summary": "s", "main_goal": "g"},
        },
        {
            "model": "catalog.responsibility",
            "fields": {"role": ["a"], "function": ["plan"], "slug": "do", "title": "Do it"},
        },
        {
            "model": "catalog.responsibility",
            "fields": {"role": ["b"], "function": ["plan"], "slug": "help", "title": "Help"},
        },
        {"model": "catalog.collaboration", "fields": {"slug": "hand-off", "title": "Hand-off"}},
        {
            "model": "catalog.contribution",
            "fields": {
                "collaboration": ["hand-off"],
                "role": ["a"],
                "raci": "A",
                "text": "x",
                "responsibilities": [["a", "do"]],
            },
        },
        {
            "model": "catalog.contribution",
            "fields": {
                "collaboration": ["hand-off"],
                "role": ["b"],
                "raci": "R",
                "text": "y",
                "responsibilities": [["b", "help"]],
            },
        },
    ]


def test_a_valid_fixture_without_timestamps_loads(tmp_path):
    call_command("load_catalog", write_fixture(tmp_path / "ok.json", good_records()), verbosity=0)
    assert Responsibility.objects.get(role__slug="a", slug="do").updated is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r[7]["fields"].update(raci="A"), "Another role is already Accountable"),
        (lambda r: r[6]["fields"].update(raci="C"), "found 0"),
        (lambda r: r[6]["fields"].update(raci="X"), "raci"),
        (lambda r: r[3]["fields"].update(slug="not a slug!"), "slug"),
        (lambda r: r[2]["fields"].update(summary=""), "summary"),
        (lambda r: r.append(dict(r[3])), "already has a responsibility with this slug"),
        (
            lambda r: r[7]["fields"].update(responsibilities=[]),
            "“hand-off”, b: The B is Responsible \\(R\\) here: name the responsibility",
        ),
        (
            lambda r: r[6]["fields"].update(responsibilities=[["a", "do"], ["b", "help"]]),
            "“hand-off”, a: Not a responsibility of the A: Help",
        ),
    ],
    ids=[
        "two-accountable",
        "no-accountable",
        "bad-raci",
        "bad-slug",
        "blank-field",
        "dup-slug",
        "r-without-responsibility",
        "another-roles-responsibility",
    ],
)
def test_invalid_fixture_is_refused_whole_with_a_clear_message(tmp_path, change, message):
    records = good_records()
    change(records)
    with pytest.raises(CommandError, match=message):
        call_command("load_catalog", write_fixture(tmp_path / "bad.json", records), verbosity=0)
    # Nothing of the refused file is half-saved.
    assert not Role.objects.exists()
    assert not Collaboration.objects.exists()
    assert not Contribution.objects.exists()
