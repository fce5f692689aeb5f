"""One-row inserts on the hottest write path (intake: case, event, audit row) without the ORM's per-call query
compilation.

``Model.save()`` builds and compiles an ``INSERT`` for every row; on intake that compilation cost more than the
database's own work (profile in docs/performance.md). ``insert`` keeps everything else of a save that the rows
on this path use — field defaults and ``pre_save`` (e.g. ``auto_now_add``), every field's own conversion to the
database value (JSON, datetimes, decimals), the primary key set on the instance, the instance marked as saved —
and caches the statement per model and database vendor. A value that is already what the database takes (a
``str`` for a plain text field, an ``int`` for an integer field or a foreign key to one, a ``bool``, or ``None``
for any of these) is passed as it is; every other value goes through its field's ``get_db_prep_save``. It sends no
``pre_save``/``post_save`` signals (the house style uses none for business logic) and does not run the model's
own ``save()``: use it only for models whose ``save()`` adds nothing to an insert (append-only guards are for
updates).
"""

from __future__ import annotations

from django.db import connections, models, router

#: field classes whose database value is the Python value itself when it has this type (exact classes only: a
#: subclass may convert differently)
_PASSTHROUGH: dict[type[models.Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.SmallAutoField: int,
    models.BooleanField: bool,
}
_PLAIN_PRE_SAVE = {models.Field.pre_save, models.DateField.pre_save, models.DateTimeField.pre_save}

Column = tuple[str, type | None, bool, models.Field]  # attname, pass-through type, needs pre_save, field

_STATEMENTS: dict[tuple[type[models.Model], str, bool], tuple[str, list[Column]]] = {}


def _column(field: models.Field) -> Column:
    target = field.target_field if field.is_relation else field
    passthrough = _PASSTHROUGH.get(type(target))
    plain = (
        type(field).pre_save in _PLAIN_PRE_SAVE
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    )
    return field.attname, passthrough, not plain, field


def _statement(model: type[models.Model], connection, with_pk: bool) -> tuple[str, list[Column]]:
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
        _STATEMENTS[key] = (sql, [_column(field) for field in fields])
    return _STATEMENTS[key]


def _params(instance: models.Model, columns: list[Column], connection) -> list:
    params = []
    append = params.append
    values = instance.__dict__
    for attname, passthrough, needs_pre_save, field in columns:
        if needs_pre_save:
            value = field.pre_save(instance, True)
        else:
            value = values[attname] if attname in values else getattr(instance, attname)
            if passthrough is not None and (value is None or type(value) is passthrough):
                append(value)
                continue
        append(field.get_db_prep_save(value, connection))
    return params


class Prepared:
    """A row's ``INSERT`` with its parameters converted, ready to run later (e.g. inside a short transaction).

    ``set`` changes a column after preparing (a key known only once another row is inserted); pass a value the
    database takes as it is (an ``int``, a ``str``). ``execute`` inserts the row and sets the instance's key."""

    __slots__ = ("instance", "alias", "sql", "params", "_positions", "_with_pk")

    def __init__(
        self, instance: models.Model, alias: str, sql: str, params: list, columns: list[Column], with_pk: bool
    ):
        self.instance, self.alias, self.sql, self.params, self._with_pk = instance, alias, sql, params, with_pk
        self._positions = {column[0]: index for index, column in enumerate(columns)}

    def set(self, attname: str, value) -> None:
        setattr(self.instance, attname, value)
        self.params[self._positions[attname]] = value

    def execute(self, cursor=None) -> models.Model:
        instance = self.instance
        connection = connections[self.alias]
        if cursor is None:
            with connection.cursor() as cursor:
                return self.execute(cursor)
        cursor.execute(self.sql, self.params)
        if not self._with_pk:
            pk_field = instance._meta.pk
            if connection.features.can_return_columns_from_insert:
                value = cursor.fetchone()[0]
            else:
                value = connection.ops.last_insert_id(cursor, instance._meta.db_table, pk_field.column)
            setattr(instance, pk_field.attname, value)
        instance._state.adding = False
        instance._state.db = self.alias
        return instance


def prepare(instance: models.Model, *, using: str | None = None) -> Prepared:
    """The ``INSERT`` of ``instance`` as a new row (see ``insert``), to run later with ``Prepared.execute``.

    The primary key is part of the statement when the instance has one now (``set`` can change it)."""
    model = type(instance)
    alias = using or router.db_for_write(model, instance=instance)
    connection = connections[alias]
    with_pk = getattr(instance, model._meta.pk.attname) is not None
    sql, columns = _statement(model, connection, with_pk)
    return Prepared(instance, alias, sql, _params(instance, columns, connection), columns, with_pk)


def insert(instance: models.Model, *, using: str | None = None) -> models.Model:
    """Insert ``instance`` as a new row (like ``save(force_insert=True)``) and set its primary key."""
    return prepare(instance, using=using).execute()
