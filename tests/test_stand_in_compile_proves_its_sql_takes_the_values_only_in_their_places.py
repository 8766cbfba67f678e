"""A query compiled once with stand-in values (ratings_site.compiled_queries.compile_proven, the flood count's path)
answers for any values as the ORM's own query does, and is refused (None) when its SQL depends on a value anywhere
but in its places: a parameter derived from it, or a value the query never takes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from ratings_site.compiled_queries import compile_proven
from ratings_site.raters.models import Rater

pytestmark = pytest.mark.django_db

SLOTS = {"first": Rater._meta.pk, "since": Rater._meta.get_field("date_joined")}


def _joined(first, since):
    """Raters from id `first` on who joined since `since`, less `first` when trusted (`first` is taken twice: each
    of its places is filled)."""
    return Rater.objects.filter(pk__gte=first, date_joined__gte=since).exclude(pk=first, trusted=True)


def _run(statement, **values) -> list[int]:
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(f"SELECT id FROM ({statement.sql}) found ORDER BY id", statement.params_for(values, db))
        return [row[0] for row in cursor.fetchall()]


def test_a_proven_statement_answers_for_any_values_as_the_orm_does():
    now = timezone.now()
    raters = [Rater.objects.create(username=f"Joined#{n}") for n in range(4)]
    Rater.objects.filter(pk=raters[0].pk).update(date_joined=now - timedelta(hours=2))
    Rater.objects.filter(pk=raters[1].pk).update(trusted=True)
    statement = compile_proven(
        lambda first, since: _joined(first, since).values("id"), connections[DEFAULT_DB_ALIAS], **SLOTS
    )

    assert statement is not None
    for first in (rater.pk for rater in raters):
        for since in (now - timedelta(hours=3), now - timedelta(hours=1)):
            orm = sorted(_joined(first, since).values_list("id", flat=True))
            assert _run(statement, first=first, since=since) == orm
    assert _run(statement, first=raters[1].pk, since=now - timedelta(hours=1)) == [raters[2].pk, raters[3].pk]


def test_a_parameter_derived_from_a_value_is_refused():
    def half_an_hour_later(first, since):  # its moment is not the stand-in's: a constant would be baked in
        return Rater.objects.filter(pk__gte=first, date_joined__gte=since + timedelta(minutes=30)).values("id")

    assert compile_proven(half_an_hour_later, connections[DEFAULT_DB_ALIAS], **SLOTS) is None


def test_a_value_the_query_never_takes_is_refused():
    def first_only(first, since):
        return Rater.objects.filter(pk__gte=first).values("id")

    assert compile_proven(first_only, connections[DEFAULT_DB_ALIAS], **SLOTS) is None
