"""The record page from the cache and its conditional GET: a repeat visit costs one query, and
every change, to the record or to a row it shows, is on the page at the very next request."""

from __future__ import annotations

import os
import subprocess
import sys
from wsgiref.util import setup_testing_defaults

import psycopg
import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import set_script_prefix

from publications import pagecache
from publications.figures import identity
from publications.models import Journal, Organisation, Person, Publication, SubjectArea
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

pytestmark = pytest.mark.django_db


def page_under(prefix: str, url: str) -> str:
    """The page as a WSGI server gives it with SCRIPT_NAME `prefix` (the portal served below a
    path, or a header that a trusted proxy passed on): Django's handler sets the script prefix
    from it, where the test client does not. As the test client does, the handler is kept from
    closing the test's connection in the middle of its transaction."""
    path, _, query = url.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query}
    environ.update(SCRIPT_NAME=prefix, HTTP_HOST="testserver")  # the test client's host
    setup_testing_defaults(environ)
    statuses = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        set_script_prefix("/")
    assert statuses == ["200 OK"], statuses
    return body.decode()


def visit(client, url: str, headers: dict | None = None):
    """The response and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers or {})
    return response, len(queries)


@pytest.fixture
def record() -> Publication:
    publication = PublicationFactory(
        title="Quiet title", journal=JournalFactory(title="Journal of Old Names")
    )
    add_authors(publication, [PersonFactory(given_name="Ada", family_name="Lovelace")])
    return publication


def test_a_repeat_visit_is_the_same_page_for_one_query(visitor, record):
    first, _ = visit(visitor, record.get_absolute_url())
    again, queries = visit(visitor, record.get_absolute_url())
    assert queries == 1  # the data version
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Link"] == first["Link"]
    assert again["Content-Type"] == first["Content-Type"]
    assert again["ETag"] == first["ETag"]
    assert "Accept" in again["Vary"]


def test_an_edit_to_the_record_is_shown_at_once(visitor, record):
    visitor.get(record.get_absolute_url())
    Publication.objects.filter(pk=record.pk).update(title="Loud title")
    page = visitor.get(record.get_absolute_url()).content.decode()
    assert "Loud title" in page and "Quiet title" not in page


def test_renaming_an_author_is_shown_at_once_in_the_metadata_and_the_citations(visitor, record):
    visitor.get(record.get_absolute_url())
    Person.objects.filter(family_name="Lovelace").update(family_name="Byron")
    page = visitor.get(record.get_absolute_url()).content.decode()
    # The byline keeps the name as printed; the citations and metadata use the person's.
    assert '<meta name="citation_author" content="Byron, Ada">' in page
    assert 'id="cite-apa">Byron, A.' in page
    assert 'id="cite-author">Byron, A.' in page


def test_renaming_the_journal_is_shown_at_once(visitor, record):
    visitor.get(record.get_absolute_url())
    Journal.objects.filter(pk=record.journal_id).update(title="Journal of New Names")
    page = visitor.get(record.get_absolute_url()).content.decode()
    assert "Journal of New Names" in page and "Journal of Old Names" not in page


def test_a_record_taken_out_of_public_view_is_gone_at_once(visitor, record):
    visitor.get(record.get_absolute_url())
    Publication.objects.filter(pk=record.pk).update(visibility="backend")
    assert visitor.get(record.get_absolute_url()).status_code == 404


def test_staff_never_get_the_visitors_page_nor_visitors_the_staffs(staff_user, record):
    visitor, librarian = Client(), Client()
    librarian.force_login(staff_user)
    draft = PublicationFactory(title="Unfinished", workflow_state="in_progress")
    visit(visitor, record.get_absolute_url())
    response, queries = visit(librarian, record.get_absolute_url())
    assert queries > 1 and not response.has_header("ETag")  # rendered for them, not kept
    assert "Not public" in librarian.get(draft.get_absolute_url()).content.decode()
    assert visitor.get(draft.get_absolute_url()).status_code == 404


def test_a_staff_visit_keeps_nothing_for_visitors(staff_user, record):
    librarian = Client()
    librarian.force_login(staff_user)
    librarian.get(record.get_absolute_url())
    _, queries = visit(Client(), record.get_absolute_url())
    assert queries > 1


@pytest.mark.parametrize(
    "suffix, headers",
    [("?utm_source=feed", {}), ("", {"HX-Request": "true"})],
    ids=["query string", "htmx"],
)
def test_requests_that_could_differ_are_rendered_every_time(visitor, record, suffix, headers):
    url = record.get_absolute_url() + suffix
    visit(visitor, url, headers)
    response, queries = visit(visitor, url, headers)
    assert response.status_code == 200 and queries > 1


def test_a_current_copy_is_confirmed_with_a_304_for_one_query(visitor, record):
    etag = visitor.get(record.get_absolute_url())["ETag"]
    response, queries = visit(visitor, record.get_absolute_url(), {"If-None-Match": etag})
    assert response.status_code == 304 and queries == 1
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "no-cache"


def test_a_copy_from_before_a_change_is_not_confirmed(visitor, record):
    etag = visitor.get(record.get_absolute_url())["ETag"]
    Person.objects.filter(family_name="Lovelace").update(family_name="Byron")
    response = visitor.get(record.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Byron" in response.content.decode()


def test_if_modified_since_is_answered_from_the_second_after_the_version_was_read(
    visitor, record, monkeypatch
):
    url = record.get_absolute_url()
    first = visitor.get(url)
    if not first.has_header("Last-Modified"):  # read in this very second: no date to give
        real_time = pagecache.time.time
        monkeypatch.setattr(pagecache.time, "time", lambda: real_time() + 2)
    last_modified = visitor.get(url)["Last-Modified"]
    assert visitor.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    Publication.objects.filter(pk=record.pk).update(title="Loud title")
    response = visitor.get(url, headers={"If-Modified-Since": last_modified})
    assert response.status_code == 200 and "Loud title" in response.content.decode()


def test_an_export_asked_for_by_accept_is_not_answered_with_the_page(visitor, record):
    url = record.get_absolute_url()
    etag = visitor.get(url)["ETag"]
    response = visitor.get(url, headers={"Accept": "application/x-bibtex", "If-None-Match": etag})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert not response.has_header("ETag")


def test_each_host_gets_its_own_canonical_address(visitor, record, settings):
    settings.ALLOWED_HOSTS = ["portal.example.org", "mirror.example.org"]
    url = record.get_absolute_url()
    for host in ("portal.example.org", "mirror.example.org", "portal.example.org"):
        page = visitor.get(url, headers={"Host": host}).content.decode()
        assert f'<link rel="canonical" href="http://{host}{url}">' in page


def test_a_new_deployment_does_not_confirm_copies_from_the_old_one(visitor, record, monkeypatch):
    etag = visitor.get(record.get_absolute_url())["ETag"]
    monkeypatch.setattr(pagecache, "deployment", lambda: "another deployment")
    response = visitor.get(record.get_absolute_url(), headers={"If-None-Match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


def test_the_kept_page_holds_nothing_of_the_visitors_own(visitor, record):
    response = visitor.get(record.get_absolute_url())
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies
    assert "Cookie" in response["Vary"]


def test_a_restore_to_an_earlier_version_never_brings_back_a_page_kept_before_it(visitor, record):
    """pg_restore writes every row again, the version row with the value it had at the dump,
    and the next writes then take values the cache already holds for the abandoned history."""
    kept = visitor.get(record.get_absolute_url())
    # The restore is a transaction of its own (here a savepoint, inside the test's transaction).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT value FROM publications_dataversion WHERE id = 1")
        (at_dump,) = cursor.fetchone()
        Publication.objects.filter(pk=record.pk).update(title="Restored title")
        cursor.execute("UPDATE publications_dataversion SET value = %s WHERE id = 1", [at_dump])
    again = visitor.get(record.get_absolute_url(), headers={"If-None-Match": kept["ETag"]})
    assert again.status_code == 200
    assert "Restored title" in again.content.decode()
    assert again["ETag"] != kept["ETag"]


def test_another_database_never_gets_this_ones_pages(visitor, record, monkeypatch):
    """A second database (the tests', a fresh var/) counts its versions from 1 as well."""
    first = pagecache.data_version()
    monkeypatch.setattr(connection, "portal_identity", "another-database")
    assert pagecache.data_version() != first
    page = visitor.get(record.get_absolute_url())
    assert page.status_code == 200 and "another-database" in page["ETag"]


def test_two_databases_of_one_server_have_two_identities():
    params = connection.get_connection_params()
    other = {name: params[name] for name in ("host", "port", "user", "password") if name in params}
    with connection.cursor() as cursor, psycopg.connect(dbname="postgres", **other) as elsewhere:
        assert identity(cursor) != identity(elsewhere.cursor())
        assert pagecache.data_version().endswith("." + identity(cursor))


def test_a_page_kept_by_one_worker_is_served_by_the_others(visitor, record, settings):
    """The cache is shared: another process, configured as a gunicorn worker is, finds the
    page this one kept."""
    visitor.get(record.get_absolute_url())
    key = pagecache.PageCache(RequestFactory().get(record.get_absolute_url())).key
    other_worker = subprocess.run(
        [sys.executable, "-c", WORKER_READS_THE_CACHE, key],
        env={**os.environ, "PORTAL_CACHE_DIR": str(settings.CACHE_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert other_worker.stdout.strip() == "Quiet title", other_worker.stderr


WORKER_READS_THE_CACHE = """
import re, sys, django
django.setup()
from django.core.cache import caches
kept = caches["pages"].get(sys.argv[1])
title = re.search(rb'<h1[^>]*>(.*?)</h1>', kept.content, re.S) if kept else None
print(title.group(1).decode().strip() if title else None)
"""


@pytest.mark.parametrize(
    "address",
    [
        lambda record: "/publications/?q=quiet",
        lambda record: "/publications/?sort=title&per_page=50",
        lambda record: record.authorships.first().person.get_absolute_url(),
        lambda record: record.journal.get_absolute_url() + "?sort=title",
    ],
    ids=["search", "listing", "person", "journal"],
)
def test_listings_and_entity_pages_are_kept_and_show_an_edit_at_once(visitor, record, address):
    record.authorships.update(person=PersonFactory(given_name="Ada", family_name="Lovelace"))
    Person.objects.filter(family_name="Lovelace").update(is_internal=True)
    url = address(record)
    first, _ = visit(visitor, url)
    again, queries = visit(visitor, url)
    assert first.status_code == 200 and "Quiet title" in first.content.decode()
    assert queries == 1 and again.content == first.content
    Publication.objects.filter(pk=record.pk).update(title="Quiet but edited title")
    edited = visitor.get(url).content.decode()
    assert "Quiet but edited title" in edited


def rename_person(record):
    Person.objects.filter(family_name="Lovelace").update(family_name="Byron")
    return "Byron"


def rename_journal(record):
    Journal.objects.filter(pk=record.journal_id).update(title="Journal of New Names")
    return "Journal of New Names"


def rename_unit(record):
    Organisation.objects.filter(name="Department of Quiet").update(name="Department of Noise")
    return "Department of Noise"


def rename_area(record):
    SubjectArea.objects.filter(code=1700).update(display_name="Computing, renamed")
    return "Computing, renamed"


def add_a_record(record):
    PublicationFactory()
    return '<data value="2">2</data> research outputs'


@pytest.mark.parametrize(
    "address, edit",
    [
        ("/", add_a_record),
        ("/persons/?q=ada", rename_person),
        ("/organisations/", rename_unit),
        ("/journals/?q=names", rename_journal),
        ("/subject-areas/", rename_area),
    ],
    ids=["home", "persons", "organisations", "journals", "subject-areas"],
)
def test_the_home_page_and_the_indexes_are_kept_and_show_an_edit_at_once(
    visitor, record, address, edit
):
    """Their figures were read afresh on every visit: /persons/ took 50 ms each time at a
    million publications, as a kept page takes about 1 ms."""
    Person.objects.filter(family_name="Lovelace").update(is_internal=True)
    Organisation.objects.create(name="Department of Quiet", kind="department")
    first, _ = visit(visitor, address)
    again, queries = visit(visitor, address)
    assert first.status_code == 200
    assert queries == 1 and again.content == first.content
    shown = edit(record)
    assert shown not in first.content.decode()
    assert shown in visitor.get(address).content.decode()


def test_htmx_requests_for_a_listing_are_rendered_every_time(visitor, record):
    visitor.get("/publications/?q=quiet")
    _, queries = visit(visitor, "/publications/?q=quiet", headers={"HX-Request": "true"})
    assert queries > 1


def open_connections() -> set[int]:
    """The shards' open SQLite connections, by identity."""
    return {
        id(shard._local.con)
        for alias in ("default", "pages")
        for shard in caches[alias]._cache._shards
        if getattr(shard._local, "con", None) is not None
    }


def test_the_caches_stay_open_from_one_request_to_the_next(visitor):
    """Django closes every cache after each request, and diskcache reopened its SQLite shards
    on the next: about ten statements a shard, 3.6 ms for nine reads (portal.cache)."""
    PublicationFactory()
    visitor.get("/publications/")
    opened = open_connections()
    assert opened, "the listing reads and keeps its figures and its page in the caches"
    visitor.get("/persons/")
    assert opened <= open_connections()  # the same connections, not reopened ones


def test_a_forged_script_name_keeps_its_page_apart(visitor, record):
    """gunicorn takes SCRIPT_NAME from a trusted proxy's header: a request for "/" that names
    "/persons" as its prefix is the home page with links under /persons/, and must not be kept as
    the page of "/persons/" (one address, joined) for every later visitor."""
    home = page_under("/persons", "/")
    assert 'href="/persons/publications/' in home
    index = visitor.get("/persons/").content.decode()
    assert "<h1>Persons</h1>" in index
    assert 'href="/persons/publications/' not in index
