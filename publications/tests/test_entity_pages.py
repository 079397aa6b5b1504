"""The person, organisation, journal and subject-area pages and the home page, as a visitor sees
them: what they show, how they search and browse, bad input, and their query budgets."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.models import Organisation, Person, PersonNameVariant, SubjectArea
from publications.templatetags.charts import nice_ceiling, year_chart, year_step
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)
from publications.tests.test_listing import titles as result_titles
from publications.tests.test_views import queries_for, result_count, text_of
from publications.views.entities import OrganisationDetailView

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def notices_of(response) -> list[str]:
    return [
        text_of(type("R", (), {"content": match.encode()}))
        for match in re.findall(r'<p class="notice"[^>]*>.*?</p>', html_of(response), flags=re.S)
    ]


def section_text(response, heading_id: str) -> str:
    """The visible text of the <section> labelled by the heading with this id."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>',
        html_of(response),
        flags=re.S,
    )
    assert match, f"no section {heading_id}"
    return text_of(type("R", (), {"content": match[1].encode()}))


def names_listed(response) -> list[str]:
    """The persons on /persons/, in order."""
    return re.findall(r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', html_of(response))


def on(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


# The person profile


def test_person_profile_charts_public_output_per_year_with_a_linked_table(visitor):
    person = PersonFactory(given_name="Elisa", family_name="Vicenzi")
    for year in (2019, 2019, 2021):
        add_authors(PublicationFactory(date=on(year)), [person])
    add_authors(PublicationFactory(date=on(2020), workflow_state="in_progress"), [person])
    response = visitor.get(person.get_absolute_url())
    html = html_of(response)
    chart = section_text(response, "years-title")
    assert "Research output per year" in chart
    assert "3 research outputs from 2019 to 2021; the most, 2, in 2019." in chart
    # Each bar is a link to the listing of that year, named for screen readers.
    link = f"/publications/?person={person.slug}&amp;year_from=2019&amp;year_to=2019"
    assert (
        f'<a href="{link}" class="year-chart__bar" aria-label="2019: 2 research outputs">' in html
    )
    assert 'aria-label="2021: 1 research output"' in html
    # 2020 has only a draft: an empty slot, no link.
    assert "year_from=2020" not in html
    assert 'aria-labelledby="person-years-title person-years-desc"' in html
    # The same figures, in a table any reader can open.
    assert "Year Research outputs 2019 2 2021 1" in chart


def test_year_chart_without_a_url_is_an_image_without_links():
    context = year_chart([(2001, 3), (2005, 1), (None, 2)])
    assert not context["linked"]
    assert [bar.year for bar in context["bars"]] == [2001, 2002, 2003, 2004, 2005]
    assert [bar.url for bar in context["bars"]] == ["", "", "", "", ""]
    assert context["rows"] == [(2001, 3, ""), (2005, 1, "")]
    assert context["undated"] == 2
    assert year_chart([])["bars"] == []


def test_year_chart_scales_to_a_round_top_and_thins_its_year_labels():
    assert [nice_ceiling(n) for n in (0, 1, 3, 7, 10, 23, 101)] == [1, 1, 5, 10, 10, 50, 200]
    assert [year_step(n) for n in (8, 9, 30, 60, 200)] == [1, 2, 5, 10, 50]
    context = year_chart([(1990 + n, n + 1) for n in range(30)], url="/publications/?x=1")
    labelled = [bar.year for bar in context["bars"] if bar.show_year]
    assert labelled == [1990, 1995, 2000, 2005, 2010, 2015]
    assert context["bars"][0].url == "/publications/?x=1&year_from=1990&year_to=1990"
    # A stray year far from the rest does not stretch the chart over centuries.
    assert len(year_chart([(1066, 1), (2020, 2)])["bars"]) == 2


def test_person_profile_lists_co_authors_with_shared_output(visitor):
    person = PersonFactory(given_name="Silvia", family_name="Ghezzi")
    colleague = PersonFactory(given_name="Guido", family_name="Poli", is_internal=True)
    outsider = PersonFactory(given_name="Adriano", family_name="Lazzarin", is_internal=False)
    draft_only = PersonFactory(given_name="Dora", family_name="Draft")
    for _ in range(3):
        add_authors(PublicationFactory(), [person, colleague])
    add_authors(PublicationFactory(), [outsider, person])
    add_authors(PublicationFactory(workflow_state="in_progress"), [person, draft_only])
    response = visitor.get(person.get_absolute_url())
    co_authors = section_text(response, "co-authors-title")
    assert "Guido Poli 3 shared research outputs" in co_authors
    assert "Adriano Lazzarin 1 shared research output" in co_authors
    assert co_authors.index("Guido Poli") < co_authors.index("Adriano Lazzarin")
    assert "Dora Draft" not in co_authors
    assert "Silvia Ghezzi" not in co_authors
    html = html_of(response)
    assert f'<a href="{colleague.get_absolute_url()}">Guido Poli</a>' in html
    assert "<span>Adriano Lazzarin</span>" in html


def test_person_profile_shows_the_20_most_frequent_co_authors_of_all(visitor):
    person = PersonFactory()
    co_authors = PersonFactory.create_batch(25)
    add_authors(PublicationFactory(), [person, *co_authors])
    add_authors(PublicationFactory(), [person, co_authors[-1]])
    text = section_text(visitor.get(person.get_absolute_url()), "co-authors-title")
    assert "The 20 most frequent of 25 co-authors" in text
    assert text.count("shared research output") == 20
    # The most frequent comes first.
    assert text.index(f"{co_authors[-1].full_name} 2 shared research outputs") < text.index(
        " 1 shared research output"
    )


def test_person_profile_lists_journals_published_in_with_counts(visitor):
    person = PersonFactory()
    busy = JournalFactory(title="Journal of Frequent Findings")
    rare = JournalFactory(title="Annals of Rare Results")
    hidden = JournalFactory(title="Only Drafts Quarterly")
    for journal in (busy, busy, rare):
        add_authors(PublicationFactory(journal=journal), [person])
    add_authors(PublicationFactory(journal=hidden, visibility="campus"), [person])
    response = visitor.get(person.get_absolute_url())
    journals = section_text(response, "journals-title")
    assert "Journal of Frequent Findings 2 research outputs" in journals
    assert "Annals of Rare Results 1 research output" in journals
    assert journals.index("Frequent") < journals.index("Rare")
    assert "Only Drafts Quarterly" not in journals
    assert f'<a href="{busy.get_absolute_url()}">' in html_of(response)


def test_person_without_output_says_so(visitor):
    person = PersonFactory()
    response = visitor.get(person.get_absolute_url())
    assert "No co-authors on public research output yet." in text_of(response)
    assert "No public journal articles yet." in text_of(response)
    assert "No research outputs to chart yet." in text_of(response)
    assert result_count(response) == 0


# /persons/: search, organisation filter, alphabetical browsing


@pytest.fixture
def people():
    """A small institution: a faculty with a department, and persons with hard names."""
    faculty = OrganisationFactory(name="Faculty of Medicine", kind="faculty")
    department = OrganisationFactory(name="Department of Virology", parent=faculty)
    elsewhere = OrganisationFactory(name="Department of History")
    ghezzi = PersonFactory(given_name="Silvia", family_name="Ghezzi")
    ghezzi.memberships.create(organisation=department)
    PersonNameVariant.objects.create(person=ghezzi, name="S. Ghezzi-Rossi")
    dvorak = PersonFactory(given_name="Chiara", family_name="Dvořák")
    dvorak.memberships.create(organisation=faculty)
    abel = PersonFactory(given_name="Zoltán", family_name="Ábel")
    abel.memberships.create(organisation=elsewhere)
    PersonFactory(given_name="Marco", family_name="Ghezzo")
    PersonFactory(given_name="Ghezzi", family_name="Outsider", is_internal=False)
    return {"faculty": faculty, "department": department, "elsewhere": elsewhere}


@pytest.mark.parametrize(
    "q, first, others",
    [
        ("Ghezzi", "Ghezzi, Silvia", ["Ghezzo, Marco"]),  # exact first, close name after
        ("ghézzi", "Ghezzi, Silvia", ["Ghezzo, Marco"]),  # accents in the query are ignored
        ("Gezzi", "Ghezzi, Silvia", []),  # a typo
        ("dvorak", "Dvořák, Chiara", []),  # accents in the name are ignored
        ("DVOŘÁK", "Dvořák, Chiara", []),
        ("chiara", "Dvořák, Chiara", []),  # the given name
        ("Silvia Ghezzi", "Ghezzi, Silvia", []),  # every word, in any order
        ("Ghezzi, Silvia", "Ghezzi, Silvia", []),
        ("rossi", "Ghezzi, Silvia", []),  # a name variant
        ("abel", "Ábel, Zoltán", []),
    ],
)
def test_person_search_forgives_accents_case_and_typos(visitor, people, q, first, others):
    response = visitor.get("/persons/", {"q": q})
    names = names_listed(response)
    assert names[0] == first
    assert set(names[1:]) == set(others)
    assert result_count(response) == len(names)
    assert "Outsider" not in text_of(response)
    assert f"matching ‘{q}’, best match first" in text_of(response)


def test_person_list_filters_by_organisation_including_its_units(visitor, people):
    response = visitor.get("/persons/", {"organisation": people["faculty"].slug})
    assert names_listed(response) == ["Dvořák, Chiara", "Ghezzi, Silvia"]
    assert "2 persons in Faculty of Medicine and its units" in text_of(response)
    assert f'<option value="{people["faculty"].slug}" selected>' in html_of(response)
    department = visitor.get("/persons/", {"organisation": people["department"].slug})
    assert names_listed(department) == ["Ghezzi, Silvia"]
    both = visitor.get("/persons/", {"organisation": people["faculty"].slug, "q": "ghez"})
    assert names_listed(both) == ["Ghezzi, Silvia"]


def test_person_list_browses_family_names_by_unaccented_initial(visitor, people):
    everyone = visitor.get("/persons/")
    # A to Z with accents ignored: Ábel first, not after Z as a byte order would have it.
    assert names_listed(everyone) == [
        "Ábel, Zoltán",
        "Dvořák, Chiara",
        "Ghezzi, Silvia",
        "Ghezzo, Marco",
    ]
    assert names_listed(visitor.get("/persons/?letter=A")) == ["Ábel, Zoltán"]
    g = visitor.get("/persons/?letter=g")
    assert names_listed(g) == ["Ghezzi, Silvia", "Ghezzo, Marco"]
    assert "2 persons with a family name starting with G" in text_of(g)
    assert '<a href="?letter=G" aria-current="page">G</a>' in html_of(g)
    # The letters keep the other filters and leave the page.
    html = html_of(visitor.get("/persons/?q=ghezzi&page=2&letter=G"))
    assert '<a href="?letter=D&amp;q=ghezzi">D</a>' in html
    assert '<a href="?q=ghezzi">All</a>' in html


def test_the_a_to_z_person_list_reads_its_page_from_an_index(people):
    """At 100,000 internal persons, sorting them all for a page of 50 took 280 ms: the index
    person_internal_az_idx must match the order the list asks for (seq scans off, a plan that
    cannot use it would sort the table)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Person.objects.internal().public().alphabetical()[:50].explain()
    assert "person_internal_az_idx" in plan
    assert "Sort" not in plan.split("person_internal_az_idx")[0]


def test_person_list_paging_keeps_search_organisation_and_letter(visitor, people):
    for n in range(55):
        person = PersonFactory(given_name=f"Anna{n}", family_name=f"Ghezzi{n:02d}")
        person.memberships.create(organisation=people["department"])
    query = f"q=ghezzi&organisation={people['faculty'].slug}&letter=G"
    first = visitor.get(f"/persons/?{query}")
    assert result_count(first) == 56
    html = html_of(first)
    assert f'href="?{query.replace("&", "&amp;")}&amp;page=2" rel="next"' in html
    second = visitor.get(f"/persons/?{query}&page=2")
    assert "Page 2 of 2" in text_of(second)
    assert len(names_listed(second)) == 6


def test_person_list_without_matches_says_what_to_loosen(visitor, people):
    response = visitor.get(
        "/persons/", {"q": "nobody", "organisation": people["elsewhere"].slug, "letter": "Q"}
    )
    assert result_count(response) == 0
    text = text_of(response)
    assert (
        "No persons match ‘nobody’ in Department of History with a family name starting with Q."
    ) in text
    html = html_of(response)
    slug = people["elsewhere"].slug
    assert f'<a href="?organisation={slug}&amp;q=nobody">family names with any initial</a>' in html
    assert '<a href="?letter=Q&amp;q=nobody">all organisations</a>' in html
    assert f'<a href="?organisation={slug}&amp;letter=Q">every name</a>' in html


@pytest.mark.parametrize(
    "params, notice",
    [
        ({"organisation": "xyz"}, "No organisation ‘xyz’: showing persons of all organisations."),
        (
            {"letter": "ZZ"},
            "‘ZZ’ is not a letter from A to Z: showing family names with any initial.",
        ),
        (
            {"letter": "1"},
            "‘1’ is not a letter from A to Z: showing family names with any initial.",
        ),
        (
            {"letter": "É"},
            "‘É’ is not a letter from A to Z: showing family names with any initial.",
        ),
        ({"q": "Ghe\x00zzi"}, "Your search contained control characters (such as NUL)"),
        (
            {"q": "x" * 10_000},
            "Your search was longer than 200 characters: only its start was used.",
        ),
        (
            {"q": '"""'},
            '‘"""’ has no letters or digits to search for: showing persons of any name.',
        ),
    ],
)
def test_bad_person_list_input_is_named_and_ignored(visitor, people, params, notice):
    response = visitor.get("/persons/", params)
    assert response.status_code == 200
    assert any(shown.startswith(notice) for shown in notices_of(response)), notices_of(response)


