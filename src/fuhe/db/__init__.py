"""One-row inserts on the hottest write path (intake: case, event, audit row) without the ORM's per-call query
compilation.

``Model.save()`` builds and compiles an ``INSERT`` for every row; on intake that compilation cost more than the
database's own work (profile in docs/performance.md). ``insert`` keeps everything else of a save that the rows
on this path use — field defaults and ``pre_save`` (e.g. ``auto_now_add``), every field's own conversion to the
database value (JSON, datetimes, decimals), the primary key set on the instance, the instance marked as saved —
and caches the statement per model and database vendor. It sends no ``pre_save``/``post_save`` signals (the house
style uses none for business logic) and does not run the model's own ``save()``: use it only for models whose
``save()`` adds nothing to an insert (append-only guards are for updates).
"""

from __future__ import annotations

from django.db import connections, models, router

_STATEMENTS: dict[tuple[type[models.Model], str, bool], tuple[str, list[models.Field]]] = {}


def _statement(model: type[models.Model], connection, with_pk: bool) -> tuple[str, list[models.Field]]:
    key = (model, connection.vendor, with_pk)
    if key not in _STATEMENTS:
        meta = model._meta
        fields = [field for field in meta.local_concrete_fields if with_pk or field is not meta.pk]
        quote = connection.ops.quote_name
        returning = ""
        if not with_pk and connection.features.can_return_columns_from_insert:
            returning = f" RETURNING {quote(meta.pk.column)}"
        columns = ", ".join(quote(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}){returning}"  # noqa: S608
        _STATEMENTS[key] = (sql, fields)
    return _STATEMENTS[key]


def insert(instance: models.Model, *, using: str | None = None) -> models.Model:
    """Insert ``instance`` as a new row (like ``save(force_insert=True)``) and set its primary key."""
    model = type(instance)
    alias = using or router.db_for_write(model, instance=instance)
    connection = connections[alias]
    pk_field = model._meta.pk
    with_pk = getattr(instance, pk_field.attname) is not None
    sql, fields = _statement(model, connection, with_pk)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if not with_pk:
            if connection.features.can_return_columns_from_insert:
                value = cursor.fetchone()[0]
            else:
                value = connection.ops.last_insert_id(cursor, model._meta.db_table, pk_field.column)
            setattr(instance, pk_field.attname, value)
    instance._state.adding = False
    instance._state.db = alias
    return instance
