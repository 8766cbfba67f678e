"""A malformed registration gets 400 with {"message"} saying what is wrong, and stores nothing."""

import json

import pytest

from ratings_site.generations.models import GenerationSet
from tests.api_helpers import post_json, registration
from tests.conftest import DEMO_KEY

pytestmark = pytest.mark.django_db

GOOD = registration(images=2)
IMAGE = GOOD["images"][0]


def without(field: str) -> dict:
    return {key: value for key, value in GOOD.items() if key != field}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (without("request_id"), "request_id: This field is required."),
        (without("prompt"), "prompt: This field is required."),
        (without("images"), "images: This field is required."),
        ({**GOOD, "request_id": "not-a-uuid"}, "request_id: The request id must be"),
        ({**GOOD, "request_id": 42}, "request_id: Must be text."),
        ({**GOOD, "prompt": ""}, "prompt: This field may not be blank."),
        ({**GOOD, "prompt": "x" * 10_001}, "prompt: Ensure this field has no more than 10000 characters."),
        ({**GOOD, "negative_prompt": ["no"]}, "negative_prompt: Must be text."),
        ({**GOOD, "params": [1, 2]}, "params: Expected a dictionary of items"),
        ({**GOOD, "params": "steps=30"}, "params: Expected a dictionary of items"),
        ({**GOOD, "params": {"junk": "x" * 20_000}}, "params: The parameters take more than 16 KB."),
        ({**GOOD, "images": IMAGE}, "images: Expected a list of items"),
        ({**GOOD, "images": []}, "images: This list may not be empty."),
        ({**GOOD, "images": [IMAGE, IMAGE]}, "images: Each image id may be listed once"),
        ({**GOOD, "images": [{**IMAGE, "id": f"g{n}"} for n in range(21)]}, "at most 20 images"),
        ({**GOOD, "images": ["g1"]}, "images[0]: Invalid data. Expected a dictionary"),
        ({**GOOD, "images": [{"url": IMAGE["url"]}]}, "images[0].id: This field is required."),
        ({**GOOD, "images": [{**IMAGE, "id": 7}]}, "images[0].id: Must be text."),
        ({**GOOD, "images": [{**IMAGE, "url": "ftp://x.org/a.png"}]}, "images[0].url: Not an image URL"),
        ({**GOOD, "images": [{**IMAGE, "url": "http://127.0.0.1/a.png"}]}, "images[0].url: Not an image URL"),
        ({**GOOD, "images": [{**IMAGE, "url": "https://x.org/" + "a" * 2000}]}, "images[0].url: Ensure"),
        ({**GOOD, "images": [{**IMAGE, "seed": True}]}, "images[0].seed: Must be text or a whole number"),
        ([GOOD], "Invalid data. Expected a dictionary"),
    ],
)
def test_it_says_what_is_wrong(horde, body, says):
    response = post_json("/api/v1/generations", body, apikey=DEMO_KEY)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert says in response.json()["message"]
    assert not GenerationSet.objects.exists()


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"{not json", "The body is not JSON"),
        (b"", "request_id: This field is required."),
        (b'{"prompt": NaN}', "The body is not JSON"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_a_body_that_is_not_json_gets_400(horde, raw, says):
    response = post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=raw)

    assert response.status_code == 400
    assert says in response.json()["message"]


def test_a_body_over_the_limit_gets_413(horde):
    huge = json.dumps({**GOOD, "prompt": "x" * 300_000}).encode()

    response = post_json("/api/v1/generations", None, apikey=DEMO_KEY, raw=huge)

    assert response.status_code == 413
    assert "larger than" in response.json()["message"]