def test_person_list_survives_any_other_bad_input(visitor, people):
    for query in [
        "q=%22Ghezzi",  # an unbalanced quote is only punctuation
        "q=Ghe%00zzi&organisation=%00&letter=%00",
        "q=%27%3B+DROP+TABLE+x%3B--",
        "q=100%25_off",
        "page=-1",
        "page=abc&letter=g",
        "organisation=xyz&organisation=",
    ]:
        response = visitor.get(f"/persons/?{query}")
        assert response.status_code == 200, query
    assert names_listed(visitor.get("/persons/?q=%22Ghezzi"))[0] == "Ghezzi, Silvia"
    assert names_listed(visitor.get("/persons/?q=Ghe%00zzi"))[0] == "Ghezzi, Silvia"
    assert result_count(visitor.get("/persons/?q=100%25_off")) == 0


# Organisations


def test_organisation_page_shows_its_whole_hierarchy(visitor):
    university = OrganisationFactory(name="University of Example", kind="university")
    faculty = OrganisationFactory(name="Faculty of Medicine", kind="faculty", parent=university)
    department = OrganisationFactory(name="Department of Virology", parent=faculty)
    group = OrganisationFactory(name="Retrovirus Group", kind="research_group", parent=department)
    unit = OrganisationFactory(name="Cell Culture Unit", kind="research_group", parent=group)
    OrganisationFactory(name="Sibling Group", kind="research_group", parent=department)
    response = visitor.get(group.get_absolute_url())
    breadcrumb = re.search(r'<nav class="breadcrumbs".*?</nav>', html_of(response), flags=re.S)[0]
    assert text_of(type("R", (), {"content": breadcrumb.encode()})) == (
        "Organisations University of Example Faculty of Medicine Department of Virology "
        "Retrovirus Group"
    )
    text = text_of(response)
    assert "Part of Department of Virology" in text
    assert "Organisational units Cell Culture Unit Research group" in text
    assert "Sibling Group" not in text
    assert f'<a href="{unit.get_absolute_url()}">' in html_of(response)


