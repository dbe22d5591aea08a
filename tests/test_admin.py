"""The editors' admin: revisions with who and what, revert and recover, permissions, the RACI
rule, stale edits, bad ids, and the index grouped by purpose."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import reversion
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.forms import HiddenInput, ModelChoiceField, ModelMultipleChoiceField
from django.test import Client
from django.urls import reverse
from reversion.models import Revision, Version

from catalog.changes import CATALOG_LOADED, version_unversioned_records
from catalog.models import (
    CatalogVersion,
    Collaboration,
    Contribution,
    Dimension,
    Function,
    Responsibility,
    Role,
    Trait,
    now_to_the_second,
)
from tests.factories import make_admin_catalog, make_collaboration, make_function, make_trait

PASSWORD = "a-long-test-password-91"

pytestmark = pytest.mark.django_db


# --- data and users --------------------------------------------------------------------------


@pytest.fixture
def catalog() -> dict:
    return make_admin_catalog()


def make_editor(username: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def logged_in(user: User) -> Client:
    """A client that logged in through the admin's own login form (and django-axes)."""
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, "login failed"
    return client


@pytest.fixture
def editor() -> User:
    return make_editor("edna")


@pytest.fixture
def editor_client(editor) -> Client:
    return logged_in(editor)


@pytest.fixture
def superuser_client() -> Client:
    user = User.objects.create_superuser("root", password=PASSWORD)
    return logged_in(user)


