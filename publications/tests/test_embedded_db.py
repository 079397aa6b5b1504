"""The embedded server's settings: sized to the memory the process may use, accepted by the
server, written once into a new data folder, and brought up to date in an older one without
undoing its administrator's edits."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import pytest

from portal import embedded_db

GIB = 2**30
PHYSICAL_MB = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


def fake_system(tmp_path: Path, files: dict[str, str], cgroup: str) -> tuple[Path, Path]:
    """A cgroup file system and /proc/self/cgroup holding `files` and `cgroup`."""
    root, proc = tmp_path / "cgroup", tmp_path / "proc"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n")
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "cgroup").write_text(cgroup)
    return root, proc


@pytest.mark.parametrize(
    ("files", "cgroup", "expected_mb"),
    [
        pytest.param({"memory.max": str(2 * GIB)}, "0::/\n", 2048, id="v2 container"),
        pytest.param(
            {"memory.max": "max", "system.slice/portal.service/memory.max": str(GIB)},
            "0::/system.slice/portal.service\n",
            1024,
            id="v2 own group",
        ),
        pytest.param(
            {"portal.slice/memory.max": str(GIB), "portal.slice/web.service/memory.max": "max"},
            "0::/portal.slice/web.service\n",
            1024,
            id="v2 group above",
        ),
        pytest.param(
            {"memory/docker/abc/memory.limit_in_bytes": str(3 * GIB)},
            "12:pids:/docker/abc\n4:cpu,memory:/docker/abc\n1:name=systemd:/docker/abc\n",
            3072,
            id="v1 container",
        ),
        pytest.param(
            {"memory/memory.limit_in_bytes": "9223372036854771712"},
            "4:memory:/\n",
            None,
            id="v1 unlimited",
        ),
        pytest.param(
            {"memory.max": "", "memory/docker/abc/memory.limit_in_bytes": str(GIB)},
            "garbage\n\n4:memory:/docker/abc\n",
            1024,
            id="empty and malformed entries passed over",
        ),
    ],
)
def test_the_smallest_cgroup_limit_is_the_memory(tmp_path, files, cgroup, expected_mb):
    root, proc = fake_system(tmp_path, files, cgroup)
    expected = PHYSICAL_MB if expected_mb is None else min(expected_mb, PHYSICAL_MB)
    assert embedded_db.available_memory_mb(root, proc) == expected


def test_without_cgroups_the_machine_memory_is_used(tmp_path):
    assert embedded_db.available_memory_mb(tmp_path / "none", tmp_path / "none") == PHYSICAL_MB


def test_shared_buffers_are_a_quarter_of_a_container_limit():
    with mock.patch.object(embedded_db, "available_memory_mb", return_value=2048):
        settings = embedded_db.machine_settings()
    assert settings["shared_buffers"] == "512MB"
    assert settings["effective_cache_size"] == "1024MB"


@pytest.mark.django_db
def test_the_server_accepts_every_setting():
    """A misspelt name or a value the server refuses in portal.conf would stop the embedded server
    from starting. Settings a session may change are set (and so checked) in this transaction;
    the others must at least be known (a library's, such as pg_prewarm's, when it is loaded)."""
    from django.db import connection, transaction

    settings = embedded_db.machine_settings()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, context FROM pg_settings WHERE name = ANY(%s)", [list(settings)]
        )
        contexts = dict(cursor.fetchall())
        assert {name for name in settings if "." not in name} <= set(contexts)
        for name, context in contexts.items():
            if context == "user":
                cursor.execute("SELECT set_config(%s, %s, true)", [name, settings[name]])


INCLUDE = "include_if_exists = 'portal.conf'"


def data_folder(tmp_path: Path, conf: str = "max_connections = 100\n") -> Path:
    """An initialised data folder, as initdb leaves it: a postgresql.conf."""
    (tmp_path / "postgresql.conf").write_text(conf)
    return tmp_path


def test_a_new_folder_gets_every_setting_and_includes_them(tmp_path):
    pgdata = data_folder(tmp_path)
    assert embedded_db.write_settings(pgdata)
    text = (pgdata / "portal.conf").read_text()
    for name, value in embedded_db.machine_settings().items():
        assert f"{name} = '{value}'" in text
    assert f"# settings version: {embedded_db.SETTINGS_VERSION}" in text
    assert (pgdata / "postgresql.conf").read_text().count(INCLUDE) == 1
    assert not embedded_db.write_settings(pgdata)
    assert (pgdata / "portal.conf").read_text() == text
    assert {path.name for path in pgdata.iterdir()} == {"postgresql.conf", "portal.conf"}


def test_a_folder_not_initialised_yet_is_left_alone(tmp_path):
    assert not embedded_db.write_settings(tmp_path)
    assert not (tmp_path / "portal.conf").exists()


# A portal.conf from before settings version 2, as its administrator left it: work_mem raised,
# JIT commented out, random_page_cost deleted, no newline at the end.
OLDER = (
    "# Written by portal/embedded_db.py for this machine; edit freely, it is kept.\n"
    "shared_buffers = '6026MB'\nwork_mem = '64MB'\n#jit = 'off'"
)


def test_an_older_file_keeps_its_edits_and_gets_the_settings_added_since(tmp_path):
    pgdata = data_folder(tmp_path, f"max_connections = 100\n{INCLUDE}\n")
    (pgdata / "portal.conf").write_text(OLDER)
    assert embedded_db.write_settings(pgdata)
    text = (pgdata / "portal.conf").read_text()
    assert text.startswith(OLDER + "\n")
    added = text[len(OLDER) :].splitlines()
    assert [line for line in added if line and not line.startswith("#")] == [
        "cpu_index_tuple_cost = '0.1'"
    ]
    assert added[-1] == f"# settings version: {embedded_db.SETTINGS_VERSION}"
    assert (pgdata / "postgresql.conf").read_text() == f"max_connections = 100\n{INCLUDE}\n"
    # Brought up to date once: the line its administrator deletes next stays deleted.
    (pgdata / "portal.conf").write_text(text.replace("cpu_index_tuple_cost = '0.1'\n", ""))
    assert not embedded_db.write_settings(pgdata)
    assert "cpu_index_tuple_cost" not in (pgdata / "portal.conf").read_text()


@pytest.mark.parametrize(
    "line",
    ["cpu_index_tuple_cost = 0.2", "CPU_Index_Tuple_Cost 0.2", "## cpu_index_tuple_cost = 0.005"],
)
def test_a_setting_the_older_file_names_already_is_not_added_again(tmp_path, line):
    pgdata = data_folder(tmp_path, f"{INCLUDE}\n")
    (pgdata / "portal.conf").write_text(f"{OLDER}\n{line}\n")
    assert embedded_db.write_settings(pgdata)
    text = (pgdata / "portal.conf").read_text()
    assert text.startswith(f"{OLDER}\n{line}\n")
    assert "cpu_index_tuple_cost = '0.1'" not in text


def test_a_comment_in_another_encoding_is_kept_byte_for_byte(tmp_path):
    pgdata = data_folder(tmp_path, f"{INCLUDE}\n")
    older = OLDER.encode() + "\n# réglé par l'équipe\n".encode("latin-1")
    (pgdata / "portal.conf").write_bytes(older)
    assert embedded_db.write_settings(pgdata)
    text = (pgdata / "portal.conf").read_bytes()
    assert text.startswith(older)
    assert b"cpu_index_tuple_cost = '0.1'" in text


def test_a_settings_file_that_cannot_be_read_is_left_alone(tmp_path, caplog):
    """The server starts with the settings it has, and the process does not fail."""
    pgdata = data_folder(tmp_path, f"{INCLUDE}\n")
    (pgdata / "portal.conf").mkdir()  # unreadable as a file, whoever runs the tests
    assert not embedded_db.write_settings(pgdata)
    assert "could not bring" in caplog.text
