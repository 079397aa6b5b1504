"""`manage.py load_demo [--if-empty]`: the demo data of publications/demo/, safe to run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from publications import demo
from publications.models import Publication


class Command(BaseCommand):
    help = (
        "Loads the demo data: the source record and some 540 more publications with their "
        "persons, organisations and journals. Running it again changes nothing (and restores "
        "demo records that were edited)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds any publication (for `make run`).",
        )

    def handle(self, *args, if_empty: bool = False, **options) -> None:
        if if_empty and Publication.objects.exists():
            self.stdout.write("The database already holds publications: demo data not loaded.")
            return
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  publications {done}/{total}")

        summary = demo.load_demo_data(progress=progress)
        self.stdout.write(self.style.SUCCESS(str(summary)))
