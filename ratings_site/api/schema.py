"""What the OpenAPI schema (/api/schema/) says about every call's refusals: one error shape, `{"message"}`.

Views declare their answers with `extend_schema(responses={200: ..., **errors(400, 403, 404)})`, so that the
schema names every status code a call can answer with the same error body.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="What went wrong, in words for people.")
    code = serializers.CharField(
        required=False,
        help_text="What went wrong, for programs (e.g. image_full, rating_paused): stable, snake_case. Absent from "
        "the refusals of the request itself (a malformed body, no key).",
    )


ERROR_MEANINGS = {
    400: "Bad input: the body, a field or a query parameter (the message says which).",
    401: "No apikey header, or a key the Horde does not know.",
    403: "Not allowed: already rated, may not rate, or not a moderator.",
    404: "Unknown, hidden or nothing left.",
    409: "Conflicts with what is stored.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    429: "Too many requests or paused: wait Retry-After seconds.",
    503: "The Horde or the database is not answering: try again shortly.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers of a call, each `{"message"}`, for `extend_schema(responses=...)`."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_MEANINGS.get(code, "Refused.")) for code in codes}


APIKEY_HEADER = OpenApiParameter(
    "apikey",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Your AI Horde API key (the anonymous key 0000000000 may rate and earns nothing).",
)
CLIENT_AGENT_HEADER = OpenApiParameter(
    "Client-Agent",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="name:version:contact of the client app; stored with each rating.",
)
