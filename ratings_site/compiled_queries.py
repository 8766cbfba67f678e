"""One-row ORM queries compiled once and run many times: the hot path's reads (issue 24), and the raw SQL's quoting.

On the rating loop's requests, building and compiling a QuerySet cost about 0.3-0.5 ms of Python per query, several
times the query itself (benchmarks/request_path_profile.py). `OneRowQuery` keeps the ORM's own SQL, the converters of
its columns (SQLite's datetimes and UUIDs, JSON) and its making of model instances (select_related and annotations
included), taken from its compiler once per database connection, so the answer is exactly what the QuerySet would
give; only its building is skipped. Used for the key's rater (api.authentication), the session's rater
(raters.backends), the rater's lock (ratings.limits) and the image rated (ratings.views, api.rating_views).

Both it and the flood count (ratings.limits, a COUNT over a union, not a row) compile their QuerySet with stand-in
values and then put each call's own values in their places among the parameters: `compile_with_stand_ins` does
that once for both, and `compile_proven` compiles twice with different stand-ins to prove that the SQL depends on
the values only there (the flood count's kinds come from other apps, so it checks rather than trusts them).

The hot path's raw statements (kudos.services, raters.limits_store, ratings.services, ratings.selectors) quote their
tables and columns with `quote`, `quoted_table` and `quoted_column`: the ORM's own quoting on this engine, in one place.

It relies on the compiler's internals (`select`, `klass_info`, `get_related_populators`) of the pinned Django 5.2 LTS;
tests/test_compiled_one_row_queries_answer_as_the_orm_does.py compares its answers with the ORM's on both engines.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query import get_related_populators


def quote(name: str) -> str:
    """A table's or a column's name quoted for raw SQL as the ORM quotes it on the default database's engine.

    The one quoting rule of the raw statements. Each call reads the default connection (about 1-3 us): build a hot
    statement once per engine (cached by `connection.vendor`, as kudos.services and raters.limits_store do), not on
    every request."""
    return connection.ops.quote_name(name)


def quoted_table(model: type[models.Model]) -> str:
    """The model's table, quoted for raw SQL."""
    return quote(model._meta.db_table)


def quoted_column(model: type[models.Model], field: str) -> str:
    """The column of the model's `field` ("pk": its primary key), quoted for raw SQL."""
    meta = model._meta
    return quote((meta.pk if field == "pk" else meta.get_field(field)).column)


class OneRowQuery:
    """A one-row ORM query that the ORM builds and compiles once per database connection, then runs with new values
    (the module's docstring says why).

    `build(**values)` returns the QuerySet (sliced to one row); each value named in `slots` must appear in it once,
    as an exact lookup on the field given for it (e.g. `public_id=Image._meta.get_field("public_id")`), and is never
    None when run (the ORM would write `IS NULL`). The query is compiled with stand-in values, and the place of each
    in the SQL's parameters is found and checked then (ImproperlyConfigured otherwise, on the first call).
    """

    def __init__(self, build: Callable[..., models.QuerySet], **slots: models.Field):
        self.build = build
        self.slots = slots
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, _Compiled] = WeakKeyDictionary()

    def get(self, **values: Any) -> models.Model | None:
        db = connections[DEFAULT_DB_ALIAS]  # this thread's connection: each compiles its own (its converters)
        compiled = self._compiled.get(db)
        if compiled is None:
            compiled = self._compiled[db] = self._compile(db)
        with db.cursor() as cursor:
            cursor.execute(compiled.statement.sql, compiled.statement.params_for(values, db))
            row = cursor.fetchone()
        return None if row is None else compiled.instance(row, db)

    def _compile(self, db: BaseDatabaseWrapper) -> _Compiled:
        statement = compile_with_stand_ins(self.build, db, self.slots)
        for name, (_field, places) in statement.slots.items():
            if len(places) != 1:
                raise ImproperlyConfigured(f"OneRowQuery: the value {name!r} is not one parameter of {statement.sql}")
        return _Compiled(statement, db)


