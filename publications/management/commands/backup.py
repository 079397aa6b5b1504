"""`manage.py backup [--output FILE]`: the whole database in one pg_dump archive (custom format),
by default var/backups/portal-<database>-<UTC time>.dump. `manage.py restore FILE` reads it."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from publications.management.pgtools import Database


def default_output(database: Database) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"portal-{database.name}-{stamp}.dump"


class Command(BaseCommand):
    help = (
        "Writes a backup of the portal's database (embedded or DATABASE_URL) with pg_dump in its "
        "custom format: a consistent snapshot, taken while the portal keeps serving. "
        "Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            help="The file to write (default: var/backups/portal-<database>-<UTC time>.dump).",
        )
        parser.add_argument("--database", default="default", help=DATABASE_HELP)

    def handle(self, *args, output: str | None, database: str, **options) -> None:
        db = Database(database)
        target = Path(output) if output else default_output(db)
        if target.exists():
            raise CommandError(f"{target} exists already: choose another --output.")
        target.parent.mkdir(parents=True, exist_ok=True)
        pg_dump = db.program("pg_dump")
        self.stdout.write(f"Backing up {db.describe()} with {pg_dump} …")
        # Written beside the target and renamed when complete: a failed or interrupted backup
        # never leaves a file that looks like one.
        partial = target.with_name(f".{target.name}.partial")
        command = [str(pg_dump), "--format=custom", f"--file={partial}", "--dbname", db.name]
        if options["verbosity"] >= 2:
            command.append("--verbose")
        started = time.monotonic()
        try:
            result = subprocess.run(
                command, env=db.environment(), stderr=subprocess.PIPE, text=True
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed ({result.returncode}):\n{result.stderr}")
            partial.rename(target)
        finally:
            partial.unlink(missing_ok=True)
        if result.stderr and options["verbosity"] >= 2:
            self.stderr.write(result.stderr)
        size = target.stat().st_size / 2**20
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {target} ({size:,.1f} MB in {seconds:.1f} s).")
        )


DATABASE_HELP = "The connection (settings.DATABASES) to back up; default: default."
