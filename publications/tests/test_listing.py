"""/publications/: full-text search, filters, facets, sorting, paging and htmx, as a reader uses
them."""

from __future__ import annotations

import datetime
import random
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from publications.facets import FACETS, Facet, FacetOption, without
from publications.filters import PublicationFilterSet
from publications.models import Keyword, Organisation, Publication, SubjectArea
from publications.templatetags.portal import facet_options
from publications.tests.factories import (
    AuthorshipFactory,
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
    analyze,
)
from publications.tests.test_views import result_count, text_of

pytestmark = pytest.mark.django_db


def indexed(publication: Publication) -> Publication:
    """Authors, keywords and journal title into the search text, as the services do."""
    Publication.objects.filter(pk=publication.pk).refresh_search_text()
    return publication


def titles(response) -> list[str]:
    return re.findall(
        r'class="result__title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def add_keywords(publication: Publication, *terms: str) -> None:
    for position, term in enumerate(terms, start=1):
        keyword, _ = Keyword.objects.get_or_create(term=term)
        publication.publication_keywords.create(keyword=keyword, position=position)


# Search


def test_title_hits_rank_above_keyword_and_abstract_hits(visitor):
    indexed(PublicationFactory(title="Notes on cells", abstract="About interleukin signalling."))
    keyword_hit = PublicationFactory(title="Signals in blood")
    add_keywords(keyword_hit, "Interleukin")
    indexed(keyword_hit)
    indexed(PublicationFactory(title="Interleukin therapy in practice"))
    response = visitor.get("/publications/?q=interleukin")
    assert titles(response) == [
        "Interleukin therapy in practice",
        "Signals in blood",
        "Notes on cells",
    ]


def test_search_ignores_accents_and_case_both_ways(visitor):
    publication = PublicationFactory(title="A study")
    add_authors(publication, [PersonFactory(given_name="Silvia", family_name="Ghezzi")])
    indexed(publication)
    accented = PublicationFactory(title="Économie de la santé")
    indexed(accented)
    assert titles(visitor.get("/publications/?q=Ghézzi")) == ["A study"]
    assert titles(visitor.get("/publications/?q=GHEZZI")) == ["A study"]
    assert titles(visitor.get("/publications/?q=economie")) == ["Économie de la santé"]


def test_english_stemming_finds_other_forms(visitor):
    indexed(PublicationFactory(title="Cytokines regulating lymphocytes"))
    assert titles(visitor.get("/publications/?q=cytokine+regulation")) == [
        "Cytokines regulating lymphocytes"
    ]


def test_quoted_phrases_or_and_exclusions(visitor):
    indexed(PublicationFactory(title="Immune reconstitution after therapy"))
    indexed(PublicationFactory(title="Reconstitution of the immune system"))
    indexed(PublicationFactory(title="Malaria vaccines"))
    assert titles(visitor.get('/publications/?q="immune reconstitution"')) == [
        "Immune reconstitution after therapy"
    ]
    assert sorted(titles(visitor.get("/publications/?q=immune+reconstitution"))) == [
        "Immune reconstitution after therapy",
        "Reconstitution of the immune system",
    ]
    assert titles(visitor.get("/publications/?q=immune+-therapy")) == [
        "Reconstitution of the immune system"
    ]
    assert sorted(titles(visitor.get("/publications/?q=malaria+OR+therapy"))) == [
        "Immune reconstitution after therapy",
        "Malaria vaccines",
    ]


def test_author_names_and_journal_titles_are_searched(visitor):
    journal = JournalFactory(title="Journal of Biological Regulators and Homeostatic Agents")
    publication = PublicationFactory(title="Untitled piece", journal=journal)
    add_authors(publication, [PersonFactory(family_name="Lazzarin")])
    indexed(publication)
    assert titles(visitor.get("/publications/?q=lazzarin")) == ["Untitled piece"]
    assert titles(visitor.get("/publications/?q=homeostatic+agents")) == ["Untitled piece"]


def test_a_pasted_doi_finds_its_record(visitor):
    PublicationFactory(title="The one", doi="10.5555/demo.1997.00001")
    PublicationFactory(title="Another", doi="10.5555/demo.1997.00002")
    for pasted in ["10.5555/DEMO.1997.00001", "https://doi.org/10.5555/demo.1997.00001"]:
        response = visitor.get("/publications/", {"q": pasted})
        assert titles(response) == ["The one"]


def test_a_misspelt_name_offers_the_right_one(visitor):
    publication = PublicationFactory(title="A study")
    add_authors(publication, [PersonFactory(family_name="Ghezzi")])
    indexed(publication)
    response = visitor.get("/publications/?q=Gezzi")
    assert result_count(response) == 0
    assert "Did you mean Ghezzi?" in text_of(response)
    link = re.search(r'Did you mean <a href="([^"]+)">', response.content.decode())[1]
    assert titles(visitor.get("/publications/" + link.replace("&amp;", "&"))) == ["A study"]


def test_matches_are_highlighted_in_a_snippet_and_the_abstract_stays_escaped(visitor):
    indexed(
        PublicationFactory(
            title="Safety",
            abstract="We studied <script>alert(1)</script> interleukin levels below 5 & above 2.",
        )
    )
    html = visitor.get("/publications/?q=interleukin").content.decode()
    assert "<mark>interleukin</mark>" in html
    assert "alert(1)" in html  # the text is kept, its markup is not
    assert "<script>" not in html.split("</head>")[1]
    assert "levels below 5 &amp; above" in html


def test_drafts_are_never_found(visitor):
    indexed(PublicationFactory(title="Secret interleukin draft", workflow_state="in_progress"))
    assert result_count(visitor.get("/publications/?q=interleukin")) == 0


# Filters


@pytest.fixture
def catalogue():
    """A small catalogue with one publication per distinguishing value."""
    university = Organisation.objects.create(name="University", kind="university")
    department = Organisation.objects.create(name="Virology", parent=university)
    other = Organisation.objects.create(name="Physics", kind="department")
    journal = JournalFactory(title="Virology Letters")
    poli = PersonFactory(given_name="Guido", family_name="Poli")
    made = {
        "old": PublicationFactory(title="Old", date=datetime.date(1990, 1, 1)),
        "review": PublicationFactory(title="Review", output_type="review-article"),
        "unreviewed": PublicationFactory(title="Unreviewed", peer_reviewed=False),
        "accepted": PublicationFactory(title="Accepted", status="accepted"),
        "journal": PublicationFactory(title="In journal", journal=journal),
        "italian": PublicationFactory(title="Italiano", language="it"),
        "doi": PublicationFactory(title="With DOI", doi="10.5555/x.1"),
        "gold": PublicationFactory(title="Gold", open_access="gold"),
        "immunology": PublicationFactory(title="Immunology"),
        "by_poli": PublicationFactory(title="By Poli"),
        "virology": PublicationFactory(title="Virology unit"),
        "physics": PublicationFactory(title="Physics unit"),
        "keyword": PublicationFactory(title="Keyworded"),
    }
    for publication in made.values():
        if publication.date.year == 1990:
            continue
        publication.date = datetime.date(2020, 1, 1)
        publication.save()
    made["immunology"].subject_areas.add(SubjectArea.objects.get(code=2403))
    add_authors(made["by_poli"], [poli])
    add_authors(made["virology"], [PersonFactory()])
    made["virology"].authorships.get().affiliations.add(department)
    add_authors(made["physics"], [PersonFactory()])
    made["physics"].authorships.get().affiliations.add(other)
    add_keywords(made["keyword"], "HIV")
    return made, {"journal": journal, "poli": poli, "university": university}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("year_to=1995", {"Old"}),
        ("year_from=2000&year_to=1995", set()),  # reversed: read as 1995–2000
        ("type=review-article", {"Review"}),
        ("peer_reviewed=false", {"Unreviewed"}),
        ("status=accepted", {"Accepted"}),
        ("language=it", {"Italiano"}),
        ("has_doi=true", {"With DOI"}),
        ("open_access=gold", {"Gold"}),
        ("open_access=true", {"Gold"}),
        ("subject=2403", {"Immunology"}),
        ("subject=2400", {"Immunology"}),
        ("subject=2401", set()),
        ("keyword=hiv", {"Keyworded"}),
        ("type=review-article&type=article&status=accepted", {"Accepted"}),
        ("language=it&language=en&peer_reviewed=false", {"Unreviewed"}),
    ],
)
def test_each_filter_keeps_exactly_the_matching_records(visitor, catalogue, query, expected):
    response = visitor.get("/publications/?" + query + "&per_page=100")
    assert set(titles(response)) == expected


