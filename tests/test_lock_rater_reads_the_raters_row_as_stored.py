"""lock_rater reads the rater's pause, standing and counters from the locked row into the rater in hand, as the ORM
would read them (aware moments and dates on SQLite too, where they are stored as text), whatever the rater in hand
said before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from ratings_site.raters.models import Rater
from ratings_site.ratings.limits import lock_rater

pytestmark = pytest.mark.django_db


def test_it_reads_what_the_row_holds_into_the_rater():
    rater = Rater.objects.create(username="Locked#900", horde_id=900)
    until, banned = timezone.now() + timedelta(minutes=3), timezone.now() - timedelta(days=1)
    Rater.objects.filter(pk=rater.pk).update(
        paused_until=until,
        pause_reason="A pause.",
        banned_at=banned,
        ban_reason="A ban.",
        is_active=False,
        flagged=True,
        ratings_total=7,
        ratings_today=3,
        ratings_day=date(2026, 1, 2),
    )

    with transaction.atomic():
        lock_rater(rater)

    stored = Rater.objects.get(pk=rater.pk)
    read = ("paused_until", "pause_reason", "banned_at", "ban_reason", "is_active", "flagged")
    read += ("ratings_total", "ratings_today", "ratings_day")
    assert [getattr(rater, name) for name in read] == [getattr(stored, name) for name in read]
    assert (rater.paused_until, rater.banned_at, rater.ratings_day) == (until, banned, date(2026, 1, 2))
    assert timezone.is_aware(rater.paused_until) and rater.active_pause() == (until, "A pause.")
    assert (rater.is_active, rater.flagged) == (False, True)


def test_a_rater_with_no_row_is_not_found():
    with pytest.raises(Rater.DoesNotExist), transaction.atomic():
        lock_rater(Rater(pk=987_654_321))
