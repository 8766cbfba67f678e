"""One-row ORM queries compiled once and run many times: the hot path's reads (issue 24).

On the rating loop's requests, building and compiling a QuerySet cost about 0.3-0.5 ms of Python per query, several
times the query itself (benchmarks/request_path_profile.py). `OneRowQuery` keeps the ORM's own SQL, the converters of
its columns (SQLite's datetimes and UUIDs, JSON) and its making of model instances (select_related and annotations
included), taken from its compiler once per database connection, so the answer is exactly what the QuerySet would
give; only its building is skipped. Used for the key's rater (api.authentication), the session's rater
(raters.backends), the rater's lock (ratings.limits) and the image rated (ratings.views, api.rating_views).

It relies on the compiler's internals (`select`, `klass_info`, `get_related_populators`) of the pinned Django 5.2 LTS;
tests/test_api_hot_queries_answer_as_the_orm_does.py compares its answers with the ORM's on both engines.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query import get_related_populators


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
        params = list(compiled.params)
        for name, (field, at) in compiled.slots.items():
            params[at] = field.get_db_prep_value(values[name], db, prepared=False)
        with db.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        return None if row is None else compiled.instance(row, db)

    def _compile(self, db: BaseDatabaseWrapper) -> _Compiled:
        stand_ins = {name: _stand_in(field, n) for n, (name, field) in enumerate(self.slots.items())}
        compiler = self.build(**stand_ins).query.get_compiler(using=db.alias)
        sql, params = compiler.as_sql()
        slots = {}
        for name, field in self.slots.items():
            prepared = field.get_db_prep_value(stand_ins[name], db, prepared=False)
            found = [at for at, param in enumerate(params) if type(param) is type(prepared) and param == prepared]
            if len(found) != 1:
                raise ImproperlyConfigured(f"OneRowQuery: the value {name!r} is not one parameter of {sql}")
            slots[name] = (field, found[0])
        return _Compiled(compiler, sql, params, slots, db)


def _stand_in(field: models.Field, n: int) -> Any:
    """A value for `field` that no parameter of the query can equal by chance."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.IntegerField | models.AutoField):
        return -987_654_321_000 - n
    return f"stand-in {uuid.uuid4().hex} {n}"


class _Compiled:
    """A OneRowQuery's SQL and how its row becomes model instances, as the ORM's ModelIterable makes them."""

    def __init__(self, compiler, sql: str, params, slots: dict[str, tuple[models.Field, int]], db: BaseDatabaseWrapper):
        self.sql, self.params, self.slots = sql, tuple(params), slots
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
