"""The stand-in Horde's generate/status and generate/rate: the Horde's checks, best-of rule and rewards."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from ratings_site.demo.standin import (
    DEMO_SET_EXPIRED,
    DEMO_SET_FOUR,
    DEMO_SET_NOT_SHARED,
    DEMO_SET_ONE,
    DEMO_SET_PROCESSING,
    DEMO_SET_THREE,
)


def call(url: str, body: Any = None, method: str | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method or ("POST" if body is not None else "GET"),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def rate(horde, request_id: str, body: Any) -> tuple[int, Any]:
    return call(f"{horde.url}/v2/generate/rate/{request_id}", body)


def test_status_wire_format_and_image(horde):
    status, body = call(f"{horde.url}/v2/generate/status/{DEMO_SET_FOUR}")
    assert status == 200
    for name in ("done", "faulted", "finished", "processing", "waiting", "kudos", "shared", "generations"):
        assert name in body
    assert len(body["generations"]) == 4
    gen = body["generations"][0]
    assert set(gen) >= {"id", "img", "seed", "model", "worker_id", "worker_name", "censored", "state", "gen_metadata"}
    with urllib.request.urlopen(gen["img"], timeout=5) as resp:
        assert resp.headers["Content-Type"] == "image/png"
        assert resp.read().startswith(b"\x89PNG\r\n\x1a\n")


def test_expired_request_is_404(horde):
    assert call(f"{horde.url}/v2/generate/status/{DEMO_SET_EXPIRED}") == (
        404, {"message": f"Request with ID '{DEMO_SET_EXPIRED}' not found.", "rc": "RequestNotFound"})
    request_id = horde.add_generation_set(2)
    assert call(f"{horde.url}/v2/generate/status/{request_id}")[0] == 200
    horde.expire(request_id)
    assert call(f"{horde.url}/v2/generate/status/{request_id}")[1]["rc"] == "RequestNotFound"


def test_refusals(horde):
    ids = horde.generation_ids(DEMO_SET_FOUR)
    three = horde.generation_ids(DEMO_SET_THREE)  # the fourth is faulted
    one = horde.generation_ids(DEMO_SET_ONE)
    cases = [
        (DEMO_SET_PROCESSING, {"best": horde.generation_ids(DEMO_SET_PROCESSING)[0]}, "completed requests"),
        (DEMO_SET_NOT_SHARED, {"best": horde.generation_ids(DEMO_SET_NOT_SHARED)[0]}, "share publicly"),
        (DEMO_SET_FOUR, {"ratings": [{"id": three[0], "rating": 5}]}, "not found"),
        (DEMO_SET_THREE, {"ratings": [{"id": three[3], "rating": 5}]}, "not found"),  # faulted
        (DEMO_SET_THREE, {"best": three[3]}, "not found"),
        (DEMO_SET_FOUR, {"ratings": [{"id": ids[1], "rating": 5}, {"id": ids[1], "rating": 6}]}, "Duplicate"),
        (DEMO_SET_FOUR, {}, "either point to the best image"),
        (DEMO_SET_ONE, {"best": one[0]}, "set of 1"),
    ]
    for request_id, body, words in cases:
        status, answer = rate(horde, request_id, body)
        assert status == 400, (body, answer)
        assert set(answer) == {"message", "rc"} and words in answer["message"], (body, answer)
    assert horde.rated == [] and horde.balance("DemoRater#1001") == 1000.0


def test_bad_payload_is_400(horde):
    ids = horde.generation_ids(DEMO_SET_FOUR)
    for body in ({"ratings": [{"id": ids[0], "rating": 11}]}, {"ratings": [{"id": ids[0], "rating": 5,
                                                                             "artifacts": 6}]}, {"best": 3}):
        status, answer = rate(horde, DEMO_SET_FOUR, body)
        assert status == 400 and answer["message"]


def test_already_rated_without_a_ratings_service(horde):
    ids = horde.generation_ids(DEMO_SET_FOUR)
    assert rate(horde, DEMO_SET_FOUR, {"best": ids[2]}) == (200, {"reward": 15})
    assert rate(horde, DEMO_SET_FOUR, {"best": ids[1]}) == (
        400, {"message": "This generation appears already rated", "rc": "AestheticsAlreadyExist"})
    assert horde.balance("DemoRater#1001") == 1015.0


@pytest.mark.parametrize(
    "ratings, best, reward",
    [
        ([5], None, 5),
        ([5, 6], None, 10),
        ([(5, 0), (6, 5), 7], None, 25),  # artifacts given (even 0) add 5 each
        ([], "best", 15),
        ([9, (8, 1), (7, 2), (6, 3)], None, 19),  # 35, capped at kudos (20) - 1
    ],
)
def test_rewards(horde, ratings, best, reward):
    request_id = horde.add_generation_set(4, kudos=20 if reward == 19 else 100, owner="SecondRater#1006")
    ids = horde.generation_ids(request_id)
    body: dict[str, Any] = {}
    if ratings:
        body["ratings"] = [
            {"id": ids[n], "rating": r[0], "artifacts": r[1]} if isinstance(r, tuple) else {"id": ids[n], "rating": r}
            for n, r in enumerate(ratings)
        ]
    if best:
        body["best"] = ids[3]
    assert rate(horde, request_id, body) == (200, {"reward": reward})
    assert horde.balance("SecondRater#1006") == 1000.0 + reward
    assert horde.rated[-1]["reward"] == reward


def test_quirk_first_of_tied_top_ratings_is_best_whatever_the_client_sent(horde):
    ids = horde.generation_ids(DEMO_SET_FOUR)
    ratings = [{"id": ids[0], "rating": 8}, {"id": ids[1], "rating": 8}, {"id": ids[2], "rating": 3}]
    assert rate(horde, DEMO_SET_FOUR, {"ratings": ratings, "best": ids[1]})[0] == 200
    assert horde.rated[-1]["best"] == ids[0]


def test_best_of_rules(horde):
    def forwarded_best(states_or_count, ratings, best=None):
        request_id = horde.add_generation_set(states_or_count)
        ids = horde.generation_ids(request_id)
        body: dict[str, Any] = {"ratings": [{"id": ids[n], "rating": r} for n, r in ratings]}
        if best is not None:
            body["best"] = ids[best]
        assert rate(horde, request_id, body)[0] == 200
        best_id = horde.rated[-1]["best"]
        return None if best_id is None else ids.index(best_id)

    assert forwarded_best(3, [(0, 4), (1, 9), (2, 6)]) == 1  # one top rating: it is the best
    assert forwarded_best(3, [(2, 7)]) == 2  # one image of a larger set rated 7+: the best
    assert forwarded_best(3, [(2, 6)]) is None  # rated under 7: no best
    assert forwarded_best(3, [(2, 6)], best=0) == 0  # the client's pick stands
    assert forwarded_best(1, [(0, 9)]) is None  # a one-image set has no best


def test_control_endpoint_adds_a_set(horde):
    status, answer = call(f"{horde.base_url}/_standin/generations",
                          {"generations": ["ok", "faulted"], "owner": "ThirdRater#1007", "kudos": 12})
    assert status == 200 and len(answer["generations"]) == 2
    status, body = call(f"{horde.url}/v2/generate/status/{answer['id']}")
    assert [g["state"] for g in body["generations"]] == ["ok", "faulted"] and body["kudos"] == 12.0
    listed = call(f"{horde.base_url}/_standin/generations")[1]
    assert answer["id"] in {s["id"] for s in listed} and DEMO_SET_FOUR in {s["id"] for s in listed}
    horde.reset()
    assert call(f"{horde.url}/v2/generate/status/{answer['id']}")[0] == 404
    assert call(f"{horde.url}/v2/generate/status/{DEMO_SET_FOUR}")[0] == 200
