"""One refusal type: why the site will not do what someone asked, for a machine (`code`) and for a person (`message`).

Every refusal a rater, a client app or the Horde can meet is a `Refusal` (or a subclass naming its `code` and
`status`). It is translated once for the API (`{"message": ..., "code": ...}` with the status and, when it says
when to come back, `Retry-After`) and once for the pages (the message where the person acted, with the status).
"""

from __future__ import annotations

import math
from datetime import datetime

from django.utils import timezone


class Refusal(Exception):
    """A refusal: `code` (stable, for clients and tests), `message` (for people), `status` (HTTP) and, for a
    refusal that ends, `until` (when to come back; read as `retry_after` seconds)."""

    code = "refused"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        until: datetime | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.until = until
        self._retry_after = retry_after

    @property
    def retry_after(self) -> int | None:
        """Seconds until asking again may succeed (at least 1), or None when waiting does not help."""
        if self._retry_after is not None:
            return max(1, int(self._retry_after))
        if self.until is not None:
            return max(1, math.ceil((self.until - timezone.now()).total_seconds()))
        return None


class RefusalPageMiddleware:
    """The pages' one translation of a refusal that no view answered where the person acted: a page with the
    refusal's message and status (and Retry-After), never a 500. The API has its own (api.errors: JSON
    {"message", "code"}), so API paths are left to it. Views that keep what a person entered (the rate card, the
    set page) still catch their refusals to answer in place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refusal) or request.path.startswith("/api/"):
            return None
        from django.shortcuts import render

        response = render(request, "refused.html", {"refusal": exception}, status=exception.status)
        if exception.retry_after is not None:
            response["Retry-After"] = str(exception.retry_after)
        return response
