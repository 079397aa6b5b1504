"""The server-error handler: a database that cannot be reached or is out of connections is a
503 with Retry-After (the request may be repeated shortly), not a 500.

Connections are bounded by the processes that hold them: each gunicorn worker keeps one
persistent connection (CONN_MAX_AGE), so the web side holds at most WEB_CONCURRENCY. When the
server refuses more (max_connections, a role's CONNECTION LIMIT), is restarting or shutting down,
or cancels a statement (statement or lock timeout), psycopg raises OperationalError, which Django
would answer with its 500 page. Django calls this handler for every uncaught exception, from the
views and from middleware alike, inside the `except` that caught it."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

from publications.api.errors import json_error

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if not isinstance(error, UNAVAILABLE):
        return defaults.server_error(request)
    logger.warning("database unavailable for %s: %s", request.path, str(error).strip()[:300])
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        return json_error(
            503,
            f"The database is busy or unavailable. Try again in {RETRY_AFTER_SECONDS} seconds.",
            headers=headers,
        )
    page = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
    return HttpResponse(page, status=503, headers=headers)
