"""Move from django-simple-history to django-reversion, converting the history kept so far.

Each simple-history row becomes a reversion version of that record; rows saved by the same
editor within the same second (one admin save: a role and its inline rows) become one revision.
Past versions of a role keep their key functions; its sources were not tracked before, so past
versions carry today's. Then the historical tables are dropped, and the public log gets its table.
"""

import json
from collections import defaultdict

import django.db.models.deletion
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

TRACKED = [
    "source",
    "function",
    "role",
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


def convert_history(apps, schema_editor):
    Revision = apps.get_model("reversion", "Revision")
    Version = apps.get_model("reversion", "Version")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    key_functions = defaultdict(list)
    for row in apps.get_model("catalog", "HistoricalRole_key_functions").objects.using(db):
        key_functions[row.history_id].append(row.function_id)
    role_sources = defaultdict(list)
    for role in apps.get_model("catalog", "Role").objects.using(db).prefetch_related("sources"):
        role_sources[role.pk] = [source.pk for source in role.sources.all()]

    saves = defaultdict(dict)  # (second, user) -> {(model, id): version fields}
    for name in TRACKED:
        model = apps.get_model("catalog", name)
        content_type, _ = ContentType.objects.using(db).get_or_create(app_label="catalog", model=name)
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        for row in apps.get_model("catalog", f"historical{name}").objects.using(db).order_by(
            "history_date", "history_id"
        ):
            data = {f.name: getattr(row, f.attname) for f in fields}
            if name == "role":
                data["key_functions"] = key_functions[row.history_id]
                data["sources"] = role_sources.get(row.id, [])
            serialized = json.dumps(
                [{"model": f"catalog.{name}", "pk": row.id, "fields": data}], cls=DjangoJSONEncoder
            )
            label = getattr(row, "title", None) or getattr(row, "name", None) or row.id
            key = (row.history_date.replace(microsecond=0), row.history_user_id)
            saves[key][(name, row.id)] = dict(
                content_type=content_type,
                object_id=str(row.id),
                db=db,
                format="json",
                serialized_data=serialized,
                object_repr=str(label)[:191],
                reason=row.history_change_reason or "",
            )
    for (when, user_id), versions in sorted(saves.items(), key=lambda item: item[0][0]):
        reasons = {v.pop("reason") for v in versions.values()} - {""}
        revision = Revision.objects.using(db).create(
            date_created=when, user_id=user_id, comment="; ".join(sorted(reasons))
        )
        Version.objects.using(db).bulk_create(
            Version(revision=revision, **fields) for fields in versions.values()
        )



class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0003_updated_to_the_second'),
        ('reversion', '0002_add_index_on_version_for_content_type_and_db'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(convert_history, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='historicalcontribution',
            name='collaboration',
        ),
        migrations.RemoveField(
            model_name='historicalcontribution',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalcontribution',
            name='role',
        ),
        migrations.RemoveField(
            model_name='historicaldimension',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalfunction',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalknowledgearea',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalknowledgearea',
            name='source',
        ),
        migrations.RemoveField(
            model_name='historicallifecyclestage',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicallifecyclestage',
            name='source',
        ),
        migrations.RemoveField(
            model_name='historicalresponsibility',
            name='function',
        ),
        migrations.RemoveField(
            model_name='historicalresponsibility',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalresponsibility',
            name='role',
        ),
        migrations.RemoveField(
            model_name='historicalresponsibility',
            name='source',
        ),
        migrations.RemoveField(
            model_name='historicalrole',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalrole_key_functions',
            name='history',
        ),
        migrations.RemoveField(
            model_name='historicalrole_key_functions',
            name='function',
        ),
        migrations.RemoveField(
            model_name='historicalrole_key_functions',
            name='role',
        ),
        migrations.RemoveField(
            model_name='historicalroleknowledge',
            name='area',
        ),
        migrations.RemoveField(
            model_name='historicalroleknowledge',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalroleknowledge',
            name='role',
        ),
        migrations.RemoveField(
            model_name='historicalroleknowledge',
            name='source',
        ),
        migrations.RemoveField(
            model_name='historicalsource',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalstageinvolvement',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalstageinvolvement',
            name='role',
        ),
        migrations.RemoveField(
            model_name='historicalstageinvolvement',
            name='source',
        ),
        migrations.RemoveField(
            model_name='historicalstageinvolvement',
            name='stage',
        ),
        migrations.RemoveField(
            model_name='historicaltrait',
            name='dimension',
        ),
        migrations.RemoveField(
            model_name='historicaltrait',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicaltrait',
            name='role',
        ),
        migrations.RemoveField(
            model_name='historicaltrait',
            name='source',
        ),
        migrations.CreateModel(
            name='Change',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('added', 'Added'), ('changed', 'Changed'), ('loaded', 'Catalog loaded')], max_length=10)),
                ('kind', models.CharField(help_text='What sort of record, e.g. responsibility.', max_length=80)),
                ('record', models.CharField(help_text="The record's name when it changed.", max_length=300)),
                ('url', models.CharField(blank=True, max_length=500)),
                ('fields', models.JSONField(default=list, help_text='[{field, before, after}] in form order.')),
                ('revision', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='reversion.revision')),
                ('role', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='changes', to='catalog.role')),
            ],
            options={
                'ordering': ['revision', 'pk'],
            },
        ),
        migrations.DeleteModel(
            name='HistoricalCollaboration',
        ),
        migrations.DeleteModel(
            name='HistoricalContribution',
        ),
        migrations.DeleteModel(
            name='HistoricalDimension',
        ),
        migrations.DeleteModel(
            name='HistoricalFunction',
        ),
        migrations.DeleteModel(
            name='HistoricalKnowledgeArea',
        ),
        migrations.DeleteModel(
            name='HistoricalLifecycleStage',
        ),
        migrations.DeleteModel(
            name='HistoricalResponsibility',
        ),
        migrations.DeleteModel(
            name='HistoricalRole',
        ),
        migrations.DeleteModel(
            name='HistoricalRole_key_functions',
        ),
        migrations.DeleteModel(
            name='HistoricalRoleKnowledge',
        ),
        migrations.DeleteModel(
            name='HistoricalSource',
        ),
        migrations.DeleteModel(
            name='HistoricalStageInvolvement',
        ),
        migrations.DeleteModel(
            name='HistoricalTrait',
        ),
    ]
