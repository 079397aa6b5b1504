"""Reading the database into memory: `manage.py prewarm`, and the embedded server that reads back
its shared buffers when it starts again (pg_prewarm's autoprewarm)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from publications.management.commands.prewarm import HUGE_PAGES, huge_pages_advice
from publications.tests.factories import PublicationFactory

BASE_DIR = Path(__file__).resolve().parents[2]


def relation_blocks(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s::regclass) / 8192", [name])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_prewarm_reads_every_block_of_the_tables_and_indexes():
    PublicationFactory.create_batch(30)
    out = io.StringIO()
    call_command("prewarm", verbosity=2, stdout=out, stderr=io.StringIO())
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    for name in ("publications_publication", "publications_publication_slug_key"):
        assert lines[name] == f"{relation_blocks(name):,} blocks"
    assert relation_blocks("publications_publication") > 0
    summary = out.getvalue().splitlines()[-1]
    assert summary.startswith(f"Read {len(lines) - 1} relations in ")
    assert "MB into shared buffers" in summary
    assert "left out" not in summary
    with connection.cursor() as cursor:  # created for the run only: backups do not name it
        cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_prewarm'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_prewarm_stops_at_its_limit_and_says_what_it_left_out():
    PublicationFactory.create_batch(30)
    out = io.StringIO()
    call_command("prewarm", megabytes=1, verbosity=2, stdout=out, stderr=io.StringIO())
    read = [line.split(": ")[0] for line in out.getvalue().splitlines() if "blocks" in line]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_relation_size(oid)) FROM pg_class WHERE oid::regclass::text = ANY(%s)",
            [read],
        )
        assert cursor.fetchone()[0] <= 2**20
    assert " left out (over the limit)." in out.getvalue()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prewarm", megabytes=0, stdout=io.StringIO())


@pytest.mark.parametrize(
    ("setting", "status", "needed", "advised"),
    [
        ("try", "off", 3112, True),
        ("try", "on", 3112, False),  # in use already
        ("off", "off", 3112, False),  # the server is told not to use them
        ("try", "unknown", 3112, False),  # huge_pages = try before the server has started
        ("try", "off", -1, False),  # a system without huge pages (not Linux)
        ("try", None, 3112, False),  # PostgreSQL 15 and 16 do not say whether they are used
        ("try", None, None, False),  # nor does 14 how many it needs
    ],
)
def test_prewarm_advises_huge_pages_only_where_the_server_could_use_them(
    setting, status, needed, advised
):
    advice = huge_pages_advice(setting, status, needed)
    assert bool(advice) is advised
    if advised:
        assert "sudo sysctl -w vm.nr_hugepages=3112" in advice
        assert "vm.nr_hugepages = 3112 in /etc/sysctl.d/" in advice


@pytest.mark.django_db
def test_prewarm_says_how_many_huge_pages_the_server_lacks():
    with connection.cursor() as cursor:
        cursor.execute(HUGE_PAGES)
        setting, status, needed = cursor.fetchone()
    errors = io.StringIO()
    call_command("prewarm", stdout=io.StringIO(), stderr=errors)
    if setting == "try" and status == "off" and needed > 0:
        assert f"The server's shared memory fits in {needed:,} huge pages" in errors.getvalue()
        assert f"vm.nr_hugepages={needed}" in errors.getvalue()
    else:  # this machine has reserved them, has none, or the server does not say
        assert "Huge pages" not in errors.getvalue()


RESTARTED = """
import sys, time
from pathlib import Path
import psycopg
from portal.embedded_db import database_url

step = sys.argv[2]
db = psycopg.connect(database_url(Path(sys.argv[1])), autocommit=True)
print(db.execute("SHOW shared_preload_libraries").fetchone()[0])
if step == "fill":  # a table read into the shared buffers: the server stops when this exits
    db.execute("CREATE TABLE kept AS SELECT generate_series(1, 100000) AS n")
    db.execute("CREATE EXTENSION pg_prewarm")
    print(db.execute("SELECT pg_prewarm('kept')").fetchone()[0])
elif step == "check":  # its blocks in the buffers again, with nothing having read them
    db.execute("CREATE EXTENSION pg_buffercache")
    for _ in range(100):
        held = db.execute(
            "SELECT count(*) FROM pg_buffercache WHERE relfilenode = pg_relation_filenode('kept') "
            "AND reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone()[0]
        if held >= int(sys.argv[3]):
            break
        time.sleep(0.1)
    print(held)
"""


def test_the_embedded_server_reads_back_its_buffers_after_a_restart(tmp_path):
    """A new data folder gets the machine's settings; from the server's next start, pg_prewarm
    is loaded, and what the shared buffers held when the server stopped is read back when it
    starts again (the server stops with the last process that uses it)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}

    def start(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", RESTARTED, str(tmp_path), *args],
            cwd=BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    assert start("new") == [""]  # written now, applied from the next start
    settings = (tmp_path / "postgres" / "portal.conf").read_text()
    assert "shared_preload_libraries = 'pg_prewarm'" in settings
    preloaded, blocks = start("fill")
    assert preloaded == "pg_prewarm" and int(blocks) > 400
    assert start("check", blocks) == ["pg_prewarm", blocks]
