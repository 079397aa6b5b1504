"""The public pages, as a visitor sees them."""

from __future__ import annotations

import html as html_module
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.models import Keyword, Organisation, Publication, PublicationSlug, SubjectArea
from publications.tests.budgets import RECORD_PAGE_BUDGET
from publications.tests.factories import (
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's visible text, tags removed and whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(a|span|data|time|abbr|em|strong|i|b|sub|sup)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def details_of(response) -> str:
    """The visible text of the record page's details table."""
    match = re.search(r'<table class="details">.*?</table>', response.content.decode(), flags=re.S)
    return text_of(type("R", (), {"content": match[0].encode()})) if match else ""


def result_count(response) -> int:
    match = re.search(r'id="result-count"[^>]*>\s*<data value="(\d+)"', response.content.decode())
    assert match, "the page has no machine-readable result count"
    return int(match[1])


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def test_home_shows_counts_latest_output_and_subject_areas(visitor):
    journal = JournalFactory()
    journal.subject_areas.add(SubjectArea.objects.get(code=2403))
    publication = PublicationFactory(title="Newest finding", journal=journal)
    publication.subject_areas.add(SubjectArea.objects.get(code=2403))
    PublicationFactory(title="Hidden draft", workflow_state="in_progress")
    response = visitor.get("/")
    text = text_of(response)
    assert "1 research outputs" in text
    assert "Newest finding" in text
    assert "Hidden draft" not in text
    assert "Immunology and Microbiology(all)" in text
    assert 'action="/publications/"' in response.content.decode()


def test_publication_list_is_newest_first_with_a_result_count(visitor):
    import datetime

    PublicationFactory(title="Old one", date=datetime.date(1990, 1, 1))
    PublicationFactory(title="New one", date=datetime.date(2020, 1, 1))
    PublicationFactory(title="Middle one", date=datetime.date(2005, 1, 1))
    response = visitor.get("/publications/")
    text = text_of(response)
    assert result_count(response) == 3
    assert text.index("New one") < text.index("Middle one") < text.index("Old one")


def test_publication_list_pages_with_rel_next_and_survives_bad_page_numbers(visitor):
    PublicationFactory.create_batch(30)
    first = visitor.get("/publications/")
    assert 'rel="next"' in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()
    second = visitor.get("/publications/?page=2")
    assert "Page 2 of 2" in text_of(second)
    assert 'rel="next"' not in second.content.decode()
    for bad, shown in [("abc", 1), ("-1", 1), ("0", 1), ("99999", 2), ("", 1), ("1.5", 1)]:
        response = visitor.get(f"/publications/?page={bad}")
        assert response.status_code == 200, bad
        assert f"Page {shown} of 2" in text_of(response), bad


def test_per_page_accepts_only_the_offered_sizes(visitor):
    PublicationFactory.create_batch(30)
    assert "Page 1 of 1" not in text_of(visitor.get("/publications/?per_page=50"))
    assert text_of(visitor.get("/publications/?per_page=50")).count("A study of things") == 30
    assert text_of(visitor.get("/publications/?per_page=7")).count("A study of things") == 25
    assert visitor.get("/publications/?per_page=abc").status_code == 200


def test_draft_and_restricted_publications_are_invisible_to_visitors(visitor):
    journal = JournalFactory()
    person = PersonFactory()
    public = PublicationFactory(title="Public record", journal=journal)
    hidden = [
        PublicationFactory(title="Draft record", journal=journal, workflow_state="in_progress"),
        PublicationFactory(
            title="Waiting record", journal=journal, workflow_state="for_validation"
        ),
        PublicationFactory(title="Campus record", journal=journal, visibility="campus"),
        PublicationFactory(title="Backend record", journal=journal, visibility="backend"),
    ]
    for publication in [public, *hidden]:
        add_authors(publication, [person])
    for url in ["/publications/", journal.get_absolute_url(), person.get_absolute_url()]:
        response = visitor.get(url)
        assert result_count(response) == 1, url
        assert "Public record" in text_of(response)
        assert "Draft record" not in text_of(response)
    for publication in hidden:
        assert visitor.get(publication.get_absolute_url()).status_code == 404
    assert visitor.get(public.get_absolute_url()).status_code == 200


def test_staff_can_preview_a_draft_with_a_notice(librarian):
    draft = PublicationFactory(title="Draft record", workflow_state="in_progress")
    response = librarian.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Not public: Entry in progress" in text_of(response)


@pytest.mark.parametrize(
    "url",
    [
        "/publications/no-such-record/",
        "/persons/nobody/",
        "/organisations/nowhere/",
        "/journals/no-journal/",
        "/subject-areas/9999/",
        "/subject-areas/abc/",
    ],
)
def test_unknown_addresses_are_404(visitor, url):
    assert visitor.get(url).status_code == 404


def test_external_persons_have_no_profile_and_are_plain_text(visitor):
    internal = PersonFactory(
        given_name="Guido", family_name="Poli", initials="G.", is_internal=True
    )
    external = PersonFactory(
        given_name="Adriano", family_name="Lazzarin", initials="A.", is_internal=False
    )
    publication = PublicationFactory()
    add_authors(publication, [internal, external])
    html = visitor.get(publication.get_absolute_url()).content.decode()
    assert (
        f'<a href="/persons/{internal.slug}/" class="author author--internal">G. Poli</a>' in html
    )
    assert '<span class="author">A. Lazzarin</span>' in html
    assert visitor.get(external.get_absolute_url()).status_code == 404


def test_an_old_slug_redirects_permanently_to_the_current_one(visitor):
    publication = PublicationFactory(title="Renamed record")
    PublicationSlug.objects.create(publication=publication, slug="old-name")
    response = visitor.get("/publications/old-name/")
    assert response.status_code == 301
    assert response["Location"] == publication.get_absolute_url()


def test_fields_without_a_value_are_left_out(visitor):
    publication = PublicationFactory(volume="", issue="", pages="", doi="", journal=None)
    details = details_of(visitor.get(publication.get_absolute_url()))
    for label in ["Volume", "Issue number", "Pages (from-to)", "Number of pages", "DOI", "Journal"]:
        assert label not in details, label
    assert re.fullmatch(r"Original language English Publication status Published - \d{4}", details)


def test_doi_links_to_the_resolver(visitor):
    publication = PublicationFactory(doi="10.1000/ABC")
    html = visitor.get(publication.get_absolute_url()).content.decode()
    assert '<a href="https://doi.org/10.1000/abc"' in html


def test_person_page_lists_organisations_orcid_and_public_output(visitor):
    department = OrganisationFactory(name="Department of Immunology")
    person = PersonFactory(given_name="Elisa", family_name="Vicenzi", orcid="0000-0002-1825-0097")
    person.memberships.create(organisation=department, role="Researcher")
    publication = PublicationFactory(title="Cytokine study")
    add_authors(publication, [person])
    response = visitor.get(person.get_absolute_url())
    text = text_of(response)
    assert "Elisa Vicenzi" in text
    assert "https://orcid.org/0000-0002-1825-0097" in text
    assert "Department of Immunology, Researcher" in text
    assert "Cytokine study" in text
    assert person.get_absolute_url() in visitor.get("/persons/").content.decode()


def test_organisation_page_counts_output_of_its_sub_organisations(visitor):
    university = Organisation.objects.create(name="University of Example", kind="university")
    department = Organisation.objects.create(name="Department of Virology", parent=university)
    person = PersonFactory()
    publication = PublicationFactory(title="Virus study")
    add_authors(publication, [person])
    publication.authorships.get().affiliations.add(department)
    response = visitor.get(university.get_absolute_url())
    assert result_count(response) == 1
    assert "Virus study" in text_of(response)
    assert "Department of Virology" in text_of(response)
    tree = text_of(visitor.get("/organisations/"))
    assert (
        "University of Example University · 1 research output "
        "Department of Virology Department · 1 research output"
    ) in tree


def test_journal_page_shows_issn_and_subject_areas(visitor):
    journal = JournalFactory(
        title="Journal of Biological Regulators and Homeostatic Agents", issn="0393-974X"
    )
    journal.subject_areas.add(SubjectArea.objects.get(code=2403))
    PublicationFactory(journal=journal, title="An article")
    text = text_of(visitor.get(journal.get_absolute_url()))
    assert "ISSN 0393-974X" in text
    assert "Immunology" in text
    assert "An article" in text
    listing = visitor.get("/journals/")
    assert "Journal of Biological Regulators and Homeostatic Agents" in text_of(listing)


def test_subject_area_code_includes_its_codes(visitor):
    publication = PublicationFactory(title="Immunology paper")
    publication.subject_areas.add(SubjectArea.objects.get(code=2403))
    area = visitor.get("/subject-areas/2400/")
    assert result_count(area) == 1
    assert "Immunology paper" in text_of(area)
    assert result_count(visitor.get("/subject-areas/2403/")) == 1
    assert result_count(visitor.get("/subject-areas/2401/")) == 0
    tree = text_of(visitor.get("/subject-areas/"))
    assert "Life Sciences" in tree
    assert "Immunology and Microbiology(all) 2400 (1)" in tree
    assert "Agricultural and Biological Sciences(all)" in tree


# Query budgets. Each page's budget is pinned, and shown not to grow with the data: the same page
# is measured with a little and with a lot of data and must cost the same number of queries.


def make_publications(count: int, authors_each: int) -> list[Publication]:
    journal = JournalFactory()
    journal.subject_areas.add(SubjectArea.objects.get(code=2403))
    department = Organisation.objects.create(name=f"Dept {count}", kind="department")
    persons = PersonFactory.create_batch(authors_each)
    for person in persons:
        person.memberships.create(organisation=department)
    publications = PublicationFactory.create_batch(count, journal=journal)
    for publication in publications:
        add_authors(publication, persons)
        publication.subject_areas.add(SubjectArea.objects.get(code=2403))
        for authorship in publication.authorships.all():
            authorship.affiliations.add(department)
    return publications


def test_publication_page_query_budget_does_not_grow_with_authors(visitor):
    # A visitor's first visit (a cache miss, pagecache): 1 data version, 2 publication +
    # journal + keywords, subject areas, status history and links as JSON, 3 authorships +
    # persons + affiliations as JSON, 4 fingerprint, 5 nearest (budgets.py).
    few = make_publications(1, authors_each=1)[0]
    many = make_publications(1, authors_each=60)[0]
    for position in range(1, 21):
        keyword = Keyword.objects.create(term=f"keyword {position}")
        many.publication_keywords.create(keyword=keyword, position=position)
        many.links.create(url=f"https://example.org/{position}", label=f"Mirror {position}")
    many.status_history.create(status="submitted", date="2019-01-01", date_precision="year")
    first_visits = [queries_for(visitor, p.get_absolute_url()) for p in (few, many)]
    assert first_visits[0] == first_visits[1] <= RECORD_PAGE_BUDGET
    # A repeat visit, from the cache: the data version alone.
    assert queries_for(visitor, many.get_absolute_url()) == 1
    page = visitor.get(many.get_absolute_url()).content.decode()
    assert "keyword 20" in page and "Mirror 20" in page and "Submitted" in page
    assert "Dept 1" in page  # the affiliations, from their JSON


@pytest.mark.parametrize(
    "url, budget",
    [
        # Whole-collection figures are measured on a cache miss (the data just changed); a hit
        # saves the count and the facets.
        # 1 data version, 2 the stored figures (none), 3 count, 4 page of publications +
        # journals, 5 their authorships + persons, 6 every facet in one UNION ALL statement.
        ("/publications/", 6),
        # 1 data version, 2 code, area and group counts (grouping sets), 3-6 counts (publications,
        # persons, organisations, journals), 7 areas, 8 latest publications + journals, 9 their
        # authorships + persons.
        ("/", 9),
        # 1 data version (the page is kept, pagecache), 2 organisations (the filter's options),
        # 3 count, 4 page of persons with publication counts, 5 their memberships +
        # organisations.
        ("/persons/", 5),
        # 1 organisations, 2 data version, 3 output counts of every unit.
        ("/organisations/", 3),
        # 1 data version (pagecache), 2 count, 3 page of journals with publication counts.
        ("/journals/", 3),
        # 1 all codes, 2 data version, 3 code, area and group counts (grouping sets).
        ("/subject-areas/", 3),
        # 1 area + parent, 2 children, 3 data version, 4 output per year, 5 count, 6 page +
        # journals, 7 authorships, 8 journals, 9 the listing's facets (one statement); 4, 5 and 9
        # are cached figures, counted on a cache miss.
        ("/subject-areas/2400/", 9),
    ],
)
def test_listing_query_budgets_do_not_grow_with_rows(visitor, url, budget):
    make_publications(10, authors_each=3)
    small = queries_for(visitor, url)
    make_publications(290, authors_each=3)
    large = queries_for(visitor, url)
    assert small == large
    assert large <= budget


def test_detail_page_query_budgets_do_not_grow_with_rows(visitor):
    make_publications(10, authors_each=3)
    person = PersonFactory()
    journal = JournalFactory()
    organisation = Organisation.objects.create(name="Unit", kind="department")
    person.memberships.create(organisation=organisation)

    def link_all():
        for publication in Publication.objects.all():
            publication.journal = journal
            publication.save()
            authorship = publication.authorships.create(person=person, position=99)
            authorship.affiliations.add(organisation)

    link_all()
    urls = {
        # 1 person, 2 memberships + organisations, 3 name variants, 4 data version, 5 output
        # per year, 6 co-authors with counts and total, 7 journals with counts and total,
        # 8 count, 9 page + journals, 10 authorships + persons, 11 the listing's facets,
        # 12 fingerprint, 13 nearest fingerprints, 14 similar profiles (when there are some),
        # 15 the person's stored figures. 5-8 and 11 are cached figures, counted on a cache miss
        # (as here), and read from 15 when stored (test_figures).
        person.get_absolute_url(): 15,
        # 1 organisation, 2 its ancestors and units, 3 data version, 4 output per year,
        # 5 members with total, 6 count, 7 the ids of its publications (up to 12,000: the page
        # is read from them), 8 page + journals, 9 authorships + persons, 10 facets,
        # 11 fingerprint.
        organisation.get_absolute_url(): 11,
        # 1 journal, 2 subject areas, 3 data version, 4 output per year, 5 count, 6 page,
        # 7 authorships, 8 facets, 9 the journal's stored figures.
        journal.get_absolute_url(): 9,
    }
    small = {url: queries_for(visitor, url) for url in urls}
    Publication.objects.all().delete()
    make_publications(300, authors_each=3)
    link_all()
    large = {url: queries_for(visitor, url) for url in urls}
    assert small == large
    for url, budget in urls.items():
        assert large[url] <= budget, url


def test_not_found_page_helps_the_reader_on(visitor):
    response = visitor.get("/publications/withdrawn-record/")
    assert response.status_code == 404
    text = text_of(response)
    assert "Page not found" in text
    assert "Browse all research output" in text
    assert 'role="search"' in response.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        lambda record: "/",
        lambda record: "/publications/?q=head",
        lambda record: record.get_absolute_url(),
        lambda record: record.get_absolute_url() + "cite/",
        lambda record: record.get_absolute_url() + "export.bib",
        lambda record: "/publications/export.ris",
        lambda record: "/organisations/",
        lambda record: "/subject-areas/",
        lambda record: "/persons/",
        lambda record: record.journal.get_absolute_url(),
    ],
)
def test_every_public_page_answers_head_as_get_without_a_body(visitor, address):
    """HEAD is what link checkers and caches ask first (RFC 9110: a server supports it wherever
    it supports GET)."""
    url = address(PublicationFactory(title="Head requests"))
    head, get = visitor.head(url), visitor.get(url)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert (b"".join(head.streaming_content) if head.streaming else head.content) == b""
