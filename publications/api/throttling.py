"""Request-rate limits: anonymous clients by address (API_ANON_RATE), signed-in users by account
(API_USER_RATE), staff not at all. Over the limit, DRF answers 429 with Retry-After.

The counts are kept in a cache of their own in each process's memory, so that many client
addresses never push the portal's cached figures out of the shared one; with several gunicorn
workers each keeps its own count (see settings.REST_FRAMEWORK)."""

from __future__ import annotations

from django.core.cache.backends.locmem import LocMemCache
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

cache = LocMemCache("portal-api-throttle", {"OPTIONS": {"MAX_ENTRIES": 20_000}})


class CurrentRateMixin:
    """Reads the rate when asked, not once at import as DRF's throttles do, so that a changed
    REST_FRAMEWORK setting (override_settings in tests) takes effect."""

    cache = cache

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousThrottle(CurrentRateMixin, AnonRateThrottle):
    scope = "anon"


class SignedInThrottle(CurrentRateMixin, UserRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        if not (user and user.is_authenticated) or user.is_staff:
            return None  # anonymous clients are AnonymousThrottle's; staff are not limited
        return self.cache_format % {"scope": self.scope, "ident": user.pk}