def test_organisation_page_lists_people_of_its_units_with_a_count(visitor):
    faculty = OrganisationFactory(name="Faculty of Science", kind="faculty")
    department = OrganisationFactory(name="Department of Physics", parent=faculty)
    dean = PersonFactory(given_name="Ada", family_name="Lovelace")
    dean.memberships.create(organisation=faculty, role="Dean")
    physicist = PersonFactory(given_name="Lise", family_name="Meitner")
    physicist.memberships.create(organisation=department)
    physicist.memberships.create(organisation=faculty)  # counted once
    PersonFactory(given_name="Not", family_name="Here")
    PersonFactory(given_name="Ex", family_name="Ternal", is_internal=False).memberships.create(
        organisation=department
    )
    response = visitor.get(faculty.get_absolute_url())
    people = section_text(response, "members-title")
    assert people == (
        "Persons 2 persons in Faculty of Science and its units Lovelace, Ada Meitner, Lise"
    )
    assert f'<a href="{physicist.get_absolute_url()}">Meitner, Lise</a>' in html_of(response)
    department_people = section_text(visitor.get(department.get_absolute_url()), "members-title")
    assert "1 person" in department_people
    assert "Lovelace" not in department_people


def test_a_large_organisation_links_to_all_its_persons(visitor):
    department = OrganisationFactory(name="Department of Many")
    for person in PersonFactory.create_batch(61):
        person.memberships.create(organisation=department)
    response = visitor.get(department.get_absolute_url())
    people = section_text(response, "members-title")
    assert people.startswith("Persons 61 persons")
    assert people.count(", Ada") == 60
    link = f"/persons/?organisation={department.slug}"
    assert f'<a href="{link}">All 61 persons of Department of Many ›</a>' in html_of(response)
    assert result_count(visitor.get(link)) == 61