def test_slug_filters_and_organisation_includes_sub_organisations(visitor, catalogue):
    made, things = catalogue
    assert set(titles(visitor.get(f"/publications/?journal={things['journal'].slug}"))) == {
        "In journal"
    }
    assert set(titles(visitor.get(f"/publications/?person={things['poli'].slug}"))) == {"By Poli"}
    assert set(titles(visitor.get(f"/publications/?organisation={things['university'].slug}"))) == {
        "Virology unit"
    }
    both = visitor.get("/publications/?organisation=physics&organisation=university")
    assert set(titles(both)) == {"Virology unit", "Physics unit"}


# Facets


def facet_links(response, facet: str) -> dict[str, tuple[str, int]]:
    """{label: (url, count)} of a facet's options."""
    html = response.content.decode()
    section = re.search(rf'<section class="facet facet--{facet}".*?</section>', html, flags=re.S)
    if not section:
        return {}
    options = re.findall(
        r'<a href="([^"]+)"[^>]*>(?:<span class="(?:facet__label|histogram__year)">([^<]*)</span>)'
        r'.*?<data value="(\d+)">',
        section[0],
        flags=re.S,
    )
    return {label: (url.replace("&amp;", "&"), int(n)) for url, label, n in options}


def test_facets_count_under_every_filter_except_their_own(visitor, catalogue):
    response = visitor.get("/publications/?type=review-article")
    types = facet_links(response, "type")
    assert types["Article"][1] == 12
    assert types["Review article"][1] == 1
    assert facet_links(response, "peer_reviewed")["Yes"][1] == 1


