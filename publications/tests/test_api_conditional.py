"""Conditional requests to /api/v1/: a client that sends back the ETag (or the Last-Modified date)
of its copy gets a 304 while the data is unchanged, and the full answer as soon as anything it
shows changes; the data version that the ETags come from covers every table the API reads."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils.http import http_date

from publications.api import conditional
from publications.models import Keyword, Person
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)
from publications.tests.test_api import fresh_rate_limits  # noqa: F401

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/publications/",
    "/api/v1/publications/?type=article&facets=type",
    "/api/v1/publications/{slug}/",
    "/api/v1/persons/",
    "/api/v1/journals/",
    "/api/v1/organisations/",
    "/api/v1/subject-areas/2403/",
]


@pytest.fixture
def record():
    publication = PublicationFactory(title="A record")
    add_authors(publication, [PersonFactory(family_name="Ghezzi")])
    return publication


@pytest.mark.parametrize("url", URLS)
def test_an_unchanged_answer_is_a_304_for_its_etag(visitor, record, url):
    url = url.format(slug=record.slug)
    first = visitor.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, no-cache"
    again = visitor.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert visitor.get(url, headers={"If-None-Match": '"0-other"'}).status_code == 200


def test_an_edit_changes_the_etag_at_once_even_of_a_related_row(visitor, record):
    url = f"/api/v1/publications/{record.slug}/"
    etag = visitor.get(url)["ETag"]
    # The author's name lives in another table than the record.
    Person.objects.filter(family_name="Ghezzi").update(family_name="Ghezzi-Rossi")
    changed = visitor.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["authors"][0]["person"]["family_name"] == "Ghezzi-Rossi"
    assert changed["ETag"] != etag
    assert visitor.get(url, headers={"If-None-Match": changed["ETag"]}).status_code == 304


def test_a_new_record_changes_the_listings_etag(visitor, record):
    listing = visitor.get("/api/v1/publications/")
    PublicationFactory(title="Another")
    fresh = visitor.get("/api/v1/publications/", headers={"If-None-Match": listing["ETag"]})
    assert fresh.status_code == 200
    assert fresh.json()["count"] == 2


def test_each_query_string_has_its_own_etag(visitor, record):
    etags = {visitor.get(url)["ETag"] for url in ["/api/v1/publications/", "/api/v1/journals/"]}
    etags.add(visitor.get("/api/v1/publications/?type=article")["ETag"])
    assert len(etags) == 3


def test_if_modified_since_answers_304_until_the_data_changes(visitor, record, monkeypatch):
    clock = [1_900_000_000.0]
    monkeypatch.setattr(conditional, "time", SimpleNamespace(time=lambda: clock[0]))
    first = visitor.get("/api/v1/journals/")
    assert first["Last-Modified"] == http_date(1_900_000_000)
    clock[0] += 10
    unchanged = visitor.get(
        "/api/v1/journals/", headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert unchanged.status_code == 304
    JournalFactory()  # without a public record a journal is listed nowhere: still unchanged
    assert (
        visitor.get(
            "/api/v1/journals/", headers={"If-Modified-Since": first["Last-Modified"]}
        ).status_code
        == 304
    )
    PublicationFactory()  # in a journal of its own
    changed = visitor.get(
        "/api/v1/journals/", headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert changed.status_code == 200
    assert changed["Last-Modified"] == http_date(1_900_000_010)


def test_a_failed_if_match_is_a_json_412(visitor, record):
    response = visitor.get("/api/v1/publications/", headers={"If-Match": '"nope"'})
    assert response.status_code == 412
    assert response.json()["status"] == 412


def test_errors_carry_no_etag(visitor):
    response = visitor.get("/api/v1/publications/no-such-record/")
    assert response.status_code == 404
    assert not response.has_header("ETag")


# The tables the API reads, by the models behind them; each must change the data version.
API_TABLES = [
    "publications_publication",
    "publications_authorship",
    "publications_authorship_affiliations",
    "publications_person",
    "publications_membership",
    "publications_organisation",
    "publications_journal",
    "publications_journal_subject_areas",
    "publications_keyword",
    "publications_publicationkeyword",
    "publications_subjectarea",
    "publications_publication_subject_areas",
    "publications_publicationstatusentry",
    "publications_publicationlink",
    "publications_publicationslug",
    "publications_concept",
    "publications_publicationconcept",
    "publications_publicationfacetids",  # the facets' ids (migration 0016)
]


def test_every_table_the_api_reads_changes_the_data_version():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, array_agg(t.tgname ORDER BY t.tgname)
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgname LIKE 'portal\\_data\\_version\\_%%'
            GROUP BY c.relname
            """
        )
        triggers = dict(cursor.fetchall())
    kinds = {f"portal_data_version_{op}" for op in ("insert", "update", "delete", "truncate")}
    for table in API_TABLES:
        assert kinds <= set(triggers.get(table, [])), table


def test_the_data_version_of_a_keyword_rename_reaches_the_etag(visitor):
    publication = PublicationFactory()
    keyword = Keyword.objects.create(term="HIV")
    publication.publication_keywords.create(keyword=keyword, position=1)
    url = f"/api/v1/publications/{publication.slug}/"
    etag = visitor.get(url)["ETag"]
    Keyword.objects.filter(pk=keyword.pk).update(term="HIV-1")
    response = visitor.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.json()["keywords"] == ["HIV-1"]


def test_an_answer_is_kept_until_the_data_changes(visitor, django_assert_num_queries):
    """Kept like the HTML pages: the same address again costs the data version alone."""
    PublicationFactory.create_batch(27)
    url = "/api/v1/publications/?per_page=25"
    first = visitor.get(url)
    assert first.status_code == 200 and 'rel="next"' in first["Link"]
    with django_assert_num_queries(1):
        again = visitor.get(url)
    assert again.json() == first.json()
    assert again["Link"] == first["Link"] and again["ETag"] == first["ETag"]
    PublicationFactory(title="Newest")
    assert visitor.get(url).json()["count"] == 28