def test_organisation_page_charts_output_of_its_units(visitor):
    faculty = OrganisationFactory(name="Faculty of Medicine", kind="faculty")
    department = OrganisationFactory(name="Department of Virology", parent=faculty)
    person = PersonFactory()
    for year, unit in [(2018, faculty), (2020, department), (2020, department)]:
        publication = PublicationFactory(date=on(year))
        add_authors(publication, [person])
        publication.authorships.get().affiliations.add(unit)
    response = visitor.get(faculty.get_absolute_url())
    assert result_count(response) == 3
    chart = section_text(response, "years-title")
    assert "Including its organisational units." in chart
    assert "Year Research outputs 2018 1 2020 2" in chart
    link = f"/publications/?organisation={faculty.slug}&amp;year_from=2020&amp;year_to=2020"
    assert f'<a href="{link}"' in html_of(response)


# A statement given ids as one array (counting.with_ids).
IDS_GIVEN = re.compile(r"SELECT unnest\(.*::bigint\[\]\)")


def test_an_organisations_pages_are_read_from_its_publications_ids(visitor, monkeypatch):
    """Newest first, PostgreSQL walked the date index testing each record's authors for the
    organisation: 9 s for a group of 273 records at a million publications. Up to
    page_from_ids_up_to records, its ids are read first; every sort and page lists what the
    walk lists."""
    unit = OrganisationFactory(name="Group of Example")
    person = PersonFactory()
    for n in range(30):
        publication = PublicationFactory(title=f"Group study {n:02d}", date=on(1990 + n))
        add_authors(publication, [person])
        publication.authorships.get().affiliations.add(unit)
    for n in range(10):
        PublicationFactory(title=f"Other study {n}", date=on(2030 + n))  # newer, not the group's
    titles = {}
    for up_to in (0, 12_000):
        monkeypatch.setattr(OrganisationDetailView, "page_from_ids_up_to", up_to)
        for query in ("", "?sort=oldest", "?sort=title&page=2"):
            for alias in ("default", "pages"):
                caches[alias].clear()
            with CaptureQueriesContext(connection) as context:
                response = visitor.get(unit.get_absolute_url() + query)
            html_of(response)  # shown
            titles[up_to, query] = result_titles(response)
            read_ids = any(IDS_GIVEN.search(q["sql"]) for q in context.captured_queries)
            assert read_ids == bool(up_to), (up_to, query)
    assert titles[12_000, ""] == [f"Group study {n:02d}" for n in range(29, 4, -1)]
    assert titles[12_000, "?sort=oldest"] == [f"Group study {n:02d}" for n in range(25)]
    assert titles[12_000, "?sort=title&page=2"] == [f"Group study {n:02d}" for n in range(25, 30)]
    for query in ("", "?sort=oldest", "?sort=title&page=2"):
        assert titles[0, query] == titles[12_000, query]


