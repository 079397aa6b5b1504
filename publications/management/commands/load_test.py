"""manage.py load_test: see publications/loadtest.py; `make load-test` runs it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from publications import benchmark, loadtest


class Command(BaseCommand):
    help = (
        "Serves the portal under gunicorn on loopback and runs many concurrent visitors (the "
        "request classes of `make bench`, with a think time), librarians saving records in the "
        "admin, and an import, all at once; then checks that no request failed (no 5xx, no "
        "refused connection), no save or imported record was lost or duplicated, the database "
        "connections stayed bounded, and each class's p95 stayed within twice its target. "
        "What it creates is deleted at the end. Exits non-zero when a check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=100, help="Concurrent clients.")
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument(
            "--think", type=float, default=1.0, help="Mean pause between a client's requests (s)."
        )
        parser.add_argument("--librarians", type=int, default=4, help="Clients saving records.")
        parser.add_argument("--import-records", type=int, default=300)
        parser.add_argument(
            "--workers",
            type=int,
            default=2 * (os.cpu_count() or 1) + 1,
            help="gunicorn workers (default: twice the cores plus one, as make run starts).",
        )
        parser.add_argument("--port", type=int, default=8766)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", help="Also write the figures to this file.")
        parser.add_argument(
            "--no-latency-check",
            action="store_true",
            help="Report each class's p95 against twice its target without failing on it (the "
            "test suite: latencies are the machine's as much as the code's).",
        )

    def handle(self, *args, **options):
        if options["clients"] <= options["librarians"]:
            raise CommandError("--clients must be more than --librarians.")
        test = loadtest.LoadTest(
            port=options["port"],
            clients=options["clients"],
            seconds=options["seconds"],
            think=options["think"],
            librarians=options["librarians"],
            imports=options["import_records"],
            seed=options["seed"],
            log=self.stdout.write,
        )
        self.stdout.write("Sampling request paths and preparing the librarians' drafts…")
        test.prepare()
        call_command("collectstatic", interactive=False, verbosity=0)  # as make run does
        try:
            with benchmark.gunicorn(options["port"], options["workers"]):
                seconds = test.warm(options["workers"])
                self.stdout.write(f"Asked for every path once first ({seconds:.0f} s).")
                self.stdout.write(
                    f"{options['clients']} clients for {options['seconds']:.0f} s against "
                    f"{options['workers']} gunicorn workers…"
                )
                result = test.run()
        finally:
            test.clean_up()
        # Each worker holds one persistent connection (replaced only when found broken: for a
        # moment the old one may still be closing as the new one opens). The import and this
        # command hold one each. However many clients, no more than that.
        bound = 2 * options["workers"] + 2
        result["connection_bound"] = bound
        if result["max_connections"] > bound:
            result["problems"].append(
                f"{result['max_connections']} database connections at once (bound: {bound})"
            )
        for line in loadtest.report_lines(result):
            self.stdout.write(line)
        if options["json"]:
            Path(options["json"]).write_text(json.dumps(result, indent=2) + "\n")
        if options["no_latency_check"]:
            for line in result["slow"]:
                self.stdout.write(self.style.WARNING(f"Slow (not checked): {line}"))
        else:
            result["problems"] += result["slow"]
        if result["problems"]:
            raise CommandError("The load test failed:\n" + "\n".join(result["problems"]))
        self.stdout.write(self.style.SUCCESS("No failures, nothing lost or duplicated."))
