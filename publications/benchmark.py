"""`make bench` (manage.py bench): the portal under gunicorn on loopback, driven by wrk with a
seeded, rotating request mix, and BENCHMARKS.md written from what was measured.

Each request class is a list of paths drawn from the database with a seeded random generator:
different records, persons, terms and filters on every request, never one hard-coded term that the
caches would answer after the first time. The shared cache (settings.CACHES) is emptied at the
start, so each class is first measured on first visits: every path of the list once, by 2 clients,
no page of it kept (the mixed class reuses the other classes' paths and has none). Then wrk runs
twice over the same list: closed-loop with enough connections to saturate the two cores (throughput
at saturation), then paced to a fixed rate below it (latency percentiles at a steady load; wrk's
`delay()` spaces each connection's requests). Both wrk runs see a portal that has shown each page
once, as one that has run for a while has shown its popular pages. SQL queries per request are
counted in-process with the test client over a sample of the same paths. The whole-file
measurements (a 10,000-record export's first byte, total time and the workers' memory; the import's
records per second) are taken with a plain HTTP client and the import command.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from publications.management.commands.prewarm import HUGE_PAGES
from publications.models import Journal, Organisation, Person, Publication, SubjectArea
from publications.querysets import PUBLIC_SQL

# wrk rotates through the paths, each thread from its own seeded start. Paced runs pause each
# connection for a random 0.5–1.5 × the mean pause: with a fixed pause the connections fired
# in lockstep, bursts of four requests at once that a steady rate does not make.
WRK_SCRIPT = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local paths, counter, pause = {}, 0, 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  pause = tonumber(args[2]) or 0
  math.randomseed(1000 + id)
  counter = math.random(#paths)
end
function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
function delay()
  if pause == 0 then return 0 end
  return math.floor(pause * (0.5 + math.random()))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"non_2xx_3xx\\": %d, " ..
    "\\"socket_errors\\": %d, \\"timeouts\\": %d, \\"p50\\": %d, \\"p95\\": %d, " ..
    "\\"p99\\": %d, \\"max\\": %d}\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""

# Title words too common to make a search term of.
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by for from has have in into is it its of on or that the their "
        "this to was were which with within without not than using use used between among after "
        "before during over under via vs",
    )
)


@dataclass
class RequestClass:
    key: str
    name: str
    target: str
    paths: list[str]
    connections: int = 8
    rate: int = 50  # requests/s for the latency run (lowered to 60% of saturation if above)


@dataclass
class Run:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    max: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class ClassResult:
    request_class: RequestClass
    saturation: Run
    latency: Run
    queries: tuple[int, int]  # (median, max)
    first: Run | None = None  # each path once, nothing cached


@dataclass
class Report:
    dataset: dict[str, int]
    machine: dict[str, str]
    results: list[ClassResult] = field(default_factory=list)
    extras: list[tuple[str, str, str]] = field(default_factory=list)  # (what, figure, target)


# Samples from the database


def public_ids(rng: random.Random, count: int) -> list[int]:
    """About `count` random ids of public publications: random probes into the id range,
    answered by the primary key, so a million rows cost no scan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM publications_publication")
        low, high = cursor.fetchone()
    if low is None:
        return []
    found: list[int] = []
    for _ in range(20):
        probes = [rng.randint(low, high) for _ in range(count * 3)]
        found += Publication.objects.public().filter(pk__in=probes).values_list("pk", flat=True)
        found = list(dict.fromkeys(found))
        if len(found) >= count:
            break
    rng.shuffle(found)
    return found[:count]


def words_of(titles: list[str]) -> Counter:
    words: Counter = Counter()
    for title in titles:
        for word in re.findall(r"[a-z]{4,}", title.lower()):
            if word not in STOPWORDS:
                words[word] += 1
    return words


