"""Reading the API's OpenAPI schema (/api/schema/) in tests: its operations, and whether a real answer's body
matches what the schema documents for its status (JSON Schema, with the schema's $refs resolved)."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
from django.test import Client

METHODS = ("get", "put", "post", "patch", "delete")


def fetch_schema() -> dict:
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:500]
    return response.json()


def operations(schema: dict) -> dict[tuple[str, str], dict]:
    """Every documented operation, by (METHOD, path as the schema writes it)."""
    return {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def json_schema_of(schema: dict, operation: dict, status: int) -> dict | None:
    """The JSON Schema of the documented `application/json` body for `status`, or None when it has no body."""
    response = operation["responses"].get(str(status))
    assert response is not None, f"status {status} is not documented"
    content = response.get("content") or {}
    if "application/json" not in content:
        return None
    return content["application/json"].get("schema")


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's dialect as JSON Schema: `nullable` becomes a null alternative, and a documented object
    allows no property it does not document (so an undocumented field in an answer is caught)."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def errors_in(schema: dict, body_schema: dict, body: Any) -> list[str]:
    """What in `body` does not match `body_schema` (a part of `schema`, whose $refs point into its components)."""
    whole = _as_json_schema({**copy.deepcopy(body_schema), "components": schema.get("components", {})})
    validator = jsonschema.Draft202012Validator(whole, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}"
            for error in validator.iter_errors(body)]


def is_message_shape(schema: dict, body_schema: dict | None) -> bool:
    """Whether a documented body is the error shape: an object whose `message` is required text."""
    if body_schema is None:
        return False
    while "$ref" in body_schema:
        name = body_schema["$ref"].rsplit("/", 1)[-1]
        body_schema = schema["components"]["schemas"][name]
    properties = body_schema.get("properties", {})
    return (
        body_schema.get("type") == "object"
        and properties.get("message", {}).get("type") == "string"
        and "message" in body_schema.get("required", [])
    )
