"""Every error the API answers is JSON `{"message": "..."}` (shared/horde-wire.md §2), never an HTML page.

Our services' refusals (`ratings_site.refusals.Refusal`) are translated here once, for every view: JSON
`{"message", "code"}` with the refusal's status, and Retry-After when waiting helps; views let them through.
DRF's own refusals (a body that is not JSON, a wrong content type, a missing key, a method not allowed) and
our services' refusals all pass through `exception_handler` (REST_FRAMEWORK["EXCEPTION_HANDLER"]), which turns
DRF's `{"detail"}` and nested validation errors into one message for people. An unexpected failure is logged
(keys are scrubbed from every log record) and answered with a JSON 500, or 503 when the database failed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from ratings_site.refusals import Refusal

logger = logging.getLogger(__name__)

MESSAGES_SHOWN = 3  # validation problems named in one message


def problems(detail: Any, path: str = "") -> list[str]:
    """DRF's error detail (text, a list, or a dict of fields, nested for lists of objects) as "where: what" lines."""
    if isinstance(detail, dict):
        lines: list[str] = []
        for key, value in detail.items():
            if key in ("detail", "non_field_errors"):
                where = path
            elif isinstance(key, int):
                where = f"{path}[{key}]"
            else:
                where = f"{path}.{key}" if path else str(key)
            lines += problems(value, where)
        return lines
    if isinstance(detail, list):
        return [line for item in detail for line in problems(item, path)]
    return [f"{path}: {detail}" if path else str(detail)]


def message_of(detail: Any) -> str:
    lines = problems(detail) or ["The request was refused."]
    shown = "; ".join(lines[:MESSAGES_SHOWN])
    if len(lines) > MESSAGES_SHOWN:
        shown += f" (and {len(lines) - MESSAGES_SHOWN} more)"
    return shown


def refusal_response(refusal: Refusal) -> Response:
    """A refusal as the API answers it: its message for people, its code for programs, its status."""
    set_rollback()
    wait = refusal.retry_after
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return Response({"message": refusal.message, "code": refusal.code}, status=refusal.status, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, Refusal):
        return refusal_response(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, Throttled):
            wait = response.headers.get("Retry-After", "60")
            response.data = {"message": f"Too many requests: wait {wait} seconds, then try again."}
            return response
        response.data = {"message": message_of(response.data)}
        return response
    if isinstance(exc, RequestDataTooBig):  # past DATA_UPLOAD_MAX_MEMORY_SIZE, refused by Django before our parser
        return Response({"message": "The body is far too large."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    set_rollback()
    view = context.get("view")
    where = type(view).__name__ if view is not None else "the API"
    if isinstance(exc, DatabaseError):
        logger.error("Database failure in %s", where, exc_info=exc)
        return Response(
            {"message": "The site's database is not answering. Please try again in a minute."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "60"},
        )
    logger.error("Unexpected failure in %s", where, exc_info=exc)
    return Response(
        {"message": "Something went wrong on our side. Please try again later."},
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
