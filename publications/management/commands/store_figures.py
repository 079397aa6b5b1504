"""`manage.py store_figures`: the stored figures of the whole collection's listing and of prolific
persons and journals, computed now."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import RequestFactory
from django.urls import resolve
from django_htmx.middleware import HtmxDetails

from publications.figures import deployment
from publications.management.progress import ProgressBar
from publications.querysets import PUBLIC_SQL

MIN_OUTPUTS = 200  # by default: profiles of fewer are computed quickly enough when shown

# The institution's persons and the journals with at least %s public outputs, most first.
PROLIFIC = f"""
    SELECT '/publications/'
    UNION ALL
    SELECT '/persons/' || x.slug || '/' FROM (
        SELECT person.slug, count(*) AS n FROM publications_authorship a
        JOIN publications_publication p ON p.id = a.publication_id
        JOIN publications_person person ON person.id = a.person_id AND person.is_internal
        WHERE {PUBLIC_SQL} GROUP BY person.slug HAVING count(*) >= %s
    ) x
    UNION ALL
    SELECT '/journals/' || j.slug || '/' FROM (
        SELECT journal_id, count(*) AS n FROM publications_publication p
        WHERE {PUBLIC_SQL} AND journal_id IS NOT NULL
        GROUP BY journal_id HAVING count(*) >= %s
    ) y JOIN publications_journal j ON j.id = y.journal_id
"""


class Command(BaseCommand):
    help = (
        "Computes the figures of the publications' listing, of the profile of every person "
        "and of the page of every journal with at least --min-outputs public outputs (their "
        "charts, co-authors, journals, totals, facets and first page of outputs), and stores "
        "those that are slow to compute (PORTAL_STORE_AFTER_MS) in the database. Pages store "
        "them when first shown anyway, and the database forgets them when what they count "
        "changes; run this after deploying new code (figures of other code are not used) or a "
        "large import, so that no reader waits for them. Figures stored by other code are "
        "deleted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--min-outputs",
            type=int,
            default=MIN_OUTPUTS,
            help=f"Only persons and journals with at least this many public outputs "
            f"({MIN_OUTPUTS}).",
        )

    def handle(self, *args, **options) -> None:
        minimum = options["min_outputs"]
        if minimum < 1:
            raise CommandError("--min-outputs must be at least 1.")
        bar = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if options["verbosity"]:
                bar = bar or ProgressBar(total, self.stderr, label="pages")
                bar.update(done)

        stored = store_prolific(minimum, progress)
        self.stdout.write(
            f"Figures of {stored.pages - len(stored.failed)} pages with at least {minimum} "
            f"public outputs computed in {stored.seconds:.1f} s; {stored.forgotten} figures of "
            "other code deleted."
        )
        if stored.failed:
            raise CommandError("Pages that did not open: " + ", ".join(stored.failed[:20]))


@dataclass
class Stored:
    pages: int  # asked for
    failed: list[str]  # those that did not answer 200, with their status
    forgotten: int  # figures of other code deleted
    seconds: float


def store_prolific(minimum: int, progress: Callable[[int, int], None] | None = None) -> Stored:
    """Shows the listing of all publications, and the page of every person and journal with at
    least `minimum` public outputs, as a visitor would, so that each stores its slow figures;
    deletes those of other code first."""
    with connection.cursor() as cursor:
        # Figures stored by other code are never read again.
        cursor.execute(
            "DELETE FROM publications_storedfigure WHERE deployment <> %s", [deployment()]
        )
        forgotten = cursor.rowcount
        cursor.execute(PROLIFIC, [minimum, minimum])
        paths = [row[0] for row in cursor.fetchall()]
    # The figures do not depend on the host, but the request must name an allowed one.
    host = next(
        (h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")),
        "localhost",
    )
    factory = RequestFactory(HTTP_HOST=host)
    started = time.monotonic()
    failed = []
    for done, path in enumerate(paths, start=1):
        request = factory.get(path)
        request.user = AnonymousUser()
        request.htmx = HtmxDetails(request)
        match = resolve(path)
        response = match.func(request, *match.args, **match.kwargs)
        if response.status_code != 200:
            failed.append(f"{path} ({response.status_code})")
        if progress:
            progress(done, len(paths))
    return Stored(len(paths), failed, forgotten, time.monotonic() - started)