def test_only_sets_counted_by_person_unit_keyword_or_area_facets_read_their_ids(visitor, catalogue):
    """Filtered by type and year, the facets count three sets: the results, those without the
    type filter (the type facet's alone) and those without the years (the year facet's): only
    the results, which the person, organisation, keyword and subject facets count, read their
    facet ids."""
    with CaptureQueriesContext(connection) as context:
        response = visitor.get("/publications/?type=article&year_from=1990&year_to=2030")
    assert facet_links(response, "type")["Review article"][1] == 1
    (statement,) = [q["sql"] for q in context.captured_queries if "facet_set_0" in q["sql"]]
    sets = statement.split(" AS MATERIALIZED (")[1:]  # each set's definition, in order
    assert len(sets) == 3
    assert ["publications_publicationfacetids" in cte for cte in sets].count(True) == 1


def test_long_facets_show_ten_then_all(visitor):
    for n in range(14):
        publication = PublicationFactory(title=f"Paper {n}")
        add_keywords(publication, f"Term {n:02d}")
    response = visitor.get("/publications/")
    assert len(facet_links(response, "keyword")) == 10
    assert "Show all keyword values" in text_of(response)
    expanded = visitor.get("/publications/?more=keyword")
    assert len(facet_links(expanded, "keyword")) == 14
    assert "Show fewer" in text_of(expanded)


