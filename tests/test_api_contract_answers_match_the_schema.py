"""The API answers as its OpenAPI schema (/api/schema/) says: for every documented operation, real calls that
produce each documented status, each answer's body checked against the documented shape.

Data-driven: CALLS says how to make each operation answer each status. An operation the schema documents and
CALLS does not know fails `test_every_documented_operation_is_in_the_table`, and a documented status with no
call in CALLS (nor a reason in `unexercised`) fails `test_every_documented_status_has_a_call`: whoever adds
or changes an operation adds its calls here. A call that reaches a view still answering the stub 404
"Not built yet." is skipped, so it turns on by itself once the view is built.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client

from tests.api_helpers import CLIENT_AGENT, registration
from tests.conftest import ANONYMOUS_KEY, DEMO_KEY, SECOND_KEY, THIRD_KEY
from tests.contract_helpers import errors_in, fetch_schema, is_message_shape, json_schema_of, operations
from tests.intake_helpers import TOKEN, horde_payload, set_rated_on_our_page

MODERATOR_KEY = "demo-moderator-0003"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
TOO_LARGE = b'{"x": "' + b"a" * (300 * 1024) + b'"}'
# Statuses no single call here can bring about: a database or a Horde that fails mid-call, a rate limit of
# hundreds of calls a minute. They are tested where they are made (tests/test_api_errors_are_json.py and the
# throttle tests); here they are only required to have the `{"message"}` shape.
UNEXERCISED_EVERYWHERE = {429: "a rate limit (tested by the throttle tests)", 503: "the database or the Horde down"}


@dataclass
class Ctx:
    """What a call needs: the test's fixtures and a JSON client."""

    make_images: Callable[..., list]
    settings: Any

    def call(self, method: str, path: str, body: Any = None, *, apikey: str | None = None, raw: bytes | None = None,
             content_type: str = "application/json", **headers: str) -> HttpResponse:
        if apikey is not None:
            headers["apikey"] = apikey
        headers.setdefault("Client-Agent", CLIENT_AGENT)
        client = Client()
        if method == "GET":
            return client.get(path, body or {}, headers=headers)
        data = raw if raw is not None else json.dumps(body)
        return client.generic(method, path, data, content_type=content_type, headers=headers)

    def image(self, **fields: Any) -> Any:
        return self.make_images(1, dataset="contract-set", **fields)[0]

    def dataset_id(self) -> str:
        return str(self.image().dataset.public_id)

    def next_image_id(self, apikey: str = DEMO_KEY) -> str:
        self.image()
        response = self.call("GET", "/api/v1/rating/new", apikey=apikey)
        stub_or_ok(response, 200)
        return response.json()["id"]

    def closed_account_key(self) -> str:
        """A key whose rater the site has closed (is_active off): every call that needs a rater answers 403."""
        from ratings_site.raters.models import Rater

        self.call("GET", "/api/v1/rating/new", apikey=THIRD_KEY)  # the rater is made on its first call
        assert Rater.objects.filter(horde_id=1007).update(is_active=False) == 1
        return THIRD_KEY

    def forward(self, body: Any = None, *, token: str | None = TOKEN, **kwargs: Any) -> HttpResponse:
        self.settings.HORDE_RATINGS_SET_TOKEN = TOKEN
        self.settings.HORDE_RATINGS_SET_ALLOWED_IPS = []
        headers = {"X-Ratings-Set-Token": token} if token else {}
        return self.call("POST", "/api/v1/rating/set", body, **headers, **kwargs)


def stub_or_ok(response: HttpResponse, status: int) -> None:
    """Skip the test when the call reached a view not built yet; otherwise demand `status`."""
    if response.status_code == 404 and response.get("Content-Type", "").startswith("application/json"):
        if response.json().get("message") == "Not built yet.":
            pytest.skip("this call's view is not built yet (it answers the stub 404)")
    assert response.status_code == status, response.content[:1000]


Call = Callable[[Ctx], HttpResponse]


@dataclass
class Operation:
    calls: dict[int, Call]
    unexercised: dict[int, str] = field(default_factory=dict)


