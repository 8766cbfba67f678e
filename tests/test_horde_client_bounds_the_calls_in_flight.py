"""At most HORDE_MAX_CONCURRENT_CALLS calls of a process wait on the Horde at once. One more fails at once as
HordeBusy: "unavailable" (never sent, safe to retry, never paid), not "timed out, may have acted". A slot is given
back however the call ends."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from ratings_site.horde import client as horde_client
from ratings_site.horde.client import HordeBusy, HordeTimeout, HordeUnavailable
from ratings_site.kudos.models import KudosReward
from ratings_site.kudos.payments import pay_rewards_for
from ratings_site.raters.models import Rater
from tests.conftest import DEMO_KEY


def _hold_the_slots(horde, count: int) -> list[threading.Thread]:
    """`count` calls waiting on the slowed Horde (a status call needs no database)."""

    def call() -> None:
        try:
            horde_client.generation_status(str(uuid.uuid4()))
        except horde_client.HordeError:
            pass

    threads = [threading.Thread(target=call) for _ in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(horde.requests) < count:
        assert time.monotonic() < deadline, "the calls never reached the Horde"
        time.sleep(0.02)
    return threads


def test_one_call_more_than_the_bound_fails_at_once_and_is_never_sent(horde, settings):
    settings.HORDE_MAX_CONCURRENT_CALLS = 2
    horde.delay_seconds = 3.0
    holders = _hold_the_slots(horde, 2)

    started = time.monotonic()
    with pytest.raises(HordeBusy) as caught:
        horde_client.find_user(DEMO_KEY, use_cache=False)
    waited = time.monotonic() - started

    assert waited < 1.0, f"the refused call waited {waited:.2f}s"
    assert isinstance(caught.value, HordeUnavailable) and not isinstance(caught.value, HordeTimeout)
    assert [r["path"] for r in horde.requests if r["path"] == "/v2/find_user"] == []  # never sent
    horde.reset()  # cuts the holders' delay short
    for thread in holders:
        thread.join(timeout=10)
    assert horde_client.find_user(DEMO_KEY, use_cache=False).id == 1001  # the slots came back


@pytest.mark.django_db
def test_a_payment_refused_for_want_of_a_slot_is_retried_and_never_paid(horde, settings):
    settings.HORDE_MAX_CONCURRENT_CALLS = 1
    rater = Rater.objects.create(username="DemoRater#1001", horde_id=1001)
    line = KudosReward.objects.create(rater=rater, amount=5)
    horde.delay_seconds = 3.0
    holders = _hold_the_slots(horde, 1)

    result = pay_rewards_for(rater.pk)

    assert result.status == "retrying"
    line.refresh_from_db()
    assert line.status == KudosReward.Status.PENDING and line.sending_since is None
    assert horde.awards == [] and [r["path"] for r in horde.requests if "award" in r["path"]] == []
    horde.reset()
    for thread in holders:
        thread.join(timeout=10)


def test_a_slot_is_given_back_when_the_call_fails(horde, settings):
    settings.HORDE_MAX_CONCURRENT_CALLS = 1
    horde.fail("/v2/find_user", times=3, status=503)
    for _ in range(3):
        with pytest.raises(HordeUnavailable):
            horde_client.find_user(DEMO_KEY, use_cache=False)
    with pytest.raises(horde_client.InvalidAPIKey):
        horde_client.find_user("not-a-known-key", use_cache=False)
    settings.HORDE_TIMEOUT = 0.3
    horde.delay_seconds = 1.0
    with pytest.raises(HordeTimeout):
        horde_client.find_user(DEMO_KEY, use_cache=False)
    horde.delay_seconds = 0

    assert horde_client.find_user(DEMO_KEY, use_cache=False).id == 1001