# --- helpers ---------------------------------------------------------------------------------


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def form_data(response) -> dict:
    """What the browser would post back for the admin form in `response`, untouched."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def inline_prefix(response, model) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline for {model.__name__}")


def contribution_form_index(response, contribution: Contribution) -> int:
    prefix = inline_prefix(response, Contribution)
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            for index, form in enumerate(inline.formset.forms):
                if form.instance.pk == contribution.pk:
                    return index
    raise AssertionError("contribution not in the inline")


def form_errors(response) -> str:
    """Every error the admin page shows: the main form, each inline row, each inline set."""
    errors = [str(response.context["adminform"].form.errors)]
    for inline in response.context.get("inline_admin_formsets", []):
        errors.append(str(inline.formset.non_form_errors()))
        errors.extend(str(form.errors) for form in inline.formset.forms)
    return " ".join(errors)


# --- history: who, what, revert, recover ------------------------------------------------------


def versions_of(obj) -> list[Version]:
    return list(Version.objects.get_for_object(obj))  # newest first


def revision_url(obj, version: Version) -> str:
    opts = obj._meta
    return reverse(f"admin:catalog_{opts.model_name}_revision", args=[obj.pk, version.pk])


def revert(client: Client, obj, version: Version):
    """Open the revert page of `version` and press its button, as an editor would."""
    url = revision_url(obj, version)
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, form_data(page))


def test_editor_edits_a_responsibility_sees_who_and_what_in_history_and_reverts(
    editor_client, catalog
):
    duty = catalog[Responsibility]
    page = editor_client.get(change_url(duty))
    assert page.status_code == 200
    data = form_data(page)
    data["title"] = "Owns the product roadmap"

    response = editor_client.post(change_url(duty), data)

    assert response.status_code == 302, form_errors(response)
    duty.refresh_from_db()
    assert duty.title == "Owns the product roadmap"

    history = editor_client.get(reverse("admin:catalog_responsibility_history", args=[duty.pk]))
    assert history.status_code == 200
    html = history.content.decode()
    assert "edna" in html
    # The loaded content is the first version, so the first edit shows a real difference.
    assert "<strong>Title:</strong> <del>Keeps the roadmap</del>" in html
    assert "<ins>Owns the product roadmap</ins>" in html
    assert CATALOG_LOADED in html

    original = versions_of(duty)[-1]
    response = revert(editor_client, duty, original)

    assert response.status_code == 302, form_errors(response)
    duty.refresh_from_db()
    assert duty.title == "Keeps the roadmap"
    latest = versions_of(duty)[0]
    assert latest.revision.user.username == "edna"
    assert latest.field_dict["title"] == "Keeps the roadmap"
    assert "Reverted to previous version" in latest.revision.get_comment()


def test_role_save_with_inline_edits_is_one_revision_and_reverting_it_restores_every_row(
    editor_client, catalog
):
    role, duty, trait = catalog[Role], catalog[Responsibility], catalog[Trait]
    before = versions_of(role)[0]
    page = editor_client.get(change_url(role))
    data = form_data(page)
    data["summary"] = "Owns the product, end to end."
    data[f"{inline_prefix(page, Responsibility)}-0-title"] = "Creates the roadmap"
    data[f"{inline_prefix(page, Trait)}-0-text"] = "Why, then what"
    prefix = inline_prefix(page, Responsibility)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-title": "Sets the vision",
            f"{prefix}-1-slug": "vision",
            f"{prefix}-1-function": str(catalog[Function].pk),
            f"{prefix}-1-order": "2",
            f"{prefix}-1-role": str(role.pk),
        }
    )
    revisions_before = Revision.objects.count()

    response = editor_client.post(change_url(role), data)

    assert response.status_code == 302, form_errors(response)
    assert Revision.objects.count() == revisions_before + 1
    revision = versions_of(role)[0].revision
    assert revision.user.username == "edna"
    saved = {(v.content_type.model, v.object_id) for v in revision.version_set.all()}
    added = role.responsibilities.get(slug="vision")
    assert {("role", str(role.pk)), ("responsibility", str(duty.pk))} <= saved
    assert {("trait", str(trait.pk)), ("responsibility", str(added.pk))} <= saved

    response = revert(editor_client, role, before)

    assert response.status_code == 302, form_errors(response)
    role.refresh_from_db()
    duty.refresh_from_db()
    trait.refresh_from_db()
    assert role.summary == "Owns the product."
    assert duty.title == "Keeps the roadmap"
    assert trait.text == "What and why"
    assert not role.responsibilities.filter(slug="vision").exists()


def test_role_revert_brings_back_an_inline_row_deleted_since(editor_client, catalog):
    role, duty = catalog[Role], catalog[Responsibility]
    Responsibility.objects.filter(pk=duty.pk).update(updated=duty.updated.replace(year=2020))
    with reversion.create_revision():
        reversion.add_to_revision(role)  # a version of the role whose row says 2020
    before = versions_of(role)[0]
    page = editor_client.get(change_url(role))
    data = form_data(page)
    data[f"{inline_prefix(page, Responsibility)}-0-DELETE"] = "on"
    assert editor_client.post(change_url(role), data).status_code == 302
    assert not Responsibility.objects.filter(pk=duty.pk).exists()
    reverted_at = now_to_the_second()

    response = revert(editor_client, role, before)

    assert response.status_code == 302, form_errors(response)
    restored = Responsibility.objects.get(pk=duty.pk)
    assert (restored.title, restored.role_id) == ("Keeps the roadmap", role.pk)
    assert restored.updated >= reverted_at  # it changed now, whatever its old version said


def test_role_save_that_changes_key_functions_is_one_revision_and_reverts_them(
    editor_client, catalog
):
    role, planning = catalog[Role], catalog[Function]
    before = versions_of(role)[0]
    page = editor_client.get(change_url(role))
    data = form_data(page)
    data["key_functions"] = [str(planning.pk)]
    data["main_goal"] = "Manage the product, end to end."

    response = editor_client.post(change_url(role), data)

    assert response.status_code == 302, form_errors(response)
    assert len(versions_of(role)) == 2
    row = versions_of(role)[0]
    assert row.revision.user.username == "edna"
    assert row.field_dict["key_functions"] == [planning.pk]
    html = editor_client.get(reverse("admin:catalog_role_history", args=[role.pk])).content
    assert "<strong>Key functions:</strong> <del>Strategy</del>" in html.decode()

    response = revert(editor_client, role, before)

    assert response.status_code == 302, form_errors(response)
    role.refresh_from_db()
    assert role.main_goal == "Manage the product."
    assert list(role.key_functions.values_list("slug", flat=True)) == ["strategy"]


def test_collaboration_save_is_one_revision_and_reverting_restores_its_contributions(
    editor_client, catalog
):
    handoff, accountable, responsible = (
        catalog[Collaboration],
        catalog["accountable"],
        catalog[Contribution],
    )
    before = versions_of(handoff)[0]
    page = editor_client.get(change_url(handoff))
    data = form_data(page)
    prefix = inline_prefix(page, Contribution)
    data[f"{prefix}-{contribution_form_index(page, accountable)}-raci"] = "R"
    data[f"{prefix}-{contribution_form_index(page, responsible)}-raci"] = "A"
    data[f"{prefix}-{contribution_form_index(page, responsible)}-text"] = "Owns delivery."
    assert editor_client.post(change_url(handoff), data).status_code == 302
    revision = versions_of(handoff)[0].revision
    assert {v.object_id for v in revision.version_set.all()} >= {
        str(accountable.pk),
        str(responsible.pk),
    }

    response = revert(editor_client, handoff, before)

    assert response.status_code == 302, form_errors(response)
    accountable.refresh_from_db()
    responsible.refresh_from_db()
    assert (accountable.raci, responsible.raci) == ("A", "R")
    assert responsible.text == "Breaks it down."


def test_reverting_a_rename_keeps_the_newer_address_working(editor_client, client, catalog):
    role = catalog[Role]
    before = versions_of(role)[0]
    data = {**form_data(editor_client.get(change_url(role))), "slug": "product-lead"}
    assert editor_client.post(change_url(role), data).status_code == 302

    assert revert(editor_client, role, before).status_code == 302

    role.refresh_from_db()
    assert role.slug == "product-manager"
    response = client.get("/roles/product-lead/")
    assert (response.status_code, response["Location"]) == (301, "/roles/product-manager/")
    assert client.get("/roles/product-manager/").status_code == 200


def test_a_reverted_row_counts_as_changed_now(editor_client, catalog):
    duty = catalog[Responsibility]
    data = {**form_data(editor_client.get(change_url(duty))), "title": "Edited"}
    assert editor_client.post(change_url(duty), data).status_code == 302
    duty.refresh_from_db()
    edited_at = duty.updated
    Responsibility.objects.filter(pk=duty.pk).update(updated=edited_at.replace(year=2020))

    assert revert(editor_client, duty, versions_of(duty)[-1]).status_code == 302

    duty.refresh_from_db()
    assert duty.title == "Keeps the roadmap"
    assert duty.updated >= edited_at


def test_a_deleted_responsibility_can_be_recovered(editor_client, catalog):
    duty = catalog[Responsibility]
    delete_url = reverse("admin:catalog_responsibility_delete", args=[duty.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Responsibility.objects.filter(pk=duty.pk).exists()

    recover_list = editor_client.get(reverse("admin:catalog_responsibility_recoverlist"))
    assert recover_list.status_code == 200
    assert "Keeps the roadmap" in recover_list.content.decode()
    (deleted,) = Version.objects.get_deleted(Responsibility)
    url = reverse("admin:catalog_responsibility_recover", args=[deleted.pk])
    page = editor_client.get(url)
    assert page.status_code == 200

    response = editor_client.post(url, form_data(page))

    assert response.status_code == 302, form_errors(response)
    restored = Responsibility.objects.get(pk=duty.pk)
    assert restored.title == "Keeps the roadmap"


def test_a_deleted_role_is_recovered_with_its_inline_rows(editor_client, catalog):
    project = catalog["project"]
    with reversion.create_revision():
        make_trait(project, catalog[Dimension], text="How and when")
        reversion.add_to_revision(project)  # with the rows it follows, as an admin save would
    response = editor_client.post(
        reverse("admin:catalog_role_delete", args=[project.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Trait.objects.filter(text="How and when").exists()
    deleted = Version.objects.get_deleted(Role).get()
    url = reverse("admin:catalog_role_recover", args=[deleted.pk])

    response = editor_client.post(url, form_data(editor_client.get(url)))

    assert response.status_code == 302, form_errors(response)
    project = Role.objects.get(slug="project-manager")
    assert project.traits.get().text == "How and when"


def test_opening_a_revert_page_changes_nothing(editor_client, catalog):
    duty = catalog[Responsibility]
    data = {**form_data(editor_client.get(change_url(duty))), "title": "Edited"}
    editor_client.post(change_url(duty), data)
    version_number = CatalogVersion.objects.get(pk=1).number
    revisions = Revision.objects.count()

    page = editor_client.get(revision_url(duty, versions_of(duty)[-1]))

    assert page.status_code == 200
    assert 'value="Keeps the roadmap"' in page.content.decode()
    duty.refresh_from_db()
    assert duty.title == "Edited"
    assert CatalogVersion.objects.get(pk=1).number == version_number
    assert Revision.objects.count() == revisions


def test_first_revisions_do_not_move_the_catalog_version(catalog):
    number = CatalogVersion.objects.get(pk=1).number
    make_function("research")
    after_save = CatalogVersion.objects.get(pk=1).number
    assert after_save > number
    assert version_unversioned_records(CATALOG_LOADED) == 1
    assert version_unversioned_records(CATALOG_LOADED) == 0
    assert CatalogVersion.objects.get(pk=1).number == after_save


# --- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["admin:auth_user_changelist", "admin:auth_group_changelist"])
def test_editor_is_refused_users_and_groups(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


def test_editor_index_lists_catalog_content_only(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "Roles admin" in html
    assert reverse("admin:catalog_role_changelist") in html
    assert "/admin/auth/" not in html
    assert reverse("admin:catalog_contribution_changelist") in html


def test_editor_can_add_catalog_content(editor_client):
    response = editor_client.post(
        reverse("admin:catalog_function_add"),
        {"slug": "research", "name": "Research", "order": "3", "description": ""},
    )
    assert response.status_code == 302
    (version,) = Version.objects.get_for_object(Function.objects.get(slug="research"))
    assert version.revision.user.username == "edna"


def make_viewer(username: str) -> User:
    """Staff who may look at every catalog record but change none."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="catalog", codename__startswith="view_")
    )
    return user


