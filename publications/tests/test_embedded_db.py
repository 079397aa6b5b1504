"""The embedded server's settings are sized to the memory the process may use."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

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


def test_a_cgroup_v2_container_limit_is_the_memory(tmp_path):
    root, proc = fake_system(tmp_path, {"memory.max": str(2 * GIB)}, "0::/\n")
    assert embedded_db.available_memory_mb(root, proc) == min(2048, PHYSICAL_MB)


def test_the_process_own_v2_group_is_read(tmp_path):
    root, proc = fake_system(
        tmp_path,
        {"memory.max": "max", "system.slice/portal.service/memory.max": str(GIB)},
        "0::/system.slice/portal.service\n",
    )
    assert embedded_db.available_memory_mb(root, proc) == min(1024, PHYSICAL_MB)


def test_a_cgroup_v1_limit_is_the_memory_and_its_unlimited_value_is_not(tmp_path):
    limited, proc = fake_system(
        tmp_path / "limited",
        {"memory/docker/abc/memory.limit_in_bytes": str(3 * GIB)},
        "12:pids:/docker/abc\n4:cpu,memory:/docker/abc\n1:name=systemd:/docker/abc\n",
    )
    assert embedded_db.available_memory_mb(limited, proc) == min(3072, PHYSICAL_MB)
    unlimited, proc = fake_system(
        tmp_path / "unlimited",
        {"memory/memory.limit_in_bytes": "9223372036854771712"},
        "4:memory:/\n",
    )
    assert embedded_db.available_memory_mb(unlimited, proc) == PHYSICAL_MB


def test_without_cgroups_the_machine_memory_is_used(tmp_path):
    assert embedded_db.available_memory_mb(tmp_path / "none", tmp_path / "none") == PHYSICAL_MB


def test_shared_buffers_are_a_quarter_of_a_container_limit():
    with mock.patch.object(embedded_db, "available_memory_mb", return_value=2048):
        settings = embedded_db.machine_settings()
    assert settings["shared_buffers"] == "512MB"
    assert settings["effective_cache_size"] == "1024MB"
