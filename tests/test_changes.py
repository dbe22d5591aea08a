"""The public change log: /changes/, its Atom feed, the role filter and "last changed"."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import reversion
from django.urls import reverse

from catalog.models import Change, Responsibility, Role, Trait
from tests.factories import make_admin_catalog, make_responsibility
from tests.test_admin import (
    change_url,
    form_data,
    inline_prefix,
    logged_in,
    make_editor,
)

pytestmark = pytest.mark.django_db

URL = "/changes/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def loaded(seed_catalog) -> None:
    """The seed content, as `make run` loads it (`load_catalog`, once per session)."""


def edit(obj, **values) -> None:
    """An editor's save, as the admin makes it: one revision."""
    with reversion.create_revision():
        for name, value in values.items():
            setattr(obj, name, value)
        obj.save()


def test_the_loaded_catalog_is_one_entry_not_one_per_record(client, loaded):
    response = client.get(URL)

    assert response.status_code == 200
    entries = response.context["page"].object_list
    assert len(entries) == 1
    (change,) = entries[0].changes.all()
    assert change.action == Change.Action.LOADED
    records = int(change.record.split()[0])
    assert records > 100
    assert f"The catalog was loaded: {records} records" in response.content.decode()


def test_an_admin_edit_is_listed_first_with_before_after_and_a_link_but_no_editor(client, loaded):
    duty = Responsibility.objects.select_related("role").order_by("pk").first()
    old_title = duty.title
    editor = logged_in(make_editor("edna"))
    data = {**form_data(editor.get(change_url(duty))), "title": "Keeps the roadmap current"}
    assert editor.post(change_url(duty), data).status_code == 302

    response = client.get(URL)

    html = response.content.decode()
    first = response.context["page"].object_list[0]
    (change,) = first.changes.all()
    assert (change.action, change.kind, change.role) == ("changed", "responsibility", duty.role)
    assert change.fields == [
        {"field": "Title", "before": old_title, "after": "Keeps the roadmap current"}
    ]
    assert f'<a href="{duty.get_absolute_url()}">Keeps the roadmap current</a>' in html
    assert f"<del>{old_title}</del>" in html
    assert "<ins>Keeps the roadmap current</ins>" in html
    assert "edna" not in html
    assert html.index(f'id="change-{first.pk}"') < html.index("The catalog was loaded")


def test_a_role_save_lists_only_the_rows_it_changed(loaded):
    role = Role.objects.get(slug="product-manager")
    editor = logged_in(make_editor("edna"))
    page = editor.get(change_url(role))
    data = form_data(page)
    trait = role.traits.order_by("dimension__order").first()
    data[f"{inline_prefix(page, Trait)}-0-text"] = "A new answer."
    assert editor.post(change_url(role), data).status_code == 302

    latest = Change.objects.order_by("-pk")
    changed = list(latest.filter(revision=latest.first().revision))

    assert [(c.kind, c.record) for c in changed] == [("trait", str(trait))]
    assert changed[0].url == f"{role.get_absolute_url()}#{trait.anchor}"


def test_an_added_record_is_listed_as_added(client, loaded):
    role = Role.objects.get(slug="project-manager")
    function = role.responsibilities.first().function
    with reversion.create_revision():
        make_responsibility(role, function, "run-retros", title="Runs retrospectives")

    html = client.get(URL).content.decode()

    assert "Added</span> responsibility:" in html
    assert "/roles/project-manager/#project-manager-run-retros" in html


def test_the_role_filter_keeps_that_roles_changes_and_the_load(client, loaded):
    product = Role.objects.get(slug="product-manager")
    project = Role.objects.get(slug="project-manager")
    edit(product.responsibilities.first(), title="Product change")
    edit(project.responsibilities.first(), title="Project change")

    html = client.get(URL, {"role": "product-manager"}).content.decode()

    assert "Product change" in html
    assert "Project change" not in html
    assert "The catalog was loaded" in html
    assert "Changes to the Product manager" in html


