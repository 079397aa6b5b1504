"""The record page from a cache, and conditional GET, both exact by the data version.

DataVersion (migration 0005) changes with every statement that writes the portal's tables, and
a record page is made of nothing else but this deployment's code, templates and static files and
the request's address. So a page kept under (data version, deployment, address) is exactly what
rendering it again would give, and a client's copy whose ETag names the same is current: a
repeat visit costs one query, whether it is answered with the kept page or with a 304.

The fingerprint vectors (the "Similar publications") have no version trigger of their own
(migration 0009): they are written in the transactions that write the publication concepts, and
their public flag by triggers of the publication's own update, and both of those change the
version.

The listing, the home page, the indexes of persons, organisations, journals and subject areas,
and the person, organisation, journal and subject-area pages are kept the same way
(kept_for_visitors), under their whole address: their query string only searches, filters, sorts
and pages.

Only what every visitor sees is kept or confirmed: not staff's pages (drafts, previews), not htmx
requests, not a record page's address with a query string, not an export that the Accept header
asks for. The
page must therefore carry nothing of the visitor's own: no CSRF token, no messages, no login.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from publications.api.conditional import version_seen_at
from publications.figures import data_version, deployment

TIMEOUT = 24 * 60 * 60  # exact at any age: the timeout only frees the space of old versions
# Browsers and caches may keep a page, but must ask before showing it again (one query, a 304).
CACHE_CONTROL = "no-cache"
# As the pages' own responses: the record page's exports are negotiated, and a listing's htmx
# requests get the listing alone.
VARY = ("Accept", "HX-Request")
KEPT_HEADERS = ("Content-Type", "Link")


def cacheable(request: HttpRequest, query_string: bool = False) -> bool:
    """Whether this request may be answered from the cache and its answer kept: a GET of the
    address by a visitor (any user who is not staff), without a query string unless the page
    is one that only reads it (`query_string`)."""
    return (
        request.method == "GET"
        and (query_string or not request.META.get("QUERY_STRING"))
        and "HX-Request" not in request.headers
        and not request.user.is_staff
    )


def kept_for_visitors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A listing or entity page (search, filters, sort and page in its query string) answered
    from the cache and by 304s, as the record page is. Every visitor with the same address sees
    the same page, so the address with its query string is the key."""

    @wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not cacheable(request, query_string=True):
            return view(request, *args, **kwargs)
        page = PageCache(request)
        if (response := page.answer()) is not None:
            return response
        return page.keep(view(request, *args, **kwargs))

    return answer


def address_of(request: HttpRequest) -> str:
    """The request's scheme and host, then its script prefix and its path with the query
    string, apart: the page is the one that the path names, with links under the prefix.
    Joined, a request for "/" with a forged SCRIPT_NAME of "/persons" (which gunicorn takes from
    a trusted proxy's header) would have kept the home page for every visitor of "/persons/"."""
    prefix = request.META.get("SCRIPT_NAME", "")
    return f"{request.scheme}://{request.get_host()} {prefix} {request.get_full_path_info()}"


@dataclass(frozen=True)
class Kept:
    content: bytes
    headers: list[tuple[str, str]]


class PageCache:
    """One request's view of the cache. Reads the data version (one query) before anything
    else is read, so a page is only ever kept under a version no newer than its data."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        version = request.data_version = data_version()
        address = f"{deployment()} {address_of(request)}"
        digest = hashlib.blake2b(address.encode(), digest_size=12).hexdigest()
        self.key = f"portal:page:{version}:{digest}"
        self.etag = f'"{version}-{digest}"'
        # Last-Modified is the time this process first read the version (whole seconds), given
        # only from the second after it: a change within the second it was read could otherwise
        # keep the same date, and If-Modified-Since would confirm a stale copy.
        seen = version_seen_at(version)
        self.last_modified = seen if seen < int(time.time()) else None

    def answer(self) -> HttpResponse | None:
        """A 304 when the client's copy is current (or a 412 for a failed If-Match), the kept
        page when there is one, else None: render it, then keep() it."""
        response = get_conditional_response(
            self.request, etag=self.etag, last_modified=self.last_modified
        )
        if response is None:
            kept = caches["pages"].get(self.key)
            if kept is None:
                return None
            response = HttpResponse(kept.content)
            for header, value in kept.headers:
                response[header] = value
        return self.validated(response)

    def keep(self, response: HttpResponse) -> HttpResponse:
        """Keeps a rendered page (a 200) for the next visitor, with its validators."""
        if not getattr(response, "is_rendered", True):  # a class-based view's TemplateResponse
            response.render()
        if response.status_code == 200 and not response.streaming:
            headers = [(h, response[h]) for h in KEPT_HEADERS if response.has_header(h)]
            caches["pages"].set(self.key, Kept(response.content, headers), TIMEOUT)
        return self.validated(response)

    def validated(self, response: HttpResponse) -> HttpResponse:
        if response.status_code in {200, 304}:
            response["ETag"] = self.etag
            if self.last_modified is not None:
                response["Last-Modified"] = http_date(self.last_modified)
            response["Cache-Control"] = CACHE_CONTROL
            patch_vary_headers(response, VARY)
        return response
