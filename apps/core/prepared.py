"""Reads whose SQL is compiled by the ORM once per process, then executed with each call's values.

Building a queryset and compiling it costs far more than running it: on this project's small tables a read of a
unit's schedule takes about 0.8 ms of ORM work for 0.03 ms in the database. The hottest reads of the citizens'
pages (the header's home unit, the slot picker's availability, the directory) therefore keep their SQL: the
queryset is still written with the ORM (one source of truth for tables, joins and lookups), built once with
stand-in values, compiled, and the stand-ins' places among the parameters remembered. A call binds its own values
there, runs the statement through the connection's cursor (so query logging, counting and execute wrappers see
it), and converts the columns with the ORM's own converters.

Only for querysets whose SQL shape does not depend on the values: no `None` (it becomes IS NULL), no lists (`__in`
expands one parameter per item), no branching on a value in the builder. Settings read by the builder are baked in
at the first call; a builder that depends on a setting must be chosen per setting by its caller.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from django.core.signals import setting_changed
from django.db import connections
from django.db.models import QuerySet

# Stand-ins must stay inside every integer field's range: Django drops a comparison that an out-of-range value
# makes always true or false (a compiled statement would then lack the parameter; _compile refuses that).
_INT_BASE = 30_001
_STR_PREFIX = "\x1fprepared-value-"


class PreparedRead:
    """`PreparedRead(build, unit=int, day=date)`: `build(unit=…, day=…)` returns a queryset; calling the
    PreparedRead with the same keywords returns its rows: tuples (or values, flat) for a `values_list` queryset,
    else model instances (with their annotations as attributes; no select_related)."""

    KINDS = (int, str, date, datetime)

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        for name, kind in kinds.items():
            if kind not in self.KINDS:
                raise TypeError(f"{name}: a prepared value is an int, str, date or datetime, not {kind!r}")
        self.build = build
        self.kinds = kinds
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def __call__(self, *, using: str = "default", **values: Any) -> list:
        if values.keys() != self.kinds.keys():
            raise TypeError(f"expected values for {sorted(self.kinds)}, got {sorted(values)}")
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key) or self._compile(using)
                self._compiled[key] = compiled
        return compiled.run(connection, values)

    def _stand_ins(self) -> dict[str, Any]:
        stand_ins = {}
        for i, (name, kind) in enumerate(self.kinds.items()):
            if kind is int:
                stand_ins[name] = _INT_BASE + i
            elif kind is str:
                stand_ins[name] = f"{_STR_PREFIX}{i}"
            elif kind is datetime:
                stand_ins[name] = datetime(1901, 1, 1, 0, 0, i, 123457, tzinfo=UTC)
            else:
                stand_ins[name] = date(1901, 2, 1 + i)
        return stand_ins

    def _compile(self, using: str) -> _Compiled:
        connection = connections[using]
        stand_ins = self._stand_ins()
        queryset = self.build(**stand_ins)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        adapted = {name: _adapt(connection, self.kinds[name], value) for name, value in stand_ins.items()}
        slots: list[tuple[str, type] | None] = []
        seen = set()
        for param in params:
            # A driver may wrap a value (psycopg's Int2 for a small integer field): matched as its base type, and
            # each call's value is wrapped the same way.
            name = next((n for n, v in adapted.items() if isinstance(param, type(v)) and param == v), None)
            slots.append(None if name is None else (name, type(param)))
            if name is not None:
                seen.add(name)
        missing = set(self.kinds) - seen
        if missing:
            raise ValueError(f"values {sorted(missing)} do not appear as parameters of the compiled SQL: {sql}")
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        iterable = queryset._iterable_class.__name__
        if iterable in ("ValuesListIterable", "FlatValuesListIterable"):
            query = queryset.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            wanted = list(queryset._fields) or names
            shape = ("flat" if iterable == "FlatValuesListIterable" else "tuple", [names.index(n) for n in wanted])
        elif iterable != "ModelIterable":
            raise ValueError(f"a prepared read returns tuples (values_list) or model instances, not {iterable}")
        else:
            info = compiler.klass_info
            if info is None or info.get("related_klass_infos"):
                raise ValueError("a prepared read of model instances cannot select related rows")
            positions = info["select_fields"]
            shape = (
                "model",
                queryset.model,
                [compiler.select[i][0].target.attname for i in positions],
                positions,
                list(compiler.annotation_col_map.items()),
            )
        return _Compiled(
            sql=sql,
            params=list(params),
            slots=slots,
            kinds=self.kinds,
            compiler=compiler,
            converters=converters,
            shape=shape,
            using=using,
        )


def _adapt(connection, kind: type, value):
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value(value)
    if kind is date:
        return connection.ops.adapt_datefield_value(value)
    return value


def _wrapped(kind: type, value):
    return value if type(value) is kind else kind(value)


class _Compiled:
    def __init__(self, *, sql, params, slots, kinds, compiler, converters, shape, using):
        self.sql, self.params, self.slots, self.kinds = sql, params, slots, kinds
        self.compiler, self.converters, self.shape, self.using = compiler, converters, shape, using
        # A values_list read's columns in the caller's order: one C call per row (operator.itemgetter), or none
        # when the statement already selects them in that order.
        self._pick = None
        if shape[0] == "tuple":
            order = shape[1]
            if order != list(range(compiler.col_count)):
                self._pick = itemgetter(*order) if len(order) > 1 else (lambda row, i=order[0]: (row[i],))

    def run(self, connection, values: dict[str, Any]) -> list:
        adapted = {name: _adapt(connection, self.kinds[name], value) for name, value in values.items()}
        params = [
            p if slot is None else _wrapped(slot[1], adapted[slot[0]])
            for p, slot in zip(self.params, self.slots, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = [row[: self.compiler.col_count] for row in cursor.fetchall()]
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        if self.shape[0] == "flat":
            index = self.shape[1][0]
            return [row[index] for row in rows]
        if self.shape[0] == "tuple":
            if self._pick is not None:
                return [self._pick(row) for row in rows]
            return rows if not self.converters else [tuple(row) for row in rows]  # converters return lists
        _kind, model, attnames, positions, annotations = self.shape
        first, last = positions[0], positions[-1] + 1
        objects = []
        for row in rows:
            obj = model.from_db(self.using, attnames, row[first:last])
            for name, position in annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


# --- What a process built from rows it reads on every call --------------------------------------------------------
class BuiltFromRows:
    """A value (a block of HTML) this process built from rows read on every request, per key (the language): the
    rows are still read each time, and while they equal the rows of the last build for that key, that build is
    returned instead of being made again. Only for values that depend on nothing but the rows and the key (the
    words come from the translation catalogs, fixed while a process runs): a change to the rows, made on any web
    node, shows at the next request, with or without a cache. Forgotten when a setting changes (tests)."""

    def __init__(self):
        self._last: dict[str, tuple[Any, Any]] = {}
        setting_changed.connect(self._forget, weak=False)

    def _forget(self, **kwargs) -> None:
        self._last.clear()

    def get(self, key: str, rows: Any, build: Callable[[Any], Any]) -> Any:
        last = self._last.get(key)
        if last is not None and last[0] == rows:
            return last[1]
        value = build(rows)
        self._last[key] = (rows, value)
        return value


# --- Statements PostgreSQL plans once per connection ------------------------------------------------------------
def statement_cursor(using: str = "default"):
    """A cursor for hand-written hot statements (booking's locks, counts and writes): on PostgreSQL their
    parameters are bound by the server and each statement is prepared on its first run in a connection, so later
    runs skip PostgreSQL's parsing and planning (for the booking counts, more of the database's time than running
    them). Use it like `connection.cursor()`: query logging, counting and execute wrappers see every statement.

    Elsewhere Django keeps binding parameters in the client (ClientCursor, never prepared). Preparing needs the
    connection's `prepare_threshold` set (settings: DATABASE_PREPARE_THRESHOLD); when it is unset (a pooler in
    transaction mode that keeps no prepared statements), or on another database, this is `connection.cursor()`.
    A statement's SQL must not vary with its values (one prepared statement per distinct text).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw_connection = connection.connection
    if getattr(raw_connection, "prepare_threshold", None) is None:
        return connection.cursor()
    with connection.wrap_database_errors:
        raw = _statement_cursor_class()(raw_connection)
    return connection._prepare_cursor(raw)  # the same wrapping as connection.cursor(): debug logging, wrappers


_CURSOR_CLASS = None


def _statement_cursor_class():
    global _CURSOR_CLASS
    if _CURSOR_CLASS is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=True, binary=None):
                return super().execute(query, params, prepare=prepare, binary=binary)

            def _send_query_prepared(self, name, query, **kwargs):
                # psycopg keeps no query text for a prepared run; Django's query logging reads it from `_query`
                # (the SQL with $1… placeholders: values are not logged). tests/appointments/test_booking_cost.py
                self._query = query
                return super()._send_query_prepared(name, query, **kwargs)

        _CURSOR_CLASS = PreparingCursor
    return _CURSOR_CLASS