@pytest.mark.parametrize(
    "query",
    [
        {"role": "no-such-role"},
        {"role": "x" * 5000},
        {"role": "<script>"},
        {"page": "abc"},
        {"page": "99999"},
        {"page": "-1"},
        {"role": ["product-manager", "project-manager"]},
    ],
)
def test_bad_filters_are_ignored_never_500(client, loaded, query):
    response = client.get(URL, query)

    assert response.status_code == 200
    assert response.context["page"].object_list
    if "role" in query and query["role"] not in (["product-manager", "project-manager"],):
        assert "There is no role" in response.content.decode()
        assert "<script>" not in response.content.decode()


def test_pages_of_changes_are_newest_first_and_link_to_each_other(client, loaded):
    duty = Responsibility.objects.first()
    for number in range(25):
        edit(duty, title=f"Title {number}")

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert 'rel="next"' in first.content.decode()
    assert "Title 24" in first.content.decode()
    assert "The catalog was loaded" in second.content.decode()
    assert 'rel="prev"' in second.content.decode()


@pytest.mark.parametrize("edits", [2, 30])
def test_the_change_log_costs_a_fixed_number_of_queries(
    client, loaded, edits, django_assert_num_queries, settings
):
    settings.CATALOG_VERSION_CHECK_SECONDS = 3600  # read once, then kept in memory
    roles = list(Role.objects.all())
    for number in range(edits):
        edit(roles[number % len(roles)].responsibilities.first(), title=f"Title {number}")

    # the catalog version, the count, the page of revisions, their changes
    with django_assert_num_queries(4):
        assert client.get(URL).status_code == 200
    # the role the filter names instead of the catalog version, which this process now keeps
    with django_assert_num_queries(4):
        assert client.get(URL, {"role": roles[0].slug}).status_code == 200


def test_the_atom_feed_lists_each_change_without_editors(client, loaded):
    editor = logged_in(make_editor("edna"))
    duty = Responsibility.objects.first()
    data = {**form_data(editor.get(change_url(duty))), "title": "Owns the roadmap"}
    assert editor.post(change_url(duty), data).status_code == 302

    response = client.get(reverse("catalog:changes-feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    title = entries[0].findtext(f"{ATOM}title")
    assert title == "Changed responsibility “Owns the roadmap”"
    assert "Owns the roadmap" in entries[0].findtext(f"{ATOM}summary")
    assert entries[1].findtext(f"{ATOM}title").startswith("Catalog loaded")
    assert b"edna" not in response.content


def test_the_change_log_page_links_its_feed_and_is_in_the_nav_and_sitemap(client, loaded):
    html = client.get(URL).content.decode()
    assert f'type="application/atom+xml" title="Roles: what changed" href="{URL}feed/"' in html
    assert f'<a href="{URL}" aria-current="page">Changes</a>' in html
    assert f"{URL}</loc>" in client.get("/sitemap.xml").content.decode()


def test_every_role_page_shows_when_it_last_changed_and_links_to_its_changes(client, loaded):
    role = Role.objects.get(slug="project-manager")
    edit(role.traits.first(), text="A later answer.")
    role = Role.objects.with_changed().get(pk=role.pk)

    html = client.get(role.get_absolute_url()).content.decode()

    assert f'Last changed <a href="{URL}?role=project-manager">' in html
    # To the second: the HTML `datetime` attribute takes at most three digits of fraction.
    assert f'<time datetime="{role.changed:%Y-%m-%dT%H:%M:%S%z}">' in html
    assert role.changed == role.traits.order_by("-updated").first().updated


def test_the_change_log_only_answers_get_and_head(client, loaded):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_edits_outside_a_revision_write_no_change_rows(db):
    duty = make_admin_catalog()[Responsibility]
    count = Change.objects.count()
    duty.title = "Saved by a script"
    duty.save()
    assert Change.objects.count() == count
