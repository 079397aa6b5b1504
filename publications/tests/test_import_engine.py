"""The import engine on records built here (the parsers have their own tests): creation,
idempotent re-import, updates, journal and person matching, atomic failures, duplicates,
workflow state and history."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.importing.engine import Importer
from publications.importing.mapping import same_first_initial
from publications.importing.matching import Namesakes
from publications.importing.records import ImportedName, ImportedRecord, RecordProblem
from publications.models import (
    Authorship,
    Journal,
    Keyword,
    Organisation,
    Person,
    PossibleDuplicate,
    Publication,
    WorkflowState,
)
from publications.tests.factories import (
    JournalFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
    valid_issn,
    valid_orcid,
)

pytestmark = pytest.mark.django_db


def record(position: int = 1, **fields) -> ImportedRecord:
    values = {
        "format": "crossref",
        "position": position,
        "source_id": f"10.5555/test.{position}",
        "title": f"Interleukin-2 therapy in cohort {position}",
        "authors": [
            ImportedName(family="Ghezzi", given="Silvia", initials="S."),
            ImportedName(family="Zee", particle="van der", given="Jan", initials="J."),
            ImportedName(literal="ISIS-1 Collaborative Group"),
        ],
        "journal_title": "Journal of Imported Studies",
        "journal_abbreviation": "J Imp Stud",
        "issns": [valid_issn(4242)],
        "volume": "11",
        "issue": "1-2",
        "pages": "74-78",
        "date": datetime.date(1997, 1, 1),
        "date_precision": "month",
        "doi": f"10.5555/test.{position}",
        "language": "en",
        "keywords": ["HIV", "IL-2"],
    }
    values.update(fields)
    return ImportedRecord(**values)


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Publication, Person, Journal, Keyword, Organisation)
    )


def test_a_record_becomes_a_publication_waiting_for_validation(visitor):
    summary = Importer().run([record()])
    assert (summary.created, summary.failed) == (1, 0)
    publication = Publication.objects.get(doi="10.5555/test.1")
    assert publication.workflow_state == WorkflowState.FOR_VALIDATION
    assert [a.display_name for a in publication.authorships.order_by("position")] == [
        "S. Ghezzi",
        "J. van der Zee",
        "ISIS-1 Collaborative Group",
    ]
    first, second, group = publication.authorships.order_by("position")
    assert (first.person.family_name, first.person.given_name) == ("Ghezzi", "Silvia")
    assert second.person.family_name == "van der Zee"
    assert not first.person.is_internal
    assert group.person is None
    assert publication.journal.title == "Journal of Imported Studies"
    assert publication.journal.issn == valid_issn(4242)
    assert (publication.volume, publication.issue, publication.pages) == ("11", "1-2", "74-78")
    assert (publication.page_start, publication.page_end, publication.number_of_pages) == (
        74,
        78,
        5,
    )
    assert (publication.date, publication.date_precision) == (datetime.date(1997, 1, 1), "month")
    assert [k.keyword.term for k in publication.publication_keywords.order_by("position")] == [
        "HIV",
        "IL-2",
    ]
    assert publication.source_ids == ["crossref:10.5555/test.1"]
    # Waiting for validation: not public.
    assert visitor.get(publication.get_absolute_url()).status_code == 404
    assert visitor.get("/publications/", {"q": "cohort"}).content.decode().count("cohort 1") == 0


def test_importing_the_same_records_again_changes_nothing():
    records = [record(1), record(2), record(3)]
    Importer().run(records)
    before = counts()
    summary = Importer().run([record(1), record(2), record(3)])
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert counts() == before


def test_a_re_import_with_new_values_updates_the_record_and_keeps_its_workflow_state():
    Importer(state="validated").run([record()])
    summary = Importer().run([record(volume="12", keywords=["HIV", "IL-2", "Cytokines"])])
    assert summary.updated == 1
    publication = Publication.objects.get(doi="10.5555/test.1")
    assert publication.volume == "12"
    assert publication.workflow_state == WorkflowState.VALIDATED
    assert publication.publication_keywords.count() == 3
    assert Publication.objects.count() == 1


def test_re_import_finds_the_record_by_pmid_or_by_source_id_when_it_has_no_doi():
    Importer().run([record(doi="", pmid="9040987", format="pubmed", source_id="9040987")])
    Importer().run([record(doi="", pmid="", format="bibtex", source_id="ghezzi1997")])
    summary = Importer().run(
        [
            record(doi="", pmid="9040987", format="pubmed", source_id="9040987"),
            record(doi="", pmid="", format="bibtex", source_id="ghezzi1997"),
        ]
    )
    assert summary.unchanged == 2
    assert Publication.objects.count() == 2


def test_journals_are_matched_by_any_issn_then_by_folded_title():
    by_eissn = JournalFactory(title="Electronic Only", issn="", eissn=valid_issn(7001))
    by_title = JournalFactory(title="Revue d'Économie", issn=valid_issn(7002))
    Importer().run(
        [
            record(1, issns=[valid_issn(9999), valid_issn(7001)], journal_title="Other name"),
            record(2, issns=[], journal_title="REVUE D'ECONOMIE"),
        ]
    )
    assert Publication.objects.get(doi="10.5555/test.1").journal == by_eissn
    assert Publication.objects.get(doi="10.5555/test.2").journal == by_title
    assert Journal.objects.count() == 2


def test_persons_are_matched_by_orcid_then_by_name_with_evidence():
    orcid = valid_orcid(31337)
    by_orcid = PersonFactory(family_name="Someone", given_name="Else", initials="E.", orcid=orcid)
    journal = JournalFactory(issn=valid_issn(4242))
    by_journal = PersonFactory(family_name="Ghézzi", given_name="Silvia", initials="S.")
    add_authors(PublicationFactory(journal=journal), [by_journal])
    no_evidence = PersonFactory(family_name="Vicenzi", given_name="Elisa", initials="E.")
    Importer().run(
        [
            record(
                authors=[
                    ImportedName(
                        family="Renamed", given="Entirely", orcid=f"https://orcid.org/{orcid}"
                    ),
                    ImportedName(family="Ghezzi", given="S.", initials="S."),
                    ImportedName(family="Vicenzi", given="Elisa", initials="E."),
                ]
            )
        ]
    )
    persons = [a.person for a in Publication.objects.get(doi="10.5555/test.1").authorships.all()]
    assert persons[0] == by_orcid
    assert persons[1] == by_journal  # same folded name, and a paper in the same journal
    assert persons[2] != no_evidence  # same name but nothing links them: a new external person
    assert persons[2].is_internal is False


def test_the_strongest_evidence_wins_and_equals_go_to_the_oldest():
    journal = JournalFactory(issn=valid_issn(4242))
    older, newer = (PersonFactory(family_name="Rossi", given_name="Marco") for _ in range(2))
    for person in (older, newer):  # both published in the journal
        add_authors(PublicationFactory(journal=journal), [person])
    colleague = PersonFactory(family_name="Bianchi", given_name="Luca", orcid=valid_orcid(9))
    add_authors(PublicationFactory(), [colleague, newer])  # only the newer one has a co-author
    Importer().run(
        [
            record(1, authors=[ImportedName(family="Rossi", given="M.", initials="M.")]),
            record(
                2,
                authors=[
                    ImportedName(family="Bianchi", given="Luca", orcid=valid_orcid(9)),
                    ImportedName(family="Rossi", given="M.", initials="M."),
                ],
            ),
        ]
    )
    first = Publication.objects.get(doi="10.5555/test.1").authorships.get().person
    assert first == older  # journal evidence for both: the oldest
    second = [a.person for a in Publication.objects.get(doi="10.5555/test.2").authorships.all()]
    assert second == [colleague, newer]  # co-author evidence beats journal evidence


def test_a_co_author_is_evidence_too():
    colleague = PersonFactory(
        family_name="Poli", given_name="Guido", initials="G.", orcid=valid_orcid(77)
    )
    namesake = PersonFactory(family_name="Lazzarin", given_name="Adriano", initials="A.")
    add_authors(PublicationFactory(), [colleague, namesake])
    Importer().run(
        [
            record(
                journal_title="A new journal",
                issns=[],
                authors=[
                    ImportedName(family="Poli", given="Guido", orcid=valid_orcid(77)),
                    ImportedName(family="Lazzarin", given="A.", initials="A."),
                ],
            )
        ]
    )
    persons = [a.person for a in Publication.objects.get(doi="10.5555/test.1").authorships.all()]
    assert persons == [colleague, namesake]


def test_affiliations_link_known_organisations():
    department = Organisation.objects.create(name="Department of Immunology", kind="department")
    Importer().run(
        [
            record(
                authors=[
                    ImportedName(
                        family="Ghezzi",
                        given="Silvia",
                        affiliations=["Department of Immunology, University of Example, Milan"],
                    )
                ]
            )
        ]
    )
    authorship = Publication.objects.get(doi="10.5555/test.1").authorships.get()
    assert list(authorship.affiliations.all()) == [department]


def test_a_broken_record_is_reported_and_rolled_back_and_the_others_are_imported():
    bad_author = record(
        2, authors=[ImportedName(family="", given="Nobody")], journal_title="Only here", issns=[]
    )
    summary = Importer().run(
        [
            record(1),
            bad_author,
            record(3, title="   "),
            record(4, doi="not a doi"),
            RecordProblem("bibtex", 5, "broken2020", "unbalanced braces"),
            record(6),
        ]
    )
    assert (summary.created, summary.failed) == (2, 4)
    assert summary.messages == [
        "record 2 (10.5555/test.2): an author has neither a family name nor a group name",
        "record 3 (10.5555/test.3): it has no title",
        "record 4 (not a doi): its DOI 'not a doi' is not a DOI (10.<prefix>/<suffix>)",
        "record 5 (broken2020): unbalanced braces",
    ]
    assert not Publication.objects.filter(doi="10.5555/test.2").exists()
    assert not Journal.objects.filter(title="Only here").exists()
    assert not Person.objects.filter(given_name="Nobody").exists()
    assert Publication.objects.filter(doi__in=["10.5555/test.1", "10.5555/test.6"]).count() == 2


def test_possible_duplicates_are_flagged_on_import():
    existing = PublicationFactory(
        title="Interleukin-2 therapy in cohort 1!",
        date=datetime.date(1997, 1, 1),
        doi="10.5555/other",
    )
    summary = Importer().run([record()])
    imported = Publication.objects.get(doi="10.5555/test.1")
    pair = PossibleDuplicate.objects.get()
    assert {pair.first_id, pair.second_id} == {existing.pk, imported.pk}
    assert pair.reason == "title_year"
    assert summary.duplicates_flagged == 1


def test_similar_titles_in_one_journal_and_year_are_flagged():
    journal = JournalFactory(issn=valid_issn(4242))
    PublicationFactory(
        title="Interleukin 2 therapy in the cohort 1",
        journal=journal,
        date=datetime.date(1997, 6, 1),
        date_precision="month",
    )
    Importer().run([record()])
    pair = PossibleDuplicate.objects.get()
    assert pair.reason == "similar_title"
    assert 0.6 <= pair.similarity < 1


def test_validated_imports_are_public_at_once(visitor):
    Importer(state="validated").run([record()])
    publication = Publication.objects.get(doi="10.5555/test.1")
    assert visitor.get(publication.get_absolute_url()).status_code == 200


def test_the_history_records_the_import():
    Importer().run([record()])
    publication = Publication.objects.get(doi="10.5555/test.1")
    entry = publication.history.get()
    assert entry.history_type == "+"
    assert entry.history_change_reason == "Imported from crossref (record 1 (10.5555/test.1))"


def test_the_search_text_written_with_a_batch_is_what_a_refresh_would_write(visitor):
    Importer(state="validated").run([record(1), record(2)])
    publications = Publication.objects.filter(doi__in=["10.5555/test.1", "10.5555/test.2"])
    assert publications.refresh_search_text() == 0
    page = visitor.get("/publications/", {"q": "Ghezzi Imported"}).content.decode()
    assert re.search(r'id="result-count"[^>]*><data value="2">', page)


def test_a_record_of_many_authors_is_written_in_a_few_statements():
    """Each statement on the authorships refreshes the publication's facet ids (migration
    0016): a statement per author made a record of 1,800 authors take 11 s longer."""
    Importer().run([record()])
    authors = [ImportedName(family=f"Author{n}", given="Ann", initials="A.") for n in range(60)]
    with CaptureQueriesContext(connection) as queries:
        Importer().run([record(authors=authors, title="A consortium's paper")])
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "publications_authorship"')
    ]
    assert len(writes) == 1
    publication = Publication.objects.get(doi="10.5555/test.1")
    assert publication.authorships.count() == 60
    assert publication.authorships.order_by("position").last().name_as_printed.endswith("Author59")
    assert publication.facet_ids.persons == sorted(
        publication.authorships.values_list("person_id", flat=True)
    )
    added = Authorship.history.filter(publication_id=publication.pk, history_type="+")
    assert added.filter(position__gt=3).count() == 57  # each new authorship has its history


@pytest.mark.parametrize("initials", ["", "S.", "s", "M.", "Z."])
def test_a_batchs_namesakes_are_those_whose_first_initial_agrees(initials):
    persons = [
        Person(pk=1, family_name="Ghezzi", given_name="Silvia", initials="S."),
        Person(pk=2, family_name="Ghezzi", given_name="Sara", initials=""),  # from the given name
        Person(pk=3, family_name="Ghezzi", given_name="Marco", initials="M."),
        Person(pk=4, family_name="Ghezzi", given_name="", initials=""),  # no initial: any agrees
        Person(pk=5, family_name="Rossi", given_name="Silvia", initials="S."),
    ]
    by_family = {"ghezzi": persons[:4], "rossi": persons[4:]}
    namesakes = Namesakes(by_family)
    expected = {p.pk for p in persons[:4] if same_first_initial(p, initials)}
    assert {p.pk for p in namesakes.of("ghezzi", initials)} == expected
    assert expected == {"": {1, 2, 3, 4}, "M.": {3, 4}, "Z.": {4}}.get(initials, {1, 2, 4})
    assert namesakes.of("bianchi", initials) == []
