"""`manage.py import_publications FILE… [--format …] [--state …]`: see publications/importing."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publications.importing.engine import STATES, Importer
from publications.importing.parsers import FORMATS, parse
from publications.importing.records import ImportFormatError
from publications.management.progress import ProgressBar

MAX_FILE_BYTES = 500 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Imports publications from Crossref JSON, PubMed/MEDLINE XML or MEDLINE text, BibTeX, "
        "RIS or CSL-JSON files. A record already in the portal (same DOI, PubMed ID or source "
        "id) is updated, not duplicated. Each record is imported whole or not at all; problems "
        "are reported one a line, and the exit status is 0 only when every record was imported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="Files to import.")
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", *FORMATS],
            help="The files' format; `auto` (the default) tells it from the content.",
        )
        parser.add_argument(
            "--state",
            default="for_validation",
            choices=list(STATES),
            help="Workflow state of new records (default: for_validation, so a librarian "
            "reviews them before the public sees them).",
        )

    def handle(self, *args, files: list[str], format: str, state: str, **options) -> None:
        verbosity = options["verbosity"]
        failed = 0
        for name in files:
            path = Path(name)
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    raise ImportFormatError(f"larger than {MAX_FILE_BYTES // 2**20} MB")
                items = list(parse(path.read_bytes(), format))
                if not items:
                    raise ImportFormatError("the file holds no records")
            except (OSError, ImportFormatError) as error:
                message = error.strerror if isinstance(error, OSError) else str(error)
                self.stderr.write(f"{name}: {message}")
                failed += 1
                continue
            bar = ProgressBar(len(items), self.stderr) if verbosity >= 1 else None
            started = time.monotonic()
            summary = Importer(state=state).run(items, bar.update_from if bar else None)
            seconds = time.monotonic() - started
            for problem in summary.messages:
                self.stderr.write(f"{name}: {problem}")
            rate = summary.total / seconds if seconds else 0
            self.stdout.write(f"{name}: {summary.line()} ({rate:,.0f} records/s)")
            failed += summary.failed
        if failed:
            raise CommandError(
                f"{failed} problem(s): the other records were imported.", returncode=1
            )
