"""The API's own refusal, apart from the exception handler (api.errors) so that the parser, which DRF's settings
load, imports nothing that imports DRF's views."""

from __future__ import annotations

from rest_framework.exceptions import APIException


class APIRefusal(APIException):
    """A refusal of the API's own (a malformed id or body, an unknown dataset) with its status and message. Our
    services' refusals, and any that says when to come back, are `ratings_site.refusals.Refusal`s."""

    def __init__(self, status_code: int, message: str):
        super().__init__(detail=message)
        self.status_code = status_code
