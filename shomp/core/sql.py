"""Queries that run on (nearly) every request, compiled by the ORM once per process.

Building a queryset's filters and compiling its SQL costs far more than running a small query:
1 to 2.5 ms for a multi-join page query (the cart's lines, a thread's messages), a few ms for the
door's membership conditions. Where such a query differs between requests only in a few ids,
`Precompiled` builds it once with a marker value for each id, compiles it, remembers where the
markers sit among the SQL's parameters, and on every call puts the caller's ids there. The SQL
is still the ORM's, nothing is written by hand, and the rows come back through the ORM's own
iterable (models, select_related, annotations and prefetches as the queryset would give them).

Only for filters on plain values that always take a parameter (ids, uuids, slugs, moments):
never None (`IS NULL` is other SQL) and never lists (`IN` grows). A value the ORM would change
on its way into the SQL (a `__contains` pattern, a lowered string) leaves no marker to find, and
the query is refused rather than run with the marker.

    _cart_items = Precompiled(lambda cart_id: CartItem.objects.filter(cart_id=cart_id)..., cart_id=int)
    items = _cart_items(cart_id=cart.pk)                    # the list the queryset would give
    cursor.execute(*_on_any_team.sql(user_id=user.pk))      # or its SQL and parameters
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from threading import Lock
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet

# Values no row has, standing for the caller's: big negative ids, a fixed uuid, a string no
# slug can hold, a moment long past.
_INT_MARK = -7_340_000_000_000
_UUID_MARK = uuid.UUID("3f6b3f6b-0000-4000-8000-5e7713e15e71")
_STR_MARK = "\x00shomp-precompiled-{offset}\x00"
_MOMENT_MARK = datetime(1901, 2, 3, 4, 5, 6, 123456, tzinfo=UTC)
_KINDS = (int, uuid.UUID, str, datetime)

# How a caller's value goes where its marker's parameter was: as it is, as a uuid's hex (SQLite
# stores uuids as text), or as the database's own form of a moment (SQLite: text in UTC).
_AS_IS, _AS_HEX, _AS_MOMENT = "as is", "hex", "moment"


class Precompiled:
    """`Precompiled(build, name=int, ...)`: `build(**values)` returns the queryset; each keyword
    names one of its arguments and its type (int, uuid.UUID, str, or datetime: an aware one).
    Without arguments, a query that is the same for everyone: `build` must then read nothing
    that changes (the clock, the settings), as it is built once."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type) -> None:
        if any(kind not in _KINDS for kind in kinds.values()):
            raise TypeError(f"Precompiled takes int, uuid.UUID, str or datetime arguments, not {kinds!r}.")
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
            if isinstance(value, datetime) and value.tzinfo is None:
                raise TypeError(f"{name} must be an aware datetime, not {value!r}.")
        queryset, compiler, sql, params, places = self._compile()
        filled = list(params)
        for index, name, form in places:
            value = values[name]
            if form == _AS_HEX:
                value = value.hex
            elif form == _AS_MOMENT:
                value = connections[queryset.db].ops.adapt_datetimefield_value(value)
            filled[index] = value
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
            if kind is int:
                marks[name] = _INT_MARK - offset
            elif kind is uuid.UUID:
                marks[name] = uuid.UUID(int=_UUID_MARK.int + offset)
            elif kind is str:
                marks[name] = _STR_MARK.format(offset=offset)
            else:
                marks[name] = _MOMENT_MARK.replace(second=offset % 60, minute=offset // 60)
        return marks

    def _compile_for(self, alias: str) -> tuple:
        marks = self._marks()
        queryset = self._build(**marks).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()  # also sets up the select and related models' columns
        _remember_converters(compiler)
        ops = connections[alias].ops
        forms = {}  # each marker as the SQL's parameters may hold it -> (name, how to fill it)
        for name, mark in marks.items():
            forms[_key(mark)] = (name, _AS_IS)
            if isinstance(mark, uuid.UUID):
                forms[_key(mark.hex)] = (name, _AS_HEX)
            elif isinstance(mark, datetime):
                forms[_key(ops.adapt_datetimefield_value(mark))] = (name, _AS_MOMENT)
        places, found = [], set()
        for index, param in enumerate(params):
            if (place := forms.get(_key(param))) is not None:
                places.append((index, *place))
                found.add(place[0])
        if found != set(marks):
            # A value folded into the SQL text or dropped: the query would not follow the caller.
            missing = sorted(set(marks) - found)
            raise ValueError(f"The query built by {self._build!r} has no parameter for {missing}.")
        return queryset, compiler, sql, tuple(params), places


def _remember_converters(compiler) -> None:
    """The compiler's converters (how each column's value comes back from the database: dates,
    decimals, booleans), worked out on its first run and kept: the ORM works them out anew on
    every run (a tenth of a thread page), and for SQL that never changes they never do. Django
    hands each converter the connection of the run, so a converter kept serves every thread."""
    work_out = compiler.get_converters
    kept: dict[tuple[int, ...], dict] = {}

    def get_converters(expressions):
        key = tuple(map(id, expressions))
        if (converters := kept.get(key)) is None:
            converters = kept[key] = work_out(expressions)
        return converters

    compiler.get_converters = get_converters


def set_prefetched(instance: Model, name: str, rows: list) -> None:
    """Leave `rows` on `instance` as `prefetch_related(name)` would (Django's own cache: the
    relation's queryset with its results filled in), so that `instance.<name>.all()` answers
    them without a query: for rows read by a Precompiled query rather than a prefetch, whose
    queryset the ORM builds anew on every call. `name` is the relation's accessor; the caller
    sets each row's link back to `instance` if it reads it."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


IDS = "ids"  # PrecompiledIn's kind
_AS_BUILT = object()  # a shape PrecompiledIn runs through the ORM for a list of ids, an `IN (...)`


class PrecompiledIn:
    """`Precompiled` for a query that also takes lists of ids (`__in`): compiled once per number
    of ids in each list, as an `IN (...)` of n ids is other SQL than one of n + 1.
    `PrecompiledIn(build, store_ids=IDS, at=datetime)`: `build(store_ids=[...], at=...)` gets each
    list deduplicated and sorted. A list longer than `most`, a shape past the `shapes` remembered,
    or one whose SQL can't be written (an empty list the build kept as `__in=[]`) is run as built:
    the ORM answers `__in=[]` with no query."""

    def __init__(self, build: Callable[..., QuerySet], *, most: int = 64, shapes: int = 512, **kinds: Any) -> None:
        self._build = build
        self._kinds = kinds
        self._most = most
        self._room = shapes
        self._lists = [name for name, kind in kinds.items() if kind == IDS]
        self._compiled: dict[tuple[int, ...], Precompiled] = {}
        self._lock = Lock()

    def __call__(self, **values: Any) -> list:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"PrecompiledIn takes {sorted(self._kinds)}, given {sorted(values)}.")
        values = {name: sorted(set(values[name])) if name in self._lists else value for name, value in values.items()}
        shape = tuple(len(values[name]) for name in self._lists)
        query = self._compiled.get(shape)
        if query is None:
            if max(shape, default=0) > self._most or len(self._compiled) >= self._room:
                return list(self._build(**values))
            with self._lock:
                query = self._compiled.get(shape) or self._for(shape)
                self._compiled[shape] = query
        if query is _AS_BUILT:
            return list(self._build(**values))
        flat = {}
        for name, value in values.items():
            if name in self._lists:
                flat.update({f"{name}__{index}": one for index, one in enumerate(value)})
            else:
                flat[name] = value
        try:
            return query(**flat)
        except EmptyResultSet:  # `__in=[]` kept in: no SQL, and no row can match
            self._compiled[shape] = _AS_BUILT
            return list(self._build(**values))

    def _for(self, shape: tuple[int, ...]) -> Precompiled:
        counts = dict(zip(self._lists, shape, strict=True))
        kinds: dict[str, type] = {}
        for name, kind in self._kinds.items():
            if name in counts:
                kinds.update({f"{name}__{index}": int for index in range(counts[name])})
            else:
                kinds[name] = kind

        def build(**flat: Any) -> QuerySet:
            values = {name: flat[name] for name in self._kinds if name not in counts}
            for name, count in counts.items():
                values[name] = [flat[f"{name}__{index}"] for index in range(count)]
            return self._build(**values)

        return Precompiled(build, **kinds)


def _key(value: Any) -> tuple[type, Any] | None:
    """A parameter as a dictionary key: its type too (1 == 1.0 == True), None if unhashable."""
    try:
        hash(value)
    except TypeError:
        return None
    return (type(value), value)
