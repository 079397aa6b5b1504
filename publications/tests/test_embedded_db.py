"""The embedded server's settings are sized to the memory the process may use."""

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


def test_an_index_entry_costs_about_a_tenth_of_a_page():
    """As measured in memory (embedded_db), not the stock 0.005 / 4, a 800th."""
    settings = embedded_db.machine_settings()
    ratio = float(settings["cpu_index_tuple_cost"]) / float(settings["random_page_cost"])
    assert 1 / 20 < ratio < 1 / 5


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
        cursor.execute("SHOW cpu_index_tuple_cost")
        assert cursor.fetchone() == ("0.1",)


def data_folder(tmp_path: Path) -> Path:
    """An initialised data folder, as initdb leaves it: a postgresql.conf."""
    (tmp_path / "postgresql.conf").write_text("max_connections = 100\n")
    return tmp_path


def test_a_new_folder_gets_every_setting_and_includes_them(tmp_path):
    pgdata = data_folder(tmp_path)
    assert embedded_db.write_settings(pgdata)
    text = (pgdata / "portal.conf").read_text()
    for name, value in embedded_db.machine_settings().items():
        assert f"{name} = '{value}'" in text
    assert (pgdata / "postgresql.conf").read_text().count("include_if_exists = 'portal.conf'") == 1
    assert not embedded_db.write_settings(pgdata)


def test_a_folder_not_initialised_yet_is_left_alone(tmp_path):
    assert not embedded_db.write_settings(tmp_path)
    assert not (tmp_path / "portal.conf").exists()


def test_an_older_file_keeps_its_edits_and_gets_the_settings_added_since(tmp_path):
    """A folder made before cpu_index_tuple_cost was a setting: the administrator's edits stay,
    a setting they commented out stays out, and only what the file never names is appended."""
    pgdata = data_folder(tmp_path)
    older = "# Written by portal/embedded_db.py\nwork_mem = '64MB'\n#jit = 'off'\n"
    (pgdata / "portal.conf").write_text(older)
    assert embedded_db.write_settings(pgdata)
    text = (pgdata / "portal.conf").read_text()
    assert text.startswith(older)
    added = text[len(older) :]
    assert "cpu_index_tuple_cost = '0.1'" in added
    assert "random_page_cost = '1.1'" in added
    assert "\nwork_mem" not in added and "jit" not in added
    assert not embedded_db.write_settings(pgdata)
    assert (pgdata / "portal.conf").read_text() == text
    assert "portal.conf" not in (pgdata / "postgresql.conf").read_text()
