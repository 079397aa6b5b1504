"""make bench's report keeps the hand-kept history of BENCHMARKS.md across runs."""

from publications.benchmark import HISTORY, with_history


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


def test_first_visits_ask_for_each_distinct_path_once_and_count_the_failures():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from publications.benchmark import first_visits

    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        paths = ["/a", "/b", "/a", "/missing", "/c", "/b"]
        run = first_visits(f"http://127.0.0.1:{server.server_port}", paths, clients=2)
    finally:
        server.shutdown()
    assert sorted(asked) == ["/a", "/b", "/c", "/missing"]
    assert run.requests == 4 and run.errors == 1
    assert 0 < run.p50 <= run.p95 <= run.max