def test_view_only_staff_can_read_a_revert_page_but_not_post_it(catalog, editor_client):
    duty = catalog[Responsibility]
    data = {**form_data(editor_client.get(change_url(duty))), "title": "Edited"}
    assert editor_client.post(change_url(duty), data).status_code == 302
    original = versions_of(duty)[-1]
    viewer = logged_in(make_viewer("vera"))
    url = revision_url(duty, original)
    page = viewer.get(url)
    assert page.status_code == 200
    revisions = Revision.objects.count()

    response = viewer.post(url, {**data, "title": "Keeps the roadmap"})

    assert response.status_code == 403
    duty.refresh_from_db()
    assert duty.title == "Edited"
    assert Revision.objects.count() == revisions


def test_view_only_staff_cannot_recover_a_deleted_record(catalog, editor_client):
    duty = catalog[Responsibility]
    delete_url = reverse("admin:catalog_responsibility_delete", args=[duty.pk])
    assert editor_client.post(delete_url, {"post": "yes"}).status_code == 302
    (deleted,) = Version.objects.get_deleted(Responsibility)
    viewer = logged_in(make_viewer("vera"))
    url = reverse("admin:catalog_responsibility_recover", args=[deleted.pk])

    assert viewer.get(url).status_code == 403
    assert viewer.post(url, {"title": "Keeps the roadmap"}).status_code == 403
    assert not Responsibility.objects.filter(pk=duty.pk).exists()


