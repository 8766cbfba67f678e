"""The Horde's forward of rated sets, for the intake tests: a Horde-shaped payload, posted with the optional token
(`forward`, `intake_token`), and the stand-in Horde wired to forward to the live site as the real Horde does, with no
credential, from 127.0.0.1, which the site lists (`forwarding_horde`, `horde_address_listed`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ratings_site.generations.models import GenerationSet, Source
from ratings_site.generations.rules import validate_set_rating
from ratings_site.generations.services import record_set_rating
from ratings_site.raters.models import Rater

TOKEN = "intake-test-token-0123456789"
INTAKE = "/api/v1/rating/set"
HORDE_ADDRESS = "127.0.0.1"  # where the stand-in Horde (and Django's test client) call from


@pytest.fixture
def intake_token(settings) -> str:
    """The intake takes forwards with the optional token only (no address listed)."""
    settings.HORDE_RATINGS_SET_TOKEN = TOKEN
    settings.HORDE_RATINGS_SET_ALLOWED_IPS = []
    return TOKEN


@pytest.fixture
def horde_address_listed(settings) -> str:
    """The intake takes forwards from the stand-in Horde's address, as production lists the Horde's; no token."""
    settings.HORDE_RATINGS_SET_TOKEN = ""
    settings.HORDE_RATINGS_SET_ALLOWED_IPS = [HORDE_ADDRESS]
    return HORDE_ADDRESS


@pytest.fixture
def forwarding_horde(horde, live_server, horde_address_listed):
    """The stand-in Horde forwards every rated set to the live site's intake as the real Horde does: no credential,
    from 127.0.0.1, which the site lists in HORDE_RATINGS_SET_ALLOWED_IPS."""
    horde.set_ratings_service(f"{live_server.url}{INTAKE}")
    return horde


def horde_payload(request_id: str, ids: list[str], *, username: str = "DemoRater#1001", ratings=None, best=None,
                  **extra: Any) -> dict:
    """What the Horde posts to /v1/rating/set (shared/horde-wire.md §2)."""
    payload: dict[str, Any] = {
        "set": request_id,
        "all_set_ids": ids,
        "client_agent": "ArtBot:1.0:artbot@example.org",
        "user": {"username": username, "trusted": True, "account_age": 12345.6, "kudos": 1000.0,
                 "kudos_accumulated": 50, "ipaddr": "203.0.113.9"},
    }
    if ratings is not None:
        payload["ratings"] = ratings
    if best is not None:
        payload["best"] = best
    payload.update(extra)
    return payload


def forward(payload: Any, *, token: str | None = TOKEN, raw: bytes | None = None, **extra: Any):
    headers = {"X-Ratings-Set-Token": token} if token is not None else {}
    data = raw if raw is not None else json.dumps(payload)
    return Client().post(INTAKE, data=data, content_type="application/json", headers=headers, **extra)


def set_rated_on_our_page(request_id: str, ids: list[str], *, ratings: list[dict], best: str | None,
                          submission: str, horde_id: int = 1001) -> GenerationSet:
    """A set our page rated and is submitting: recorded with source "page", its submission `submission`."""
    rater, _ = Rater.objects.get_or_create(horde_id=horde_id, defaults={"username": f"Rater#{horde_id}"})
    generation_set = GenerationSet.objects.create(request_id=request_id, rater=rater, source=Source.PAGE)
    for position, image_id in enumerate(ids):
        generation_set.images.create(generation_id=image_id, position=position)
    valid = validate_set_rating(image_ids=ids, ratings=ratings, best=best)
    record_set_rating(generation_set=generation_set, rater=rater, valid=valid, source=Source.PAGE,
                      client_agent="HordeRatings:1.0:test")
    GenerationSet.objects.filter(pk=generation_set.pk).update(submission=submission)
    generation_set.refresh_from_db()
    return generation_set
