"""manage.py bench: see publications/benchmark.py; `make bench` runs it."""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from publications import benchmark
from publications.management.commands.prewarm import prewarm
from publications.management.commands.store_figures import MIN_OUTPUTS, store_prolific
from publications.models import Journal, Keyword, Person, Publication


class Command(BaseCommand):
    help = (
        "Serves the portal under gunicorn on loopback, drives a seeded, rotating request mix "
        "with wrk (Debian's `wrk` package) and writes BENCHMARKS.md. Measures the database the "
        "portal is configured with: fill it first (generate_publications --count 1000000). "
        "It empties the shared cache first (to measure first visits), and the import "
        "measurement adds records and removes them again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=10, help="Per run (two per class).")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers.")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--size", type=int, default=400, help="Paths per request class.")
        parser.add_argument("--output", default="BENCHMARKS.md")
        parser.add_argument(
            "--only", default="", help="Comma-separated class keys (detail,person,…) to run."
        )
        parser.add_argument("--no-import", action="store_true", help="Skip the import run.")
        parser.add_argument(
            "--no-store-figures",
            action="store_true",
            help="Measure without running store_figures first (as a deployment would).",
        )
        parser.add_argument(
            "--no-prewarm",
            action="store_true",
            help="Measure without reading the database into memory first (manage.py prewarm), "
            "as just after the database server started.",
        )
        parser.add_argument(
            "--harvest",
            type=int,
            default=100_000,
            help="Records of the timed OAI-PMH harvest (0: the whole collection).",
        )

    def changed(self, options: dict) -> str:
        """The options given other than their defaults, as they are written on a command line
        (the output file aside), so that the report names the command that reproduces it."""
        defaults = {"seconds": 10, "workers": 4, "seed": 1, "size": 400, "only": "",
                    "no_import": False, "harvest": 100_000,
                    "no_store_figures": False, "no_prewarm": False}  # fmt: skip
        words = []
        for name, default in defaults.items():
            value = options.get(name, default)
            if value != default:
                flag = "--" + name.replace("_", "-")
                words.append(flag if value is True else f"{flag} {value}")
        return " ".join(words)

    def handle(self, *args, **options):
        if not shutil.which("wrk"):
            raise CommandError("wrk is missing: apt-get install -y wrk")
        rng = random.Random(options["seed"])
        log = self.stdout.write
        started = time.monotonic()
        log("Sampling request paths from the database…")
        classes = benchmark.build_classes(rng, options["size"])
        classes.append(benchmark.mixed_class(classes, rng))
        if options["only"]:
            wanted = set(options["only"].split(","))
            classes = [c for c in classes if c.key in wanted]
        call_command("collectstatic", interactive=False, verbosity=0)  # as make run does
        report = benchmark.Report(dataset=benchmark.dataset(), machine=benchmark.machine())
        if not options["no_store_figures"]:
            report.extras.append(self.store_figures())
        if not options["no_prewarm"]:
            report.extras.append(self.prewarm())
        for alias in ("default", "pages"):  # first visits are first: nothing from an earlier run
            caches[alias].clear()
        log(f"Dataset: {report.dataset}")
        connection.close()  # the workers fork from here: no shared connection
        base = f"http://127.0.0.1:{options['port']}"
        with benchmark.gunicorn(options["port"], options["workers"]) as server:
            for request_class in classes:
                report.results.append(
                    benchmark.measure_class(
                        base, request_class, seconds=options["seconds"], log=log
                    )
                )
            if not options["only"]:
                report.extras += self.export(base, rng, server.pid)
                report.extras.append(self.harvest(base, options["harvest"]))
        if not options["only"] and not options["no_import"]:
            report.extras.append(self.imports())
        command = "make bench" + (
            f" BENCH_ARGS='{changed}'" if (changed := self.changed(options)) else ""
        )
        output = Path(options["output"])
        previous = output.read_text() if output.exists() else ""
        output.write_text(benchmark.with_history(benchmark.render(report, command), previous))
        log(f"Wrote {options['output']} in {time.monotonic() - started:.0f} s.")

    def store_figures(self) -> tuple[str, str, str]:
        """The deployment step that computes the figures of the publications' listing and of
        prolific persons and journals
        (figures stored by other code are not used)."""
        self.stdout.write(
            "Storing the figures of the listing and of prolific persons and journals…"
        )
        stored = store_prolific(MIN_OUTPUTS)
        self.stdout.write(f"{stored.pages:,} pages in {stored.seconds:.0f} s")
        return (
            "`manage.py store_figures` before the first visits (the publications' listing, "
            "persons and journals with at "
            f"least {MIN_OUTPUTS} public outputs), as after a deployment",
            f"{stored.pages:,} pages in {stored.seconds:.0f} s",
            "(no target)",
        )

    def prewarm(self) -> tuple[str, str, str]:
        """The step after the database server starts: its data read into memory, as a server
        that has run for a while holds it."""
        self.stdout.write("Reading the database into memory (manage.py prewarm)…")
        try:
            done = prewarm()
        except CommandError as error:  # a role that may not create pg_prewarm: measure cold
            self.stderr.write(f"Not prewarmed: {error}")
            return ("`manage.py prewarm` before the first visits", f"not run: {error}", "")
        read = f"{(done.into_buffers + done.into_cache) / 2**20:,.0f} MB"
        self.stdout.write(f"{read} in {done.seconds:.1f} s")
        return (
            "`manage.py prewarm` before the first visits: tables and indexes read into memory "
            "(shared buffers, then the system's cache), as a server that has run a while holds "
            "them",
            f"{read} ({done.into_buffers / 2**20:,.0f} MB into shared buffers) in "
            f"{done.seconds:.1f} s",
            "(no target)",
        )

    def export(self, base: str, rng: random.Random, master: int) -> list[tuple[str, str, str]]:
        path, count = benchmark.export_path(rng)
        pids = benchmark.worker_pids(master)
        # A worker's first export raises its memory once, to the high-water mark of a chunk of
        # rows (7-16 MiB here, whatever the worker did before); flat memory is that the
        # exports after it add nothing. So each worker exports once first, all at once.
        start = benchmark.rss_of(pids)
        with ThreadPoolExecutor(len(pids) or 1) as pool:
            list(pool.map(lambda _: benchmark.export_timing(base, path), pids))
        before = benchmark.rss_of(pids)
        timings = [benchmark.export_timing(base, path) for _ in range(3)]
        growth = benchmark.rss_of(pids) - before
        first = max(t[0] for t in timings)
        whole = max(t[1] for t in timings)
        size = timings[0][2]
        self.stdout.write(
            f"BibTeX export of {count:,} records ({path}): first byte {first:.2f} s, whole "
            f"{whole:.2f} s, {size / 2**20:.1f} MiB; workers' memory {growth / 2**20:+.1f} MiB "
            f"over them ({(before - start) / 2**20:+.1f} MiB from the workers' first, one each)"
        )
        return [
            (
                f"BibTeX export of {count:,} records (`{path}`), slowest of 3",
                f"first byte {first:.2f} s, whole {whole:.2f} s ({size / 2**20:.1f} MiB); "
                f"workers' memory {growth / 2**20:+.1f} MiB over the 3 (their first "
                f"exports, one each at once: {(before - start) / 2**20:+.1f} MiB)",
                "first byte ≤ 0.5 s, whole ≤ 3 s, flat memory",
            )
        ]

    def harvest(self, base: str, limit: int) -> tuple[str, str, str]:
        records, seconds = benchmark.oai_harvest(base, limit)
        rate = records / seconds if seconds else 0
        self.stdout.write(
            f"OAI-PMH harvest: {records:,} records in {seconds:.1f} s ({rate:,.0f}/s)"
        )
        return (
            f"OAI-PMH ListRecords harvest in oai_dc, {records:,} records, one client",
            f"{rate:,.0f} records/s ({seconds:.1f} s)",
            "≥ 2,000 records/s; a full harvest of 1,000,000 in ≤ 10 minutes",
        )

    def imports(self, count: int = 2034) -> tuple[str, str, str]:
        """Imports `count` Crossref works (copies of the committed sample) as a librarian
        would, then deletes what the import created."""
        marks = {
            model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            for model in (Publication, Person, Journal, Keyword)
        }
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as file:
            file.write("\n".join(benchmark.crossref_copies(count)) + "\n")
            file.flush()
            started = time.perf_counter()
            call_command("import_publications", file.name, format="crossref", stdout=self.stdout)
            seconds = time.perf_counter() - started
        for model in (Publication, Person, Journal, Keyword):
            model.objects.filter(pk__gt=marks[model]).delete()
        rate = count / seconds
        self.stdout.write(f"Import: {count:,} Crossref records in {seconds:.1f} s ({rate:,.0f}/s)")
        return (
            f"Import of {count:,} Crossref works (import_publications)",
            f"{rate:,.0f} records/s ({seconds:.1f} s)",
            "≥ 300 records/s",
        )
