"""/api/v1/: what a script reading the API relies on. The publications endpoint answers the
listing's query string with the listing's records, order, count and facet counts; pages follow
each other without gaps or repeats; only public records (and what they name) are exposed; and a
page costs the same few queries whatever it holds."""

from __future__ import annotations

import datetime
import html
import random
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.api import throttling
from publications.models import (
    Keyword,
    Organisation,
    Person,
    Publication,
    PublicationLink,
    PublicationSlug,
    PublicationStatusEntry,
    SubjectArea,
)
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
    analyze,
)
from publications.tests.test_listing import add_keywords, facet_links, indexed
from publications.tests.test_views import result_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no requests counted against the anonymous rate limit."""
    throttling.cache.clear()
    yield
    throttling.cache.clear()


def api(client, url: str, **headers) -> dict:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.content[:500])
    assert response["Content-Type"] == "application/json"
    return response.json()


def listing_slugs(response) -> list[str]:
    return re.findall(
        r'class="result__title"><a href="/publications/([^/]+)/">', response.content.decode()
    )


def all_pages(client, url: str) -> list[dict]:
    """Every result, following `next` links from the first page."""
    results, seen_urls = [], set()
    while url:
        assert url not in seen_urls, "a next link leads back"
        seen_urls.add(url)
        page = api(client, url)
        results.extend(page["results"])
        url = page["next"]
    return results


@pytest.fixture
def collection():
    """Sixty-odd records over every filter's values, with ties the orders must break the same way
    (equal dates and titles, missing dates), drafts and restricted records that must not show,
    organisations in a tree and searchable text."""
    rng = random.Random(20261127)
    university = Organisation.objects.create(name="Uni", kind="university")
    faculty = Organisation.objects.create(name="Faculty", kind="faculty", parent=university)
    lab = Organisation.objects.create(name="Lab", kind="research_group", parent=faculty)
    elsewhere = Organisation.objects.create(name="Elsewhere Institute", kind="external")
    journals = JournalFactory.create_batch(3)
    persons = [*PersonFactory.create_batch(4), PersonFactory(is_internal=False)]
    keywords = [Keyword.objects.create(term=t) for t in ["HIV", "CD4", "Cytokines"]]
    areas = [SubjectArea.objects.get(code=code) for code in (2403, 2404, 1310)]
    for n in range(64):
        publication = PublicationFactory(
            title=rng.choice(["Cells in culture", "Immune cells", f"Paper {n % 7}", "Zebra"]),
            output_type=rng.choice(["article", "review-article", "letter"]),
            language=rng.choice(["en", "en", "it"]),
            peer_reviewed=rng.random() < 0.7,
            journal=rng.choice(journals),
            date=rng.choice([datetime.date(rng.randint(2018, 2021), 1, 1), None]),
            status=rng.choice(["published", "published", "accepted"]),
            open_access=rng.choice(["gold", "green", "closed", "unknown"]),
            doi=f"10.5555/random.{n}" if rng.random() < 0.5 else "",
            workflow_state=rng.choice(["validated"] * 9 + ["in_progress"]),
            visibility=rng.choice(["public"] * 9 + ["campus"]),
        )
        add_authors(publication, rng.sample(persons, rng.randint(1, 3)))
        for authorship in publication.authorships.all():
            if rng.random() < 0.6:
                authorship.affiliations.add(rng.choice([university, faculty, lab, elsewhere]))
        for position, keyword in enumerate(rng.sample(keywords, rng.randint(0, 2)), start=1):
            publication.publication_keywords.create(keyword=keyword, position=position)
        publication.subject_areas.add(*rng.sample(areas, rng.randint(0, 2)))
        indexed(publication)
    analyze()
    return {"journal": journals[0], "person": persons[0], "faculty": faculty}


EQUIVALENT_QUERIES = [
    "",
    "sort=oldest",
    "sort=title",
    "q=cells",
    "q=immune+OR+zebra&sort=newest",
    "type=review-article&type=letter&language=it",
    "year_from=2019&year_to=2020&peer_reviewed=true",
    "year_from=2021&year_to=2019",
    "subject=2400&open_access=true",
    "organisation={faculty}&keyword=hiv",
    "has_doi=false&status=accepted",
    "journal={journal}&person={person}",
    "person=no-such-person",
]


@pytest.mark.parametrize("query", EQUIVALENT_QUERIES)
def test_api_pages_hold_the_listings_records_in_its_order_with_its_count(
    visitor, collection, query
):
    query = query.format(
        faculty=collection["faculty"].slug,
        journal=collection["journal"].slug,
        person=collection["person"].slug,
    )
    first = visitor.get(f"/publications/?{query}&per_page=25")
    total = result_count(first)
    expected = []
    for page in range(1, total // 25 + 2):
        expected += listing_slugs(visitor.get(f"/publications/?{query}&per_page=25&page={page}"))
    assert len(expected) == total

    page = api(visitor, f"/api/v1/publications/?{query}&per_page=25")
    assert page["count"] == total
    results = all_pages(visitor, f"/api/v1/publications/?{query}&per_page=25")
    assert [r["slug"] for r in results] == expected


@pytest.mark.parametrize(
    "query", ["", "type=article", "q=cells&language=en", "organisation={faculty}&year_to=2020"]
)
def test_api_facet_counts_are_the_listings(visitor, collection, query):
    query = query.format(faculty=collection["faculty"].slug)
    listing = visitor.get(f"/publications/?{query}")
    facets = api(visitor, f"/api/v1/publications/?{query}&facets=all")["facets"]
    for name, facet in facets.items():
        links = facet_links(listing, name)
        shown = {html.unescape(label): count for label, (_, count) in links.items()}
        assert {o["label"]: o["count"] for o in facet["options"]} == shown, name


def test_a_facet_options_link_gives_as_many_results_as_it_counts(visitor, collection):
    facets = api(visitor, "/api/v1/publications/?facets=type,organisation,year")["facets"]
    options = [o for facet in facets.values() for o in facet["options"]]
    assert len(options) > 5
    for option in options:
        assert "cursor" not in option["url"]
        assert api(visitor, option["url"])["count"] == option["count"], option["url"]


def test_only_requested_facets_are_counted_and_more_lists_a_facet_whole(visitor):
    for n in range(13):
        add_keywords(PublicationFactory(title=f"Paper {n}"), f"Term {n:02d}")
    page = api(visitor, "/api/v1/publications/?facets=keyword")
    assert list(page["facets"]) == ["keyword"]
    assert len(page["facets"]["keyword"]["options"]) == 10
    assert page["facets"]["keyword"]["has_more"] is True
    whole = api(visitor, "/api/v1/publications/?facets=keyword&more=keyword")
    assert len(whole["facets"]["keyword"]["options"]) == 13
    assert "facets" not in api(visitor, "/api/v1/publications/")


# Pages


@pytest.mark.parametrize("sort", ["newest", "oldest", "title", "relevance"])
def test_previous_links_lead_back_through_the_same_pages(visitor, collection, sort):
    url = f"/api/v1/publications/?q=cells+OR+paper+OR+zebra+OR+immune&sort={sort}&per_page=25"
    pages = [api(visitor, url)]
    while pages[-1]["next"]:
        pages.append(api(visitor, pages[-1]["next"]))
    assert len(pages) >= 2
    assert pages[0]["previous"] is None
    for earlier, later in zip(pages, pages[1:], strict=False):
        back = api(visitor, later["previous"])
        assert [r["slug"] for r in back["results"]] == [r["slug"] for r in earlier["results"]]


def test_records_added_or_removed_while_paging_neither_repeat_nor_go_missing(visitor):
    for n in range(60):
        PublicationFactory(title=f"Record {n:02d}", date=datetime.date(2000 + n % 5, 1, 1))
    first = api(visitor, "/api/v1/publications/?per_page=25")
    shown = [r["slug"] for r in first["results"]]
    # A new record at the top and one gone from the second page, between two requests.
    PublicationFactory(title="Newest of all", date=datetime.date(2030, 1, 1))
    gone = Publication.objects.get(slug=api(visitor, first["next"])["results"][0]["slug"])
    gone.delete()
    rest = all_pages(visitor, first["next"])
    seen = shown + [r["slug"] for r in rest]
    assert len(seen) == len(set(seen)) == 59
    assert gone.slug not in seen and "newest-of-all" not in seen


def test_entity_lists_page_by_cursor(visitor):
    PersonFactory.create_batch(30)
    everyone = all_pages(visitor, "/api/v1/persons/?per_page=25")
    assert len(everyone) == 30
    codes = [area["code"] for area in all_pages(visitor, "/api/v1/subject-areas/?per_page=100")]
    assert codes == sorted(SubjectArea.objects.values_list("code", flat=True))
    assert len(codes) == 334


def test_next_links_keep_the_query_string(visitor):
    PublicationFactory.create_batch(30, title="Cells")
    page = api(visitor, "/api/v1/publications/?type=article&sort=title&per_page=25")
    query = parse_qs(urlsplit(page["next"]).query)
    assert query["type"] == ["article"] and query["sort"] == ["title"]
    assert query["per_page"] == ["25"] and query["cursor"]
    response = visitor.get("/api/v1/publications/?type=article&sort=title&per_page=25")
    assert response["Link"] == f'<{page["next"]}>; rel="next"'


# What a publication says


def test_a_publication_has_its_ordered_authors_journal_subjects_identifiers_keywords_and_status(
    visitor,
):
    journal = JournalFactory(title="J Biol Regul Homeost Agents", issn="0393-974X")
    publication = PublicationFactory(
        title="Experiences",
        subtitle="a study",
        journal=journal,
        doi="10.5555/demo.1",
        pmid="9219797",
        date=datetime.date(1997, 1, 1),
        date_precision="month",
        pages="74-78",
        abstract="<p>CD4<sup>+</sup> cells &amp; more.</p>",
    )
    unit = OrganisationFactory(name="Virology")
    external = OrganisationFactory(name="Far Away College", kind="external", ror="05f950310")
    second = AuthorshipFactory(publication=publication, position=2, name_as_printed="G. Poli")
    first = AuthorshipFactory(
        publication=publication,
        position=1,
        person=PersonFactory(given_name="Silvia", family_name="Ghezzi", orcid=""),
        name_as_printed="S. Ghezzi",
        corresponding=True,
    )
    first.affiliations.add(unit, external)
    outsider = PersonFactory(is_internal=False, family_name="Smith", given_name="Jo")
    AuthorshipFactory(publication=publication, position=3, person=outsider, name_as_printed="")
    AuthorshipFactory(publication=publication, position=4, person=None, name_as_printed="HIV Group")
    add_keywords(publication, "Zidovudine", "Apoptosis")
    publication.subject_areas.add(
        SubjectArea.objects.get(code=2725), SubjectArea.objects.get(code=2403)
    )
    PublicationStatusEntry.objects.create(
        publication=publication,
        status="accepted",
        date=datetime.date(1996, 11, 1),
        date_precision="month",
    )
    PublicationStatusEntry.objects.create(
        publication=publication,
        status="published",
        date=datetime.date(1997, 1, 1),
        date_precision="month",
    )
    PublicationLink.objects.create(
        publication=publication, url="https://example.org/full", label="Full text"
    )

    record = api(visitor, f"/api/v1/publications/{publication.slug}/")
    assert record == api(visitor, "/api/v1/publications/")["results"][0]
    assert record["url"] == f"http://testserver/api/v1/publications/{publication.slug}/"
    assert record["html_url"] == f"http://testserver/publications/{publication.slug}/"
    assert record["title"] == "Experiences" and record["subtitle"] == "a study"
    assert record["abstract"] == "CD4+ cells & more."
    assert record["type"] == {
        "value": "article",
        "label": "Article",
        "category": "Contribution to journal",
    }
    assert record["date"] == "1997-01" and record["year"] == 1997
    assert record["status"] == {"value": "published", "label": "Published", "date": "1997-01"}
    assert [(s["value"], s["date"]) for s in record["status_history"]] == [
        ("accepted", "1996-11"),
        ("published", "1997-01"),
    ]
    assert record["journal"]["title"] == "J Biol Regul Homeost Agents"
    assert record["journal"]["issn"] == "0393-974X"
    assert record["journal"]["url"] == f"http://testserver/api/v1/journals/{journal.slug}/"
    assert record["identifiers"] == {
        "doi": "10.5555/demo.1",
        "pmid": "9219797",
        "scopus_eid": None,
        "isbn": None,
    }
    assert record["pages"] == "74-78" and record["number_of_pages"] == 5
    assert record["keywords"] == ["Zidovudine", "Apoptosis"]
    assert [s["code"] for s in record["subject_areas"]] == [2403, 2725]
    assert record["links"] == [{"url": "https://example.org/full", "label": "Full text"}]
    authors = record["authors"]
    assert [(a["position"], a["name"]) for a in authors] == [
        (1, "S. Ghezzi"),
        (2, "G. Poli"),
        (3, "J. Smith"),
        (4, "HIV Group"),
    ]
    assert authors[0]["corresponding"] is True and authors[1]["corresponding"] is False
    ghezzi = authors[0]["person"]
    assert ghezzi["slug"] == first.person.slug and ghezzi["internal"] is True
    assert ghezzi["url"] == f"http://testserver/api/v1/persons/{first.person.slug}/"
    assert [
        (o["name"], o["internal"], o["url"] is not None) for o in authors[0]["affiliations"]
    ] == [
        ("Far Away College", False, False),
        ("Virology", True, True),
    ]
    assert authors[0]["affiliations"][0]["ror"] == "05f950310"
    # External persons have no resource or page of their own; a group author is no person.
    assert authors[2]["person"] == {
        "slug": None,
        "given_name": "Jo",
        "family_name": "Smith",
        "orcid": None,
        "internal": False,
        "url": None,
        "html_url": None,
    }
    assert authors[3]["person"] is None
    assert second.person.slug == authors[1]["person"]["slug"]


def test_a_former_slug_moves_permanently_to_the_current_address(visitor):
    publication = PublicationFactory(slug="new-address")
    PublicationSlug.objects.create(publication=publication, slug="old-address")
    response = visitor.get("/api/v1/publications/old-address/")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/publications/new-address/"


def test_entities_link_their_publications_and_count_only_public_ones(visitor):
    person = PersonFactory(given_name="Guido", family_name="Poli", orcid="0000-0002-1825-0097")
    unit = OrganisationFactory(name="Virology")
    journal = JournalFactory(title="Virology Letters")
    journal.subject_areas.add(SubjectArea.objects.get(code=2406))
    person.memberships.create(organisation=unit, role="Professor")
    for state in ["validated", "validated", "in_progress"]:
        publication = PublicationFactory(journal=journal, workflow_state=state)
        add_authors(publication, [person])
        publication.authorships.get().affiliations.add(unit)
        publication.subject_areas.add(SubjectArea.objects.get(code=2406))

    found = api(visitor, f"/api/v1/persons/{person.slug}/")
    assert found["orcid"] == "0000-0002-1825-0097"
    assert found["publication_count"] == 2
    assert found["memberships"][0]["organisation"]["name"] == "Virology"
    assert found["memberships"][0]["role"] == "Professor"
    for resource in [
        found,
        api(visitor, f"/api/v1/organisations/{unit.slug}/"),
        api(visitor, f"/api/v1/journals/{journal.slug}/"),
        api(visitor, "/api/v1/subject-areas/2406/"),
        api(visitor, "/api/v1/subject-areas/2400/"),
    ]:
        assert resource["publication_count"] == 2
        assert api(visitor, resource["publications_url"])["count"] == 2
    assert api(visitor, "/api/v1/subject-areas/2400/")["is_area"] is True
    assert api(visitor, f"/api/v1/journals/{journal.slug}/")["subject_areas"][0]["code"] == 2406


# Only public records


def test_drafts_restricted_records_and_what_only_they_name_are_not_exposed(visitor):
    public = PublicationFactory(title="Public record")
    draft_journal = JournalFactory(title="Only Drafts Quarterly")
    draft = PublicationFactory(title="Draft", journal=draft_journal, workflow_state="in_progress")
    campus = PublicationFactory(title="Campus only", visibility="campus")
    external = PersonFactory(is_internal=False)
    add_authors(draft, [external])
    add_authors(public, [PersonFactory(is_internal=False)])
    partner = OrganisationFactory(kind="external")
    public.authorships.get().affiliations.add(partner)

    slugs = [r["slug"] for r in all_pages(visitor, "/api/v1/publications/?per_page=100")]
    assert slugs == [public.slug]
    for hidden in [draft, campus]:
        assert visitor.get(f"/api/v1/publications/{hidden.slug}/").status_code == 404
    assert visitor.get(f"/api/v1/journals/{draft_journal.slug}/").status_code == 404
    journals = [j["slug"] for j in all_pages(visitor, "/api/v1/journals/?per_page=100")]
    assert journals == [public.journal.slug]
    assert visitor.get(f"/api/v1/persons/{external.slug}/").status_code == 404
    assert all_pages(visitor, "/api/v1/persons/") == []
    assert visitor.get(f"/api/v1/organisations/{partner.slug}/").status_code == 404
    assert all_pages(visitor, "/api/v1/organisations/") == []
    assert api(visitor, f"/api/v1/publications/?journal={draft_journal.slug}")["count"] == 0


# Query budget


BUDGETED_URLS = {
    # 1 data version, 2 count, 3 the page's keys (a narrow index scan or sort), 4 its rows with
    # everything they show (authors with affiliations, journal, keywords, subject areas, status
    # history, links: subqueries of the one statement).
    "/api/v1/publications/?per_page=100": 4,
    # A search: and, before the count, the planner's estimate of the results.
    "/api/v1/publications/?q=study&per_page=100&sort=title": 5,
    # Filtered: 1 data version, 2 estimate, 3 count, 4 keys, 5 rows, 6 the sizes of the sets the
    # facets count (one statement of estimates), 7 all facets (one UNION ALL).
    "/api/v1/publications/?type=article&keyword=hiv&facets=all": 7,
    # 1 data version, 2 the slug's record, 3 its row.
    "/api/v1/publications/{slug}/": 3,
    # 1 data version, 2 the page's keys, 3 its rows (counts and memberships are subqueries).
    "/api/v1/persons/?per_page=100": 3,
    "/api/v1/journals/?per_page=100": 3,
    # 4: the whole-collection counts (cached per data version).
    "/api/v1/organisations/?per_page=100": 4,
    "/api/v1/subject-areas/?per_page=100": 4,
    # A client whose copy is current: 1 data version.
    "/api/v1/publications/?per_page=25 (If-None-Match)": 1,
}


def queries_for(client, url: str) -> int:
    headers = {}
    if url.endswith(" (If-None-Match)"):
        url = url.removesuffix(" (If-None-Match)")
        headers["If-None-Match"] = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, headers=headers)
    assert response.status_code == (304 if headers else 200), url
    return len(context.captured_queries)


def test_api_query_budget_does_not_grow_with_rows_authors_or_keywords(visitor):
    def grow(n: int, authors: int) -> str:
        organisation = Organisation.objects.create(name=f"Dept {n}", kind="department")
        journal = JournalFactory()
        journal.subject_areas.add(SubjectArea.objects.get(code=2403))
        for publication in PublicationFactory.create_batch(
            n, title=f"A study {n}", journal=journal
        ):
            add_authors(publication, PersonFactory.create_batch(authors))
            add_keywords(publication, "HIV", f"kw {n}", f"more {n}")
            publication.subject_areas.add(SubjectArea.objects.get(code=2403))
            for authorship in publication.authorships.all():
                authorship.affiliations.add(organisation)
                authorship.person.memberships.create(organisation=organisation)
            PublicationStatusEntry.objects.create(publication=publication, status="published")
            PublicationLink.objects.create(publication=publication, url="https://example.org/")
            indexed(publication)
        analyze()
        return publication.slug

    slug = grow(5, authors=1)
    small = {url: queries_for(visitor, url.format(slug=slug)) for url in BUDGETED_URLS}
    slug = grow(150, authors=6)
    large = {url: queries_for(visitor, url.format(slug=slug)) for url in BUDGETED_URLS}
    assert small == large == BUDGETED_URLS
    assert Person.objects.count() > 900