def test_organisation_tree_counts_equal_the_output_each_page_lists(visitor):
    university = OrganisationFactory(name="University of Example", kind="university")
    faculty = OrganisationFactory(name="Faculty of Medicine", kind="faculty", parent=university)
    virology = OrganisationFactory(name="Department of Virology", parent=faculty)
    surgery = OrganisationFactory(name="Department of Surgery", parent=faculty)
    OrganisationFactory(name="Department of Quiet", parent=faculty)
    OrganisationFactory(name="Partner Hospital", kind="external")
    first, second = PersonFactory(), PersonFactory()
    # One publication by both departments counts once for the faculty and the university.
    shared = PublicationFactory()
    add_authors(shared, [first, second])
    shared.authorships.get(position=1).affiliations.add(virology)
    shared.authorships.get(position=2).affiliations.add(surgery)
    only_virology = PublicationFactory()
    add_authors(only_virology, [first])
    only_virology.authorships.get().affiliations.add(virology)
    draft = PublicationFactory(workflow_state="for_validation")
    add_authors(draft, [first])
    draft.authorships.get().affiliations.add(virology)
    tree = text_of(visitor.get("/organisations/"))
    expected = {
        "University of Example University": 2,
        "Faculty of Medicine Faculty": 2,
        "Department of Virology Department": 2,
        "Department of Surgery Department": 1,
        "Department of Quiet Department": 0,
    }
    for name, count in expected.items():
        noun = "research output" if count == 1 else "research outputs"
        assert f"{name} · {count} {noun}" in tree, name
    assert "Partner Hospital" not in tree
    for organisation in Organisation.objects.internal():
        key = f"{organisation.name} {organisation.get_kind_display()}"
        assert result_count(visitor.get(organisation.get_absolute_url())) == expected[key]


# Journals


