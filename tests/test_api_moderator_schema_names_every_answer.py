"""The OpenAPI schema describes each moderators' call: its readable operation id, the apikey header and its
query parameters, the answer's fields as JSON and as an HTML page, and every refusal as JSON {"message", "code"}."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

CALLS = {
    ("/api/v1/image/ratings/{image_id}", "image_ratings"): (
        {"image_id", "format"},
        {"total", "image", "image_id", "average", "times_rated", "ratings"},
    ),
    ("/api/v1/user/check/{user_id}", "user_check"): (
        {"user_id", "minutes", "divergence", "format"},
        {"ratings_in_timeframe", "ratings_per_minute_in_timeframe", "ratings_past_three_hours",
         "ratings_per_minute_for_past_three_hours", "suspect_divergences", "captchas_failed"},
    ),
    ("/api/v1/user/validate/{user_id}", "user_validate"): (
        {"user_id", "rating", "rating_comparison", "artifacts", "artifacts_comparison", "min_ratings", "limit",
         "offset", "format"},
        {"total", "ratings"},
    ),
    ("/api/v1/user/ratings/", "user_ratings"): (
        {"limit", "offset", "diverge", "format", "rating", "rating_comparison", "artifacts", "artifacts_comparison",
         "min_ratings"},
        {"total", "ratings"},
    ),
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


@pytest.mark.parametrize(("path", "operation_id"), list(CALLS))
def test_the_call_names_every_answer(schema, path, operation_id):
    parameters, fields = CALLS[(path, operation_id)]
    operation = schema["paths"][path]["get"]

    assert operation["operationId"] == operation_id
    named = {p["name"] for p in operation["parameters"]}
    assert named == parameters | {"apikey"}
    answers = operation["responses"]
    assert set(answers) == {"200", "400", "401", "403", "404", "429", "503"}
    assert set(answers["200"]["content"]) == {"application/json", "text/html"}
    assert set(resolve(schema, answers["200"]["content"]["application/json"]["schema"])["properties"]) == fields
    for code in ("400", "401", "403", "404", "429", "503"):
        assert set(answers[code]["content"]) == {"application/json"}
        assert set(resolve(schema, answers[code]["content"]["application/json"]["schema"])["properties"]) == {"message", "code"}


def test_the_listed_ratings_carry_the_wire_fields(schema):
    listed = resolve(schema, {"$ref": "#/components/schemas/ListedRating"})
    validated = resolve(schema, {"$ref": "#/components/schemas/RatedImage"})
    of_image = resolve(schema, {"$ref": "#/components/schemas/ImageRating"})

    assert set(listed["properties"]) == {"username", "image", "rating", "artifacts", "average", "times_rated"}
    assert set(validated["properties"]) == {"image", "rating", "artifacts", "average", "times_rated"}
    assert set(of_image["properties"]) == {"username", "rating", "artifacts"}
