"""Conditional requests: ETag and Last-Modified from the data version, and 304 Not Modified.

The data version (publications.models.DataVersion) changes with every statement that writes any
table the API reads (triggers of migrations 0005 and 0009; test_api_conditional checks the list),
so it is exact: the ETag of an answer is the version it was read at plus the request's URL, and a
client's If-None-Match is answered with one query and no other work.

The version is a counter, not a time. Last-Modified is the time this process first read the
current version: never earlier than the change itself, though a little later and, with several
workers, not quite the same in each. HTTP dates have one-second resolution, so a client that wants
every change should send If-None-Match (which, when present, decides alone, RFC 9110 13.2.2).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from publications.api.errors import json_error
from publications.figures import deployment

# Part of every ETag: bump it when an endpoint's JSON changes shape, so that copies cached before a
# deployment are not confirmed as current by a 304.
API_REVISION = "1"
# Caches may keep answers (only public records are in them) but must ask again before reuse: the
# question costs one query and a 304.
CACHE_CONTROL = "public, no-cache"


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: int  # seconds since the epoch

    def apply(self, response: HttpResponse) -> HttpResponse:
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.last_modified)
        response["Cache-Control"] = CACHE_CONTROL
        return response


def version_seen_at(version: str) -> int:
    """When the data version was first read under this deployment (whole seconds since the
    epoch): after a deployment, pages that look different have a later Last-Modified."""
    key = f"portal:api:version-seen:{deployment()}:{version}"
    now = int(time.time())
    # add() keeps the first time; if the entry was evicted since, a later time is only cautious.
    cache.add(key, now, timeout=None)
    return cache.get(key, now)


def validators_for(request: HttpRequest, version: str) -> Validators:
    digest = hashlib.blake2b(
        f"{API_REVISION} {request.get_full_path()}".encode(), digest_size=8
    ).hexdigest()
    return Validators(etag=f'"{version}-{digest}"', last_modified=version_seen_at(version))


def not_modified(request: HttpRequest, validators: Validators) -> HttpResponse | None:
    """A 304 when the client's copy is current (or a 412 for a failed If-Match), else None."""
    response = get_conditional_response(
        request, etag=validators.etag, last_modified=validators.last_modified
    )
    if response is None:
        return None
    if response.status_code == 412:
        return json_error(412, "The precondition (If-Match or If-Unmodified-Since) failed.")
    return validators.apply(response)
