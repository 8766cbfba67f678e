"""Calls of the raters' API (/api/v1/rating/...) through Django's test client, with the `apikey` header."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from tests.api_helpers import CLIENT_AGENT


def api_get(path: str, *, apikey: str | None = None, address: str = "127.0.0.1", **headers: str):
    if apikey is not None:
        headers["apikey"] = apikey
    headers.setdefault("Client-Agent", CLIENT_AGENT)
    return Client(REMOTE_ADDR=address).get(path, headers=headers)


def api_rate(image_id: Any, body: Any, *, apikey: str | None = None, address: str = "127.0.0.1", raw: bytes | None = None,
             **headers: str):
    """POST /api/v1/rating/<image_id> with `body` as JSON (or `raw` bytes)."""
    if apikey is not None:
        headers["apikey"] = apikey
    headers.setdefault("Client-Agent", CLIENT_AGENT)
    data = raw if raw is not None else json.dumps(body)
    content_type = headers.pop("content_type", "application/json")
    return Client(REMOTE_ADDR=address).post(
        f"/api/v1/rating/{image_id}", data=data, content_type=content_type, headers=headers
    )