class StandInStatement:
    """An ORM query's SQL and parameters, compiled with stand-in values, and the places among the parameters where
    each call's own values go (`params_for`)."""

    def __init__(self, compiler, sql: str, params, slots: dict[str, tuple[models.Field, tuple[int, ...]]]):
        self.compiler, self.sql, self.params, self.slots = compiler, sql, tuple(params), slots

    def params_for(self, values: dict[str, Any], db: BaseDatabaseWrapper) -> list:
        """The parameters with `values` (by slot name) in the stand-ins' places, prepared as the ORM prepares them."""
        params = list(self.params)
        for name, (field, places) in self.slots.items():
            value = field.get_db_prep_value(values[name], db, prepared=False)
            for at in places:
                params[at] = value
        return params


def compile_with_stand_ins(
    build: Callable[..., models.QuerySet], db: BaseDatabaseWrapper, slots: dict[str, models.Field], *, attempt: int = 0
) -> StandInStatement:
    """Build the QuerySet with a stand-in value for each of `slots` (name: the field its value is compared with),
    compile it on `db`, and find each stand-in's places among the parameters: those equal to it as `field` prepares
    it for the database, of the same type (so True is never the integer 1). A value the SQL does not take has no
    place; one taken twice has two. `attempt` picks other stand-ins (`compile_proven`)."""
    stand_ins = {name: _stand_in(field, n, attempt) for n, (name, field) in enumerate(slots.items())}
    compiler = build(**stand_ins).query.get_compiler(using=db.alias)
    sql, params = compiler.as_sql()
    places = {}
    for name, field in slots.items():
        prepared = field.get_db_prep_value(stand_ins[name], db, prepared=False)
        found = tuple(at for at, param in enumerate(params) if type(param) is type(prepared) and param == prepared)
        places[name] = (field, found)
    return StandInStatement(compiler, sql, params, places)


def compile_proven(
    build: Callable[..., models.QuerySet], db: BaseDatabaseWrapper, **slots: models.Field
) -> StandInStatement | None:
    """`compile_with_stand_ins`, done twice with different stand-ins; None unless both give the same SQL, the same
    places (at least one for each value) and the same other parameters: proof that the SQL depends on the values
    only in their places, so that the statement answers for any values (a query that derives a parameter from one,
    `since + timedelta(seconds=30)`, fails it). The cost is a second compile, once."""
    first, again = (compile_with_stand_ins(build, db, slots, attempt=attempt) for attempt in (0, 1))
    places = {name: found for name, (_field, found) in first.slots.items()}
    if (
        first.sql != again.sql
        or len(first.params) != len(again.params)
        or places != {name: found for name, (_field, found) in again.slots.items()}
        or not all(places.values())
    ):
        return None
    filled = {at for found in places.values() for at in found}
    if any(at not in filled and one != other for at, (one, other) in enumerate(zip(first.params, again.params))):
        return None
    return first


def _stand_in(field: models.Field, n: int, attempt: int = 0) -> Any:
    """A value for `field` that no parameter of the query can equal by chance (another one for each `attempt`)."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.IntegerField | models.AutoField):
        return -987_654_321_000 - n - 1_000 * attempt
    if isinstance(field, models.DateTimeField):
        return datetime(2001, 2, 3, 4, 5, 6, 7890, tzinfo=UTC) + timedelta(days=400 * attempt, microseconds=n)
    return f"stand-in {uuid.uuid4().hex} {n}"


class _Compiled:
    """A OneRowQuery's SQL and how its row becomes model instances, as the ORM's ModelIterable makes them."""

    def __init__(self, statement: StandInStatement, db: BaseDatabaseWrapper):
        self.statement = statement
        compiler = statement.compiler
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.fields = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, db.alias)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items())

    def instance(self, row, db: BaseDatabaseWrapper) -> models.Model:
        row = list(row)
        for at, (converters, expression) in self.converters:
            value = row[at]
            for converter in converters:
                value = converter(value, expression, db)
            row[at] = value
        obj = self.model.from_db(db.alias, self.init_list, row[self.fields])
        for populator in self.related_populators:
            populator.populate(row, obj)
        for name, at in self.annotations:
            setattr(obj, name, row[at])
        return obj