@pytest.fixture
def journals():
    """Three journals, each with a public record (a journal without one is shown nowhere)."""
    journals = {
        "immunology": JournalFactory(
            title="Journal of Biological Regulators and Homeostatic Agents",
            issn="0393-974X",
            eissn="1724-6083",
        ),
        "ecology": JournalFactory(title="Revue d'Écologie Alpine"),
        "cells": JournalFactory(title="European Journal of Cellular Immunology"),
    }
    for journal in journals.values():
        PublicationFactory(journal=journal)
    return journals


@pytest.mark.parametrize(
    "q, titles",
    [
        ("ecologie", ["Revue d'Écologie Alpine"]),  # accents ignored
        ("ÉCOLOGIE alpine", ["Revue d'Écologie Alpine"]),
        ("imunology", ["European Journal of Cellular Immunology"]),  # a typo
        ("cellular immunology", ["European Journal of Cellular Immunology"]),
        ("0393-974X", ["Journal of Biological Regulators and Homeostatic Agents"]),
        ("0393974x", ["Journal of Biological Regulators and Homeostatic Agents"]),
        ("1724-6083", ["Journal of Biological Regulators and Homeostatic Agents"]),
        (
            "journal",
            [
                "European Journal of Cellular Immunology",
                "Journal of Biological Regulators and Homeostatic Agents",
            ],
        ),
    ],
)
def test_journal_search_finds_titles_and_issns(visitor, journals, q, titles):
    response = visitor.get("/journals/", {"q": q})
    found = re.findall(r'<td><a href="/journals/[^"]+">([^<]+)</a>', html_of(response))
    assert [html.unescape(title) for title in found] == titles
    assert result_count(response) == len(titles)
    assert f"matching ‘{q}’, best match first" in text_of(response)


def test_journal_list_counts_public_output_and_pages_keep_the_search(visitor, journals):
    PublicationFactory(journal=journals["cells"])
    PublicationFactory(journal=journals["cells"], visibility="backend")
    listing = html_of(visitor.get("/journals/"))
    row = re.search(r"European Journal of Cellular Immunology.*?</tr>", listing, flags=re.S)[0]
    assert '<data value="2">2</data>' in row
    for n in range(55):
        PublicationFactory(journal=JournalFactory(title=f"Annals of Immunology {n:02d}"))
    JournalFactory(title="Annals of Immunology without public records")
    first = visitor.get("/journals/?q=immunology")
    assert result_count(first) == 56
    assert 'href="?q=immunology&amp;page=2" rel="next"' in html_of(first)
    assert "Page 2 of 2" in text_of(visitor.get("/journals/?q=immunology&page=2"))


def test_journal_search_without_matches_says_what_to_try(visitor, journals):
    response = visitor.get("/journals/?q=astrophysics")
    assert result_count(response) == 0
    assert (
        "No journal title has every word of ‘astrophysics’, nor is it an ISSN of one."
        in text_of(response)
    )
    assert '<a href="/journals/">all journals</a>' in html_of(response)


@pytest.mark.parametrize(
    "query, notice",
    [
        ("q=%00", "Your search contained control characters (such as NUL): they were left out."),
        ("q=" + "y" * 10_000, "Your search was longer than 200 characters"),
        ("q=%22%22", '‘""’ has no letters or digits to search for: showing all journals.'),
        ("q=%22immunology", None),
        ("page=-1", None),
        ("q=0000-0000&page=99", None),
    ],
)
def test_bad_journal_list_input_gives_a_normal_page(visitor, journals, query, notice):
    response = visitor.get(f"/journals/?{query}")
    assert response.status_code == 200
    if notice:
        assert any(shown.startswith(notice) for shown in notices_of(response)), notices_of(response)
    else:
        assert notices_of(response) == []


def test_journal_page_charts_its_output(visitor):
    journal = JournalFactory(title="European Journal of Cellular Immunology")
    PublicationFactory(journal=journal, date=on(2010))
    PublicationFactory(journal=journal, date=on(2012))
    response = visitor.get(journal.get_absolute_url())
    chart = section_text(response, "years-title")
    assert "Year Research outputs 2010 1 2012 1" in chart
    link = f"/publications/?journal={journal.slug}&amp;year_from=2012&amp;year_to=2012"
    assert f'<a href="{link}"' in html_of(response)


# Subject areas and the home page


