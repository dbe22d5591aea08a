"""The catalog-version row, and the Editors group: change catalog content, nothing else."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITABLE_MODELS = [
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
]


def forwards(apps, schema_editor):
    CatalogVersion = apps.get_model("catalog", "CatalogVersion")
    CatalogVersion.objects.get_or_create(pk=1, defaults={"number": 1})

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.set(
        Permission.objects.filter(
            content_type__app_label="catalog", content_type__model__in=EDITABLE_MODELS
        )
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
