"""`manage.py restore FILE [--yes]`: replaces the contents of the portal's database with a backup
written by `manage.py backup` (a pg_dump archive in custom format).

It is all or nothing: pg_restore runs with --single-transaction and --exit-on-error, so it drops
the database's objects and creates them again from the archive in one transaction, and any
error (a damaged archive, a missing privilege, a lock it cannot get) rolls back every step:
the database keeps its old contents, whole. (Restoring into a second database and renaming it
would need CREATEDB and no other session on the database, which a running portal always has.)
While it runs, the portal's readers wait on the tables' locks, and then read the restored data.

Only what the archive holds is dropped. A table of a later migration than the backup's would
stay behind, with rows that refer to nothing; so a restore refuses when the database has tables
the archive lacks, and says to migrate back to the backup's migration first
(`manage.py migrate publications <name>`; every migration can be reversed).

Extensions that the database has already are kept (the archive's DROP and CREATE EXTENSION are
skipped): the portal's role may not own them (a superuser may have created them for it), and
they hold no data.

The cached figures and pages need no clearing: their keys carry the data version, which
includes the transaction that wrote the version row (publications.figures), and a restore
writes it anew.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from publications.management.pgtools import Database

# A line of `pg_restore --list`: "215; 1259 16390 TABLE public publications_person postgres".
TOC_ENTRY = re.compile(r"^\d+; \d+ \d+ (?P<kind>[A-Z ]+?) (?P<schema>\S+) (?P<name>\S+) ")
EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (?:EXTENSION|COMMENT) - (?:EXTENSION )?(\S+) ")


def without_extensions(entries: list[str], extensions: set[str]) -> list[str]:
    """The archive's table of contents less these extensions (and their comments), which the
    database has already (see the module's docstring)."""
    return [
        line
        for line in entries
        if not ((match := EXTENSION_ENTRY.match(line)) and match.group(1) in extensions)
    ]


class Command(BaseCommand):
    help = (
        "Replaces the contents of the portal's database (embedded or DATABASE_URL) with a backup "
        "written by `manage.py backup`, in one transaction: on any error nothing is changed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE", help="A backup written by manage.py backup.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Do not ask for confirmation (needed when not run from a terminal).",
        )
        parser.add_argument(
            "--database",
            default="default",
            help="The connection (settings.DATABASES) to restore into; default: default.",
        )

    def handle(self, *args, file: str, yes: bool, database: str, **options) -> None:
        db = Database(database)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        pg_restore = db.program("pg_restore")
        env = db.environment()
        listing = subprocess.run(
            [str(pg_restore), "--list", str(path)], env=env, capture_output=True, text=True
        )
        if listing.returncode != 0 or not listing.stdout.strip():
            raise CommandError(
                f"{path} is not a backup written by manage.py backup (a pg_dump archive in "
                f"custom format), or it is damaged: {listing.stderr.strip() or 'empty'}"
            )
        entries = listing.stdout.splitlines()
        schema, tables = self.current_tables(database)
        archived = {
            match["name"]
            for match in map(TOC_ENTRY.match, entries)
            if match and match["kind"] == "TABLE" and match["schema"] == schema
        }
        if not archived:
            raise CommandError(f"{path} holds no table of the schema {schema!r}: not restored.")
        extra = sorted(tables - archived)
        if extra:
            raise CommandError(
                f"{db.describe()} has tables the backup does not: {', '.join(extra)}. The backup "
                "is from an earlier version of the portal: migrate back to the backup's "
                "migration first (manage.py migrate publications <name>), then restore."
            )
        if not yes:
            self.confirm(db)

        kept = without_extensions(entries, self.extensions(database))
        self.stdout.write(f"Restoring {path} into {db.describe()} in one transaction …")
        connections[database].close()  # holds no lock the restore would wait for
        started = time.monotonic()
        with tempfile.NamedTemporaryFile("w", suffix=".list") as use_list:
            use_list.write("\n".join(kept) + "\n")
            use_list.flush()
            command = [
                str(pg_restore),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--use-list={use_list.name}",
                "--dbname",
                db.name,
                str(path),
            ]
            if options["verbosity"] >= 2:
                command.append("--verbose")
            result = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0:
            raise CommandError(
                f"pg_restore failed; the transaction was rolled back and {db.describe()} is as "
                f"it was:\n{result.stderr.strip()}"
            )
        if result.stderr and options["verbosity"] >= 2:
            self.stderr.write(result.stderr)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Restored {len(archived)} tables from {path} in {seconds:.1f} s.")
        )

    def confirm(self, db: Database) -> None:
        if not sys.stdin.isatty():
            raise CommandError(
                f"This replaces everything in {db.describe()}: add --yes to confirm."
            )
        answer = input(f"This replaces everything in {db.describe()}. Type 'yes' to go on: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Not restored.")

    @staticmethod
    def current_tables(alias: str) -> tuple[str, set[str]]:
        """The schema the portal's tables are in, and the tables in it."""
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT current_schema(), array(SELECT tablename::text FROM pg_tables "
                "WHERE schemaname = current_schema())"
            )
            schema, tables = cursor.fetchone()
        return schema, set(tables)

    @staticmethod
    def extensions(alias: str) -> set[str]:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT extname FROM pg_extension")
            return {name for (name,) in cursor.fetchall()}