def _after_an_export(ctx: Ctx, path: str) -> HttpResponse:
    ctx.settings.EXPORT_DIR = Path(tempfile.mkdtemp(prefix="contract-export-"))
    ctx.make_images(2)
    call_command("export_ratings", verbosity=0)
    return ctx.call("GET", path)


def _download_again(ctx: Ctx) -> HttpResponse:
    first = _after_an_export(ctx, "/api/v1/download/README.md")
    return ctx.call("GET", "/api/v1/download/README.md", **{"If-None-Match": first["ETag"]})


def _embed_token(ctx: Ctx, body: Any, **options: Any) -> HttpResponse:
    ctx.settings.EMBED_ALLOWED_ORIGINS = ["https://artbot.example"]
    return ctx.call("POST", "/api/v1/embed/token", body, **options)


def _register_twice(ctx: Ctx) -> HttpResponse:
    body = registration()
    ctx.call("POST", "/api/v1/generations", body, apikey=DEMO_KEY)
    return ctx.call("POST", "/api/v1/generations", body, apikey=DEMO_KEY)


def _register_then_change(ctx: Ctx) -> HttpResponse:
    body = registration()
    ctx.call("POST", "/api/v1/generations", body, apikey=DEMO_KEY)
    return ctx.call("POST", "/api/v1/generations", {**body, "prompt": "another prompt"}, apikey=DEMO_KEY)


def _forward_new_set(ctx: Ctx) -> HttpResponse:
    return ctx.forward(horde_payload(str(uuid.uuid4()), ["g1", "g2"], ratings=[{"id": "g1", "rating": 8}], best="g1"))


def _forward_a_set_rated_before(ctx: Ctx) -> HttpResponse:
    body = horde_payload(str(uuid.uuid4()), ["g1", "g2"], ratings=[{"id": "g1", "rating": 8}], best="g1")
    ctx.forward(body)
    return ctx.forward(body)


def _forward_our_own_submission(ctx: Ctx) -> HttpResponse:
    request_id, ids, ratings = str(uuid.uuid4()), ["g1", "g2"], [{"id": "g1", "rating": 8}, {"id": "g2", "rating": 3}]
    set_rated_on_our_page(request_id, ids, ratings=ratings, best="g1", submission="sent")
    return ctx.forward(horde_payload(request_id, ids, ratings=ratings, best="g1"))


def _rate(ctx: Ctx, body: Any, *, twice: bool = False) -> HttpResponse:
    path = f"/api/v1/rating/{ctx.next_image_id()}"
    if twice:
        ctx.call("POST", path, body, apikey=DEMO_KEY)
    return ctx.call("POST", path, body, apikey=DEMO_KEY)


def _next_in_dataset(ctx: Ctx, suffix: str = "", **image_fields: Any) -> HttpResponse:
    dataset_id = str(ctx.image(**image_fields).dataset.public_id)
    return ctx.call("GET", f"/api/v1/rating/new/{dataset_id}{suffix}", apikey=DEMO_KEY)


def _image_ratings(ctx: Ctx, apikey: str | None = MODERATOR_KEY, image_id: str | None = None) -> HttpResponse:
    if image_id is None:
        image_id = ctx.next_image_id(apikey=SECOND_KEY)
        ctx.call("POST", f"/api/v1/rating/{image_id}", {"rating": 7, "artifacts": 1}, apikey=SECOND_KEY)
    return ctx.call("GET", f"/api/v1/image/ratings/{image_id}", apikey=apikey)


def _moderators(path: str, query: dict | None = None) -> dict[int, Call]:
    """The moderators' calls about raters: 200 for a moderator, 401 without a key, 403 for a rater."""
    def as_moderator(ctx: Ctx) -> HttpResponse:
        ctx.next_image_id(apikey=SECOND_KEY)
        return ctx.call("GET", path, query, apikey=MODERATOR_KEY)

    return {
        200: as_moderator,
        401: lambda ctx: ctx.call("GET", path, query),
        403: lambda ctx: ctx.call("GET", path, query, apikey=DEMO_KEY),
    }


