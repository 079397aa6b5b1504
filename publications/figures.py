"""Whole-collection figures (totals, facet counts, tree counts) cached until the data changes.

At a million publications, counting the whole collection on every request costs seconds; these
figures change only when something is written. The cache key includes the data version, which
every write to the portal's tables changes (migration 0005), so a figure is never stale.

The cache is shared by every worker and kept across restarts (settings.CACHES), so the version
must also say which database, and which state of it, the value counts: a second database (the
test database, a fresh `var/`) starts its own count from 1, and a restored dump goes back to an
earlier value, after which the next writes would take values that the cache already holds
for the abandoned history. So the version is the counter together with
- the row's xmin, the transaction that wrote it: a restore writes the row again (pg_restore, or
  any reload) and its xmin is new;
- the database's identity, read once per connection: the cluster's system identifier (new at
  every initdb), the database's oid (new for every CREATE DATABASE) and the server's start time
  (a restore of the data directory itself needs a restart).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import django
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver

T = TypeVar("T")
TIMEOUT = 60 * 60

IDENTITY_SQL = """
    SELECT c.system_identifier, d.oid, pg_postmaster_start_time()
    FROM pg_control_system() c, pg_database d WHERE d.datname = current_database()
"""


def identity(cursor) -> str:
    """A digest of the identity of the database the cursor is connected to."""
    cursor.execute(IDENTITY_SQL)
    material = "|".join(str(value) for value in cursor.fetchone())
    return hashlib.blake2b(material.encode(), digest_size=6).hexdigest()


@receiver(connection_created)
def read_identity(sender, connection, **kwargs) -> None:
    """Reads the database's identity when a connection is made, for data_version()."""
    with connection.cursor() as cursor:
        connection.portal_identity = identity(cursor)


def data_version() -> str:
    """The data version with the database's identity, as cache keys and ETags carry it: one
    query. Written by hand: on a repeat visit of a record page this is its only query, and the
    ORM's version of it costs five times as long as the statement."""
    with connection.cursor() as cursor:  # makes the connection (and its identity) if need be
        cursor.execute("SELECT value, xmin::text FROM publications_dataversion WHERE id = 1")
        value, xmin = cursor.fetchone()
    if not hasattr(connection, "portal_identity"):  # connected before this module was imported
        read_identity(None, connection)
    return f"{value}.{xmin}.{connection.portal_identity}"


@lru_cache(maxsize=1)
def deployment() -> str:
    """A digest of what decides a page besides the data: the code, templates and static files
    (whose hashed names the page links), the installed Django and citation styles, the
    portal's name. An ETag from before a deployment that changed any of them is not confirmed.
    Read once per process (about 150 small files)."""
    from publications.citations import STYLES_VERSION

    digest = hashlib.blake2b(digest_size=8)
    base = settings.BASE_DIR
    for folder in ("portal", "publications", "templates", "static"):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".js", ".svg"} and "tests" not in path.parts:
                digest.update(f"{path.relative_to(base)}\0".encode())
                digest.update(path.read_bytes())
    digest.update(
        f"{django.get_version()}\0{STYLES_VERSION}\0{settings.PORTAL_NAME}\0"
        f"{settings.PORTAL_INSTITUTION}".encode()
    )
    return digest.hexdigest()


class Figures:
    """Cached figures for one request: the data version is read once (one query)."""

    def __init__(self, request=None) -> None:
        # The version this request read already (pagecache reads it first), if it did.
        self._version: str | None = getattr(request, "data_version", None)

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = data_version()
        return self._version

    def get(self, name: str, compute: Callable[[], T]) -> T:
        # The deployment too: the cache outlives the processes, and a figure computed by
        # other code may mean something else (or not unpickle).
        key = f"portal:figure:{deployment()}:{self.version}:{name}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, TIMEOUT)
        return value