@pytest.fixture
def classified():
    """Three public publications and a draft in Immunology (2403), Virology (2406) and
    Medicine (2725): one publication is in two codes of one area and in two groups."""
    codes = {code: SubjectArea.objects.get(code=code) for code in (2403, 2406, 2725)}
    both = PublicationFactory(title="Immunology and virology")
    both.subject_areas.add(codes[2403], codes[2406], codes[2725])
    PublicationFactory(title="Immunology only").subject_areas.add(codes[2403])
    PublicationFactory(title="Medicine only").subject_areas.add(codes[2725])
    PublicationFactory(title="Draft", workflow_state="in_progress").subject_areas.add(codes[2403])
    return codes


def test_subject_tree_counts_groups_areas_and_codes_once_each(visitor, classified):
    response = visitor.get("/subject-areas/")
    text = text_of(response)
    assert "Life Sciences (2)" in text
    assert "Health Sciences (2)" in text
    assert "Immunology and Microbiology(all) 2400 (2)" in text
    assert "Immunology 2403 (2)" in text
    assert "Virology 2406 (1)" in text
    assert "Medicine(all) 2700 (2)" in text
    assert "Physical Sciences (0)" in text
    html = html_of(response)
    assert 'id="group-life"' in html
    assert '<a href="/subject-areas/2406/">Virology</a>' in html
    # An area's count is what its page lists.
    assert result_count(visitor.get("/subject-areas/2400/")) == 2
    assert result_count(visitor.get("/subject-areas/2406/")) == 1


def test_home_browses_subject_areas_under_their_groups(visitor, classified):
    response = visitor.get("/")
    areas = text_of(response).split("Latest research output")[1].split("All ASJC")[0]
    areas = areas[areas.index("Browse by subject area") :].strip()
    assert areas.startswith(
        "Browse by subject area Life Sciences (2) Immunology and Microbiology(all) (2) "
        "Health Sciences (2) Medicine(all) (2)"
    )
    assert "Physical Sciences" not in areas
    html = html_of(response)
    assert '<a href="/subject-areas/#group-life">Life Sciences</a>' in html
    assert '<a href="/subject-areas/2400/">Immunology and Microbiology(all)</a>' in html
    stats = text_of(response)
    assert "3 research outputs" in stats
    assert 'role="search"' in html and 'action="/publications/"' in html


def test_subject_area_page_charts_its_output(visitor, classified):
    response = visitor.get("/subject-areas/2400/")
    assert "subject=2400&amp;year_from=" in html_of(response)


def test_entity_pages_survive_bad_page_numbers_and_stray_parameters(visitor, people):
    person = Person.objects.get(family_name="Ghezzi")
    for _ in range(30):
        add_authors(PublicationFactory(), [person])
    journal = PublicationFactory().journal
    urls = [
        person.get_absolute_url(),
        people["faculty"].get_absolute_url(),
        journal.get_absolute_url(),
        "/subject-areas/2400/",
        "/organisations/",
        "/subject-areas/",
        "/",
    ]
    for url in urls:
        for query in ["page=-1", "page=abc", "page=99999", "page=%00", "q=%00&letter=%00"]:
            assert visitor.get(f"{url}?{query}").status_code == 200, (url, query)
    assert "Page 2 of 2" in text_of(visitor.get(f"{person.get_absolute_url()}?page=99999"))
    assert "Page 1 of 2" in text_of(visitor.get(f"{person.get_absolute_url()}?page=-1"))


# Query budgets: constant, and the same with few and with many rows.


def person_world(co_authors: int, journals: int, publications: int) -> Person:
    """A person with public publications spread over journals and years, with co-authors."""
    person = PersonFactory()
    others = PersonFactory.create_batch(co_authors)
    venues = JournalFactory.create_batch(journals)
    department = OrganisationFactory()
    person.memberships.create(organisation=department)
    for n in range(publications):
        publication = PublicationFactory(journal=venues[n % journals], date=on(1990 + n % 35))
        AuthorshipFactory(publication=publication, person=person, position=1)
        for position, other in enumerate(others[n::publications] or others[:1], start=2):
            AuthorshipFactory(publication=publication, person=other, position=position)
    return person


def test_person_profile_budget_does_not_grow_with_co_authors_journals_or_years(visitor):
    # 1 person, 2 memberships + organisations, 3 name variants, 4 data version, 5 output per
    # year (whose sum is the listing's total), 6 co-authors with counts and total, 7 journals
    # with counts and total, 8 page + journals, 9 authorships + persons, 10 the listing's facets
    # (one statement), 11 the person's stored figures; 5-7 and 10 are cached figures, counted on
    # a cache miss (as here), and read from 11 when stored (test_figures).
    few = person_world(co_authors=2, journals=1, publications=3)
    many = person_world(co_authors=45, journals=30, publications=60)
    # 14 with similar profiles to show (test_fingerprints); these persons have no fingerprint.
    assert queries_for(visitor, few.get_absolute_url()) == 13
    assert queries_for(visitor, many.get_absolute_url()) == 13


