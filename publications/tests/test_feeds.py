"""Crawling and feeds: /robots.txt, /sitemap.xml and Atom feeds. Drafts never appear."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.models import Organisation, Publication
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def entry_titles(response) -> list[str]:
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_filters(visitor):
    text = visitor.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Disallow: /*?" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_sitemap_lists_public_records_and_entity_pages_only(visitor):
    public = PublicationFactory(title="Public")
    draft = PublicationFactory(title="Draft", workflow_state="in_progress")
    person = PersonFactory()
    journal = public.journal
    draft_journal = draft.journal
    index = ET.fromstring(visitor.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert sections == [
        "http://testserver/sitemap-publications.xml",
        "http://testserver/sitemap-persons.xml",
        "http://testserver/sitemap-organisations.xml",
        "http://testserver/sitemap-journals.xml",
    ]
    publications = visitor.get("/sitemap-publications.xml").content.decode()
    assert f"http://testserver{public.get_absolute_url()}" in publications
    assert draft.get_absolute_url() not in publications
    assert "<lastmod>" in publications
    assert person.get_absolute_url() in visitor.get("/sitemap-persons.xml").content.decode()
    journals = visitor.get("/sitemap-journals.xml").content.decode()
    assert journal.get_absolute_url() in journals
    assert draft_journal.get_absolute_url() not in journals


def test_the_sitemap_index_dates_the_records_by_the_latest_public_change_without_reading_them(
    visitor,
):
    when = datetime.datetime(2024, 3, 1, 12, 30, tzinfo=datetime.UTC)
    for title, state, modified in [
        ("Older", "validated", when - datetime.timedelta(days=400)),
        ("Newer", "validated", when),
        ("Draft", "in_progress", when + datetime.timedelta(days=30)),
    ]:
        record = PublicationFactory(title=title, workflow_state=state)
        Publication.objects.filter(pk=record.pk).update(modified=modified)  # past auto_now
    with CaptureQueriesContext(connection) as queries:
        index = ET.fromstring(visitor.get("/sitemap.xml").content)
    lastmod = {
        sitemap.findtext(f"{SITEMAP}loc"): sitemap.findtext(f"{SITEMAP}lastmod")
        for sitemap in index.iter(f"{SITEMAP}sitemap")
    }
    published = lastmod["http://testserver/sitemap-publications.xml"]
    assert datetime.datetime.fromisoformat(published) == when
    # Django's index would read every record for the latest of their dates.
    assert not [q for q in queries if '"publications_publication"."slug"' in q["sql"]]


def test_site_feed_has_the_newest_public_records(visitor):
    PublicationFactory(title="Older", date=datetime.date(2001, 1, 1))
    PublicationFactory(title="Newer", date=datetime.date(2020, 1, 1))
    PublicationFactory(title="Draft", workflow_state="for_validation")
    assert entry_titles(visitor.get("/feeds/publications/")) == ["Newer", "Older"]


def test_person_organisation_and_journal_feeds(visitor):
    person = PersonFactory()
    unit = Organisation.objects.create(name="Unit", kind="department")
    journal = JournalFactory()
    mine = PublicationFactory(title="Mine", journal=journal)
    add_authors(mine, [person])
    mine.authorships.get().affiliations.add(unit)
    PublicationFactory(title="Someone else's")
    for url in [
        f"/feeds/persons/{person.slug}/",
        f"/feeds/organisations/{unit.slug}/",
        f"/feeds/journals/{journal.slug}/",
    ]:
        assert entry_titles(visitor.get(url)) == ["Mine"], url
    assert visitor.get("/feeds/persons/nobody/").status_code == 404


def test_any_listing_is_a_feed_with_its_filters(visitor):
    PublicationFactory(title="A letter", output_type="letter")
    PublicationFactory(title="An article")
    response = visitor.get("/publications/?type=letter&format=atom")
    assert entry_titles(response) == ["A letter"]
    listing = visitor.get("/publications/?type=letter").content.decode()
    link = re.search(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', listing
    )
    assert link[1].replace("&amp;", "&") == "?type=letter&format=atom"


@pytest.mark.parametrize(
    "query", ["year_from=abc", "type=blog", "q=%00", "keyword=%00x", "q=" + "x" * 5000]
)
def test_a_listing_feed_with_bad_filters_still_answers(visitor, query):
    PublicationFactory(title="Listed")
    response = visitor.get(f"/publications/?{query}&format=atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