# --- one Accountable per collaboration -------------------------------------------------------


@pytest.mark.parametrize(
    ("letters", "found"),
    [({"accountable": "A", "responsible": "A"}, 2), ({"accountable": "R", "responsible": "R"}, 0)],
)
def test_collaboration_inline_needs_exactly_one_accountable(editor_client, catalog, letters, found):
    handoff = catalog[Collaboration]
    rows_before = Version.objects.get_for_model(Contribution).count()
    page = editor_client.get(change_url(handoff))
    data = form_data(page)
    prefix = inline_prefix(page, Contribution)
    for key, letter in letters.items():
        contribution = catalog[Contribution] if key == "responsible" else catalog[key]
        data[f"{prefix}-{contribution_form_index(page, contribution)}-raci"] = letter
    data["title"] = "Renamed while invalid"

    response = editor_client.post(change_url(handoff), data)

    assert response.status_code == 200
    message = (
        f"Exactly one role must be Accountable (A) for “Renamed while invalid”; found {found}."
    )
    assert message in form_errors(response)
    assert sorted(handoff.contributions.values_list("raci", flat=True)) == ["A", "R"]
    handoff.refresh_from_db()
    assert handoff.title == "Strategy to execution"
    assert Version.objects.get_for_model(Contribution).count() == rows_before


