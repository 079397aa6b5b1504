"""Exports of any listing: exactly the filters on screen, streamed with constant memory."""

from __future__ import annotations

import csv
import datetime
import gc
import io
import json
import re
import tracemalloc

import bibtexparser
import pytest
import rispy
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.export_rows import record_of, records_by_id
from publications.models import Authorship, Keyword, Person, Publication, PublicationKeyword
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

pytestmark = pytest.mark.django_db


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_each_format_exports_exactly_the_filtered_public_records(visitor):
    PublicationFactory(title="A letter", output_type="letter", doi="10.5555/l.1")
    PublicationFactory(title="Another letter", output_type="letter")
    PublicationFactory(title="An article")
    PublicationFactory(title="A draft letter", output_type="letter", workflow_state="in_progress")
    query = "?type=letter&sort=title"
    bib = bibtexparser.parse_string(body(visitor.get("/publications/export.bib" + query)))
    assert [e["title"] for e in bib.entries] == ["A letter", "Another letter"]
    ris = rispy.loads(body(visitor.get("/publications/export.ris" + query)))
    assert [r["title"] for r in ris] == ["A letter", "Another letter"]
    items = json.loads(body(visitor.get("/publications/export.json" + query)))
    assert [i["title"] for i in items] == ["A letter", "Another letter"]
    rows = list(csv.DictReader(io.StringIO(body(visitor.get("/publications/export.csv" + query)))))
    assert [r["title"] for r in rows] == ["A letter", "Another letter"]
    assert rows[0]["doi"] == "10.5555/l.1"
    assert rows[0]["url"].startswith("http://testserver/publications/a-letter")


def test_an_empty_export_is_still_valid(visitor):
    assert json.loads(body(visitor.get("/publications/export.json?q=nothing"))) == []
    assert body(visitor.get("/publications/export.csv?q=nothing")).startswith("url,title,")


def test_invalid_filters_are_a_400_that_names_them(visitor):
    response = visitor.get("/publications/export.bib?year_from=abc&type=blog")
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was exported" in text
    assert "From year: Enter a year as four digits" in text
    assert "Type: Select a valid choice" in text
    assert visitor.get("/publications/export.pdf").status_code == 404


def test_spreadsheet_formulas_in_titles_are_defused(visitor):
    PublicationFactory(title='=HYPERLINK("http://evil")')
    rows = list(csv.reader(io.StringIO(body(visitor.get("/publications/export.csv")))))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'


def test_listing_and_scoped_pages_link_their_exports_and_feed(visitor):
    person = PersonFactory()
    publication = PublicationFactory(title="Mine", journal=JournalFactory())
    add_authors(publication, [person])
    PublicationFactory(title="Not mine")
    html = visitor.get(person.get_absolute_url()).content.decode()
    link = re.search(r'<a href="(/publications/export\.ris[^"]*)"', html)[1].replace("&amp;", "&")
    assert [r["title"] for r in rispy.loads(body(visitor.get(link)))] == ["Mine"]
    feed = re.search(r'<a href="([^"]*format=atom)"', html)[1].replace("&amp;", "&")
    assert feed == f"/publications/?person={person.slug}&format=atom"
    assert visitor.get(feed)["Content-Type"].startswith("application/atom+xml")


def consume_peak(client, url: str) -> int:
    """Peak memory of answering the request and reading the whole response."""
    gc.collect()  # what earlier tests left behind must not count
    tracemalloc.start()
    response = client.get(url)
    for _chunk in response.streaming_content:
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def public_records(numbers: range, journal, **fields) -> list[Publication]:
    """Public records "Record n" in the journal, made in one statement."""
    return Publication.objects.bulk_create(
        Publication(
            title=f"Record {n}",
            slug=f"record-{n}",
            journal=journal,
            workflow_state="validated",
            visibility="public",
            **fields,
        )
        for n in numbers
    )


def test_a_large_export_streams_in_constant_memory(visitor):
    public_records(range(4500), JournalFactory(), abstract="An abstract of some length. " * 20)
    everything = consume_peak(visitor, "/publications/export.ris")
    first_third = Publication.objects.order_by("pk").values("pk")[:1500]
    Publication.objects.exclude(pk__in=first_third).update(workflow_state="in_progress")
    a_third = consume_peak(visitor, "/publications/export.ris")
    # Rows are fetched and written 500 at a time: three times the records is about the same
    # peak (measured here: 1,000 records 18 MB, 4,000 22 MB, 12,000 23 MB), not three times it
    # (loading them all at once measured 78 MB against 26 MB).
    assert everything < 2 * a_third


