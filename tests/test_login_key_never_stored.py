"""After logging in, rating and visiting /kudos/, the raw Horde key is nowhere in the database.

Every column of every model's table (text and JSON included) is read back with raw SQL, and
every session is decoded. The test runs with real commits (transactional_db) so work queued
on commit, such as the kudos payment task, is in the tables too.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django_tasks_db.models import DBTaskResult

from ratings_site.raters.keys import SESSION_KEY
from ratings_site.raters.models import Rater
from ratings_site.ratings.models import Rating
from tests.conftest import DEMO_KEY, csrf_token


def _as_text(value: object) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _tables_holding(needle: str) -> list[str]:
    """'table.column' for every column of every model table whose stored value contains `needle`."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            columns = [field.column for field in model._meta.concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row):
                    if value is not None and needle in _as_text(value):
                        found.append(f"{table}.{column}")
    return found


@pytest.mark.django_db(transaction=True)
def test_the_raw_key_is_stored_nowhere(login, make_images, horde):
    (image,) = make_images(1)
    client = login(DEMO_KEY)
    rated = client.post(
        f"/images/{image.public_id}/rate/",
        {"rating": "6", "artifacts": "1", "csrfmiddlewaretoken": csrf_token(client)},
    )
    assert rated.status_code == 302
    kudos = client.get("/kudos/")
    assert kudos.status_code == 200
    assert 'data-testid="balance">1,000<' in kudos.content.decode()  # the key came back out of the session
    assert Rating.objects.count() == 1
    assert DBTaskResult.objects.exists()  # the payment task was queued on commit, and is scanned too

    # The scan reads real data: it finds the username that was stored.
    assert "raters_rater.username" in _tables_holding("DemoRater#1001")
    assert _tables_holding(DEMO_KEY) == []

    sessions = [session.get_decoded() for session in Session.objects.all()]
    assert any(SESSION_KEY in data for data in sessions)  # the encrypted copy is there
    for data in sessions:
        assert DEMO_KEY not in repr(data)
    assert DEMO_KEY not in repr(Rater.objects.values().get())
