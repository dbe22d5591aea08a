"""The catalog's rules: natural keys, validation, renamed slugs, content version."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import (
    CatalogVersion,
    Collaboration,
    Contribution,
    Dimension,
    Function,
    Raci,
    Role,
    RoleSlugRedirect,
    check_one_accountable,
)
from tests.factories import (
    build_responsibility,
    build_role,
    build_trait,
    make_catalog,
    make_function,
    make_role,
    make_trait,
)

pytestmark = pytest.mark.django_db


def test_every_model_round_trips_through_its_natural_key():
    make_catalog(roles=3)
    from django.apps import apps

    for model in apps.get_app_config("catalog").get_models():
        if model is CatalogVersion or model._meta.model_name.startswith("historical"):
            continue
        for obj in model._default_manager.all():
            key = obj.natural_key()
            assert all(isinstance(part, str) for part in key)
            assert model._default_manager.get_by_natural_key(*key) == obj


def test_a_third_role_gets_the_same_treatment():
    roles = make_catalog(roles=3)
    third = Role.objects.with_page().get(slug=roles[2].slug)
    assert third.responsibilities.all()
    assert third.traits.all()
    assert [r.slug for r in Role.objects.for_comparison("role-2", "role-0")] == [
        "role-2",
        "role-0",
    ]


def test_role_slugs_are_unique():
    make_role("pm", name="PM", summary="s", main_goal="g")
    duplicate = build_role("pm", name="Other", summary="s", main_goal="g")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "slug" in error.value.message_dict


def test_responsibility_slugs_are_unique_per_role_only():
    a, b = make_catalog(roles=2)
    function = Function.objects.first()
    copy = build_responsibility(a, function, "duty-0", title="Again")
    with pytest.raises(ValidationError, match="already has a responsibility with this slug"):
        copy.full_clean()
    build_responsibility(b, function, "new-duty", title="Fine").full_clean()


def test_a_trait_is_unique_per_role_and_dimension():
    role = make_catalog(roles=1)[0]
    dimension = Dimension.objects.first()
    with pytest.raises(ValidationError, match="already has a trait on this dimension"):
        build_trait(role, dimension, text="second").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_trait(role, dimension, text="second")


def test_exactly_one_accountable_per_collaboration():
    check_one_accountable(["A", "R", "C"])
    with pytest.raises(ValidationError, match="found 0"):
        check_one_accountable(["R", "C"])
    with pytest.raises(ValidationError, match="found 2"):
        check_one_accountable(["A", "A"])


def test_a_second_accountable_is_refused_by_validation_and_database():
    _, b = make_catalog(roles=2)
    activity = Collaboration.objects.first()
    second = Contribution.objects.get(collaboration=activity, role=b)
    second.raci = Raci.ACCOUNTABLE
    with pytest.raises(ValidationError, match="already Accountable"):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_renaming_a_role_remembers_its_old_slug():
    role = make_role("old-name", name="Role", summary="s", main_goal="g")
    role.slug = "new-name"
    role.save()
    assert RoleSlugRedirect.objects.get(old_slug="old-name").role == role
    role.slug = "old-name"
    role.save()
    # Renaming back frees the slug again: no redirect may shadow a live role.
    assert not RoleSlugRedirect.objects.filter(old_slug="old-name").exists()
    assert RoleSlugRedirect.objects.get(old_slug="new-name").role == role


def test_saving_content_moves_the_catalog_version_on():
    before = CatalogVersion.objects.get(pk=1).number
    role = make_role("pm", name="PM", summary="s", main_goal="g")
    after_create = CatalogVersion.objects.get(pk=1).number
    role.key_functions.add(make_function("f", name="F"))
    after_m2m = CatalogVersion.objects.get(pk=1).number
    role.delete()
    after_delete = CatalogVersion.objects.get(pk=1).number
    assert before < after_create < after_m2m < after_delete
