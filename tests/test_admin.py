"""The editors' admin: history with who and what, revert, permissions, RACI rule, stale edits."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from catalog.models import (
    Collaboration,
    Contribution,
    Dimension,
    Function,
    KnowledgeArea,
    LifecycleStage,
    Responsibility,
    Role,
    RoleKnowledge,
    RoleSlugRedirect,
    Source,
    StageInvolvement,
    Trait,
)

PASSWORD = "a-long-test-password-91"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Real logins, without a deliberately slow hash for every test user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- data and users --------------------------------------------------------------------------


def build_catalog() -> dict:
    """One of everything: two roles, each item kind, one collaboration with its A and R."""
    source = Source.objects.create(slug="seed", title="Seed document", publisher="Us")
    strategy = Function.objects.create(slug="strategy", name="Strategy", order=1)
    planning = Function.objects.create(slug="planning", name="Planning", order=2)
    product = Role.objects.create(
        slug="product-manager",
        name="Product manager",
        summary="Owns the product.",
        main_goal="Manage the product.",
        order=1,
    )
    project = Role.objects.create(
        slug="project-manager",
        name="Project manager",
        summary="Owns the project.",
        main_goal="Finish on time.",
        order=2,
    )
    product.key_functions.set([strategy])
    duty = Responsibility.objects.create(
        role=product, function=strategy, slug="roadmap", title="Keeps the roadmap"
    )
    duty.citations.create(source=source, locator="Section 1")
    area = KnowledgeArea.objects.create(slug="market", name="Market knowledge")
    area.citations.create(source=source, locator="Section 2")
    knowledge = RoleKnowledge.objects.create(role=product, area=area, level="essential")
    dimension = Dimension.objects.create(slug="key-question", name="Key question")
    trait = Trait.objects.create(role=product, dimension=dimension, text="What and why")
    stage = LifecycleStage.objects.create(slug="conceive", name="Conceive")
    involvement = StageInvolvement.objects.create(role=product, stage=stage, level="leads")
    handoff = Collaboration.objects.create(slug="handoff", title="Strategy to execution")
    accountable = Contribution.objects.create(
        collaboration=handoff, role=product, raci="A", text="Owns the plan."
    )
    responsible = Contribution.objects.create(
        collaboration=handoff, role=project, raci="R", text="Breaks it down."
    )
    redirect = RoleSlugRedirect.objects.create(old_slug="product-owner", role=product)
    return {
        Source: source,
        Function: planning,
        Role: product,
        RoleSlugRedirect: redirect,
        Responsibility: duty,
        KnowledgeArea: area,
        RoleKnowledge: knowledge,
        Dimension: dimension,
        Trait: trait,
        LifecycleStage: stage,
        StageInvolvement: involvement,
        Collaboration: handoff,
        Contribution: responsible,
        "accountable": accountable,
        "project": project,
    }


@pytest.fixture
def catalog() -> dict:
    return build_catalog()


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


# --- history: who, what, revert --------------------------------------------------------------


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
    assert "<strong>Title:</strong> <del>Keeps the roadmap</del>" in html
    assert "<ins>Owns the product roadmap</ins>" in html

    original = duty.history.earliest()
    revert_url = reverse(
        "admin:catalog_responsibility_simple_history", args=[duty.pk, original.history_id]
    )
    revert_page = editor_client.get(revert_url)
    assert revert_page.status_code == 200
    assert "Revert" in revert_page.content.decode()

    response = editor_client.post(revert_url, {**form_data(revert_page), "_save": "Revert"})

    assert response.status_code == 302, form_errors(response)
    duty.refresh_from_db()
    assert duty.title == "Keeps the roadmap"
    latest = duty.history.latest()
    assert latest.history_user.username == "edna"
    assert latest.title == "Keeps the roadmap"


def test_inline_edit_on_the_role_page_records_history_with_the_editor(editor_client, catalog):
    role, duty = catalog[Role], catalog[Responsibility]
    page = editor_client.get(change_url(role))
    data = form_data(page)
    prefix = inline_prefix(page, Responsibility)
    data[f"{prefix}-0-title"] = "Creates and maintains the roadmap"

    response = editor_client.post(change_url(role), data)

    assert response.status_code == 302, form_errors(response)
    latest = duty.history.latest()
    assert latest.title == "Creates and maintains the roadmap"
    assert latest.history_user.username == "edna"
    assert latest.history_type == "~"


def test_role_save_that_changes_key_functions_is_one_history_row_and_reverts_them(
    editor_client, catalog
):
    role, planning = catalog[Role], catalog[Function]
    before = role.history.latest()
    page = editor_client.get(change_url(role))
    data = form_data(page)
    data["key_functions"] = [str(planning.pk)]
    data["main_goal"] = "Manage the product, end to end."

    response = editor_client.post(change_url(role), data)

    assert response.status_code == 302, form_errors(response)
    new_rows = role.history.filter(history_date__gt=before.history_date)
    assert new_rows.count() == 1
    row = new_rows.get()
    assert row.history_user.username == "edna"
    assert [f.function_id for f in row.key_functions.all()] == [planning.pk]
    html = editor_client.get(reverse("admin:catalog_role_history", args=[role.pk])).content
    assert "Key functions:" in html.decode()

    revert_url = reverse("admin:catalog_role_simple_history", args=[role.pk, before.history_id])
    revert_page = editor_client.get(revert_url)
    response = editor_client.post(revert_url, {**form_data(revert_page), "_save": "Revert"})

    assert response.status_code == 302, form_errors(response)
    role.refresh_from_db()
    assert role.main_goal == "Manage the product."
    assert list(role.key_functions.values_list("slug", flat=True)) == ["strategy"]


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
    assert Function.objects.get(slug="research").history.get().history_user.username == "edna"


# --- one Accountable per collaboration -------------------------------------------------------


@pytest.mark.parametrize(
    ("letters", "found"),
    [({"accountable": "A", "responsible": "A"}, 2), ({"accountable": "R", "responsible": "R"}, 0)],
)
def test_collaboration_inline_needs_exactly_one_accountable(editor_client, catalog, letters, found):
    handoff = catalog[Collaboration]
    rows_before = Contribution.history.count()
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
    assert Contribution.history.count() == rows_before


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


def test_single_contribution_cannot_take_its_a_to_another_collaboration(editor_client, catalog):
    accountable = catalog["accountable"]
    other = Collaboration.objects.create(slug="launch", title="Launch")
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
    original = duty.history.earliest()
    revert_url = reverse(
        "admin:catalog_responsibility_simple_history", args=[duty.pk, original.history_id]
    )
    stale = form_data(editor_client.get(revert_url))
    duty.title = "Saved meanwhile"
    duty.save()

    response = editor_client.post(revert_url, {**stale, "_save": "Revert"})

    assert response.status_code == 200
    duty.refresh_from_db()
    assert duty.title == "Saved meanwhile"


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
    }


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
    if hasattr(model, "history"):
        record = obj.history.latest()
        urls.append(
            reverse(f"admin:catalog_{opts.model_name}_simple_history", args=[obj.pk, record.pk])
        )
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
    "path", ["role/abc/history/", "role/1/history/abc/", "role/abc/history/1/", "role/999/history/"]
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
