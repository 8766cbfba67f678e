"""Small helpers for the API tests: JSON calls through Django's test client, and a Horde-shaped registration."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.test import Client

CLIENT_AGENT = "TestClient:1.0:tests@example.org"


def post_json(path: str, body: Any, *, apikey: str | None = None, raw: bytes | None = None, **headers: str):
    """POST `body` as JSON (or `raw` bytes) with the `apikey` header when given; the response."""
    if apikey is not None:
        headers["apikey"] = apikey
    headers.setdefault("Client-Agent", CLIENT_AGENT)
    data = raw if raw is not None else json.dumps(body)
    content_type = headers.pop("content_type", "application/json")
    return Client().post(path, data=data, content_type=content_type, headers=headers)


def registration(request_id: str | None = None, *, images: int | list[dict] = 3, **fields: Any) -> dict:
    """A registration body as a client sends it: prompt, parameters and the images from generate/status."""
    if isinstance(images, int):
        images = [
            {"id": str(uuid.uuid4()), "url": f"https://images.example.org/{n}.webp", "model": "AlbedoBase XL",
             "seed": str(1000 + n)}
            for n in range(images)
        ]
    body = {
        "request_id": request_id or str(uuid.uuid4()),
        "prompt": "a lighthouse at dusk, oil painting",
        "negative_prompt": "blurry",
        "params": {"sampler_name": "k_euler_a", "cfg_scale": 7.5, "steps": 30, "width": 1024, "height": 1024},
        "images": images,
    }
    body.update(fields)
    return body
