"""`manage.py compute_fingerprints`: every fingerprint, from scratch (publications/fingerprints)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from publications.fingerprints.compute import rebuild_all
from publications.management.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Recomputes the research-topic fingerprints of all publications (TF-IDF weights of the "
        "concepts of their titles, abstracts and keywords against the whole collection), then "
        "of all internal persons and organisations. Saves and imports keep them current; run "
        "this after a large change, or to reset the collection's concept frequencies."
    )

    def handle(self, *args, **options) -> None:
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["verbosity"] >= 1:
                bar = bar or ProgressBar(total, self.stderr, label="steps")
                bar.update(done)

        started = time.monotonic()
        counts = rebuild_all(progress)
        seconds = time.monotonic() - started
        rate = counts["publications"] / seconds if seconds else 0
        self.stdout.write(
            f"{counts['publications']} publications ({rate:,.0f}/s), {counts['concepts']} "
            f"concepts, {counts['persons']} persons, {counts['organisations']} organisations "
            f"in {seconds:.1f} s."
        )
