"""The API's own refusal, apart from the exception handler (api.errors) so that the parser, which DRF's settings
load, imports nothing that imports DRF's views."""

from __future__ import annotations

from rest_framework.exceptions import APIException


class APIRefusal(APIException):
    """A refusal with its own status and message; `wait` (seconds) becomes Retry-After."""

    def __init__(self, status_code: int, message: str, *, wait: int | None = None):
        super().__init__(detail=message)
        self.status_code = status_code
        self.wait = wait
