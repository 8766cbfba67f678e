"""CORS as the API's browser clients meet it, through Django's test client: the browser's preflight (`OPTIONS` with
Origin and Access-Control-Request-*) and the call that follows it, from a page of another origin."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import Client

APP_ORIGIN = "https://artbot.example"  # a client app's page (ArtBot, Stable UI, the Horde's front page)
# What ArtBot and the front page send (shared/horde-wire.md §2), as the browser names them in a preflight.
CLIENT_HEADERS = "apikey,client-agent,content-type"
ALLOWED_HEADERS = {"apikey", "client-agent", "content-type", "x-fields", "accept"}


def preflight(path: str, method: str = "GET", *, origin: str = APP_ORIGIN, client: Client | None = None) -> HttpResponse:
    """The browser's preflight before a `fetch(path, {method, headers: {apikey, Client-Agent, Content-Type}})`."""
    return (client or Client()).options(
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": CLIENT_HEADERS},
    )


def listed(value: str) -> set[str]:
    """A comma-separated header value as a set of lower-case names."""
    return {item.strip().lower() for item in value.split(",") if item.strip()}


def cors_headers(response: HttpResponse) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers.items() if name.lower().startswith("access-control-")}
