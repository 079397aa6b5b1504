"""Scratch databases for the data-safety tests: created on the test database's server, worked
on by `manage.py` in subprocesses (DATABASE_URL points them there), dropped afterwards. Other
tests share the test database, so whatever drops tables or restores runs elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from django.conf import settings
from django.db import connection


def conninfo(settings_dict: dict, name: str) -> dict:
    """psycopg connection keywords for database `name` on the server of `settings_dict`."""
    options = settings_dict.get("OPTIONS", {})
    keywords = {
        "host": settings_dict.get("HOST") or options.get("host"),
        "port": settings_dict.get("PORT") or options.get("port"),
        "user": settings_dict.get("USER"),
        "password": settings_dict.get("PASSWORD"),
        "dbname": name,
    }
    return {key: value for key, value in keywords.items() if value}


def database_url(settings_dict: dict, name: str) -> str:
    """A DATABASE_URL for database `name` on the server of `settings_dict` (a socket folder as
    the host goes in the query string, as libpq reads it)."""
    keywords = conninfo(settings_dict, name)
    user = quote(keywords.get("user", ""), safe="")
    password = f":{quote(keywords['password'], safe='')}" if keywords.get("password") else ""
    host = keywords.get("host", "")
    query = ""
    if host.startswith("/"):
        query, host = "?" + urlencode({"host": host}), ""
    port = f":{keywords['port']}" if keywords.get("port") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}{query}"


class Scratch:
    """One scratch database, and the environment of a `manage.py` run that works on it."""

    def __init__(self, name: str, tmp_path: Path) -> None:
        self.name = name
        self.settings_dict = connection.settings_dict
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(self.settings_dict, name),
            "PORTAL_VAR_DIR": str(tmp_path / "var"),
            "PORTAL_CACHE_DIR": str(tmp_path / "cache"),
            "PYTHONWARNINGS": "ignore",
        }

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(**conninfo(self.settings_dict, self.name), autocommit=True)

    def query(self, sql: str, params=None) -> list[tuple]:
        with self.connect() as db:
            return db.execute(sql, params).fetchall()

    def manage(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        """Runs manage.py on this database; `check` asserts it succeeded."""
        result = subprocess.run(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=300,
            **kwargs,
        )
        if check:
            assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
        return result

    def data_version(self) -> str:
        """figures.data_version(), as a portal process connected to this database reads it."""
        code = "from publications.figures import data_version; print(data_version())"
        return self.manage("shell", "-v0", "--command", code).stdout.strip()


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[Scratch]:
    """An empty database on the test database's server, dropped on the way out."""
    name = f"portal_scratch_{uuid.uuid4().hex[:12]}"
    server = conninfo(connection.settings_dict, connection.settings_dict["NAME"])
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Scratch(name, tmp_path)
    finally:
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
