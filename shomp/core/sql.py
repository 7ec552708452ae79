"""Queries that run on (nearly) every request, compiled by the ORM once per process.

Building a queryset's filters and compiling its SQL costs far more than running a small query:
1 to 2.5 ms for a multi-join page query (the cart's lines, a thread's messages), a few ms for the
door's membership conditions. Where such a query differs between requests only in a few ids,
`Precompiled` builds it once with a marker value for each id, compiles it, remembers where the
markers sit among the SQL's parameters, and on every call puts the caller's ids there. The SQL
is still the ORM's, nothing is written by hand, and the rows come back through the ORM's own
iterable (models, select_related, annotations and prefetches as the queryset would give them).

Only for filters on plain values that always take a parameter (ids, uuids): never None (`IS
NULL` is other SQL) and never lists (`IN` grows).

    _cart_items = Precompiled(lambda cart_id: CartItem.objects.filter(cart_id=cart_id)..., cart_id=int)
    items = _cart_items(cart_id=cart.pk)                    # the list the queryset would give
    cursor.execute(*_on_any_team.sql(user_id=user.pk))      # or its SQL and parameters
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from threading import Lock
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

# Values no row has, standing for the caller's: big negative ids, a fixed uuid.
_INT_MARK = -7_340_000_000_000
_UUID_MARK = uuid.UUID("3f6b3f6b-0000-4000-8000-5e7713e15e71")
_KINDS = (int, uuid.UUID)


class Precompiled:
    """`Precompiled(build, name=int, ...)`: `build(**values)` returns the queryset; each keyword
    names one of its arguments and its type (int or uuid.UUID)."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        if not kinds or any(kind not in _KINDS for kind in kinds.values()):
            raise TypeError(f"Precompiled takes int or uuid.UUID arguments, not {kinds!r}.")
        self._build = build
        self._kinds = kinds
        self._compiled: dict[tuple[str, str], tuple] = {}
        self._model: type[Model] | None = None
        self._lock = Lock()

    def __call__(self, **values: Any) -> list:
        """The rows the queryset would give for `values`, as a list: evaluated at once, since a
        queryset whose SQL is fixed must not be filtered further."""
        queryset, compiler, sql, params = self._filled(values)
        compiler = copy.copy(compiler)
        compiler.connection = connections[queryset.db]  # this thread's connection
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        run = queryset._chain()
        run.query.get_compiler = lambda using=None, connection=None, elide_empty=True: compiler
        return list(run)

    def sql(self, **values: Any) -> tuple[str, list[Any]]:
        """The queryset's SQL and parameters for `values` (for a cursor, or a RawSQL subquery)."""
        _queryset, _compiler, sql, params = self._filled(values)
        return sql, params

    def _filled(self, values: dict[str, Any]) -> tuple[QuerySet, Any, str, list[Any]]:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"Precompiled takes {sorted(self._kinds)}, given {sorted(values)}.")
        for name, value in values.items():
            if not isinstance(value, self._kinds[name]) or isinstance(value, bool):
                raise TypeError(f"{name} must be a {self._kinds[name].__name__}, not {value!r}.")
        queryset, compiler, sql, params, places = self._compile()
        filled = list(params)
        for index, name, as_hex in places:
            filled[index] = values[name].hex if as_hex else values[name]
        return queryset, compiler, sql, filled

    def _compile(self) -> tuple:
        if self._model is None:
            self._model = self._build(**self._marks()).model
        alias = router.db_for_read(self._model)  # as the queryset's .db would choose
        key = (alias, connections[alias].vendor)
        if (compiled := self._compiled.get(key)) is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile_for(alias)
                self._compiled[key] = compiled
        return compiled

    def _marks(self) -> dict[str, Any]:
        marks: dict[str, Any] = {}
        for offset, (name, kind) in enumerate(self._kinds.items()):
            marks[name] = _INT_MARK - offset if kind is int else uuid.UUID(int=_UUID_MARK.int + offset)
        return marks

    def _compile_for(self, alias: str) -> tuple:
        marks = self._marks()
        queryset = self._build(**marks).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # also sets up the select and related models' columns
        places, found = [], set()
        for index, param in enumerate(params):
            for name, mark in marks.items():
                if param == mark or (isinstance(mark, uuid.UUID) and param == mark.hex):
                    places.append((index, name, isinstance(param, str)))
                    found.add(name)
        if found != set(marks):
            # A value folded into the SQL text or dropped: the query would not follow the caller.
            missing = sorted(set(marks) - found)
            raise ValueError(f"The query built by {self._build!r} has no parameter for {missing}.")
        return queryset, compiler, sql, tuple(params), places
