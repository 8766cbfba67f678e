"""`/api` and `/api/` lead to the docs (the dataset's card links the API as https://<host>/api), and
`/api/swagger.json`, the old service's path that Stable UI generated its types from, answers the OpenAPI
document as JSON: the same document as /api/schema/."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api", "/api/"])
def test_the_api_root_redirects_to_the_docs(path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == "/api/docs/"
    assert Client().get(response["Location"]).status_code == 200


def test_another_method_on_the_api_root_is_refused_in_json():
    response = Client().post("/api/", data="{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "message" in response.json()


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
def test_swagger_json_is_the_openapi_document_as_json(accept):
    headers = {"Accept": accept} if accept else {}

    response = Client().get("/api/swagger.json", headers=headers)

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "application/json"
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert "post" in document["paths"]["/api/v1/rating/{image_id}"]
    assert "get" in document["paths"]["/api/v1/rating/new"]


def test_swagger_json_has_the_same_paths_as_the_schema():
    swagger = Client().get("/api/swagger.json").json()
    schema = Client().get("/api/schema/?format=json").json()

    assert swagger == schema
    assert not {"/api", "/api/", "/api/swagger.json", "/api/schema/"} & set(swagger["paths"])
