"""Shared fixtures: the personas who use the portal."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User


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
