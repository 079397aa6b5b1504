"""`manage.py generate_publications --count N [--seed S]`: a synthetic collection at scale."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from publications.generating.load import generate_collection
from publications.management.progress import ProgressBar


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Adds N synthetic publications to whatever the database holds: about N/3 persons (30%% "
        "internal, with memberships), N/50 journals (with ISSNs and ASJC subject areas), an "
        "organisation tree of 500 units (university, faculties, departments and research "
        "groups), keywords, authorships, status histories and subject areas. Authors per "
        "publication are log-normal (median 5, a few big collaborations with 1,000 or more); "
        "persons' productivity, journals and keywords are Zipf-distributed; years run from 1960 "
        "to 2026, most of them recent; titles and abstracts are drawn from a vocabulary mined "
        "from real records. Identifiers never clash with rows already there (DOIs are under "
        "Crossref's example prefix 10.5555, ORCID iDs in a block ORCID never issued). The same "
        "seed on the same database gives the same records. Everything is written in one "
        "transaction; a large run rebuilds the tables' indexes after the load and keeps them "
        "locked meanwhile. Fingerprints are not computed: run `manage.py compute_fingerprints` "
        "afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count",
            type=positive,
            required=True,
            metavar="N",
            help="How many publications to add (1,000,000 take some 10 to 15 minutes).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=0,
            metavar="S",
            help="Seed of the random draws (default 0); another seed adds other records.",
        )

    def handle(self, *args, count: int, seed: int, **options) -> None:
        verbosity = options["verbosity"]
        bar: ProgressBar | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if verbosity >= 1:
                bar = bar or ProgressBar(total, self.stderr, label="publications")
                bar.update(done)

        def report(phase: str, seconds: float) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {phase}: {seconds:.1f} s")

        started = time.monotonic()
        try:
            summary = generate_collection(count=count, seed=seed, progress=progress, report=report)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        rows = summary.rows
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {summary.publications:,} publications, {summary.persons:,} persons "
                f"({summary.internal_persons:,} internal), {summary.journals:,} journals, "
                f"{summary.organisations} organisations, {rows['publications_authorship']:,} "
                f"authorships and {summary.keywords_created:,} new keywords in {seconds:.0f} s "
                f"(seed {seed})."
            )
        )
        if verbosity >= 2:
            for table, table_seconds in summary.copy_seconds.items():
                self.stdout.write(f"  COPY {table}: {rows[table]:,} rows in {table_seconds:.1f} s")
            slowest = sorted(summary.index_seconds.items(), key=lambda item: -item[1])[:8]
            for index, index_seconds in slowest:
                self.stdout.write(f"  index {index}: {index_seconds:.1f} s")
            self.stdout.write(f"  waited for drawing: {summary.waited_for_drawing:.1f} s")
        self.stdout.write(
            "Fingerprints are not computed for generated records: run "
            "`manage.py compute_fingerprints` for the concepts and similar-publication lists."
        )
