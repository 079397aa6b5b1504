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
import logging
import pickle
import time
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar

import django
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, OperationalError, connection, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.urls import get_script_prefix

T = TypeVar("T")
TIMEOUT = 60 * 60
# How long store() waits for the data version's row: a writer holding it moves the version, so
# the figures would not be stored anyway.
LOCK_TIMEOUT = "50ms"

logger = logging.getLogger(__name__)

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


def rendered(name: str) -> str:
    """The name of a figure rendered as HTML (a page of results, a chart), under the script
    prefix its links start with when that is not "/" (the portal served below a path, by
    SCRIPT_NAME or FORCE_SCRIPT_NAME): such a figure is kept apart for each prefix, so a page
    never shows another prefix's links. The figures it is made from (counts, names) are shared."""
    prefix = get_script_prefix()
    return name if prefix == "/" else f"{name}@{prefix}"


class Figures:
    """Cached figures for one request: the data version is read once (one query).

    With a `scope` ("person:<id>", "journal:<id>"), the figures named under it are also stored
    in the database (models.StoredFigure) when they took STORE_AFTER_MS or more to compute, and
    read from there when the cache has none under this data version: their triggers forget them
    only when what they count changes (migration 0018), so a prolific person's figures outlive
    every write to other records. store() writes the figures computed during the request, and
    only if the data version is still the one read first: a write since then may have changed
    what they count, and its triggers may have run before the figures existed to be forgotten
    (the version's triggers run first, so a writer not yet committed holds its row)."""

    def __init__(self, request=None, scope: str = "", versioned: bool = False) -> None:
        # The version this request read already (pagecache reads it first), if it did.
        self._version: str | None = getattr(request, "data_version", None)
        self.scope = scope
        # A versioned scope's stored figures hold for the data version they were computed at
        # (the whole collection's, which every public write changes) rather than until a
        # trigger forgets them: no writer then deletes, or waits for, their rows.
        self.versioned = versioned
        self._stored: dict[str, bytes] | None = None
        self._computed: dict[str, bytes] = {}

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = data_version()
        return self._version

    def get(self, name: str, compute: Callable[[], T]) -> T:
        value = self.known(name)
        if value is None:
            started = time.perf_counter()
            value = compute()
            self.keep(name, value, time.perf_counter() - started)
        return value

    def known(self, name: str):
        """The figure from the cache or, if it is the scope's, as stored; else None."""
        value = cache.get(self.key(name))
        if value is None and self.scoped(name) and (stored := self.stored().get(name)):
            value = pickle.loads(stored)
        return value

    def keep(self, name: str, value, seconds: float) -> None:
        """Caches a figure computed in `seconds`; the scope's slow ones are stored by store()."""
        cache.set(self.key(name), value, TIMEOUT)
        if self.scoped(name) and seconds >= settings.PORTAL_STORE_AFTER_MS / 1000:
            self._computed[name] = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    def key(self, name: str) -> str:
        # The deployment too: the cache outlives the processes, and a figure computed by
        # other code may mean something else (or not unpickle).
        return f"portal:figure:{deployment()}:{self.version}:{name}"

    def scoped(self, name: str) -> bool:
        return bool(self.scope) and name.startswith(f"{self.scope}:")

    @property
    def stored_scope(self) -> str:
        """The scope's rows in StoredFigure: a versioned scope's carry the data version."""
        if not self.versioned:
            return self.scope
        counter = self.version.rsplit(".", 1)[0]  # the value and the xmin, not the identity
        return f"{self.scope}@{hashlib.blake2b(counter.encode(), digest_size=8).hexdigest()}"

    def stored(self) -> dict[str, bytes]:
        """The scope's stored figures of this deployment (one query, once)."""
        if self._stored is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, value FROM publications_storedfigure "
                    "WHERE scope = %s AND deployment = %s",
                    [self.stored_scope, deployment()],
                )
                self._stored = {name: bytes(value) for name, value in cursor.fetchall()}
        return self._stored

    def store(self) -> None:
        """Stores the slow figures computed since the scope's were read (two queries, in one
        transaction), unless a write has moved the data version since this request read it.
        Never waits long for a lock: a writer may be waiting for this one."""
        if not self._computed:
            return
        computed, self._computed = self._computed, {}
        counter = self.version.rsplit(".", 1)[0]  # the value and the xmin, without the identity
        try:
            nested = connection.in_atomic_block
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('lock_timeout'), set_config('lock_timeout', %s, true)",
                    [LOCK_TIMEOUT],
                )
                previous = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT value, xmin::text FROM publications_dataversion WHERE id = 1 FOR SHARE"
                )
                if "{}.{}".format(*cursor.fetchone()) == counter:
                    scope = self.stored_scope
                    rows = [(scope, name, deployment(), v) for name, v in computed.items()]
                    if self.versioned:  # those of earlier versions are never read again
                        cursor.execute(
                            "DELETE FROM publications_storedfigure "
                            "WHERE scope LIKE %s AND scope <> %s",
                            [f"{self.scope}@%", scope],
                        )
                    cursor.execute(
                        "INSERT INTO publications_storedfigure (scope, name, deployment, value) "
                        "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::bytea[]) "
                        "ON CONFLICT (scope, name) DO UPDATE "
                        "SET deployment = EXCLUDED.deployment, value = EXCLUDED.value",
                        [list(column) for column in zip(*rows, strict=True)],
                    )
                if nested:  # the setting would last as long as the enclosing transaction
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        except OperationalError as error:  # a lock not had in time: the next visit stores them
            logger.info("Figures of %s not stored: %s", self.scope, error)
        except DatabaseError as error:  # a role that may only read: the page is shown anyway
            logger.warning("Figures of %s not stored: %s", self.scope, error)
