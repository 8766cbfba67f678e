"""`params` nested deeper than MAX_PARAMS_DEPTH levels (the Horde's own parameters are three or four deep) is
refused with 400 {"message"} before anything walks it, however deep (400 to 980 levels used to give a 500 and
about 1,900 log lines of RecursionError); nothing is stored, and the refusal is one short log line."""

import json
import logging

import pytest

from ratings_site.api.serializers import MAX_PARAMS_DEPTH
from ratings_site.generations.models import GenerationSet
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.django_db


def nested(depth: int, *, kind: str = "object") -> str:
    """JSON text of `depth` levels: {"a": {"a": … 1 …}} or [[[… 1 …]]]."""
    if kind == "list":
        return "[" * depth + "1" + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


def with_params(params_json: str) -> bytes:
    body = json.dumps({**registration(images=1), "params": "PARAMS"})
    return body.replace('"PARAMS"', params_json).encode()


@pytest.mark.parametrize("depth", [MAX_PARAMS_DEPTH + 1, 50, 400, 700, 980, 5000, 30_000])
@pytest.mark.parametrize("kind", ["object", "list"])
def test_deep_params_get_400_and_one_short_log_line(horde, caplog, depth, kind):
    params = nested(depth, kind=kind) if kind == "object" else '{"loras": ' + nested(depth - 1, kind="list") + "}"
    caplog.set_level(logging.INFO)

    response = post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=with_params(params))

    assert response.status_code == 400, response.content[:300]
    assert "nested" in response.json()["message"]
    assert not GenerationSet.objects.exists()
    assert len(caplog.records) <= 2, [record.getMessage()[:100] for record in caplog.records]
    assert not any(record.exc_info for record in caplog.records)
    assert sum(len(record.getMessage()) for record in caplog.records) < 500


def test_params_as_deep_as_allowed_are_kept(horde):
    params = '{"loras": [' + nested(MAX_PARAMS_DEPTH - 2) + "]}"  # the params object, the list, then the rest

    response = post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=with_params(params))

    assert response.status_code == 201, response.content[:300]
    assert GenerationSet.objects.get().params["loras"][0]["a"]["a"]


def test_a_deeply_nested_body_elsewhere_is_400_too(horde):
    raw = json.dumps({**registration(images=1)})[:-1].encode() + b', "junk": ' + nested(600).encode() + b"}"

    response = post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=raw)

    assert response.status_code == 400, response.content[:300]
    assert "nested" in response.json()["message"]
    assert not GenerationSet.objects.exists()
