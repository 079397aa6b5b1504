"""Every error under /api/ is JSON: {"status": 400, "detail": "...", "errors": {...}}, where
`errors` (on a 400 about the query string) names each bad parameter with its problems."""

from __future__ import annotations

import orjson
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


class InvalidParameters(exceptions.ValidationError):
    """A 400 naming each query-string parameter the API cannot honour: {name: [problems]}."""

    default_detail = "Invalid query parameters."


def error_body(status: int, detail: str, errors: dict | None = None) -> dict:
    body: dict = {"status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def json_error(status: int, detail: str, *, headers: dict[str, str] | None = None) -> HttpResponse:
    """An error from a plain Django view under /api/ (outside DRF), shaped like DRF's."""
    return HttpResponse(
        orjson.dumps(error_body(status, detail)),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def exception_handler(exc: Exception, context: dict):
    """DRF's handler (which also sets Retry-After on a 429 and Allow on a 405), with one body shape
    for every error, and Django's SuspiciousOperation (say, a query string of more than
    DATA_UPLOAD_MAX_NUMBER_FIELDS values) a JSON 400 rather than an HTML page."""
    if isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError("The request could not be read: " + str(exc)[:200])
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, InvalidParameters):
        response.data = error_body(
            response.status_code, str(InvalidParameters.default_detail), data
        )
    elif isinstance(data, dict) and set(data) == {"detail"}:
        response.data = error_body(response.status_code, str(data["detail"]))
    else:
        response.data = error_body(response.status_code, "Invalid request.", data)
    return response