def matches(params: dict[str, list[str]], row: dict) -> bool:
    """The brute-force answer: does the row satisfy every filter in the query string?"""
    for name, values in params.items():
        if name in {"page", "per_page", "sort", "more"}:
            continue
        if name == "year_from" and row["year"] < int(values[0]):
            return False
        if name == "year_to" and row["year"] > int(values[0]):
            return False
        if name == "type" and row["type"] not in values:
            return False
        if name == "language" and row["language"] not in values:
            return False
        if name == "peer_reviewed" and str(row["peer_reviewed"]).lower() not in values:
            return False
        if name == "journal" and row["journal"] not in values:
            return False
        if name == "status" and row["status"] not in values:
            return False
        if name == "has_doi" and (row["doi"] != "") != (values[0] == "true"):
            return False
        if name == "open_access":
            wanted = set()
            for value in values:
                if value == "true":
                    wanted |= {"gold", "hybrid", "bronze", "green"}
                elif value == "false":
                    wanted |= {"closed", "unknown"}
                else:
                    wanted.add(value)
            if row["open_access"] not in wanted:
                return False
        if name == "person" and not set(values) & row["persons"]:
            return False
        if name == "organisation" and not set(values) & row["organisations"]:
            return False
        if name == "keyword" and not {v.lower() for v in values} & row["keywords"]:
            return False
        if name == "subject" and not any(
            code == int(v) or (int(v) % 100 == 0 and code // 100 == int(v) // 100)
            for v in values
            for code in row["codes"]
        ):
            return False
    return True


def test_facet_counts_equal_the_results_their_links_yield_at_every_depth(visitor):
    rng = random.Random(20261127)
    university = Organisation.objects.create(name="Uni", kind="university")
    faculty = Organisation.objects.create(name="Faculty", kind="faculty", parent=university)
    lab = Organisation.objects.create(name="Lab", kind="research_group", parent=faculty)
    units = [university, faculty, lab]
    lineage = {
        university.pk: {"uni"},
        faculty.pk: {"uni", "faculty"},
        lab.pk: {"uni", "faculty", "lab"},
    }
    journals = JournalFactory.create_batch(3)
    persons = PersonFactory.create_batch(5)
    keywords = [Keyword.objects.create(term=t) for t in ["HIV", "CD4", "Cytokines", "IL-2"]]
    codes = [2403, 2404, 1310, 2701]
    areas = {code: SubjectArea.objects.get(code=code) for code in codes}
    rows = []
    for n in range(70):
        publication = PublicationFactory(
            title=f"Paper {n}",
            output_type=rng.choice(["article", "review-article", "letter"]),
            language=rng.choice(["en", "en", "it"]),
            peer_reviewed=rng.random() < 0.7,
            journal=rng.choice(journals),
            date=datetime.date(rng.randint(2018, 2022), 1, 1),
            status=rng.choice(["published", "published", "accepted"]),
            open_access=rng.choice(["gold", "green", "closed", "unknown"]),
            doi=f"10.5555/random.{n}" if rng.random() < 0.5 else "",
        )
        authors = rng.sample(persons, rng.randint(1, 3))
        add_authors(publication, authors)
        affiliated = set()
        for authorship in publication.authorships.all():
            if rng.random() < 0.6:
                unit = rng.choice(units)
                authorship.affiliations.add(unit)
                affiliated |= lineage[unit.pk]
        chosen_keywords = rng.sample(keywords, rng.randint(0, 2))
        for position, keyword in enumerate(chosen_keywords, start=1):
            publication.publication_keywords.create(keyword=keyword, position=position)
        chosen_codes = rng.sample(codes, rng.randint(0, 2))
        publication.subject_areas.add(*(areas[code] for code in chosen_codes))
        rows.append(
            {
                "year": publication.date.year,
                "type": publication.output_type,
                "language": publication.language,
                "peer_reviewed": publication.peer_reviewed,
                "journal": publication.journal.slug,
                "status": publication.status,
                "open_access": publication.open_access,
                "doi": publication.doi,
                "persons": {person.slug for person in authors},
                "organisations": {
                    {"uni": university, "faculty": faculty, "lab": lab}[name].slug
                    for name in affiliated
                },
                "keywords": {keyword.term.lower() for keyword in chosen_keywords},
                "codes": set(chosen_codes),
            }
        )

    analyze()
    url = "/publications/"
    checked = 0
    for _depth in range(4):
        response = visitor.get(url)
        params = parse_qs(urlsplit(url).query)
        assert result_count(response) == sum(matches(params, row) for row in rows)
        options = []
        for facet in [
            "year",
            "type",
            "language",
            "peer_reviewed",
            "journal",
            "person",
            "organisation",
            "keyword",
            "subject",
            "status",
            "open_access",
            "has_doi",
        ]:
            found = facet_links(response, facet)
            assert found or facet in {"keyword", "organisation"}, facet
            options.extend(found.values())
        assert options
        for link, count in options:
            target = "/publications/" + link
            target_params = parse_qs(urlsplit(target).query)
            assert result_count(visitor.get(target)) == count, target
            assert sum(matches(target_params, row) for row in rows) == count, target
            checked += 1
        url = "/publications/" + rng.choice([o for o in options if o[1] > 0])[0]
    assert checked > 40


# Sorting, paging, links


def test_sorts_and_page_links_keep_every_filter(visitor):
    for n, year in enumerate([2001, 2003, 2002] * 10):
        PublicationFactory(title=f"Title {chr(90 - n % 26)}{n:02d}", date=datetime.date(year, 1, 1))
    oldest = visitor.get("/publications/?sort=oldest&type=article&language=en")
    years = re.findall(r'<time datetime="(\d{4})', oldest.content.decode())
    assert years == sorted(years) and years[0] == "2001"
    newest_years = re.findall(
        r'<time datetime="(\d{4})', visitor.get("/publications/").content.decode()
    )
    assert newest_years == sorted(newest_years, reverse=True)
    html = oldest.content.decode()
    next_link = re.search(r'<a href="([^"]+)" rel="next"', html)[1].replace("&amp;", "&")
    assert parse_qs(urlsplit(next_link).query) == {
        "sort": ["oldest"],
        "type": ["article"],
        "language": ["en"],
        "page": ["2"],
    }
    assert '<input type="hidden" name="type" value="article">' in html
    by_title = titles(visitor.get("/publications/?sort=title"))
    assert by_title == sorted(by_title, key=str.lower)
    newest = visitor.get("/publications/?sort=newest&per_page=50")
    assert len(titles(newest)) == 30


def test_relevance_is_offered_only_for_a_search(visitor):
    indexed(PublicationFactory(title="Cells"))
    assert '<option value="relevance"' not in visitor.get("/publications/").content.decode()
    assert (
        '<option value="relevance" selected'
        in visitor.get("/publications/?q=cells").content.decode()
    )


def test_empty_state_says_what_to_loosen(visitor):
    PublicationFactory(title="Only one", language="en")
    text = text_of(visitor.get("/publications/?language=it&q=nothing"))
    assert "No research output matches “nothing” with these filters." in text
    assert "clear all filters" in text


# htmx


def test_htmx_requests_get_only_the_listing_and_history_restores_get_the_page(visitor):
    PublicationFactory(title="A record")
    partial = visitor.get("/publications/?type=article", headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="listing"')
    assert "<html" not in body
    assert "A record" in body
    assert "HX-Request" in partial["Vary"]
    restore = visitor.get(
        "/publications/",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()
    full = visitor.get("/publications/")
    assert 'hx-boost="true"' in full.content.decode()
    assert 'action="/publications/"' in full.content.decode()


# Bad input


@pytest.mark.parametrize(
    "query, problem",
    [
        ("year_from=abc", "From year: Enter a year as four digits"),
        ("type=blog-post", "Type: Select a valid choice"),
        ("peer_reviewed=maybe", "Peer-reviewed: Select a valid choice"),
        ("subject=99", "“99” is not a valid ASJC code"),
        ("journal=%3Cscript%3E", "is not a valid journal"),
        ("sort=sideways", "“sideways” is not a way to sort"),
        ("per_page=7", "Results per page can be 25, 50 or 100"),
        ("q=" + "x" * 10_000, "only its beginning was used"),
    ],
)
def test_bad_input_gives_a_normal_page_that_names_the_problem(visitor, query, problem):
    PublicationFactory(title="Still listed")
    response = visitor.get("/publications/?" + query)
    assert response.status_code == 200
    assert problem in text_of(response)


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=a%00b",
        'q="unbalanced',
        "q=-",
        "q=OR",
        "q=%22%22",
        "q=the",
        "page=-1",
        "page=abc",
        "keyword=%00",
        "organisation=nope",
        "year_to=99999",
        "more=%00",
    ],
)
def test_odd_input_never_breaks_the_listing(visitor, query):
    PublicationFactory(title="Still listed")
    response = visitor.get("/publications/?" + query)
    assert response.status_code == 200
    assert 'id="result-count"' in response.content.decode()


def test_paging_stops_at_a_readable_depth_and_says_so(visitor, monkeypatch):
    from publications import listing

    PublicationFactory.create_batch(60)
    monkeypatch.setattr(listing, "MAX_DEPTH", 50)
    last = visitor.get("/publications/?per_page=25&page=2")
    assert "Page 2 of 2" in text_of(last)
    assert 'rel="next"' not in last.content.decode()
    beyond = visitor.get("/publications/?per_page=25&page=3")
    assert "Page 2 of 2" in text_of(beyond)
    assert "Only the first 50 results can be paged through" in text_of(beyond)
    assert result_count(beyond) == 60


# Query budget


def listing_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


BUDGETED_URLS = [
    # Unfiltered, on a cache miss: 1 data version, 2 the stored figures (none: the tests store
    # none, PORTAL_STORE_AFTER_MS), 3 count, 4 page of results + journals, 5 their authors,
    # 6 all facets (one UNION ALL).
    "/publications/",
    # The same data in another order: 1 data version, 2 the stored figures, 3 page + journals,
    # 4 authors (the total is already cached), 5 the facets (counted again: another facet is
    # expanded; only the links would differ otherwise).
    "/publications/?sort=title&per_page=100&page=2&more=keyword",
    # Searched (its figures never cached): 1 the data version (whether the page is kept,
    # pagecache), 2 the planner's estimate of the results, 3 their count (stopped past
    # counting.EXACT_LIMIT), 4 page + journals, 5 authors, 6 facets (their one set of
    # publications is the results, whose size is known).
    "/publications/?q=study",
    # Filtered: the same and, before the facets, one estimate of the sizes of all the sets the
    # facets count (the results without each active filter).
    "/publications/?type=article&subject=2400&organisation=dept-10&keyword=hiv&year_from=2000",
    # Nothing found: 1 data version, 2 estimate, 3 count, 4 facets, 5 "Did you mean" (no page,
    # no authors).
    "/publications/?q=nothingmatcheshere",
]


def test_listing_query_budget_is_constant_and_at_most_twelve(visitor):
    def grow(n):
        organisation = Organisation.objects.create(name=f"Dept {n}", kind="department")
        for publication in PublicationFactory.create_batch(n, title=f"A study {n}"):
            add_authors(publication, PersonFactory.create_batch(3))
            add_keywords(publication, "HIV", f"kw {n}")
            publication.subject_areas.add(SubjectArea.objects.get(code=2403))
            publication.authorships.first().affiliations.add(organisation)
            indexed(publication)
        analyze()

    grow(10)
    small = {url: listing_queries(visitor, url) for url in BUDGETED_URLS}
    grow(290)
    large = {url: listing_queries(visitor, url) for url in BUDGETED_URLS}
    assert small == large
    assert [large[url] for url in BUDGETED_URLS] == [6, 5, 6, 7, 5]
    assert large["/publications/?q=nothingmatcheshere"] == 5


# Shared figures


FACETS_STATEMENT = "facet_set_0"  # the facets' one statement: its first table expression


def visited(client, url: str):
    """The page and the SQL of the statements that made it."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in context.captured_queries]


def test_the_whole_listing_counts_its_facets_once_for_every_sort_and_page(visitor):
    for n in range(30):  # two pages of 25
        publication = PublicationFactory(title=f"Sorted study {n:02d}")
        add_keywords(publication, f"Term {n % 3}")
    facets = ("year", "type", "journal", "keyword")
    first, sql = visited(visitor, "/publications/?sort=newest")
    assert [statement for statement in sql if FACETS_STATEMENT in statement]
    counts = {facet: facet_links(first, facet) for facet in facets}
    assert counts["keyword"]["Term 0"][1] == 10
    for url, sort in [
        ("/publications/?sort=title", "title"),
        ("/publications/?sort=oldest&page=2", "oldest"),
    ]:
        response, sql = visited(visitor, url)
        assert not [statement for statement in sql if FACETS_STATEMENT in statement], url
        shown = {facet: facet_links(response, facet) for facet in facets}
        assert {
            facet: {label: n for label, (_, n) in options.items()}
            for facet, options in shown.items()
        } == {
            facet: {label: n for label, (_, n) in options.items()}
            for facet, options in counts.items()
        }
        # Each option's link keeps this page's sort, and starts at the first page.
        for options in shown.values():
            for link, _ in options.values():
                assert parse_qs(urlsplit(link).query)["sort"] == [sort], link
                assert "page" not in parse_qs(urlsplit(link).query), link


# The full-text vector (about 1.7 KB a record) is read by the search's
# conditions and ranking only, never loaded with the records shown.
SEARCH_VECTOR_SELECTED = re.compile(
    r'(?:SELECT|,)\s*"publications_publication"\."search_vector"\s*(?:,|FROM\b)'
)


def test_listing_and_record_pages_never_load_the_search_vector(visitor):
    record = indexed(PublicationFactory(title="Interleukin signalling in cells"))
    add_authors(record, [PersonFactory()])
    for n in range(3):
        indexed(PublicationFactory(title=f"Interleukin study {n}"))
    urls = ["/publications/", "/publications/?q=interleukin", record.get_absolute_url()]
    loading = {}
    for url in urls:
        response, sql = visited(visitor, url)
        assert "Interleukin signalling in cells" in response.content.decode()
        loading[url] = sum(bool(SEARCH_VECTOR_SELECTED.search(statement)) for statement in sql)
    assert loading == dict.fromkeys(urls, 0)


EVERY_FILTER = (
    "q=kinase&year_from=2001&year_to=2010&type=article&type=chapter&peer_reviewed=true"
    "&status=published&status=nonsense&subject=2700&journal=a-journal&person=a-person"
    "&organisation=a-unit&language=en&keyword=kinases&concept=a-concept&has_doi=false"
    "&open_access=true&sort=title&page=3"
)


@pytest.mark.parametrize(
    "names",
    [*(spec.params for spec in FACETS), ("year_to",), ("year_from",), ("sort", "page"), ()],
    ids=[*(spec.name for spec in FACETS), "year_to", "year_from", "no_filter", "nothing"],
)
def test_a_facets_set_is_what_a_filter_set_made_afresh_without_its_filter_gives(names):
    """count_facets reads each facet's set from the listing's own validated values
    (qs_without) instead of validating the query string again for each set."""
    data = QueryDict(EVERY_FILTER)
    base = Publication.objects.public()
    afresh = PublicationFilterSet(without(data, names), queryset=base).qs
    reused = PublicationFilterSet(data, queryset=base).qs_without(names)
    assert reused.query.sql_with_params() == afresh.query.sql_with_params()


def test_a_result_shows_its_title_authors_source_snippet_and_type_escaped(visitor):
    record = indexed(
        PublicationFactory(
            title="Kinases <b>& more",
            subtitle="a review",
            journal=JournalFactory(title="Journal of R&D"),
            volume="11",
            issue="1-2",
            pages="74-78",
            date=datetime.date(1997, 1, 1),
            date_precision="month",
            abstract="How kinases work.",
            peer_reviewed=True,
        )
    )
    internal = PersonFactory(is_internal=True)
    AuthorshipFactory(publication=record, person=internal, position=1)
    AuthorshipFactory(publication=record, person=None, name_as_printed="The <i> Group", position=2)
    html = visitor.get("/publications/?q=kinases").content.decode()
    item = re.search(r'<li class="result">(.*?)</li>', html, re.S).group(1)
    assert (
        f'<a href="{record.get_absolute_url()}">Kinases &lt;b&gt;&amp; more: a review</a>' in item
    )
    assert f'<a href="{internal.get_absolute_url()}" class="author author--internal">' in item
    assert '<span class="author">The &lt;i&gt; Group</span>' in item
    source = re.search(r'<p class="result__source">\s*(.*?)\s*</p>', item, re.S).group(1)
    assert source == (
        'In: <span class="result__journal">Journal of R&amp;D</span>, Vol. 11, No. 1-2, '
        f'<time datetime="1997-01-01">{record.date_display}</time>, p. 74-78'
    )
    assert re.search(r'<p class="result__snippet">[^<]*<mark>kinases</mark>[^<]*</p>', item)
    assert '<p class="result__type">Contribution to journal › Article › peer-review</p>' in item


def test_an_empty_list_of_results_says_so(visitor):
    assert "No research output to show here yet." in text_of(visitor.get("/"))


def test_a_facets_options_link_count_and_escape_each_value():
    """The sidebar's options (facet_options): each a link with its count, ≈ and "about" when
    estimated, the selected one marked for assistive technology, every value escaped."""
    keyword = Facet(
        "keyword",
        "Keyword",
        approximate=True,
        options=[
            FacetOption("R&D <x>", "R&D <x>", 1200, '/publications/?keyword=R%26D&x="1"', True),
            FacetOption("Kinases", "Kinases", 3, "/publications/?keyword=Kinases", False),
        ],
    )
    assert facet_options(keyword).split("\n") == [
        '<li><a href="/publications/?keyword=R%26D&amp;x=&quot;1&quot;" id="facet-option-keyword-'
        'rd-x" aria-current="true" class="is-selected"><span class="facet__label">R&amp;D &lt;x'
        '&gt;</span> <span aria-hidden="true">≈</span><span class="visually-hidden">about </span>'
        '<data value="1200">1200</data></a></li>',
        '<li><a href="/publications/?keyword=Kinases" id="facet-option-keyword-kinases"><span '
        'class="facet__label">Kinases</span> <span aria-hidden="true">≈</span><span class="visua'
        'lly-hidden">about </span><data value="3">3</data></a></li>',
    ]
    # Each year's bar is as long as its share of the most frequent year's count.
    years = Facet(
        "year",
        "Year",
        options=[
            FacetOption("2019", "2019", 40, "/publications/?year_from=2019&year_to=2019", False),
            FacetOption("2020", "2020", 10, "/publications/?year_from=2020&year_to=2020", True),
        ],
    )
    bars = facet_options(years).split("\n")
    assert bars[1] == (
        '<li><a href="/publications/?year_from=2020&amp;year_to=2020" aria-current="true"><span '
        'class="histogram__year">2020</span><svg class="histogram__bar" aria-hidden="true" focus'
        'able="false"><rect width="2" height="100%"/><rect width="25%" height="100%" rx="2"/>'
        '</svg><data value="10">10</data></a></li>'
    )
    assert '<rect width="100%" height="100%" rx="2"/>' in bars[0]
    assert "aria-current" not in bars[0] and "about" not in bars[0]
