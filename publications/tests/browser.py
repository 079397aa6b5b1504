"""What the browser tests share: Debian's Chromium driven by Playwright, the portal served as
`make run` serves it, committed test rows, axe-core and the screenshot folder.

The fixtures are module-scoped (one server and one browser per test module); conftest.py offers
them to every test module. `server` starts after the requesting module's own `record` fixture, which
commits the rows the portal is to show: Playwright's sync API runs an event loop in this thread,
and Django refuses ORM calls while one runs, so rows are written before and deleted after."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from urllib.request import urlopen

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.db.models import Q

from publications.models import (
    Authorship,
    Journal,
    Organisation,
    Person,
    Publication,
    PublicationTombstone,
    SubjectArea,
)
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
)

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Threads: a sync worker waits on each idle connection Chromium opens ahead (a preconnect) until
# it times out, and every other request waits behind it.
GUNICORN_ARGS = ["--workers", "1", "--threads", "4"]
AXE_DIR = Path(__file__).resolve().parent / "data" / "axe"
# axe-core's impacts, mildest first; these tests fail on the two worst.
FAILING_IMPACTS = ("serious", "critical")


def missing_prerequisite(message: str) -> None:
    """Skips on a developer's machine, fails in CI (README.md: "Prerequisites of some tests")."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def chromium() -> str:
    if CHROMIUM is None:
        missing_prerequisite("Chromium is not installed (apt-get install -y chromium)")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(var_dir: Path) -> dict[str, str]:
    """The portal's environment on the test database."""
    db = connection.settings_dict
    # The embedded server is reached over a Unix socket, whose folder dj-database-url keeps in
    # OPTIONS["host"]; an external server has HOST and PORT.
    host = quote(db["HOST"] or db["OPTIONS"].get("host", ""), safe="")
    port = db["PORT"] or db["OPTIONS"].get("port") or 5432
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}@/"
        f"{db['NAME']}?host={host}&port={port}",
        "PORTAL_VAR_DIR": str(var_dir),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }


@pytest.fixture(scope="module")
def collected_var_dir(tmp_path_factory) -> Path:
    """A var/ folder with the static files collected, once a test run for every browser test
    module (it takes seconds); each module's server keeps its cache there too, under keys of the
    data version."""
    var_dir = tmp_path_factory.getbasetemp() / "browser-var"
    collected = var_dir / "collected"
    if not collected.exists():
        var_dir.mkdir(exist_ok=True)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=BASE_DIR,
            env=server_environment(var_dir),
            check=True,
        )
        collected.touch()
    return var_dir


@pytest.fixture(scope="module")
def server(record, collected_var_dir, django_db_blocker):
    """The portal as `make run` serves it (gunicorn + whitenoise, DEBUG off, collected static
    files) on the test database, after the module's `record` rows are committed."""
    env = server_environment(collected_var_dir)
    python = sys.executable
    port = free_port()
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", *GUNICORN_ARGS],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urlopen(url + "/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the portal did not start: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    # Its database session ends a moment after the process: wait, so the test database can be
    # dropped at the end of the run.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for _ in range(50):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.1)


@pytest.fixture(scope="module")
def browser(chromium, server):
    """Chromium, started after the server and the data: Playwright's sync API runs an event loop
    in this thread, and Django refuses ORM calls while one runs."""
    from playwright.sync_api import sync_playwright

    # The per-test database wrapper (an atomic block) runs while Playwright's loop is alive;
    # these tests use no ORM themselves, so Django's async-safety check is lifted meanwhile.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
            # Connections opened by the per-test wrappers while the loop ran are this context's.
            connections.close_all()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


# Committed rows ----------------------------------------------------------------------------------


@dataclass
class PortalRows:
    """One record with everything its pages link to, a librarian's account, and three persons
    for a librarian to add as authors. `urls` names a path for each public page type."""

    urls: dict[str, str]
    record_title: str
    record_doi: str
    username: str
    password: str
    new_authors: list[str] = field(default_factory=list)


