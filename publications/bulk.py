"""Writing many new rows fast: PostgreSQL's COPY, with ids taken from the table's sequence first
so the caller knows them (COPY returns nothing), and the audit-history rows written the same way.

Django's bulk_create compiles one INSERT with a placeholder per value; for the tens of thousands
of values of an import batch that compilation, not the database, is most of the time. COPY
streams the rows instead. Statement triggers (the data version) fire for COPY as for INSERT.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, models
from django.utils import timezone


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys from the model's identity sequence."""
    if not count:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


# Fields whose stored value is the attribute's value as it stands (psycopg adapts str, int, bool,
# date and datetime itself): for these the row skips Django's per-value preparation, which was a
# third of an import batch's Python time. Exact classes only: a subclass may normalise (DOIField).
PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.FloatField,
    models.ForeignKey,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
)


def value_reader(field: models.Field) -> Callable[[models.Model], object]:
    """How COPY reads the field's value from an unsaved instance, as save() would."""
    if type(field) in PLAIN_FIELDS:
        return operator.attrgetter(field.attname)
    if type(field) in (models.DateField, models.DateTimeField) and not (
        field.auto_now or field.auto_now_add
    ):
        return operator.attrgetter(field.attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, add=True), connection)


def copy_create(model: type[models.Model], objects: list[models.Model]) -> None:
    """Inserts unsaved instances with COPY and gives them their primary keys. Field defaults
    and auto_now(_add) values are applied as save() would; no signals are sent."""
    if not objects:
        return
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    pk = model._meta.pk
    for obj, new_id in zip(objects, allocate_ids(model, len(objects)), strict=True):
        setattr(obj, pk.attname, new_id)
    readers = [value_reader(field) for field in fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # The raw psycopg cursor's errors as Django's (DataError, IntegrityError…), as every other
    # statement raises them: the importer catches those to fail a record alone.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row([read(obj) for read in readers])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def copy_create_with_history(
    model: type[models.Model], objects: list[models.Model], *, user=None
) -> None:
    """copy_create, then one "+" (created) audit-history row per object, as django-simple-
    history's bulk_create_with_history writes them (change reason from `_change_reason`)."""
    copy_create(model, objects)
    history = model.history.model
    now = timezone.now()
    user_id = user.pk if user is not None else None
    # Rows as values, not history instances: the values are the saved objects' own, already in
    # database form, and instantiating a model per row costs more than writing it.
    tracked = [field.attname for field in history.tracked_fields]
    read = operator.attrgetter(*tracked)
    copy_rows(
        history,
        [*tracked, "history_date", "history_user_id", "history_change_reason", "history_type"],
        (
            (*read(obj), now, user_id, getattr(obj, "_change_reason", "") or "", "+")
            for obj in objects
        ),
    )


def copy_rows_with_history(
    model: type[models.Model], columns: list[str], rows: list[tuple], *, user=None
) -> None:
    """copy_rows of whole rows (ids included, in `columns` order), then one "+" audit-history
    row for each: for rows many enough that even instantiating them is the slow part."""
    history = model.history.model
    if sorted(field.attname for field in history.tracked_fields) != sorted(columns):
        raise ValueError(f"{model.__name__} history needs every tracked field: {columns}")
    copy_rows(model, columns, rows)
    now = timezone.now()
    user_id = user.pk if user is not None else None
    copy_rows(
        history,
        [*columns, "history_date", "history_user_id", "history_change_reason", "history_type"],
        ((*row, now, user_id, "", "+") for row in rows),
    )


def copy_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY of plain value tuples into the named columns (ids from the table's default); the
    fastest path when the caller has the values already in database form."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with (
        connection.wrap_database_errors,  # as in copy_create
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


@contextmanager
def foreign_keys_checked_at_the_end(model: type[models.Model]) -> Iterator[None]:
    """Drops the table's foreign keys for a large load and adds them back after it, so each is
    checked once over the whole table (one join) rather than by a trigger per row. Inside a
    transaction, so nothing else sees the table without them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        keys = cursor.fetchall()
        for name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for name, definition in keys:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )
