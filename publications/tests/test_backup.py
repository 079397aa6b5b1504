"""`manage.py backup` and `manage.py restore`, on a scratch database of the test server (a
restore drops and recreates every table, which the shared test database cannot have)."""

from __future__ import annotations

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from publications.management import pgtools
from publications.management.commands import backup
from publications.management.commands.restore import without_extensions
from publications.management.pgtools import Database
from publications.tests.scratch import scratch_database

DATA = Path(__file__).parent / "data" / "import"

# What a restore must bring back exactly: the records, their authors, their history and the
# facet ids kept by triggers.
SNAPSHOT = {
    "publications": "SELECT id, title, doi, workflow_state FROM publications_publication",
    "authorships": "SELECT id, publication_id, person_id, position, name_as_printed "
    "FROM publications_authorship",
    "persons": "SELECT id, family_name, given_name FROM publications_person",
    "history": "SELECT history_id, id, title, history_type FROM publications_historicalpublication",
    "keywords": "SELECT publication_id, keyword_id, position FROM publications_publicationkeyword",
    "facet ids": "SELECT publication_id, persons, organisations, keywords, subject_areas "
    "FROM publications_publicationfacetids",
}


def snapshot(scratch) -> dict[str, list[tuple]]:
    return {name: sorted(scratch.query(sql)) for name, sql in SNAPSHOT.items()}


@pytest.fixture(scope="module")
def scratch(django_db_setup, django_db_blocker, tmp_path_factory):
    """A migrated scratch database with imported records (their history and facet ids too),
    and a backup of it in `scratch.backup`, with the snapshot taken then."""
    tmp_path = tmp_path_factory.mktemp("backup")
    with django_db_blocker.unblock(), scratch_database(tmp_path) as scratch:
        scratch.manage("migrate", "--noinput")
        scratch.manage(
            "import_publications",
            "--state=validated",
            f"{DATA}/crossref-works.jsonl",
            f"{DATA}/scopus.ris",
        )
        scratch.backup = tmp_path / "portal.dump"
        scratch.manage("backup", "--output", str(scratch.backup))
        scratch.snapshot = snapshot(scratch)
        scratch.version = scratch.data_version()
        yield scratch


def change_everything(scratch) -> None:
    """Writes that touch each part of the snapshot: a new file's records, an edited title, a
    deleted keyword link (its facet ids follow) and a deleted history row."""
    scratch.manage("import_publications", "--state=validated", f"{DATA}/rayyan.ris")
    with scratch.connect() as db:
        db.execute("UPDATE publications_publication SET title = 'Overwritten' WHERE id = %s", [1])
        db.execute(
            "DELETE FROM publications_publicationkeyword WHERE publication_id = "
            "(SELECT min(publication_id) FROM publications_publicationkeyword)"
        )
        db.execute(
            "DELETE FROM publications_historicalpublication WHERE history_id = "
            "(SELECT min(history_id) FROM publications_historicalpublication)"
        )


def test_backup_holds_the_records_and_restore_brings_them_back_exactly(scratch):
    assert len(scratch.snapshot["publications"]) >= 10
    assert scratch.snapshot["history"] and scratch.snapshot["facet ids"]
    assert any(row[3] for row in scratch.snapshot["facet ids"])  # keywords of a record
    assert scratch.backup.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    change_everything(scratch)
    changed = snapshot(scratch)
    assert all(changed[name] != scratch.snapshot[name] for name in SNAPSHOT if name != "persons")
    before_restore = scratch.data_version()

    result = scratch.manage("restore", "--yes", str(scratch.backup))

    assert "Restored" in result.stdout
    assert snapshot(scratch) == scratch.snapshot
    # The cached figures and pages are keyed by the data version: it must be one never seen,
    # neither the changed data's nor the one the backup was taken at (the counter itself goes
    # back to the backup's, and the next writes would take values seen before the restore).
    after = scratch.data_version()
    assert after not in {before_restore, scratch.version}
    assert after.split(".")[0] == scratch.version.split(".")[0]


def test_a_restore_that_fails_half_way_leaves_the_database_as_it_was(scratch, tmp_path):
    # The archive's table of contents is whole, its data cut short: pg_restore has dropped and
    # recreated tables by the time it finds out.
    damaged = tmp_path / "cut.dump"
    damaged.write_bytes(scratch.backup.read_bytes()[:-2000])
    change_everything(scratch)
    before = snapshot(scratch)
    version = scratch.data_version()

    result = scratch.manage("restore", "--yes", str(damaged), check=False)

    assert result.returncode == 1
    assert "rolled back" in result.stderr
    assert snapshot(scratch) == before
    assert scratch.data_version() == version


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a backup\n", "not a backup written by manage.py backup"), (None, "no such file")],
)
def test_restore_of_a_garbled_or_missing_file_says_so_and_changes_nothing(
    scratch, tmp_path, content, message
):
    path = tmp_path / "backup.dump"
    if content is not None:
        path.write_bytes(content)
    before = snapshot(scratch)

    result = scratch.manage("restore", "--yes", str(path), check=False)

    assert result.returncode == 1
    assert message in result.stderr
    assert snapshot(scratch) == before


def test_restore_without_yes_asks_and_refuses_when_nobody_can_answer(scratch):
    scratch.manage("import_publications", f"{DATA}/zotero.ris")
    before = snapshot(scratch)

    result = scratch.manage("restore", str(scratch.backup), check=False)

    assert result.returncode == 1
    assert "add --yes to confirm" in result.stderr
    assert snapshot(scratch) == before


def test_restore_refuses_a_backup_older_than_the_schema(scratch):
    """A table of a later migration would outlive the restore: migrate back first."""
    with scratch.connect() as db:
        db.execute("CREATE TABLE publications_later (id bigint)")
    try:
        result = scratch.manage("restore", "--yes", str(scratch.backup), check=False)
    finally:
        with scratch.connect() as db:
            db.execute("DROP TABLE publications_later")

    assert result.returncode == 1
    assert "has tables the backup does not: publications_later" in result.stderr


def test_backup_writes_a_timestamped_file_under_var_backups(scratch):
    result = scratch.manage("backup")

    (written,) = (scratch.tmp_path / "var" / "backups").iterdir()
    assert written.name.startswith(f"portal-{scratch.name}-") and written.suffix == ".dump"
    assert str(written) in result.stdout
    assert not list(written.parent.glob(".*partial"))


def test_make_backup_and_make_restore_run_the_commands(scratch, tmp_path):
    path = tmp_path / "by-make.dump"
    # -o install: the virtualenv is there already (the target would reinstall it if stale).
    make = ["make", "--no-print-directory", "-o", "install", "-C", str(settings.BASE_DIR)]
    backup = subprocess.run(
        [*make, "backup", f"BACKUP={path}"], env=scratch.env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    assert path.read_bytes()[:5] == b"PGDMP"
    restore = subprocess.run(
        [*make, "restore", f"FILE={path}", "RESTORE_ARGS=--yes"],
        env=scratch.env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert restore.returncode == 0, restore.stderr
    assert "Restored" in restore.stdout


def fake_program(folder: Path, name: str, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version}'\n")
    program.chmod(0o755)
    return program


def test_an_external_server_gets_a_pg_dump_of_its_version_or_later(db, monkeypatch, tmp_path):
    """pg_dump refuses servers newer than itself: PATH's when new enough, else the embedded."""
    monkeypatch.setenv("DATABASE_URL", "postgres://db.example.org/portal")  # an external server
    old = fake_program(tmp_path / "old", "pg_dump", "15.18")
    new = fake_program(tmp_path / "new", "pg_dump", "99.1")
    server = Database().server_major_version()
    assert server == 18

    monkeypatch.setattr(pgtools.shutil, "which", lambda name: str(new))
    assert Database().program("pg_dump") == new
    monkeypatch.setattr(pgtools.shutil, "which", lambda name: str(old))
    assert Database().program("pg_dump") == pgtools.embedded_bin() / "pg_dump"
    monkeypatch.setattr(pgtools, "embedded_bin", lambda: tmp_path / "none")
    with pytest.raises(CommandError, match="No pg_dump of version 18 or later"):
        Database().program("pg_dump")


def test_the_password_goes_in_the_environment_never_on_the_command_line(monkeypatch, tmp_path):
    settings_dict = {
        "NAME": "portal",
        "USER": "portal",
        "PASSWORD": "s3cret-pw",
        "HOST": "db.example.org",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require"},
    }
    monkeypatch.setattr(Database, "settings", property(lambda self: settings_dict))
    monkeypatch.setattr(Database, "program", lambda self, name: Path("/bin/true"))
    runs = []

    def run(command, **kwargs):
        runs.append((command, kwargs["env"]))
        Path(command[2].removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(backup.subprocess, "run", run)
    call_command("backup", output=str(tmp_path / "x.dump"), stdout=StringIO())

    ((command, env),) = runs
    assert not any("s3cret" in part for part in command)
    assert {key: env[key] for key in env if key.startswith("PG")} == {
        "PGPASSWORD": "s3cret-pw",
        "PGUSER": "portal",
        "PGHOST": "db.example.org",
        "PGPORT": "5433",
        "PGDATABASE": "portal",
        "PGSSLMODE": "require",
    }


def test_a_backup_restores_into_an_empty_database(scratch, django_db_blocker, tmp_path):
    """A new server after a disaster: nothing to drop, extensions to create."""
    with django_db_blocker.unblock(), scratch_database(tmp_path) as empty:
        empty.manage("restore", "--yes", str(scratch.backup))

        assert snapshot(empty) == scratch.snapshot
        empty.manage("migrate", "--check")  # the backup's migrations are the code's


def test_restore_keeps_the_extensions_the_database_has():
    listing = [
        "2; 3079 638343 EXTENSION - pg_trgm ",
        "3579; 0 0 COMMENT - EXTENSION pg_trgm ",
        "4; 3079 638753 EXTENSION - vector ",
        "3581; 0 0 COMMENT - EXTENSION vector ",
        "337; 1255 638469 FUNCTION public portal_bump_data_version() postgres",
        "215; 1259 16390 TABLE public publications_person postgres",
    ]

    assert without_extensions(listing, {"pg_trgm", "plpgsql"}) == listing[2:]
