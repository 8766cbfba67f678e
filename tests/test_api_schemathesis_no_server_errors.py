"""Schemathesis over /api/schema/: calls generated from each documented operation's parameters and bodies never
make the API answer 5xx, and every answer is one the schema documents, with the documented shape.

Each operation gets a few derandomized examples (stable in CI), with a rater's key, a moderator's key and the
intake's token, and again with no key at all. The site runs in-process (WSGI) against the test database, with a
few images to rate, and the stand-in Horde answers the key checks.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.conftest import DEMO_KEY
from tests.intake_helpers import TOKEN

EXAMPLES_PER_OPERATION = 20
MODERATOR_KEY = "demo-moderator-0003"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request; the test's transaction lives on it
    (Django's test client disconnects the same signal)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(django_db_blocker, wsgi_keeps_the_test_connection) -> schemathesis.BaseSchema:
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


def _operations(schema: schemathesis.BaseSchema) -> list:
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema documents no operation"
    return operations


def _run(operation, headers: dict[str, str], drop: tuple[str, ...] = (), known: dict[str, str] | None = None) -> None:
    """`known`: path parameters (a real dataset's or image's id) put in every other example, so that the calls
    reach past the 404 of an unknown id."""
    turn = iter(range(10**6))

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def calls(case) -> None:
        for name in drop:
            (case.headers or {}).pop(name, None)
        if known and next(turn) % 2 and case.path_parameters:
            case.path_parameters.update({key: value for key, value in known.items() if key in case.path_parameters})
        # Answers uncompressed: schemathesis's WSGI transport hands over the body as sent, without undoing a gzip
        # (ratings_site/compression.py gzips text answers for clients that ask, as HTTP clients do by default).
        response = case.call(headers={**(headers or {}), "Accept-Encoding": "identity"})
        case.validate_response(response, checks=CHECKS)

    calls()


@pytest.fixture
def known(make_images, settings) -> dict[str, str]:
    settings.CAPTCHA_RATE = 0.0
    settings.HORDE_RATINGS_SET_TOKEN = TOKEN
    settings.HORDE_RATINGS_SET_ALLOWED_IPS = []
    settings.API_REQUESTS_PER_MINUTE_PER_RATER = settings.API_REQUESTS_PER_MINUTE_PER_ADDRESS = 100_000
    images = make_images(5, dataset="schemathesis-set", source={"model": "AlbedoBase XL"})
    return {"dataset_id": str(images[0].dataset.public_id), "image_id": str(images[0].public_id),
            "model_name": "AlbedoBase XL", "user_id": "1001"}


@pytest.mark.django_db
@pytest.mark.parametrize("apikey", [DEMO_KEY, MODERATOR_KEY], ids=["rater", "moderator"])
def test_no_server_error_with_a_key(api_schema, known: dict[str, str], apikey: str) -> None:
    for operation in _operations(api_schema):
        _run(operation, {"apikey": apikey, "X-Ratings-Set-Token": TOKEN}, known=known)


@pytest.mark.django_db
def test_no_server_error_without_a_key(api_schema, known: dict[str, str]) -> None:
    for operation in _operations(api_schema):
        _run(operation, {}, drop=("apikey", "X-Ratings-Set-Token"), known=known)