@contextmanager
def committed_rows(django_db_blocker, *, username: str) -> Iterator[PortalRows]:
    """Commits the rows, and deletes them afterwards with every publication their persons wrote
    (a record a librarian entered in the browser too), their history and the account's login
    records."""
    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_"), "not on a test database"
        journal = JournalFactory(title=f"Journal of Cellular Regulation ({username})")
        organisation = OrganisationFactory(name=f"Department of Immunology ({username})")
        title = (
            "Experiences in immune reconstitution: the rationale for interleukin-2 "
            "administration to HIV-infected individuals"
        )
        doi = f"10.5555/{username}.1997.00001"
        publication = PublicationFactory(
            title=title,
            journal=journal,
            doi=doi,
            abstract="Since the earliest clinical descriptions of patients with AIDS " * 6,
        )
        publication.subject_areas.add(SubjectArea.objects.get(code=2403))
        persons = PersonFactory.create_batch(3)
        for position, person in enumerate(persons, start=1):
            authorship = AuthorshipFactory(
                publication=publication, person=person, position=position
            )
            authorship.affiliations.add(organisation)
        # Names a librarian types into the author autocomplete: none is in the record above.
        new_authors = [
            PersonFactory(given_name=given, family_name=family, is_internal=False)
            for given, family in [
                ("Rosalind", "Quennell"),
                ("Tu", "Youyouvard"),
                ("Barbara", "Mclintockova"),
            ]
        ]
        password = "a-long-librarian-passphrase-42"
        librarian = User.objects.create_user(
            username, f"{username}@example.org", password, is_staff=True
        )
        librarian.groups.add(Group.objects.get(name="Librarian"))
        rows = PortalRows(
            urls={
                "home": "/",
                "listing": "/publications/",
                "search": "/publications/?q=immune+reconstitution",
                "record": publication.get_absolute_url(),
                "cite": publication.get_absolute_url() + "cite/?q=nature&style=nature",
                "person": persons[0].get_absolute_url(),
                "organisation": organisation.get_absolute_url(),
                "journal": journal.get_absolute_url(),
                "subject-area": "/subject-areas/2403/",
                "admin-change-form": f"/admin/publications/publication/{publication.pk}/change/",
            },
            record_title=title,
            record_doi=doi,
            username=username,
            password=password,
            new_authors=[f"{person.given_name} {person.family_name}" for person in new_authors],
        )
    yield rows
    with django_db_blocker.unblock():
        everyone = [*persons, *new_authors]
        # A record the librarian entered carries a DOI under the account's prefix.
        entered = Q(authorships__person__in=everyone) | Q(doi__startswith=f"10.5555/{username}")
        pks = list(Publication.objects.filter(entered).values_list("pk", flat=True).distinct())
        Publication.objects.filter(pk__in=pks).delete()
        # Deleting a public record leaves an OAI-PMH tombstone: it goes too.
        PublicationTombstone.objects.filter(pk__in=pks).delete()
        person_pks = [person.pk for person in everyone]
        Person.objects.filter(pk__in=person_pks).delete()
        Journal.objects.filter(pk=journal.pk).delete()
        Organisation.objects.filter(pk=organisation.pk).delete()
        for model, pk_list in [
            (Publication, pks),
            (Person, person_pks),
            (Journal, [journal.pk]),
            (Organisation, [organisation.pk]),
        ]:
            model.history.filter(id__in=pk_list).delete()
        Authorship.history.filter(publication_id__in=pks).delete()
        # The librarian's sessions, and the empty one a logout leaves.
        for session in Session.objects.all():
            if session.get_decoded().get("_auth_user_id") in (None, str(librarian.pk)):
                session.delete()
        # django-axes, when installed, records logins by username.
        if apps.is_installed("axes"):
            for model in apps.get_app_config("axes").get_models():
                if any(f.name == "username" for f in model._meta.get_fields()):
                    model.objects.filter(username=username).delete()
        librarian.delete()


def log_in(page, server: str, rows: PortalRows, next_path: str = "/admin/") -> None:
    """Logs in through the admin's own login form, as a librarian does."""
    page.goto(f"{server}/admin/login/?next={quote(next_path)}")
    page.get_by_label("Username").fill(rows.username)
    page.get_by_label("Password").fill(rows.password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(server + next_path)


@pytest.fixture(scope="module")
def librarian_state(browser, server, record) -> dict:
    """The cookies of a librarian logged in through the login form, for new contexts."""
    context = browser.new_context()
    log_in(context.new_page(), server, record)
    state = context.storage_state()
    context.close()
    return state


# Screenshots -------------------------------------------------------------------------------------


def artifacts_dir() -> Path:
    """Where screenshots are kept: $PORTAL_TEST_ARTIFACTS, by default var/test-artifacts/
    screenshots/ (git-ignored with the rest of var/)."""
    folder = Path(
        os.environ.get("PORTAL_TEST_ARTIFACTS") or BASE_DIR / "var" / "test-artifacts/screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# axe-core ----------------------------------------------------------------------------------------


def axe_script() -> Path:
    """The vendored axe.min.js, checked against the sha256 in its VERSION file."""
    script, version = AXE_DIR / "axe.min.js", AXE_DIR / "VERSION"
    if not script.exists() or not version.exists():
        missing_prerequisite(
            f"axe-core is not vendored in {AXE_DIR} (publications/tests/data/axe/refresh.sh)"
        )
    sums = dict(line.rsplit(" ", 1) for line in version.read_text().splitlines()[1:])
    digest = hashlib.sha256(script.read_bytes()).hexdigest()
    assert digest == sums["axe.min.js sha256"], "axe.min.js differs from the one VERSION names"
    return script


def axe_violations(page, script: Path, context: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per
    element. The page's context must bypass the Content-Security-Policy: axe is injected as a
    script of the page's own."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=script)
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return [
        f"{context}: {v['impact']} {v['id']} ({v['help']}) at {target}"
        for v in results
        if v["impact"] in FAILING_IMPACTS
        for target in v["targets"]
    ]
