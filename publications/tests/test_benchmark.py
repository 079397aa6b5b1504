"""make bench: its report keeps the hand-kept history of BENCHMARKS.md across runs, and its
load generators ask what they are told to, at the pace they are told to."""

import contextlib
import itertools
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from publications.benchmark import HISTORY, first_visits, with_history, wrk
from publications.tests.browser import missing_prerequisite


def test_a_new_report_keeps_the_previous_files_history_and_drops_its_old_figures():
    previous = f"# Benchmarks\n\nold figures\n\n{HISTORY}\n\n| technique | before | after |\n"
    text = with_history("# Benchmarks\n\nnew figures\n", previous)
    assert "new figures" in text and "old figures" not in text
    assert text.endswith(f"{HISTORY}\n\n| technique | before | after |\n")


def test_without_a_previous_file_the_report_is_written_alone():
    assert with_history("# Benchmarks\n", "") == "# Benchmarks\n"


def test_the_report_names_the_options_that_reproduce_it():
    from publications.management.commands.bench import Command

    defaults = {"seconds": 10, "workers": 4, "seed": 1, "size": 400, "only": ""}
    assert Command().changed({**defaults, "no_import": False, "harvest": 100_000}) == ""
    given = {**defaults, "seconds": 8, "no_import": True, "harvest": 0}
    assert Command().changed(given) == "--seconds 8 --no-import --harvest 0"


@contextlib.contextmanager
def recording_server(arrivals: list):
    """A local HTTP server that notes each GET's path and arrival time, and answers 200 (404 for
    /missing); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            arrivals.append((time.monotonic(), self.path))
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_first_visits_ask_for_each_distinct_path_once_and_count_the_failures():
    arrivals = []
    with recording_server(arrivals) as base:
        run = first_visits(base, ["/a", "/b", "/a", "/missing", "/c", "/b"], clients=2)
    assert sorted(path for _, path in arrivals) == ["/a", "/b", "/c", "/missing"]
    assert run.requests == 4 and run.errors == 1
    assert 0 < run.p50 <= run.p95 <= run.max


def test_a_paced_run_spreads_its_connections_requests_over_time_instead_of_bursts():
    """The paced latency runs mean "at a steady rate": four connections that each waited the same
    pause after the same quick answer fired together, bursts of four on two cores."""
    if shutil.which("wrk") is None:
        missing_prerequisite("wrk is not installed (apt-get install -y wrk)")
    arrivals = []
    with recording_server(arrivals) as base:
        run = wrk(base, ["/a", "/b", "/c"], seconds=3, connections=4, pause_ms=200)
    assert run.errors == 0 and run.requests >= 30
    times = sorted(at for at, _ in arrivals)
    together = sum(later - earlier < 0.003 for earlier, later in itertools.pairwise(times))
    assert together < len(times) * 0.25
    # Both threads rotate through the paths, each from its own start.
    assert {path for _, path in arrivals} == {"/a", "/b", "/c"}


@pytest.mark.django_db
def test_the_report_says_whether_the_servers_shared_memory_is_in_huge_pages():
    from django.db import connection

    from publications.benchmark import machine

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('huge_pages_status', true)")  # PostgreSQL 17+
        status = cursor.fetchone()[0] or "unknown"
    assert machine()["PostgreSQL"].endswith(f", huge pages {status})")
