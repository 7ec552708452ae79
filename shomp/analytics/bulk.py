"""Fast inserts of many analytics rows: COPY on PostgreSQL, one prepared executemany elsewhere.

`bulk_create` compiles SQL for every row (about 0.25 ms a row here); rollups of many days, the
demo's 90 days and the benchmark's millions go through here instead. `insert` takes unsaved
model instances, `insert_values` plain tuples in the order of the named fields (no model
instance at all: the benchmark's millions). Primary keys are not set afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from django.db import connection, models

CHUNK = 5000


def _converter(field: models.Field):
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def columns(model: type[models.Model]) -> list[str]:
    """The attribute names `insert` writes: every concrete field but the automatic primary key."""
    return [field.attname for field in model._meta.concrete_fields if not isinstance(field, models.AutoField)]


def insert(model: type[models.Model], rows: Iterable[models.Model]) -> int:
    """Insert unsaved `rows` of `model`; returns how many. Call inside a transaction for all-or-nothing."""
    names = columns(model)
    return insert_values(model, names, (tuple(getattr(row, name) for name in names) for row in rows))


def insert_values(model: type[models.Model], names: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert tuples of values for the fields `names` (attribute names) of `model`."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    converters = [_converter(field) for field in fields]
    needs_conversion = connection.vendor != "postgresql" and any(converters)
    table = connection.ops.quote_name(model._meta.db_table)
    sql_columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    rows = iter(rows)
    count = 0
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, CHUNK)):
            if connection.vendor == "postgresql":  # psycopg adapts datetimes and decimals itself
                with cursor.cursor.copy(f"COPY {table} ({sql_columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                if needs_conversion:
                    chunk = [
                        tuple(
                            convert(value) if convert else value for value, convert in zip(row, converters, strict=True)
                        )
                        for row in chunk
                    ]
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({sql_columns}) VALUES ({marks})", chunk)  # noqa: S608
            count += len(chunk)
    return count