def test_collaboration_inline_moves_the_accountable_role_in_one_save(editor_client, catalog):
    handoff, accountable, responsible = (
        catalog[Collaboration],
        catalog["accountable"],
        catalog[Contribution],
    )
    page = editor_client.get(change_url(handoff))
    data = form_data(page)
    prefix = inline_prefix(page, Contribution)
    # The new A comes first in the form, so a naive save would briefly hold two A's.
    data[f"{prefix}-{contribution_form_index(page, accountable)}-raci"] = "R"
    data[f"{prefix}-{contribution_form_index(page, responsible)}-raci"] = "A"

    response = editor_client.post(change_url(handoff), data)

    assert response.status_code == 302, form_errors(response)
    accountable.refresh_from_db()
    responsible.refresh_from_db()
    assert (accountable.raci, responsible.raci) == ("R", "A")


def test_deleting_every_contribution_in_the_inline_is_refused(editor_client, catalog):
    handoff = catalog[Collaboration]
    page = editor_client.get(change_url(handoff))
    data = form_data(page)
    prefix = inline_prefix(page, Contribution)
    data[f"{prefix}-0-DELETE"] = "on"
    data[f"{prefix}-1-DELETE"] = "on"

    response = editor_client.post(change_url(handoff), data)

    assert response.status_code == 200
    assert "found 0" in form_errors(response)
    assert handoff.contributions.count() == 2


@pytest.mark.parametrize(
    ("target", "letter", "found"), [("responsible", "A", 2), ("accountable", "C", 0)]
)
def test_single_contribution_edit_keeps_one_accountable(
    editor_client, catalog, target, letter, found
):
    contribution = catalog[Contribution] if target == "responsible" else catalog["accountable"]
    before = contribution.raci
    page = editor_client.get(change_url(contribution))
    data = {**form_data(page), "raci": letter}

    response = editor_client.post(change_url(contribution), data)

    assert response.status_code == 200
    assert f"found {found}" in form_errors(response)
    contribution.refresh_from_db()
    assert contribution.raci == before


# --- a responsibility behind each R and A -----------------------------------------------------


@pytest.mark.parametrize(
    ("named", "message"),
    [
        (lambda catalog: [], "The Project manager is Responsible (R) here: name the"),
        (
            lambda catalog: [str(catalog[Responsibility].pk)],  # the product manager's
            "Not a responsibility of the Project manager: Keeps the roadmap.",
        ),
    ],
    ids=["none", "another-roles"],
)
def test_collaboration_inline_needs_the_rs_own_responsibility(
    editor_client, catalog, named, message
):
    handoff, responsible = catalog[Collaboration], catalog[Contribution]
    page = editor_client.get(change_url(handoff))
    data = form_data(page)
    key = f"{inline_prefix(page, Contribution)}-{contribution_form_index(page, responsible)}"
    data[f"{key}-responsibilities"] = named(catalog)

    response = editor_client.post(change_url(handoff), data)

    assert response.status_code == 200
    assert message in form_errors(response)
    assert list(responsible.responsibilities.values_list("slug", flat=True)) == ["break-down"]


def test_collaboration_inline_lets_a_consulted_role_name_no_responsibility(editor_client, catalog):
    handoff, responsible = catalog[Collaboration], catalog[Contribution]
    page = editor_client.get(change_url(handoff))
    data = form_data(page)
    key = f"{inline_prefix(page, Contribution)}-{contribution_form_index(page, responsible)}"
    data[f"{key}-raci"] = "C"
    data[f"{key}-responsibilities"] = []

    response = editor_client.post(change_url(handoff), data)

    assert response.status_code == 302, form_errors(response)
    assert not responsible.responsibilities.exists()


def test_single_contribution_edit_needs_a_responsibility_for_its_a(editor_client, catalog):
    accountable = catalog["accountable"]
    page = editor_client.get(change_url(accountable))
    data = {**form_data(page), "responsibilities": []}

    response = editor_client.post(change_url(accountable), data)

    assert response.status_code == 200
    assert "The Product manager is Accountable (A) here" in form_errors(response)