@pytest.mark.parametrize(
    "query",
    [
        # 1 data version (the page is kept, pagecache), 2 organisations (the filter's options
        # and the one asked for), 3 count, 4 page of persons with publication counts, 5 their
        # memberships + organisations.
        "q=tester&organisation={org}&letter=T",
        "q=tester",
        "letter=T",
        # Bad input costs no more.
        "q=%00%22&organisation=nowhere&letter=ZZ&page=-1",
    ],
)
def test_person_list_budget_with_filters_does_not_grow(visitor, query):
    faculty = OrganisationFactory(kind="faculty")
    department = OrganisationFactory(parent=faculty)

    def add_persons(count: int) -> None:
        for person in PersonFactory.create_batch(count):
            person.memberships.create(organisation=department)
            add_authors(PublicationFactory(), [person])

    url = f"/persons/?{query.format(org=faculty.slug)}"
    add_persons(3)
    few = queries_for(visitor, url)
    add_persons(70)
    OrganisationFactory.create_batch(10, parent=faculty)
    assert queries_for(visitor, url) == few <= 5


@pytest.mark.parametrize("query", ["q=journal+test", "q=0393-974X", "q=%00&page=-1", ""])
def test_journal_list_budget_with_a_search_does_not_grow(visitor, query):
    # 1 data version (pagecache), 2 count, 3 page of journals with publication counts.
    for journal in JournalFactory.create_batch(3):
        PublicationFactory(journal=journal)
    few = queries_for(visitor, f"/journals/?{query}")
    for journal in JournalFactory.create_batch(60):
        PublicationFactory.create_batch(2, journal=journal)
    assert queries_for(visitor, f"/journals/?{query}") == few <= 3


def test_organisation_pages_budget_does_not_grow_with_depth_people_or_units(visitor):
    # Organisation page: 1 organisation, 2 its ancestors and units, 3 data version (for the
    # cached figures: chart, count and facets), 4 output per year (CollectionCount; its sum is
    # the count), 5 members, 6 their number, 7 the ids of its publications (up to 12,000: the
    # page is read from them), 8 page + journals, 9 authorships + persons, 10 facets,
    # 11 fingerprint.
    # Tree: 1 organisations, 2 data version, 3 output counts of every unit (a cache miss).
    def chain(depth: int) -> Organisation:
        node = OrganisationFactory(kind="university")
        for _ in range(depth):
            node = OrganisationFactory(parent=node)
        return node

    shallow = chain(1)
    person = PersonFactory()
    person.memberships.create(organisation=shallow)
    publication = PublicationFactory()
    add_authors(publication, [person])
    publication.authorships.get().affiliations.add(shallow)
    small = {url: queries_for(visitor, url) for url in [shallow.get_absolute_url()]}
    small["/organisations/"] = queries_for(visitor, "/organisations/")
    deep = chain(6)
    for child in OrganisationFactory.create_batch(12, parent=deep):
        for person in PersonFactory.create_batch(6):
            person.memberships.create(organisation=child)
            publication = PublicationFactory()
            add_authors(publication, [person])
            publication.authorships.get().affiliations.add(child)
    assert queries_for(visitor, deep.get_absolute_url()) == small[shallow.get_absolute_url()] == 11
    assert queries_for(visitor, "/organisations/") == small["/organisations/"] == 3


def test_home_and_subject_tree_budgets_do_not_grow(visitor, classified):
    # Each first view after a change (a cache miss, as here):
    # Home: 1 data version, 2 code, area and group counts, 3 publications and journals (the
    # running sums), 4-5 persons and organisations, 6 areas, 7 latest publications + journals,
    # 8 their authors.
    # Subject areas: 1 all codes, 2 data version (the counts are the ones home just cached).
    small = (queries_for(visitor, "/"), queries_for(visitor, "/subject-areas/"))
    for code in SubjectArea.objects.filter(code__in=[1102, 1310, 2002, 3104, 3312]):
        for publication in PublicationFactory.create_batch(15):
            publication.subject_areas.add(code)
            add_authors(publication, PersonFactory.create_batch(2))
    assert (queries_for(visitor, "/"), queries_for(visitor, "/subject-areas/")) == small == (8, 2)
