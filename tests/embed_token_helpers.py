"""The embed token flow through Django's test client: a token from POST /api/v1/embed/token, then the frame, opened
with the headers a browser sends for a client app's iframe (`framed_by`)."""

from __future__ import annotations

import re

from django.test import Client

from tests.conftest import DEMO_KEY

ORIGIN = "https://artbot.example"
OTHER_ORIGIN = "https://elsewhere.example"


def token_call(origin: str = ORIGIN, *, apikey: str | None = DEMO_KEY, **headers: str):
    if apikey is not None:
        headers["apikey"] = apikey
    return Client().post("/api/v1/embed/token", data={"origin": origin}, content_type="application/json",
                         headers=headers)


def new_token(origin: str = ORIGIN, apikey: str = DEMO_KEY) -> str:
    response = token_call(origin, apikey=apikey)
    assert response.status_code == 201, response.content
    return response.json()["token"]


def framed_by(origin: str = ORIGIN) -> dict[str, str]:
    """The headers of an iframe's navigation on `origin`'s page, as Chromium sends them (the default referrer policy
    gives the parent's origin)."""
    return {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "cross-site",
            "Referer": f"{origin}/"}


def open_frame(path: str = "/embed/rate/", *, origin: str = ORIGIN, apikey: str = DEMO_KEY) -> tuple[Client, object]:
    """A browser-like client that opened the frame on `origin`'s page with a fresh token; returns it and the page."""
    client = Client()
    page = client.get(f"{path}?token={new_token(origin, apikey)}", headers=framed_by(origin))
    return client, page


def embed_session_of(page) -> str:
    match = re.search(r'"X-Embed-Session": "([^"]+)"', page.content.decode())
    assert match, "the embedded page carries no session token for its htmx requests"
    return match.group(1)


def shown_image_id(page) -> str:
    match = re.search(r'data-image-id="([0-9a-f-]{36})"', page.content.decode())
    assert match, "no image shown"
    return match.group(1)