def test_single_contribution_cannot_take_its_a_to_another_collaboration(editor_client, catalog):
    accountable = catalog["accountable"]
    other = make_collaboration("launch")
    page = editor_client.get(change_url(accountable))
    data = {**form_data(page), "collaboration": str(other.pk)}

    response = editor_client.post(change_url(accountable), data)

    assert response.status_code == 200
    assert "“Strategy to execution” after this moves; found 0" in form_errors(response)


def test_deleting_the_accountable_contribution_alone_is_refused(editor_client, catalog):
    accountable = catalog["accountable"]
    url = reverse("admin:catalog_contribution_delete", args=[accountable.pk])

    response = editor_client.post(url, {"post": "yes"}, follow=True)

    assert Contribution.objects.filter(pk=accountable.pk).exists()
    assert "would be left without exactly one Accountable role" in response.content.decode()


def test_deleting_the_accountable_role_is_refused(editor_client, catalog):
    role = catalog[Role]
    url = reverse("admin:catalog_role_delete", args=[role.pk])

    response = editor_client.post(url, {"post": "yes"}, follow=True)

    assert Role.objects.filter(pk=role.pk).exists()
    assert "Strategy to execution would be left without" in response.content.decode()


def test_deleting_a_role_that_is_not_accountable_anywhere_works(editor_client, catalog):
    project = catalog["project"]
    url = reverse("admin:catalog_role_delete", args=[project.pk])

    response = editor_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Role.objects.filter(pk=project.pk).exists()


# --- stale edits -----------------------------------------------------------------------------


def test_stale_form_is_refused_and_keeps_the_other_editors_change(editor_client, catalog):
    duty = catalog[Responsibility]
    stale = form_data(editor_client.get(change_url(duty)))
    other = logged_in(make_editor("otto"))
    fresh = {**form_data(other.get(change_url(duty))), "title": "Otto's title"}
    assert other.post(change_url(duty), fresh).status_code == 302

    response = editor_client.post(change_url(duty), {**stale, "description": "Edna's text"})

    assert response.status_code == 200
    assert "Someone else saved this responsibility since you opened it" in form_errors(response)
    duty.refresh_from_db()
    assert (duty.title, duty.description) == ("Otto's title", "")


def test_role_page_with_a_stale_inline_row_is_refused_and_keeps_the_other_change(
    editor_client, catalog
):
    role, duty = catalog[Role], catalog[Responsibility]
    stale = form_data(editor_client.get(change_url(role)))
    duty.title = "Changed elsewhere"
    duty.save()

    # Edna only touches the summary, but her page still shows the old title in the inline row,
    # and saving it would put that old title back.
    response = editor_client.post(change_url(role), {**stale, "summary": "New summary."})

    assert response.status_code == 200
    assert "Someone else saved this responsibility since you opened it" in form_errors(response)
    duty.refresh_from_db()
    role.refresh_from_db()
    assert (duty.title, role.summary) == ("Changed elsewhere", "Owns the product.")


def test_rows_nobody_else_touched_do_not_block_a_save(editor_client, catalog):
    role, trait = catalog[Role], catalog[Trait]
    stale = form_data(editor_client.get(change_url(role)))
    other_role = catalog["project"]
    other_role.summary = "Changed elsewhere."
    other_role.save()

    response = editor_client.post(change_url(role), {**stale, "summary": "New summary."})

    assert response.status_code == 302, form_errors(response)
    trait.refresh_from_db()
    assert trait.text == "What and why"


def test_reverting_from_a_stale_revert_page_is_refused(editor_client, catalog):
    duty = catalog[Responsibility]
    data = {**form_data(editor_client.get(change_url(duty))), "title": "Edited"}
    assert editor_client.post(change_url(duty), data).status_code == 302
    revert_url = revision_url(duty, versions_of(duty)[-1])
    stale = form_data(editor_client.get(revert_url))
    duty.title = "Saved meanwhile"
    duty.save()

    response = editor_client.post(revert_url, stale)

    assert response.status_code == 200
    assert "Someone else saved this responsibility since you opened it" in form_errors(response)
    duty.refresh_from_db()
    assert duty.title == "Saved meanwhile"


