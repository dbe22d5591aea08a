"""Rows made once and written again: what a catalog builder or `load_catalog` writes, kept
after one run in a rolled-back transaction, then inserted as they were for each test that
wants them, in milliseconds instead of the builder's tens or hundreds of milliseconds.

`catalog_builder` makes a factory of tests/factories.py work that way whenever the database
holds no catalog records yet (the state every builder was written for); otherwise the factory
simply runs. Either way the test gets the same rows and freshly read records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Case, F, Value, When
from django.db.models.sql import InsertQuery


@dataclass(frozen=True, eq=False)
class Rows:
    """Every row a piece of code wrote, by table, and the content types they point at."""

    tables: list[list[models.Model]]
    content_types: dict[int, tuple[str, str]]  # id when read -> (app label, model)


def kept_by_counter(model: type[models.Model]) -> bool:
    """The catalog version row is a counter every content save moves, not content: it is
    never copied (a transactional test's flush may have removed it; migrate makes it)."""
    return model._meta.label == "catalog.CatalogVersion"


def capture[T](build: Callable[[], T]) -> tuple[Rows, T]:
    """Run `build` in a transaction, keep every row it wrote, and roll it back."""
    with transaction.atomic():
        every_model = [
            model
            for model in apps.get_models(include_auto_created=True)
            if not kept_by_counter(model)
        ]
        before = {
            model: set(model._base_manager.values_list("pk", flat=True)) for model in every_model
        }
        result = build()
        tables = [
            rows
            for model in every_model
            if (rows := list(model._base_manager.exclude(pk__in=before[model]).order_by("pk")))
        ]
        content_types = {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}
        transaction.set_rollback(True)
    return Rows(tables, content_types), result


def insert_rows(rows: Rows) -> None:
    """Write the rows again, as they were.

    A transactional test's flush makes the content types again under new ids; references to
    them (each revision's versions) are moved to the ids they have now, once the rows are in.
    """
    moved = {
        old: new
        for old, key in rows.content_types.items()
        if (new := ContentType.objects.get_by_natural_key(*key).pk) != old
    }
    # One commit: foreign keys are checked once every row is in and its references moved.
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement, params in insert_statements(rows):
                cursor.execute(statement, params)
        for table in rows.tables if moved else ():
            model = type(table[0])
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model is ContentType:
                    name = field.attname
                    ids = [When(**{name: old}, then=Value(new)) for old, new in moved.items()]
                    model._base_manager.filter(pk__range=(table[0].pk, table[-1].pk)).update(
                        **{name: Case(*ids, default=F(name), output_field=field.target_field)}
                    )
    tables = [type(table[0]) for table in rows.tables]
    with connection.cursor() as cursor:  # PostgreSQL: move the id sequences past the rows
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)


_insert_statements: dict[tuple, list[tuple[str, tuple]]] = {}


def insert_statements(rows: Rows) -> list[tuple[str, tuple]]:
    """The INSERT statements that write the rows, made once per process: making them (every
    value of every row through its field's get_db_prep_save) took most of the time inserting
    the seed took, and the same rows make the same statements."""
    key = (id(rows), connection.alias, connection.vendor)
    if key not in _insert_statements:
        _insert_statements[key] = [
            statement for table in rows.tables for statement in table_inserts(table)
        ]
    return _insert_statements[key]


def table_inserts(table: list[models.Model]) -> list[tuple[str, tuple]]:
    """One table's rows, raw as loaddata saves them: no field's pre_save, so `updated` keeps
    the fixtures' times."""
    model = type(table[0])
    fields = model._meta.concrete_fields
    size = connection.ops.bulk_batch_size(fields, table) or len(table)
    statements = []
    for start in range(0, len(table), size):
        query = InsertQuery(model)
        query.insert_values(fields, table[start : start + size], raw=True)
        statements += query.get_compiler(connection=connection).as_sql()
    return statements


# --- catalog builders ----------------------------------------------------------------------


def no_catalog_yet() -> bool:
    """True while the database holds no catalog record and no revision: the state a catalog
    builder starts from, so its rows are the same whenever it runs in it."""
    from reversion.models import Revision

    catalog = apps.get_app_config("catalog").get_models()
    return not any(
        model._base_manager.exists() for model in (*catalog, Revision) if not kept_by_counter(model)
    )


def _shape(value: Any) -> Any:
    """The builder's result with each record replaced by (model, pk)."""
    if isinstance(value, models.Model):
        return ("record", type(value), value.pk)
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_shape(item) for item in value)
    return value


def _read(shape: Any) -> Any:
    """The builder's result again, each record read fresh from the database."""
    if isinstance(shape, tuple) and len(shape) == 3 and shape[0] == "record":
        return shape[1]._base_manager.get(pk=shape[2])
    if isinstance(shape, dict):
        return {key: _read(item) for key, item in shape.items()}
    if isinstance(shape, list | tuple):
        return type(shape)(_read(item) for item in shape)
    return shape


_built: dict[tuple, tuple[Rows, Any]] = {}


def catalog_builder[**P, T](build: Callable[P, T]) -> Callable[P, T]:
    """`build`, run once per process for each set of arguments and its rows inserted again on
    every later call that starts from an empty catalog (and run as it is otherwise)."""

    @wraps(build)
    def built(*args: P.args, **kwargs: P.kwargs) -> T:
        from catalog.signals import bump_catalog_version

        if not no_catalog_yet():
            return build(*args, **kwargs)
        key = (build.__qualname__, args, tuple(sorted(kwargs.items())), connection.vendor)
        if key not in _built:
            rows, result = capture(lambda: build(*args, **kwargs))
            _built[key] = (rows, _shape(result))
        rows, shape = _built[key]
        insert_rows(rows)
        bump_catalog_version()  # as the builder's own saves did
        return _read(shape)

    return built
