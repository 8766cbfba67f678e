"""horde.client.generation_status and rate_generation, over real HTTP to the stand-in Horde."""

from __future__ import annotations

import pytest

from ratings_site.demo.standin import DEMO_SET_EXPIRED, DEMO_SET_FOUR, DEMO_SET_THREE
from ratings_site.horde import client
from ratings_site.horde.client import GenerationStatus, HordeRejected, RequestNotFound


def test_status_of_a_demo_set(horde):
    status = client.generation_status(DEMO_SET_THREE)
    assert isinstance(status, GenerationStatus)
    assert status.request_id == DEMO_SET_THREE
    assert status.done and status.shared and not status.faulted
    assert status.finished == 4 and status.processing == 0 and status.waiting == 0
    assert status.kudos == 30.0
    assert [g.state for g in status.generations] == ["ok", "ok", "censored", "faulted"]
    first = status.generations[0]
    assert first.id == horde.generation_ids(DEMO_SET_THREE)[0]
    assert first.img.startswith(horde.base_url + "/_standin/images/") and first.model and first.seed
    assert status.generations[2].censored and not first.censored


def test_status_sends_client_agent_and_no_key(horde, settings):
    settings.HORDE_CLIENT_AGENT = "Test:1.0:test@example.org"
    client.generation_status(DEMO_SET_FOUR)
    last = horde.requests[-1]
    assert last["client_agent"] == "Test:1.0:test@example.org"
    assert last["has_apikey"] is False


@pytest.mark.parametrize(
    "request_id", [DEMO_SET_EXPIRED, "11111111-2222-4333-8444-555555555555", "not-a-uuid/../x"]
)
def test_expired_or_unknown_request_is_request_not_found(request_id):
    with pytest.raises(RequestNotFound) as caught:
        client.generation_status(request_id)
    assert caught.value.status == 404 and caught.value.rc == "RequestNotFound"
    with pytest.raises(RequestNotFound):
        client.rate_generation(request_id, ratings=None, best="x")


def test_rate_returns_the_reward_and_credits_the_owner(horde):
    ids = horde.generation_ids(DEMO_SET_FOUR)
    before = horde.balance("DemoRater#1001")
    reward = client.rate_generation(
        DEMO_SET_FOUR, ratings=[{"id": ids[0], "rating": 9, "artifacts": 1}, {"id": ids[1], "rating": 4}], best=ids[0]
    )
    assert reward == 15  # 5 + 5 (artifacts) + 5
    assert horde.balance("DemoRater#1001") == before + 15
    assert horde.requests[-1]["has_apikey"] is False


def test_rate_refusal_carries_the_hordes_message(horde):
    ids = horde.generation_ids(DEMO_SET_FOUR)
    with pytest.raises(HordeRejected) as caught:
        client.rate_generation(DEMO_SET_FOUR, ratings=[{"id": ids[0], "rating": 5}, {"id": ids[0], "rating": 6}],
                               best=None)
    assert caught.value.status == 400
    assert "Duplicate image ID" in caught.value.message
    assert caught.value.rc == "InvalidAestheticAttempt"
    assert not isinstance(caught.value, RequestNotFound)


def test_rate_limited_is_a_rejection_not_an_outage(horde):
    horde.fail("/v2/generate/rate", 1, 429)
    with pytest.raises(HordeRejected) as caught:
        client.rate_generation(DEMO_SET_FOUR, ratings=None, best=horde.generation_ids(DEMO_SET_FOUR)[0])
    assert caught.value.status == 429


def test_horde_down_is_unavailable(horde):
    horde.fail("/v2/generate/status", 1, 503)
    with pytest.raises(client.HordeUnavailable):
        client.generation_status(DEMO_SET_FOUR)
