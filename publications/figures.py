"""Whole-collection figures (totals, facet counts, tree counts) cached until the data changes.

At a million publications, counting the whole collection on every request costs seconds; these
figures change only when something is written. The cache key includes DataVersion, which every
write to the portal's tables changes (migration 0005), so a figure is never stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from publications.models import DataVersion

T = TypeVar("T")
TIMEOUT = 60 * 60


class Figures:
    """Cached figures for one request: the data version is read once (one query)."""

    def __init__(self) -> None:
        self._version: int | None = None

    @property
    def version(self) -> int:
        if self._version is None:
            self._version = DataVersion.objects.values_list("value", flat=True).get(pk=1)
        return self._version

    def get(self, name: str, compute: Callable[[], T]) -> T:
        key = f"portal:figure:{self.version}:{name}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TIMEOUT)
        return value
