"""Who the client is, for the admin's sign-in lockout (django-axes, settings.AXES_*)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind settings.NUM_PROXIES reverse proxies the
    address the outermost of them saw, which it appended to X-Forwarded-For. The entries to its
    left come from the client and are never trusted. Counts as DRF's throttles do, so the API's
    rate limit and the sign-in lockout agree on who a client is."""
    remote_addr = request.META.get("REMOTE_ADDR")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
    if not settings.NUM_PROXIES or not addresses:
        return remote_addr
    return addresses[-min(settings.NUM_PROXIES, len(addresses))]
