"""Content fixtures: loaded into an empty catalog or over one no editor has changed since the
last load, validated, exported byte for byte."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import reversion
from django.conf import settings
from django.core.management import CommandError, call_command
from reversion.models import Revision

from catalog.changes import CATALOG_LOADED
from catalog.fixture_files import FIXTURE_FILES
from catalog.models import Change, Collaboration, Contribution, Responsibility, Role

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


def test_load_catalog_fills_an_empty_database(loaded_database_file):
    """`migrate` and `load_catalog` in a process of their own, as `make run` runs them on an
    empty database (the `loaded_database_file` fixture, made once per run for the servers)."""
    with sqlite3.connect(loaded_database_file) as database:
        roles, loads = (
            database.execute(sql, parameters).fetchone()[0]
            for sql, parameters in (
                ("SELECT count(*) FROM catalog_role", ()),
                ("SELECT count(*) FROM reversion_revision WHERE comment = ?", (CATALOG_LOADED,)),
            )
        )
    in_fixtures = json.loads((FIXTURES / "roles.json").read_text(encoding="utf-8"))
    assert (roles, loads) == (len([r for r in in_fixtures if r["model"] == "catalog.role"]), 1)
    assert "Installed" in loaded_database_file.with_name("load_catalog.out").read_text()


def load_catalog(*fixtures: str, **options) -> str:
    out = StringIO()
    call_command("load_catalog", *fixtures, stdout=out, verbosity=0, **options)
    return out.getvalue()


@pytest.fixture
def fixture_copy(seed_catalog, settings, tmp_path) -> Path:
    """The seed catalog loaded a minute ago, from a copy of fixtures/ that a test may edit."""
    folder = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, folder)
    settings.FIXTURE_DIRS = [folder]
    Revision.objects.filter(comment=CATALOG_LOADED).update(
        date_created=Revision.objects.get(comment=CATALOG_LOADED).date_created
        - timedelta(minutes=1)
    )
    return folder


def edit_summary(folder: Path, slug: str, summary: str) -> None:
    path = folder / "roles.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    next(r for r in records if r["fields"].get("slug") == slug)["fields"]["summary"] = summary
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False), encoding="utf-8")


def test_a_catalog_that_matches_its_fixtures_is_not_loaded_again(fixture_copy):
    assert load_catalog().strip() == "Catalog matches fixtures/; nothing to load."


def test_changed_fixtures_load_over_a_catalog_no_editor_has_touched(fixture_copy):
    edit_summary(fixture_copy, "product-manager", "A summary edited in fixtures/.")
    # A record the fixtures no longer hold goes too, with its citations.
    path = fixture_copy / "responsibilities.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    role, slug = records[0]["fields"]["role"][0], records[0]["fields"]["slug"]
    kept = [r for r in records[1:] if r["fields"].get("item") != [role, slug]]
    path.write_text(json.dumps(kept), encoding="utf-8")

    load_catalog()

    assert Role.objects.get(slug="product-manager").summary == "A summary edited in fixtures/."
    assert not Responsibility.objects.filter(role__slug=role, slug=slug).exists()
    assert Responsibility.objects.count() == len(
        [r for r in kept if r["model"] == "catalog.responsibility"]
    )
    # One revision, and the public change log says what the fixtures changed.
    role_change = Change.objects.get(revision__comment="Catalog reloaded from fixtures/")
    assert (role_change.kind, role_change.record, role_change.fields[0]["field"]) == (
        "role",
        "Product manager",
        "Summary",
    )


def test_an_edited_catalog_is_left_alone_with_the_command_that_would_replace_it(fixture_copy):
    role = Role.objects.get(slug="product-manager")
    with reversion.create_revision():
        role.summary = "An editor's own wording."
        role.save()
    edit_summary(fixture_copy, "product-manager", "A summary edited in fixtures/.")

    said = load_catalog()

    assert Role.objects.get(slug="product-manager").summary == "An editor's own wording."
    assert "would lose 1 record(s) edited since the last load" in said
    assert "role “Product manager”" in said
    assert ".venv/bin/python manage.py load_catalog --replace" in said
    # --replace loads over the edit (here one file of the copy: the whole of fixtures/ is
    # loaded over the catalog in the test above, and takes seconds).
    load_catalog(str(fixture_copy / "roles.json"), replace=True)
    assert Role.objects.get(slug="product-manager").summary == "A summary edited in fixtures/."


def test_an_edit_saved_outside_a_revision_counts_too(fixture_copy):
    Role.objects.get(slug="project-manager").save()
    edit_summary(fixture_copy, "product-manager", "A summary edited in fixtures/.")
    said = load_catalog()
    assert "role “Project manager”" in said
    assert Role.objects.get(slug="product-manager").summary != "A summary edited in fixtures/."


def test_a_record_an_editor_deleted_counts_too(fixture_copy):
    # Loading changed fixtures over the catalog would bring the deleted record back.
    responsibility = Responsibility.objects.select_related("role").first()
    responsibility.delete()
    edit_summary(fixture_copy, "product-manager", "A summary edited in fixtures/.")
    said = load_catalog()
    assert f"responsibility “{responsibility}” (deleted)" in said
    assert not Responsibility.objects.filter(pk=responsibility.pk).exists()
    assert Role.objects.get(slug="product-manager").summary != "A summary edited in fixtures/."


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
