"""Configuration from the environment, checked in fresh interpreters (settings load once)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import close_old_connections, connection

BASE_DIR = Path(__file__).resolve().parents[2]
# Importing the settings with DATABASE_URL set does not connect, so the fresh interpreters need no
# server (the last test uses the test database).
PG_URL = "postgres://portal:secret@db.invalid:5432/portal"


def run_fresh(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    """`code` in a fresh interpreter, configured by `env` alone (and PG_URL's database)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "PORTAL_"))
    }
    environment.update({"PORTAL_VAR_DIR": str(tmp_path), "DATABASE_URL": PG_URL, **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    code = (
        "from portal import settings as s; "
        "print(s.SECRET_KEY); print(s.DEBUG); print(s.DATABASES['default']['HOST']); "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    return run_fresh(tmp_path, code, **env)


def test_without_a_secret_key_one_is_generated_once_into_var(tmp_path):
    first = load_settings(tmp_path)
    second = load_settings(tmp_path)
    assert first.returncode == 0, first.stderr
    key = first.stdout.splitlines()[0]
    assert len(key) >= 50
    assert second.stdout.splitlines()[0] == key
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_environment_sets_the_key_debug_database_and_https(tmp_path):
    result = load_settings(
        tmp_path, DJANGO_SECRET_KEY="k" * 60, DJANGO_DEBUG="true", DJANGO_HTTPS="true"
    )
    assert result.stdout.splitlines() == ["k" * 60, "True", "db.invalid", "True True True"]
    assert not (tmp_path / "secret_key").exists()


def test_debug_is_off_by_default(tmp_path):
    assert load_settings(tmp_path).stdout.splitlines()[1] == "False"


def test_a_database_other_than_postgresql_is_refused_with_a_clear_message(tmp_path):
    result = load_settings(tmp_path, DATABASE_URL="sqlite:///portal.db")
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_the_wsgi_application_is_ready_for_requests_before_the_workers_fork(tmp_path):
    """`gunicorn --preload` forks its workers from the process that imported portal.wsgi: the
    URLconf, the view modules, the public templates, the record page's citation styles, the
    deployment's digest and the caches are loaded there once, not on each worker's first
    request; and no database connection is made (the database here does not
    exist, so any attempt would fail the import). All of it is then frozen (gc.freeze)."""
    code = (
        "import sys, portal.wsgi\n"
        "from django.db import connection\n"
        "from django.template import engines\n"
        "from django.urls import get_resolver\n"
        "(cached,) = engines['django'].engine.template_loaders[0].loaders\n"
        "print(get_resolver()._populated, 'publications.views.publications' in sys.modules)\n"
        "print(sorted(cached.get_template_cache))\n"
        "print(connection.connection is None)\n"
        "from django.core.cache import caches\n"
        "from publications.citations import load_style\n"
        "from publications.figures import deployment\n"
        "print(load_style.cache_info().currsize, deployment.cache_info().currsize)\n"
        "print(all(hasattr(caches._connections, alias) for alias in ('default', 'pages')))\n"
        "shards = [s for alias in ('default', 'pages') for s in caches[alias]._cache._shards]\n"
        "print(all(getattr(shard._local, 'con', None) is None for shard in shards))\n"
        "import gc\n"
        "print(gc.get_freeze_count())\n"
    )
    result = run_fresh(tmp_path, code)
    assert result.returncode == 0, result.stderr
    resolved, templates, unconnected, loaded, cached, closed, frozen = result.stdout.splitlines()
    assert loaded == "3 1"  # the record page's three CSL styles, the deployment's digest
    assert cached == "True"
    assert closed == "True"  # no cache file is open in the process the workers fork from
    assert resolved == "True True"
    for name in ("base.html", "publications/publication_detail.html", "404.html"):
        assert repr(name) in templates
    assert "admin" not in templates
    assert unconnected == "True"
    # What the workers inherit is out of the collector's reach: their full collections no
    # longer walk the preloaded modules, templates and styles (about 120,000 objects).
    assert int(frozen) > 50_000


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_requests():
    """What Django does at the start and end of every request, an hour after connecting, leaves
    the connection open: a new backend would have to map every shared-buffer page again."""

    def backend() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    first = backend()
    an_hour_later = time.monotonic() + 3600
    with mock.patch("django.db.backends.base.base.time.monotonic", return_value=an_hour_later):
        close_old_connections()
    assert connection.connection is not None
    assert backend() == first