def test_reverting_a_role_is_refused_if_an_inline_row_changed_since_the_page_opened(
    editor_client, catalog
):
    role, duty = catalog[Role], catalog[Responsibility]
    data = {**form_data(editor_client.get(change_url(role))), "summary": "Edited."}
    assert editor_client.post(change_url(role), data).status_code == 302
    revert_url = revision_url(role, versions_of(role)[-1])
    stale = form_data(editor_client.get(revert_url))
    duty.title = "Saved meanwhile"
    duty.save()

    response = editor_client.post(revert_url, stale)

    assert response.status_code == 200
    duty.refresh_from_db()
    role.refresh_from_db()
    assert (duty.title, role.summary) == ("Saved meanwhile", "Edited.")


# --- form errors, never a 500 ----------------------------------------------------------------


def test_duplicate_slug_is_a_form_error(editor_client, catalog):
    response = editor_client.post(
        reverse("admin:catalog_source_add"), {"slug": "seed", "title": "Again", "order": "0"}
    )
    assert response.status_code == 200
    assert "Source with this Slug already exists." in form_errors(response)


def test_duplicate_responsibility_slug_in_the_role_inline_is_a_form_error(editor_client, catalog):
    role = catalog[Role]
    page = editor_client.get(change_url(role))
    data = form_data(page)
    prefix = inline_prefix(page, Responsibility)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-title": "Another roadmap",
            f"{prefix}-1-slug": "roadmap",
            f"{prefix}-1-function": str(catalog[Function].pk),
            f"{prefix}-1-order": "1",
            f"{prefix}-1-role": str(role.pk),
        }
    )

    response = editor_client.post(change_url(role), data)

    assert response.status_code == 200
    assert "This role already has a responsibility with this slug." in form_errors(response)
    assert role.responsibilities.count() == 1


def test_second_trait_on_the_same_dimension_is_a_form_error(editor_client, catalog):
    response = editor_client.post(
        reverse("admin:catalog_trait_add"),
        {
            "role": str(catalog[Role].pk),
            "dimension": str(catalog[Dimension].pk),
            "text": "Something else",
        },
    )
    assert response.status_code == 200
    assert "This role already has a trait on this dimension." in form_errors(response)


# --- every page answers ----------------------------------------------------------------------

REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label == "catalog"),
    key=lambda model: model._meta.model_name,
)


def test_every_catalog_model_is_registered():
    names = {model._meta.model_name for model in REGISTERED}
    assert names == {
        "source",
        "function",
        "role",
        "roleslugredirect",
        "responsibility",
        "knowledgearea",
        "roleknowledge",
        "dimension",
        "trait",
        "lifecyclestage",
        "stageinvolvement",
        "collaboration",
        "contribution",
        "pairing",
        "antipattern",
        "certification",
        "occupationcode",
        "rolelevel",
        "rolemove",
    }