def varied_records() -> list[Publication]:
    """Records with what each format treats apart: an editor, a corporate author, a particle,
    initials only, no journal, keywords, a subtitle, an HTML abstract, specials, a full date."""
    book = PublicationFactory(
        title="Ça marche: 50% of R&D_costs in {curly} Zürich",
        subtitle="A \\ backslash ~ and ^",
        output_type="anthology",
        journal=None,
        host_title="Proceedings of Things",
        publisher="Test Press",
        place_of_publication="Leiden",
        isbn="9780000000002",
        abstract="<p>First <i>paragraph</i>.</p><p>Second &amp; last.</p>",
        date=datetime.date(2019, 9, 12),
        date_precision="day",
        language="fr",
    )
    add_authors(book, [PersonFactory(given_name="Jan", family_name="van der Zee")])
    Authorship.objects.create(publication=book, position=2, name_as_printed="WHO Consortium")
    Authorship.objects.create(
        publication=book,
        position=3,
        role="editor",
        person=PersonFactory(given_name="", initials="K.L.", family_name="Müller"),
    )
    for position, term in enumerate(["HIV", "IL-2", "R&D"], start=1):
        keyword = Keyword.objects.create(term=term)
        PublicationKeyword.objects.create(publication=book, keyword=keyword, position=position)
    article = PublicationFactory(
        title="HIV-infected patients", article_number="e1002345", doi="10.5555/hard.1"
    )
    add_authors(article, [PersonFactory(given_name="José", family_name="Müller-Lüdenscheidt")])
    thesis = PublicationFactory(output_type="doctoral-thesis", journal=None, date=None)
    return [book, article, thesis]


def test_a_listing_reads_the_same_records_as_a_record_page():
    publications = varied_records()
    listed = records_by_id([publication.pk for publication in publications])
    for publication in Publication.objects.for_detail().filter(pk__in=listed):
        assert listed[publication.pk] == record_of(publication)


def test_a_listing_export_writes_each_record_as_its_record_page_does(visitor):
    publications = sorted(varied_records(), key=lambda publication: publication.title)
    for extension in ["bib", "ris"]:
        listed = body(visitor.get(f"/publications/export.{extension}?sort=title"))
        one_by_one = [
            visitor.get(f"{publication.get_absolute_url()}export.{extension}").content.decode()
            for publication in publications
        ]
        assert listed == "".join(text + "\n" for text in one_by_one)
    items = json.loads(body(visitor.get("/publications/export.json?sort=title")))
    assert items == [
        json.loads(visitor.get(f"{publication.get_absolute_url()}export.json").content)
        for publication in publications
    ]


def export_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        body(client.get(url))
    return len(context.captured_queries)


def add_records(count: int, authors_each: int, keywords_each: int) -> None:
    journal = JournalFactory()
    persons = Person.objects.bulk_create(
        Person(given_name=f"Ada{n}", family_name=f"Tester{n}", slug=f"tester-{count}-{n}")
        for n in range(authors_each)
    )
    keywords = Keyword.objects.bulk_create(
        Keyword(term=f"term {count} {n}") for n in range(keywords_each)
    )
    start = Publication.objects.count()
    publications = public_records(range(start, start + count), journal)
    Authorship.objects.bulk_create(
        Authorship(publication=publication, person=person, position=position)
        for publication in publications
        for position, person in enumerate(persons, start=1)
    )
    PublicationKeyword.objects.bulk_create(
        PublicationKeyword(publication=publication, keyword=keyword, position=position)
        for publication in publications
        for position, keyword in enumerate(keywords, start=1)
    )


def test_export_queries_grow_by_one_per_500_records_whatever_their_authors(visitor):
    # 1 cursor_tuple_fraction = 1 for the ids' cursor, 2 the ids, filtered and sorted (a
    # server-side cursor, whose fetches are no queries), 3 the setting reset; then per 500
    # records one query for them with their journals, names and keywords.
    urls = [f"/publications/export.{extension}" for extension in ["bib", "ris", "json", "csv"]]
    add_records(3, authors_each=1, keywords_each=0)
    assert [export_queries(visitor, url) for url in urls] == [4, 4, 4, 4]
    add_records(497, authors_each=40, keywords_each=10)
    assert [export_queries(visitor, url) for url in urls] == [4, 4, 4, 4]
    add_records(1, authors_each=1, keywords_each=1)
    assert [export_queries(visitor, url) for url in urls] == [5, 5, 5, 5]
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "0.1"  # the other cursors are planned as before


def test_a_record_withdrawn_during_an_export_is_left_out_of_the_rest():
    publications = varied_records()
    withdrawn = publications[1]
    Publication.objects.filter(pk=withdrawn.pk).update(visibility="backend")
    listed = records_by_id([publication.pk for publication in publications])
    assert withdrawn.pk not in listed and len(listed) == 2