# How to make each operation answer each status: (METHOD, path as the schema writes it) -> Operation.
CALLS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/datasets"): Operation({200: lambda ctx: (ctx.image(), ctx.call("GET", "/api/v1/datasets"))[1]}),
    ("GET", "/api/v1/teams"): Operation({200: lambda ctx: ctx.call("GET", "/api/v1/teams")}),
    ("GET", "/api/v1/rating/new"): Operation(
        {
            200: lambda ctx: (ctx.image(), ctx.call("GET", "/api/v1/rating/new", apikey=DEMO_KEY))[1],
            401: lambda ctx: ctx.call("GET", "/api/v1/rating/new", apikey="demo-shared-0004"),
            403: lambda ctx: ctx.call("GET", "/api/v1/rating/new", apikey=ctx.closed_account_key()),
            404: lambda ctx: ctx.call("GET", "/api/v1/rating/new", apikey=DEMO_KEY),
        },
    ),
    ("GET", "/api/v1/rating/new/{dataset_id}"): Operation(
        {
            200: _next_in_dataset,
            401: lambda ctx: ctx.call("GET", f"/api/v1/rating/new/{ctx.dataset_id()}"),
            403: lambda ctx: ctx.call("GET", f"/api/v1/rating/new/{ctx.dataset_id()}",
                                      apikey=ctx.closed_account_key()),
            404: lambda ctx: ctx.call("GET", f"/api/v1/rating/new/{UNKNOWN}", apikey=DEMO_KEY),
        },
    ),
    ("GET", "/api/v1/rating/new/{dataset_id}/{model_name}"): Operation(
        {
            200: lambda ctx: _next_in_dataset(ctx, "/AlbedoBase XL", source={"model": "AlbedoBase XL"}),
            401: lambda ctx: ctx.call("GET", f"/api/v1/rating/new/{ctx.dataset_id()}/SDXL"),
            403: lambda ctx: ctx.call("GET", f"/api/v1/rating/new/{ctx.dataset_id()}/SDXL",
                                      apikey=ctx.closed_account_key()),
            404: lambda ctx: _next_in_dataset(ctx, "/no-such-model"),
        },
    ),
    ("POST", "/api/v1/rating/{image_id}"): Operation(
        {
            201: lambda ctx: _rate(ctx, {"rating": 7, "artifacts": 1}),
            400: lambda ctx: _rate(ctx, {"rating": 11}),
            401: lambda ctx: ctx.call("POST", f"/api/v1/rating/{ctx.image().public_id}", {"rating": 7}),
            403: lambda ctx: _rate(ctx, {"rating": 7}, twice=True),
            404: lambda ctx: ctx.call("POST", f"/api/v1/rating/{UNKNOWN}", {"rating": 7}, apikey=DEMO_KEY),
            413: lambda ctx: ctx.call("POST", f"/api/v1/rating/{ctx.next_image_id()}", raw=TOO_LARGE,
                                      apikey=DEMO_KEY),
            415: lambda ctx: ctx.call("POST", f"/api/v1/rating/{ctx.next_image_id()}", raw=b"rating=7",
                                      content_type="text/plain", apikey=DEMO_KEY),
        },
    ),
    ("POST", "/api/v1/generations"): Operation(
        {
            201: lambda ctx: ctx.call("POST", "/api/v1/generations", registration(), apikey=DEMO_KEY),
            200: _register_twice,
            400: lambda ctx: ctx.call("POST", "/api/v1/generations", registration(images=[]), apikey=DEMO_KEY),
            401: lambda ctx: ctx.call("POST", "/api/v1/generations", registration()),
            403: lambda ctx: ctx.call("POST", "/api/v1/generations", registration(), apikey=ANONYMOUS_KEY),
            409: _register_then_change,
            413: lambda ctx: ctx.call("POST", "/api/v1/generations", raw=TOO_LARGE, apikey=DEMO_KEY),
            415: lambda ctx: ctx.call("POST", "/api/v1/generations", raw=b"prompt=x", content_type="text/plain",
                                      apikey=DEMO_KEY),
        },
    ),
    ("POST", "/api/v1/embed/token"): Operation(
        {
            201: lambda ctx: _embed_token(ctx, {"origin": "https://artbot.example"}, apikey=DEMO_KEY),
            400: lambda ctx: _embed_token(ctx, {}, apikey=DEMO_KEY),
            401: lambda ctx: _embed_token(ctx, {"origin": "https://artbot.example"}),
            403: lambda ctx: _embed_token(ctx, {"origin": "https://not-listed.example"}, apikey=DEMO_KEY),
            413: lambda ctx: _embed_token(ctx, None, raw=TOO_LARGE, apikey=DEMO_KEY),
            415: lambda ctx: _embed_token(ctx, None, raw=b"origin=x", content_type="text/plain", apikey=DEMO_KEY),
        }
    ),
    ("POST", "/api/v1/rating/set"): Operation(
        {
            201: _forward_new_set,
            200: _forward_our_own_submission,
            400: lambda ctx: ctx.forward({"set": "not a uuid"}),
            401: lambda ctx: ctx.forward(horde_payload(str(uuid.uuid4()), ["g1"], best="g1"), token="wrong"),
            403: _forward_a_set_rated_before,
            413: lambda ctx: ctx.forward(raw=TOO_LARGE),
            415: lambda ctx: ctx.forward(raw=b"set=x", content_type="text/plain"),
        },
        unexercised={409: "a forward that conflicts with a stored set: tests/test_intake_*.py"},
    ),
    ("GET", "/api/v1/image/ratings/{image_id}"): Operation(
        {
            200: _image_ratings,
            401: lambda ctx: _image_ratings(ctx, apikey=None),
            403: lambda ctx: _image_ratings(ctx, apikey=DEMO_KEY),
            404: lambda ctx: _image_ratings(ctx, image_id=UNKNOWN),
            400: lambda ctx: ctx.call("GET", f"/api/v1/image/ratings/{UNKNOWN}", {"format": "xml"},
                                      apikey=MODERATOR_KEY),
        },
    ),
    ("GET", "/api/v1/tags"): Operation({200: lambda ctx: ctx.call("GET", "/api/v1/tags")}),
    ("GET", "/api/v1/image/{image_id}/tags"): Operation(
        {
            200: lambda ctx: ctx.call("GET", f"/api/v1/image/{ctx.image().public_id}/tags", apikey=DEMO_KEY),
            401: lambda ctx: ctx.call("GET", f"/api/v1/image/{ctx.image().public_id}/tags", apikey="demo-shared-0004"),
            403: lambda ctx: ctx.call("GET", f"/api/v1/image/{ctx.image().public_id}/tags",
                                      apikey=ctx.closed_account_key()),
            404: lambda ctx: ctx.call("GET", f"/api/v1/image/{UNKNOWN}/tags"),
        },
    ),
    ("PUT", "/api/v1/image/{image_id}/tags"): Operation(
        {
            200: lambda ctx: ctx.call("PUT", f"/api/v1/image/{ctx.image().public_id}/tags", {"tags": ["text"]},
                                      apikey=DEMO_KEY),
            400: lambda ctx: ctx.call("PUT", f"/api/v1/image/{ctx.image().public_id}/tags", {"tags": ["sparkly"]},
                                      apikey=DEMO_KEY),
            401: lambda ctx: ctx.call("PUT", f"/api/v1/image/{ctx.image().public_id}/tags", {"tags": []}),
            403: lambda ctx: ctx.call("PUT", f"/api/v1/image/{ctx.image().public_id}/tags", {"tags": []},
                                      apikey=ctx.closed_account_key()),
            404: lambda ctx: ctx.call("PUT", f"/api/v1/image/{UNKNOWN}/tags", {"tags": []}, apikey=DEMO_KEY),
            413: lambda ctx: ctx.call("PUT", f"/api/v1/image/{ctx.image().public_id}/tags", raw=TOO_LARGE,
                                      apikey=DEMO_KEY),
            415: lambda ctx: ctx.call("PUT", f"/api/v1/image/{ctx.image().public_id}/tags", raw=b"tags=text",
                                      content_type="text/plain", apikey=DEMO_KEY),
        },
    ),
    ("GET", "/api/v1/user/check/{user_id}"): Operation(
        {
            **_moderators("/api/v1/user/check/1006", {"minutes": 60}),
            400: lambda ctx: ctx.call("GET", "/api/v1/user/check/1006", {"minutes": "soon"}, apikey=MODERATOR_KEY),
            404: lambda ctx: ctx.call("GET", "/api/v1/user/check/999999", apikey=MODERATOR_KEY),
        },
    ),
    ("GET", "/api/v1/user/validate/{user_id}"): Operation(
        {
            **_moderators("/api/v1/user/validate/1006", {"rating": 5, "rating_comparison": "ge"}),
            400: lambda ctx: ctx.call("GET", "/api/v1/user/validate/1006", {"rating_comparison": "around"},
                                      apikey=MODERATOR_KEY),
            404: lambda ctx: ctx.call("GET", "/api/v1/user/validate/999999", apikey=MODERATOR_KEY),
        },
    ),
    ("GET", "/api/v1/user/ratings/"): Operation(
        {
            **_moderators("/api/v1/user/ratings/", {"limit": 10}),
            400: lambda ctx: ctx.call("GET", "/api/v1/user/ratings/", {"limit": "many"}, apikey=MODERATOR_KEY),
        },
        unexercised={404: "documented by moderation_views.answers() for every moderators' call; none answers it"},
    ),
    # The open dataset's downloads (plain Django views: in the schema only when a postprocessing hook adds them).
    ("GET", "/api/v1/download/"): Operation(
        {
            200: lambda ctx: _after_an_export(ctx, "/api/v1/download/"),
            405: lambda ctx: ctx.call("POST", "/api/v1/download/", {}),
        }
    ),
    ("GET", "/api/v1/download/{name}"): Operation(
        {
            200: lambda ctx: _after_an_export(ctx, "/api/v1/download/README.md"),
            304: _download_again,
            404: lambda ctx: ctx.call("GET", "/api/v1/download/no-such-file.parquet"),
            405: lambda ctx: ctx.call("POST", "/api/v1/download/README.md", {}),
        },
    ),
}