def relation_fields(response) -> list[tuple[str, bool]]:
    """Every posted name that carries ids (foreign keys, many-to-many), main form and inlines."""
    found = []
    forms = [response.context["adminform"].form]
    for inline in response.context.get("inline_admin_formsets", []):
        forms.extend(inline.formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if isinstance(field, ModelMultipleChoiceField):
                found.append((form.add_prefix(name), True))
            elif isinstance(field, ModelChoiceField) and not isinstance(field.widget, HiddenInput):
                found.append((form.add_prefix(name), False))
    return found


WITH_RELATIONS = [
    model
    for model in REGISTERED
    if any(field.is_relation and field.concrete for field in model._meta.get_fields())
    or model in {Collaboration}  # its contributions' roles, in the inline
]


# Not a number, and SQL ("abc" and "1.5" meet the same refusal), and a number that names nothing
# (as "-1" does): each posted in every field that carries ids.
@pytest.mark.parametrize("junk", ["1 OR 1=1", "99999999"])
@pytest.mark.parametrize("model", WITH_RELATIONS, ids=lambda model: model._meta.model_name)
def test_junk_ids_in_any_posted_field_are_form_errors(superuser_client, catalog, model, junk):
    obj = catalog[model]
    page = superuser_client.get(change_url(obj))
    fields = relation_fields(page)
    assert fields
    for name, many in fields:
        data = {**form_data(page), name: [junk] if many else junk}

        response = superuser_client.post(change_url(obj), data)

        assert response.status_code == 200, (name, junk)
        assert "errorlist" in response.content.decode(), (name, junk)


def test_admin_index_groups_models_by_purpose_in_plain_words(editor_client):
    html = editor_client.get(reverse("admin:index")).content.decode()
    headings = ["Roles and what they do", "Comparing roles", "Working together", "Sources"]
    positions = [html.index(f">{heading}<") for heading in headings]
    assert positions == sorted(positions)
    assert "Each role&#x27;s part in an activity" in html
    assert ">Role knowledge<" not in html


def test_role_form_has_text_boxes_sized_to_the_text_and_help_on_slugs(superuser_client, catalog):
    role = catalog[Role]
    role.description = "A line.\n" * 30
    role.save()
    form = superuser_client.get(change_url(role)).context["adminform"].form
    html = str(form["summary"])
    assert html.startswith("<textarea") and 'rows="2"' in html
    assert 'rows="14"' in str(form["description"])
    assert "breaks links" in form.fields["slug"].help_text
    assert "Lower comes first" in form.fields["order"].help_text


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.model_name)
def test_changelist_add_change_and_history_pages_answer(superuser_client, catalog, model):
    opts = model._meta
    obj = catalog[model]
    urls = [
        reverse(f"admin:catalog_{opts.model_name}_changelist"),
        reverse(f"admin:catalog_{opts.model_name}_add"),
        change_url(obj),
        reverse(f"admin:catalog_{opts.model_name}_history", args=[obj.pk]),
    ]
    if reversion.is_registered(model):
        urls.append(revision_url(obj, versions_of(obj)[0]))
        urls.append(reverse(f"admin:catalog_{opts.model_name}_recoverlist"))
    for url in urls:
        assert superuser_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.model_name)
def test_changelist_search_and_every_filter_choice_answer(superuser_client, catalog, model):
    url = reverse(f"admin:catalog_{model._meta.model_name}_changelist")
    for query in ["roadmap", "product", "%", "' OR 1=1 --", "x" * 500]:
        assert superuser_client.get(url, {"q": query}).status_code == 200, query

    changelist = superuser_client.get(url).context["cl"]
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            response = superuser_client.get(url + choice["query_string"])
            assert response.status_code == 200, choice["query_string"]


def test_unknown_filter_values_do_not_500(superuser_client, catalog):
    url = reverse("admin:catalog_responsibility_changelist")
    query = urlencode({"role__id__exact": "not-a-number"})
    assert superuser_client.get(f"{url}?{query}").status_code in {200, 302}


@pytest.mark.parametrize(
    "path",
    [
        "role/abc/history/",
        "role/1/history/abc/",
        "role/abc/history/1/",
        "role/999/history/",
        "role/1/history/99999/",
        "role/recover/abc/",
        "role/recover/99999/",
        "role/recover/1/",  # a version of a role that was never deleted
    ],
)
def test_history_urls_with_bad_ids_are_404(superuser_client, catalog, path):
    assert superuser_client.get(f"/admin/catalog/{path}").status_code == 404


@pytest.mark.parametrize(
    "query", ["role=product-manager", "role=1", "key_functions=1,x", "role=", "nonsense=1"]
)
def test_add_page_prefill_from_the_query_string_never_500s(superuser_client, catalog, query):
    for model in ["roleslugredirect", "responsibility", "role"]:
        url = reverse(f"admin:catalog_{model}_add")
        assert superuser_client.get(f"{url}?{query}").status_code == 200, (model, query)


def test_add_page_keeps_a_valid_prefill(superuser_client, catalog):
    url = reverse("admin:catalog_responsibility_add")
    response = superuser_client.get(f"{url}?role={catalog[Role].pk}")
    assert response.context["adminform"].form.initial["role"] == str(catalog[Role].pk)


def test_admin_pages_carry_the_strict_csp(editor_client, catalog):
    response = editor_client.get(change_url(catalog[Role]))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_view_on_site_for_models_with_pages(superuser_client, catalog):
    html = superuser_client.get(change_url(catalog[Role])).content.decode()
    assert "View on site" in html
    html = superuser_client.get(change_url(catalog[Function])).content.decode()
    assert "View on site" not in html
