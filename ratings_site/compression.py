"""Compressed answers: the pages, their htmx partials and the API's JSON, gzipped for clients that ask.

A rate card is about 12 KB of HTML and 2.2 KB gzipped (issue 24); the static files are compressed by WhiteNoise
already (it answers them before this middleware runs). Only text is compressed: pictures (/media/, /renditions/) and
the export's parquet files gain nothing and would lose their Content-Length and byte ranges.

BREACH (a secret in a compressed answer guessed from its length, with attacker-chosen text reflected beside it):
- the CSRF token in every form and in `hx-headers` is masked afresh for each answer (Django's `get_token`: a
  random mask over the secret), so no two answers carry the same token text to guess from
  (tests/test_html_answers_gzipped_with_a_fresh_csrf_token.py);
- Django's GZipMiddleware adds up to 100 random bytes to each gzip header ("Heal The Breach", Django 4.2), so the
  length of an answer tells less;
- the API's key travels in a request header, never in an answer, and the session cookie is a header too (headers
  are not gzipped).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/problem+json", "image/svg+xml")


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for text answers only (`TEXT_TYPES`)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith(TEXT_TYPES):
            return response
        return super().process_response(request, response)