def build_classes(rng: random.Random, size: int = 400) -> list[RequestClass]:
    """The request classes of the issue, each with `size` paths drawn from the data."""
    ids = public_ids(rng, size * 2)
    sample = list(
        Publication.objects.filter(pk__in=ids).values_list(
            "slug", "title", "year", "output_type", "language", "journal_id"
        )
    )
    if not sample:
        raise RuntimeError("No public publications to benchmark: generate some first.")
    slugs = [row[0] for row in sample]
    words = words_of([row[1] for row in sample])
    ranked = [word for word, _ in words.most_common()]
    broad = ranked[:40]  # the commonest title words of the sample: large result sets
    narrow = [word for word, n in words.items() if n == 1][: size * 2]  # seen once: small sets
    years = [row[2] for row in sample if row[2]]
    types = [row[3] for row in sample]
    journal_ids = list({row[5] for row in sample if row[5]})
    journals = list(
        Journal.objects.filter(pk__in=journal_ids).values_list("slug", flat=True)[:size]
    )
    with connection.cursor() as cursor:
        # The most prolific persons (by public outputs): the profile pages that are slow
        # elsewhere.
        cursor.execute(
            f"""
            SELECT a.person_id FROM publications_authorship a
            JOIN publications_publication p ON p.id = a.publication_id
            WHERE {PUBLIC_SQL} AND a.person_id IS NOT NULL
            GROUP BY a.person_id ORDER BY count(*) DESC LIMIT 200
            """
        )
        prolific = [row[0] for row in cursor.fetchall()]
    # Only internal persons have profile pages.
    persons = list(Person.objects.internal().filter(pk__in=prolific).values_list("slug", flat=True))
    total = Publication.objects.public().count()

    def listing(params: dict) -> str:
        return "/publications/?" + urlencode(params, doseq=True)

    def pick(values: list, k: int = 1) -> list:
        return rng.sample(values, min(k, len(values)))

    sorts = ["newest", "oldest", "title"]
    per_pages = [25, 50, 100]
    deep_page = max(min(2000, total // 25), 1)
    classes = [
        RequestClass(
            "detail",
            "Publication detail",
            "p50 ≤ 8 ms, p95 ≤ 20 ms; ≥ 500 requests/s; ≤ 6 queries",
            [f"/publications/{slug}/" for slug in slugs],
            rate=200,
        ),
        RequestClass(
            "person",
            "Person profile (the 50 most prolific persons)",
            "p95 ≤ 60 ms",
            [f"/persons/{slug}/" for slug in persons],
        ),
        RequestClass(
            "listing",
            "Listing with all facets, no query",
            "p95 ≤ 100 ms",
            [listing({"sort": rng.choice(sorts), "page": rng.randint(1, 5)}) for _ in range(size)],
        ),
        RequestClass(
            "deep",
            f"Page {deep_page:,} of a listing",
            "p95 ≤ 100 ms",
            [
                listing({"sort": rng.choice(sorts), "page": deep_page - rng.randint(0, 20)})
                for _ in range(size)
            ],
        ),
        RequestClass(
            "search_narrow",
            "Text search with facets, narrow terms",
            "p95 ≤ 150 ms",
            [listing({"q": term}) for term in narrow[:size]],
        ),
        RequestClass(
            "search_broad",
            "Text search with facets, broad terms",
            "p95 ≤ 150 ms",
            [listing({"q": " ".join(pick(broad, rng.randint(1, 2)))}) for _ in range(size)],
        ),
        RequestClass(
            "search_filters",
            "Text search + 3 filters, with facets",
            "p95 ≤ 150 ms",
            [
                listing(
                    {
                        "q": rng.choice(broad),
                        "type": rng.choice(types),
                        "year_from": (year := rng.choice(years)) - rng.randint(0, 10),
                        "year_to": year,
                        "per_page": rng.choice(per_pages),
                    }
                )
                for _ in range(size)
            ],
        ),
        RequestClass(
            "journal",
            "Journal page",
            "(no target)",
            [f"/journals/{slug}/" for slug in journals],
        ),
        RequestClass(
            "entities",
            "Home, indexes, organisation and subject-area pages",
            "(no target)",
            entity_paths(rng, size),
        ),
    ]
    classes.append(
        RequestClass(
            "api",
            "API list page (100 publications, rotating filters)",
            "≤ 50 ms for a page of 100 (issue 7)",
            [
                "/api/v1/publications/?"
                + urlencode(
                    rng.choice(
                        [
                            {"per_page": 100},
                            {"per_page": 100, "sort": rng.choice(sorts)},
                            {"per_page": 100, "type": rng.choice(types)},
                            {"per_page": 100, "q": rng.choice(broad)},
                            {"per_page": 100, "year_from": rng.choice(years)},
                        ]
                    )
                )
                for _ in range(size)
            ],
            rate=50,
        )
    )
    classes += oai_classes(rng, size, total)
    return [c for c in classes if c.paths]


def entity_paths(rng: random.Random, size: int) -> list[str]:
    """The home page, the indexes of persons, organisations, journals and subject areas, and
    the pages of the institution's organisations (its top units always) and of the subject
    areas and codes: the pages that count a whole unit's or field's output."""
    units = Organisation.objects.internal().public().order_by("pk")
    tops = list(units.filter(parent__isnull=True).values_list("slug", flat=True))
    others = list(units.filter(parent__isnull=False).values_list("slug", flat=True))
    codes = list(SubjectArea.objects.order_by("code").values_list("code", flat=True))
    paths = ["/", "/persons/", "/organisations/", "/journals/", "/subject-areas/"]
    paths += [f"/organisations/{slug}/" for slug in tops]
    paths += [f"/organisations/{slug}/" for slug in rng.sample(others, min(len(others), size // 2))]
    paths += [f"/subject-areas/{code}/" for code in rng.sample(codes, min(len(codes), size // 2))]
    return paths


def oai_classes(rng: random.Random, size: int, total: int) -> list[RequestClass]:
    """ListRecords pages in oai_dc at the start of a harvest and deep in it: tokens made as the
    endpoint makes them (the state of a harvest that has reached a random id)."""
    from publications.oai.tokens import Token

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM publications_publication")
        low, high = cursor.fetchone()
    if low is None or not total:
        return []
    deep = []
    for _ in range(size):
        after = rng.randint(low + (high - low) * 3 // 4, high)
        token = Token("ListRecords", "oai_dc", after=after, cursor=total * 3 // 4, total=total)
        deep.append("/oai?" + urlencode({"verb": "ListRecords", "resumptionToken": token.encode()}))
    first = [
        "/oai?" + urlencode({"verb": "ListRecords", "metadataPrefix": prefix})
        for prefix in ("oai_dc",) * 3 + ("oai_openaire", "mods")
    ]
    return [
        RequestClass(
            "oai_first",
            "OAI-PMH ListRecords, first page (500 records)",
            "p95 ≤ 300 ms",
            first,
            connections=4,
            rate=5,
        ),
        RequestClass(
            "oai_deep",
            "OAI-PMH ListRecords, a page deep in the harvest",
            "p95 ≤ 300 ms",
            deep,
            connections=4,
            rate=5,
        ),
    ]


def oai_harvest(base: str, limit: int) -> tuple[int, float]:
    """Harvests ListRecords in oai_dc over HTTP, token after token, up to `limit` records (all
    when 0); returns (records, seconds)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    query = urlencode({"verb": "ListRecords", "metadataPrefix": "oai_dc"})
    records = 0
    started = time.perf_counter()
    token_re = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
    while True:
        conn.request("GET", f"/oai?{query}")
        body = conn.getresponse().read()
        records += body.count(b"<record>")
        found = token_re.search(body)
        if not found or (limit and records >= limit):
            break
        query = urlencode({"verb": "ListRecords", "resumptionToken": found.group(1).decode()})
        conn.close()  # gunicorn's sync workers close after each response
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.close()
    return records, time.perf_counter() - started


def export_path(rng: random.Random, wanted: int = 10_000) -> tuple[str, int]:
    """A listing export of about `wanted` records: the year whose public output is nearest
    to it (a year and a type when years are larger)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT year, output_type, count(*) FROM publications_publication p
            WHERE {PUBLIC_SQL} AND year IS NOT NULL GROUP BY ROLLUP (year, output_type)
            """
        )
        rows = [row for row in cursor.fetchall() if row[0] is not None]
    if not rows:
        return "/publications/export.bib", Publication.objects.public().count()
    year, kind, count = min(rows, key=lambda row: (abs(row[2] - wanted), rng.random()))
    params = {"year_from": year, "year_to": year}
    if kind:
        params["type"] = kind
    return "/publications/export.bib?" + urlencode(params), count


# Running


def query_counts(paths: list[str], sample: int = 5) -> tuple[int, int]:
    """(median, max) SQL queries per request over a sample of the paths, in-process."""
    client = Client(HTTP_HOST="127.0.0.1")
    counts = []
    for path in paths[:sample]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
            if hasattr(response, "streaming_content"):
                for _ in response.streaming_content:
                    pass
        counts.append(len(queries))
    return (int(statistics.median(counts)), max(counts)) if counts else (0, 0)


def wrk(base: str, paths: list[str], *, seconds: int, connections: int, pause_ms: int = 0) -> Run:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "rotate.lua"
        script.write_text(WRK_SCRIPT)
        listing = Path(folder) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        command = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
            "--",
            str(listing),
            str(pause_ms),
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    return Run(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=data["non_2xx_3xx"] + data["socket_errors"] + data["timeouts"],
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        max=data["max"] / 1000,
    )


def first_visits(base: str, paths: list[str], *, clients: int = 2, limit: float = 90.0) -> Run:
    """Each distinct path once, by `clients` concurrent clients, for at most `limit` seconds:
    the latency of pages no one has asked for yet (nothing of them kept)."""
    host, port = base.removeprefix("http://").split(":")
    waiting: queue.SimpleQueue[str] = queue.SimpleQueue()
    for path in dict.fromkeys(paths):
        waiting.put(path)
    deadline = time.monotonic() + limit

    def client() -> tuple[list[float], int]:
        latencies, errors = [], 0
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while time.monotonic() < deadline:
            try:
                path = waiting.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                errors += response.status >= 400
            except Exception:  # any failure is counted, and the client goes on
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
        conn.close()
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [future.result() for future in [pool.submit(client) for _ in range(clients)]]
    latencies = sorted(value for found, _ in results for value in found)
    errors = sum(errors for _, errors in results)

    def at(q: float) -> float:
        return latencies[min(int(q * len(latencies)), len(latencies) - 1)] if latencies else 0.0

    return Run(
        requests=len(latencies),
        seconds=time.perf_counter() - started,
        errors=errors,
        p50=at(0.50),
        p95=at(0.95),
        p99=at(0.99),
        max=latencies[-1] if latencies else 0.0,
    )


def wait_until_idle(base: str, limit: float = 120.0) -> None:
    """Waits until the server answers a trivial request quickly: requests a slow class left
    queued (wrk stops waiting, the workers do not) must not be charged to the next class."""
    host, port = base.removeprefix("http://").split(":")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection(host, int(port), timeout=limit)
            conn.request("GET", "/robots.txt")
            conn.getresponse().read()
            conn.close()
            if time.perf_counter() - started < 0.05:
                return
        time.sleep(0.5)


def measure_class(
    base: str, request_class: RequestClass, *, seconds: int, log: Callable[[str], None]
) -> ClassResult:
    paths = request_class.paths
    wait_until_idle(base)
    first = None if request_class.key == "mixed" else first_visits(base, paths)
    wrk(base, paths, seconds=2, connections=2)  # warm-up: buffers, the workers' imports
    wait_until_idle(base)
    saturation = wrk(base, paths, seconds=seconds, connections=request_class.connections)
    rate = max(min(request_class.rate, int(saturation.rate * 0.6)), 1)
    connections = 4
    wait_until_idle(base)
    latency = wrk(
        base,
        paths,
        seconds=seconds,
        connections=connections,
        pause_ms=int(connections * 1000 / rate),
    )
    result = ClassResult(request_class, saturation, latency, query_counts(paths), first)
    if first is not None:
        log(
            f"{request_class.name}: first visits of {first.requests} paths: p50 "
            f"{first.p50:.1f} ms, p95 {first.p95:.1f} ms ({first.errors} errors)"
        )
    log(
        f"{request_class.name}: {saturation.rate:,.0f} requests/s at saturation; at "
        f"{latency.rate:,.0f}/s p50 {latency.p50:.1f} ms, p95 {latency.p95:.1f} ms, "
        f"p99 {latency.p99:.1f} ms; {result.queries[1]} queries at most; "
        f"{saturation.errors + latency.errors} errors"
    )
    return result


# A portal's traffic by request class: mostly record pages, then listings and searches, some
# profiles and journal pages (the mixed class, and the load test's visitors).
MIX = {
    "detail": 50,
    "search_narrow": 10,
    "search_broad": 10,
    "listing": 8,
    "search_filters": 6,
    "person": 5,
    "journal": 5,
    "deep": 2,
    "api": 3,
    "oai_first": 1,
}


def mixed_class(classes: list[RequestClass], rng: random.Random) -> RequestClass:
    """A mix weighted like a portal's traffic (MIX)."""
    by_key = {c.key: c for c in classes}
    paths = []
    for key, weight in MIX.items():
        if key in by_key:
            paths += rng.choices(by_key[key].paths, k=weight * 20)
    rng.shuffle(paths)
    return RequestClass(
        "mixed", "Mixed load", "≥ 200 requests/s at p95 ≤ 200 ms", paths, connections=16, rate=200
    )


def export_timing(base: str, path: str) -> tuple[float, float, int]:
    """(seconds to the first byte of the body, seconds to the last, bytes) of one GET."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    first = response.read(1)
    first_byte = time.perf_counter() - started
    size = len(first)
    while chunk := response.read(65536):
        size += len(chunk)
    total = time.perf_counter() - started
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return first_byte, total, size


def rss_of(pids: list[int]) -> int:
    """Resident memory of these processes, in bytes."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@contextlib.contextmanager
def gunicorn(port: int, workers: int) -> Iterator[subprocess.Popen]:
    """The portal served as `make run` serves it, on loopback, without an access log."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--preload",
        "--log-level",
        "warning",
    ]
    # The API's anonymous rate limit would answer most of the load with 429s: lifted here.
    env = {**os.environ, "API_ANON_RATE": "1000000/second"}
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/robots.txt")
                if conn.getresponse().status == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited: see its messages above.")
            time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer within 60 s.")
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def dataset() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT (SELECT count(*) FROM publications_publication),
                   (SELECT count(*) FROM publications_publication p WHERE {PUBLIC_SQL}),
                   (SELECT count(*) FROM publications_authorship),
                   (SELECT count(*) FROM publications_person),
                   (SELECT count(*) FROM publications_journal),
                   (SELECT count(*) FROM publications_organisation),
                   pg_database_size(current_database())
            """
        )
        row = cursor.fetchone()
    names = ["publications", "public", "authorships", "persons", "journals", "organisations"]
    return dict(zip([*names, "database_bytes"], row, strict=True))


def machine() -> dict[str, str]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        buffers = cursor.fetchone()[0]
        cursor.execute(HUGE_PAGES)
        huge_pages = cursor.fetchone()[1] or "unknown"  # huge_pages_status: PostgreSQL 17+
    return {
        "CPU": f"{os.cpu_count()} × {model}" if model else str(os.cpu_count()),
        "memory": memory,
        "system": platform.platform(),
        "Python": platform.python_version(),
        "PostgreSQL": f"{server} (shared_buffers {buffers}, huge pages {huge_pages})",
        "wrk": shutil.which("wrk") or "missing",
    }


# The report


def render(report: Report, command: str) -> str:
    data = report.dataset
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M %Z')}. Every figure below "
        "comes from that run; run it again to reproduce them.",
        "",
        "## Dataset",
        "",
        f"- {data['publications']:,} publications ({data['public']:,} public), "
        f"{data['authorships']:,} authorships, {data['persons']:,} persons, "
        f"{data['journals']:,} journals, {data['organisations']:,} organisations; "
        f"database {data['database_bytes'] / 2**30:.1f} GiB.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in report.machine.items()],
        "",
        "## Requests",
        "",
        "The cache is emptied first. **First visits**: each of the class's paths once, by 2 "
        "clients (one per core), no page of them kept (at most 90 s of them; the figures "
        "that several pages of one listing share, such as its unfiltered facets, are "
        "computed by the first of them). Then, over "
        "the same paths (each page now shown once before): latency at a steady rate below "
        "saturation (4 connections paced by wrk, each pausing a random 0.5–1.5 × the mean "
        "pause so that they do not fire together), and "
        "throughput closed-loop at saturation. Queries counted in-process over 5 of the "
        "class's paths (repeat visits of a kept page take 1). The API's anonymous rate limit "
        "is lifted for the run.",
        "",
        "| request | target | first visits: p50 / p95 ms | rate | p50 ms | p95 ms | p99 ms "
        "| requests/s at saturation | queries (median/max) | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in report.results:
        lat, sat, first = result.latency, result.saturation, result.first
        cold = f"{first.p50:.1f} / {first.p95:.1f} ({first.requests})" if first else "—"
        errors = lat.errors + sat.errors + (first.errors if first else 0)
        lines.append(
            f"| {result.request_class.name} | {result.request_class.target} | {cold} | "
            f"{lat.rate:,.0f}/s | {lat.p50:.1f} | {lat.p95:.1f} | {lat.p99:.1f} | "
            f"{sat.rate:,.0f} (p95 {sat.p95:.0f} ms) | {result.queries[0]}/{result.queries[1]} | "
            f"{errors} |"
        )
    if report.extras:
        lines += [
            "",
            "## Whole operations",
            "",
            "| what | measured | target |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {what} | {figure} | {target} |" for what, figure, target in report.extras]
    return "\n".join(lines) + "\n"


HISTORY = "## Before and after"


def with_history(report_text: str, previous: str) -> str:
    """The new report, followed by the previous file's hand-kept section from HISTORY on (the
    figures of earlier runs that each technique was measured against), which a run keeps."""
    start = previous.find("\n" + HISTORY)
    return report_text + (previous[start:] if start >= 0 else "")


# Import throughput

# 113 real works from the Crossref REST API (shared/realdata/crossref/works.jsonl).
CROSSREF_SAMPLE = Path(__file__).parent / "data" / "bench" / "crossref-works.jsonl"
DATE_FIELDS = ("issued", "published", "published-print", "published-online", "created")


def crossref_copies(count: int, tag: str = "bench") -> Iterator[str]:
    """`count` Crossref works as JSON lines: the committed real sample, again and again, each
    copy with its own DOI (ending `.{tag}{copy}`) and its dates a year earlier than the last
    copy's, so every record is new and none is another's duplicate."""
    works = [json.loads(line) for line in CROSSREF_SAMPLE.read_text().splitlines() if line]
    for n in range(count):
        work = json.loads(json.dumps(works[n % len(works)]))
        copy = n // len(works) + 1
        work["DOI"] = f"{work['DOI']}.{tag}{copy}"
        for name in DATE_FIELDS:
            for parts in work.get(name, {}).get("date-parts", []):
                if parts and parts[0]:
                    parts[0] -= copy
        yield json.dumps(work)
