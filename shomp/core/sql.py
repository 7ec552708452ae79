"""Queries that run on (nearly) every request, compiled by the ORM once per process.

Building and compiling a queryset costs far more than running a small query: a few milliseconds
for the door's membership conditions, a fraction of one for a one-table lookup. Where such a
query differs between requests only in one id (the user's), `PrecompiledQuery` compiles it once
per database with a marker in that id's place and fills the real id into the parameters on
every call. The SQL is still the ORM's: nothing here is written by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

#: An id no row has: where the caller's id goes in the compiled SQL's parameters.
MARK = -7_340_032_911


class PrecompiledQuery:
    """`build(MARK)` compiled once per database alias; `sql(value)` gives its SQL and parameters
    with `value` wherever the queryset used the mark.

        _on_any_team = PrecompiledQuery(lambda user_id: Membership.objects.filter(user_id=user_id)[:1])
        with connection.cursor() as cursor:
            cursor.execute(*_on_any_team.sql(user.pk))
    """

    def __init__(self, build: Callable[[int], QuerySet]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str], tuple[str, tuple[Any, ...], tuple[int, ...]]] = {}

    def sql(self, value: int, *, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list[Any]]:
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"PrecompiledQuery fills in an integer id, not {value!r}")
        # Keyed by vendor too: tests (and a settings change) can point an alias at another engine.
        key = (using, connections[using].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        sql, params, slots = compiled
        values = list(params)
        for slot in slots:
            values[slot] = value
        return sql, values

    def _compile(self, using: str) -> tuple[str, tuple[Any, ...], tuple[int, ...]]:
        queryset = self._build(MARK)
        sql, params = queryset.query.get_compiler(using=using).as_sql()
        slots = tuple(i for i, param in enumerate(params) if param == MARK)
        if not slots:
            # The id was folded into the SQL text or dropped: the query would ignore the caller.
            raise ValueError(f"The query built by {self._build!r} has no parameter for the id it was given.")
        return sql, tuple(params), slots