CASES = [(key, status) for key, operation in CALLS.items() for status in operation.calls]


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return fetch_schema()


def _documented(schema: dict, key: tuple[str, str]) -> dict:
    documented = operations(schema)
    if key not in documented:
        pytest.skip(f"{key[0]} {key[1]} is not in the schema (yet)")
    return documented[key]


def test_every_documented_operation_is_in_the_table(schema: dict) -> None:
    unknown = sorted(set(operations(schema)) - set(CALLS))
    assert unknown == [], f"add these operations to CALLS in {__name__}: {unknown}"


def test_every_operation_documents_a_4xx_with_the_message_shape(schema: dict) -> None:
    lacking = [
        key for key, operation in operations(schema).items()
        if not any(
            code.startswith("4") and is_message_shape(schema, json_schema_of(schema, operation, int(code)))
            for code in operation["responses"]
        )
    ]
    assert lacking == [], f"these operations document no 4xx with the {{'message'}} shape: {lacking}"


def test_every_documented_error_has_the_message_shape(schema: dict) -> None:
    wrong = [
        (key, code) for key, operation in operations(schema).items() for code in operation["responses"]
        if int(code) >= 400 and not is_message_shape(schema, json_schema_of(schema, operation, int(code)))
    ]
    assert wrong == [], wrong


