"""`manage.py prewarm`: the portal's tables and indexes read into memory, most read first."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from publications.management.progress import ProgressBar

# The portal's relations (tables, their TOAST tables and indexes), with their size and how
# many blocks have been read from each since the statistics were reset: the most read first.
RELATIONS = """
WITH owned AS (
    SELECT c.oid FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'm', 'i')
    UNION ALL
    SELECT c.reltoastrelid FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.reltoastrelid <> 0
    UNION ALL
    SELECT i.indexrelid FROM pg_class c JOIN pg_index i ON i.indrelid = c.reltoastrelid
    WHERE c.relnamespace = current_schema()::regnamespace
)
SELECT o.oid::regclass::text, pg_relation_size(o.oid),
       coalesce(t.heap_blks_hit + t.heap_blks_read, i.idx_blks_hit + i.idx_blks_read, 0)
FROM owned o
LEFT JOIN pg_statio_all_tables t ON t.relid = o.oid
LEFT JOIN pg_statio_all_indexes i ON i.indexrelid = o.oid
WHERE pg_relation_size(o.oid) > 0
ORDER BY 3 DESC, 2 DESC, 1
"""
SIZES = """SELECT
    (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'),
    (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'effective_cache_size')"""
BUFFERS_SHARE = 0.9  # of shared_buffers: the rest stays free for what is written meanwhile
# Whether the server may use huge pages (huge_pages: try, on or off), whether its shared memory
# is in them (huge_pages_status, PostgreSQL 17+) and how many it needs (PostgreSQL 15+; -1 where
# the system has none); a server without a setting answers NULL.
HUGE_PAGES = """SELECT current_setting('huge_pages'), current_setting('huge_pages_status', true),
    current_setting('shared_memory_size_in_huge_pages', true)::int"""


@dataclass
class Prewarmed:
    blocks: dict[str, int] = field(default_factory=dict)  # read, by relation
    into_buffers: int = 0  # bytes
    into_cache: int = 0  # bytes, into the operating system's cache
    skipped: int = 0  # relations past the limit
    seconds: float = 0.0


def prewarm(limit: int | None = None, progress: Callable[[int, int], None] | None = None):
    """Reads the portal's relations, most read first, into PostgreSQL's shared buffers while
    they hold them (pg_prewarm's 'buffer' mode), then into the operating system's cache
    ('read'), up to `limit` bytes in all (the server's effective_cache_size by default)."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_prewarm')")
        installed = cursor.fetchone()[0]
        try:
            with transaction.atomic():
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except DatabaseError as error:
            raise CommandError(
                f"pg_prewarm could not be created ({error}): have a superuser run CREATE "
                "EXTENSION pg_prewarm in the portal's database."
            ) from error
        try:
            done = read_relations(cursor, limit, progress)
        finally:
            if not installed:  # left out of backups, which a role without it could not restore
                cursor.execute("DROP EXTENSION IF EXISTS pg_prewarm")
    done.seconds = time.monotonic() - started
    return done


def read_relations(cursor, limit: int | None, progress) -> Prewarmed:
    """Reads the relations, most read first, into the shared buffers and then the system's
    cache, up to `limit` bytes in all (the server's effective_cache_size if None)."""
    cursor.execute(SIZES)
    buffers, cache = cursor.fetchone()
    limit = cache if limit is None else limit
    cursor.execute(RELATIONS)
    relations = cursor.fetchall()
    chosen, total = [], 0
    for name, size, _ in relations:
        if total + size <= limit:
            chosen.append((name, size))
            total += size
    done = Prewarmed(skipped=len(relations) - len(chosen))
    room = int(buffers * BUFFERS_SHARE)
    for name, size in chosen:
        mode = "buffer" if done.into_buffers + size <= room else "read"
        cursor.execute("SELECT pg_prewarm(%s::regclass, %s)", [name, mode])
        done.blocks[name] = cursor.fetchone()[0]
        if mode == "buffer":
            done.into_buffers += size
        else:
            done.into_cache += size
        if progress:
            progress(done.into_buffers + done.into_cache, total)
    return done


def huge_pages_advice(setting: str, status: str | None, needed: int | None) -> str:
    """What to do when the server's shared memory is not in huge pages but could be, or "".

    Without them, every new connection maps each 4 KB page of the shared buffers it reads, one
    page fault each: at a million publications, a filtered search's slowest statements through
    a new connection took 2 to 4 times as long as with the buffers in 2 MB pages (README, "The
    database"). Reserving them is the system's business (root), so this only says how. A server
    told not to use them (huge_pages = off) is taken at its word."""
    if setting != "try" or status != "off" or needed is None or needed < 1:
        return ""
    return (
        f"Huge pages: off. The server's shared memory fits in {needed:,} huge pages: reserve "
        f"them with `sudo sysctl -w vm.nr_hugepages={needed}` (more if other programs use "
        f"huge pages; vm.nr_hugepages = {needed} in /etc/sysctl.d/ keeps it) and restart the "
        'database server; see the README, "The database".'
    )


class Command(BaseCommand):
    help = (
        "Reads the portal's tables and indexes into memory, those read most first: into "
        "PostgreSQL's shared buffers as far as they hold them, then into the operating "
        "system's cache, up to --megabytes (the server's effective_cache_size by default). Run "
        "it after the database server starts, so that the first visitors of pages nobody has "
        "opened yet do not wait for the disk (about 10 s for a million publications). Uses "
        "the pg_prewarm extension: when the database does not have it, the command creates it "
        "for the run and drops it again, so that backups do not need it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--megabytes",
            type=int,
            default=None,
            help="Read at most this much (default: the server's effective_cache_size).",
        )

    def handle(self, *args, **options) -> None:
        limit = options["megabytes"]
        if limit is not None and limit < 1:
            raise CommandError("--megabytes must be at least 1.")
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["verbosity"]:
                bar = bar or ProgressBar(total // 2**20, self.stderr, label="MB")
                bar.update(done // 2**20)

        done = prewarm(None if limit is None else limit * 2**20, progress)
        if options["verbosity"] > 1:
            for name, blocks in done.blocks.items():
                self.stdout.write(f"{name}: {blocks:,} blocks")
        self.stdout.write(
            f"Read {len(done.blocks)} relations in {done.seconds:.1f} s: "
            f"{done.into_buffers / 2**20:,.0f} MB into shared buffers, "
            f"{done.into_cache / 2**20:,.0f} MB into the system's cache"
            + (f"; {done.skipped} left out (over the limit)." if done.skipped else ".")
        )
        with connection.cursor() as cursor:
            cursor.execute(HUGE_PAGES)
            if advice := huge_pages_advice(*cursor.fetchone()):
                self.stderr.write(advice)
