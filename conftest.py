"""Shared fixtures: the personas who use the portal."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import override_settings


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with autovacuum off for its tables. After a large rolled-back test
    (the demo load), autovacuum would record the tables as empty, and the plans made for empty
    tables are nested loops that take minutes once a later test has added a few hundred rows.
    Never analysed, PostgreSQL estimates from the tables' size instead."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            """
            DO $$
            DECLARE t record;
            BEGIN
                FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
                    EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t.tablename);
                END LOOP;
            END $$;
            """
        )


@pytest.fixture(scope="session", autouse=True)
def own_cache(tmp_path_factory):
    """A cache of this test run's own, not the portal's var/cache/ (nor another run's), and no
    figure stored for being slow."""
    location = tmp_path_factory.mktemp("cache")
    backend = "portal.cache.DiskCache"  # as configured
    with override_settings(
        CACHE_DIR=location,
        CACHES={
            "default": {"BACKEND": backend, "LOCATION": str(location / "shared")},
            "pages": {"BACKEND": backend, "LOCATION": str(location / "pages")},
        },
        # Figures are stored when they were slow to compute (publications.figures), which would
        # make query counts depend on the machine's speed: tests that store them ask for it.
        PORTAL_STORE_AFTER_MS=float("inf"),
    ):
        yield


@pytest.fixture
def visitor(client):
    """An anonymous reader of the portal."""
    return client


@pytest.fixture
def staff_user(db) -> User:
    return User.objects.create_user(
        "librarian", "librarian@example.org", "pw-librarian-1", is_staff=True, is_superuser=True
    )


@pytest.fixture
def librarian(client, staff_user):
    """A logged-in staff member with every permission."""
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Tests render pages without running collectstatic first (the manifest storage needs it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