@pytest.mark.parametrize("key", list(CALLS), ids=[f"{m} {p}" for m, p in CALLS])
def test_every_documented_status_has_a_call(schema: dict, key: tuple[str, str]) -> None:
    operation = _documented(schema, key)
    covered = set(CALLS[key].calls) | set(CALLS[key].unexercised) | set(UNEXERCISED_EVERYWHERE)
    missing = sorted(int(code) for code in operation["responses"] if int(code) not in covered)
    assert missing == [], f"add a call to CALLS[{key}] for each of {missing} (or a reason in unexercised)"


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "status"), CASES, ids=[f"{m} {p} {s}" for (m, p), s in CASES])
def test_the_answer_matches_the_schema(schema: dict, key: tuple[str, str], status: int, make_images, settings) -> None:
    settings.CAPTCHA_RATE = 0.0
    operation = _documented(schema, key)
    assert str(status) in operation["responses"], f"{key}: CALLS makes a {status} that the schema does not document"

    response = CALLS[key].calls[status](Ctx(make_images=make_images, settings=settings))

    stub_or_ok(response, status)
    body_schema = json_schema_of(schema, operation, status)
    if body_schema is None:
        return
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    problems = errors_in(schema, body_schema, response.json())
    assert problems == [], f"{key} {status}: {problems}\n{response.content[:1000]!r}"
