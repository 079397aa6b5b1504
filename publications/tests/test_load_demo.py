"""`manage.py load_demo`: the source record exactly as the Pure page shows it, 500+ more public
records behind it, and a second run that changes nothing.

Loading the demo takes a few seconds, so this module loads it once (the fixture `loaded`) inside a
transaction that is rolled back after the module: every other test module still starts empty.
Each test runs in its own savepoint within it, so a test that loads again or edits rows leaves the
next test the same data.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from publications import demo, validators
from publications.models import (
    Authorship,
    Journal,
    Organisation,
    OrganisationKind,
    OutputType,
    Person,
    Publication,
    PublicationKeyword,
    Visibility,
    WorkflowState,
)
from publications.tests.source_record import AUTHORS_AS_PRINTED

# SHA-256 of the abstract as printed on the source page (/work/shared/seed/source-page.txt).
SOURCE_ABSTRACT_SHA256 = "cf6f821107c6bc1ebc9639505c86e30b84c2850962ce580940c60f00c2324bf4"

IN_HOST_TYPES = {OutputType.CHAPTER, OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS}
BOOK_TYPES = {OutputType.BOOK, OutputType.REPORT, OutputType.ANTHOLOGY}
THESIS_TYPES = {OutputType.DOCTORAL_THESIS, OutputType.MASTERS_THESIS}
CONFERENCE_TYPES = {
    OutputType.CONFERENCE_ARTICLE,
    OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS,
    OutputType.CONFERENCE_PAPER,
    OutputType.CONFERENCE_POSTER,
    OutputType.CONFERENCE_ABSTRACT,
}


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker) -> str:
    """The demo loaded once into the empty test database with --if-empty; yields the output."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Publication.objects.exists()
        yield load_demo("--if-empty")
        transaction.set_rollback(True)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the app (through tables included), ids and timestamps too."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_app_config("publications").get_models(include_auto_created=True)
    }


@pytest.mark.django_db
def test_source_record_is_loaded_as_on_the_source_page(loaded):
    record = Publication.objects.for_detail().get(slug=demo.SOURCE_SLUG)

    assert record.title == (
        "Experiences in immune reconstitution. The rationale for interleukin-2 administration "
        "to HIV-infected individuals"
    )
    assert record == demo.source_publication()
    assert [a.name_as_printed for a in record.authorships.all()] == AUTHORS_AS_PRINTED
    internal = {a.person.family_name: a.person.is_internal for a in record.authorships.all()}
    assert internal == {
        "Ghezzi": True,
        "Vicenzi": True,
        "Soldini": False,
        "Tambussi": False,
        "Murone": False,
        "Lazzarin": False,
        "Poli": True,
    }
    for authorship in record.authorships.all():
        affiliations = [o.kind for o in authorship.affiliations.all()]
        assert affiliations == (["department"] if authorship.person.is_internal else [])
    assert record.abstract.startswith("Since the clinical earliest descriptions of patients")
    assert record.abstract.endswith("thus preventing the onset of AIDS.")
    assert "the progressive loss of CD4 'helper' T lymphocytes" in record.abstract
    assert hashlib.sha256(record.abstract.encode()).hexdigest() == SOURCE_ABSTRACT_SHA256
    assert (record.output_type, record.output_category) == ("article", "Contribution to journal")
    assert record.peer_reviewed is True
    assert record.language == "en"
    assert record.journal.title == "Journal of Biological Regulators and Homeostatic Agents"
    assert record.journal.issn == "0393-974X"
    assert record.journal.abbreviation == "J Biol Regul Homeost Agents"
    assert record.volume == ""
    assert record.issue == "1-2"
    assert (record.pages, record.page_start, record.page_end) == ("74-78", 74, 78)
    assert record.number_of_pages == 5
    assert (record.status, record.date, record.date_precision) == (
        "published",
        datetime.date(1997, 1, 1),
        "month",
    )
    assert record.date_display == "Jan 1997"
    assert [(s.status, s.date, s.date_precision) for s in record.status_history.all()] == [
        ("published", datetime.date(1997, 1, 1), "month")
    ]
    assert [k.keyword.term for k in record.publication_keywords.all()] == [
        "CD4",
        "CD8",
        "Cytokines",
        "HIV",
        "IL-2",
        "Immunreconstitution",
    ]
    codes = {area.code for area in record.subject_areas.all()}
    assert codes == {2403, 2712, 1310, 2737, 2701, 1314, 1100}
    assert set(record.journal.subject_areas.values_list("code", flat=True)) == codes
    assert record.doi == ""
    assert (record.host_title, record.edition) == ("", "")
    assert (record.publisher, record.place_of_publication) == ("", "")
    assert (record.conference_name, record.conference_location) == ("", "")
    assert (record.conference_start, record.conference_end) == (None, None)
    assert record.is_public


@pytest.mark.django_db
def test_demo_has_500_more_public_records_and_some_hidden_ones(loaded):
    public = Publication.objects.public()

    assert public.exclude(slug=demo.SOURCE_SLUG).count() >= 500
    hidden = Publication.objects.exclude(pk__in=public.values("pk"))
    assert set(hidden.values_list("workflow_state", flat=True)) == {
        WorkflowState.IN_PROGRESS,
        WorkflowState.FOR_VALIDATION,
        WorkflowState.VALIDATED,
    }
    assert {Visibility.CAMPUS, Visibility.BACKEND} <= set(
        hidden.values_list("visibility", flat=True)
    )
    assert Person.objects.count() >= 100
    assert Journal.objects.count() >= 25
    assert Publication.objects.filter(authorships__position__gte=30).distinct().count() >= 2
    assert set(public.values_list("language", flat=True)) >= {"en", "de", "fr", "it", "es"}
    assert public.filter(year__lt=2000).exists() and public.filter(year__gte=2025).exists()


@pytest.mark.django_db
def test_loading_twice_leaves_every_row_as_it_was(loaded):
    before = snapshot()

    output = load_demo()

    after = snapshot()
    assert {table: len(rows) for table, rows in after.items()} == {
        table: len(rows) for table, rows in before.items()
    }
    for table, rows in before.items():
        assert after[table] == rows, f"{table} changed on the second run"
    assert "(0 new, 0 updated)" in output


@pytest.mark.django_db
def test_loading_again_restores_an_edited_demo_record_in_place(loaded):
    record = demo.source_publication()
    record.title = "Edited by a librarian"
    record.save()
    record.authorships.filter(position=3).delete()
    PublicationKeyword.objects.filter(publication=record, position=1).update(position=9)
    record.subject_areas.remove(*record.subject_areas.filter(code=1100))
    Person.objects.filter(slug="guido-poli").update(given_name="G.")

    output = load_demo()

    restored = demo.source_publication()
    assert restored.pk == record.pk
    assert restored.title == demo.SOURCE_TITLE
    assert [
        a.name_as_printed for a in Authorship.objects.filter(publication=restored)
    ] == AUTHORS_AS_PRINTED
    assert restored.publication_keywords.first().keyword.term == "CD4"
    assert restored.subject_areas.count() == 7
    assert Person.objects.get(slug="guido-poli").given_name == "Guido"
    assert "(0 new, 1 updated)" in output


@pytest.mark.django_db
def test_if_empty_loads_an_empty_database_and_leaves_a_full_one_alone(loaded):
    assert "publications 100/" in loaded  # progress while loading
    assert "Demo data: " in loaded and "persons" in loaded and "journals" in loaded
    before = snapshot()

    output = load_demo("--if-empty")

    assert output.strip().count("\n") == 0
    assert "already holds publications" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_demo_identifiers_pass_the_validators(loaded):
    issns = [i for pair in Journal.objects.values_list("issn", "eissn") for i in pair if i]
    orcids = [o for o in Person.objects.values_list("orcid", flat=True) if o]
    rors = [r for r in Organisation.objects.values_list("ror", flat=True) if r]
    dois = [d for d in Publication.objects.values_list("doi", flat=True) if d]

    assert len(issns) > 25 and len(orcids) > 50 and rors == ["05f950310"] and len(dois) > 400
    for issn in issns:
        validators.validate_issn(issn)
    for orcid in orcids:
        validators.validate_orcid(orcid)
    for ror in rors:
        validators.validate_ror(ror)
    for doi in dois:
        validators.validate_doi(doi)
        assert doi == doi.lower() and doi.startswith("10.5555/")
    assert len(set(dois)) == len(dois)


@pytest.mark.django_db
def test_every_demo_publication_in_a_journal_has_the_journals_subject_areas(loaded):
    in_journals = Publication.objects.filter(journal__isnull=False).prefetch_related(
        "subject_areas", "journal__subject_areas"
    )

    assert in_journals.count() > 400
    for publication in in_journals:
        codes = {area.code for area in publication.subject_areas.all()}
        assert codes, publication.slug
        assert codes == {area.code for area in publication.journal.subject_areas.all()}


@pytest.mark.django_db
def test_only_the_kinds_of_output_that_have_them_get_host_publisher_edition_and_conference(loaded):
    for publication in Publication.objects.all():
        kind, slug = publication.output_type, publication.slug
        assert bool(publication.host_title) == (kind in IN_HOST_TYPES), slug
        has_imprint = kind in IN_HOST_TYPES | BOOK_TYPES | THESIS_TYPES
        assert bool(publication.publisher) == has_imprint, slug
        assert bool(publication.place_of_publication) == has_imprint, slug
        assert not publication.edition or kind in BOOK_TYPES, slug
        conference = (
            publication.conference_name,
            publication.conference_location,
            publication.conference_start,
            publication.conference_end,
        )
        assert all(conference) if kind in CONFERENCE_TYPES else not any(conference), slug


@pytest.mark.django_db
def test_chapters_and_proceedings_name_the_book_they_are_in(loaded):
    chapters = Publication.objects.filter(output_type=OutputType.CHAPTER)
    proceedings = Publication.objects.filter(
        output_type=OutputType.CONFERENCE_CONTRIBUTION_IN_PROCEEDINGS
    )

    assert chapters.count() >= 5 and proceedings.count() >= 5
    for publication in [*chapters, *proceedings]:
        assert publication.host_title and publication.isbn, publication.slug
        assert publication.publisher and publication.place_of_publication, publication.slug
    for publication in proceedings:
        assert publication.host_title == f"Proceedings of the {publication.conference_name}"
    publishers: dict[str, str] = {}
    for title, publisher in chapters.values_list("host_title", "publisher"):
        assert publishers.setdefault(title, publisher) == publisher, title


@pytest.mark.django_db
def test_books_and_reports_have_a_publisher_and_place_and_theses_the_university(loaded):
    books = Publication.objects.filter(output_type__in=BOOK_TYPES)
    theses = Publication.objects.filter(output_type__in=THESIS_TYPES)
    university = Organisation.objects.get(kind=OrganisationKind.UNIVERSITY)

    assert books.count() >= 5 and theses.count() >= 5
    for book in books:
        assert book.publisher and book.place_of_publication, book.slug
    assert books.exclude(edition="").exists()
    editions = set(Publication.objects.exclude(edition="").values_list("edition", flat=True))
    assert editions <= {"2nd", "3rd", "4th"}
    assert set(theses.values_list("publisher", flat=True)) == {university.name}
    assert not theses.filter(place_of_publication="").exists()


@pytest.mark.django_db
def test_conference_outputs_name_a_meeting_held_in_their_year(loaded):
    presented = Publication.objects.filter(output_type__in=CONFERENCE_TYPES)

    assert set(presented.values_list("output_type", flat=True)) == CONFERENCE_TYPES
    meetings: dict[str, tuple] = {}
    for publication in presented:
        start, end = publication.conference_start, publication.conference_end
        assert publication.conference_name, publication.slug
        assert re.fullmatch(r"[^,]+, [^,]+", publication.conference_location), publication.slug
        assert start.year == end.year == publication.year, publication.slug
        assert 1 <= (end - start).days <= 4, publication.slug
        # Every record presented at one meeting gives it the same place and dates.
        meeting = (publication.conference_location, start, end)
        assert meetings.setdefault(publication.conference_name, meeting) == meeting


@pytest.mark.django_db
def test_every_journal_organisation_and_internal_person_page_has_public_publications(loaded):
    public = Publication.objects.public()

    for journal in Journal.objects.all():
        assert public.for_journal(journal).exists(), journal.title
    for organisation in Organisation.objects.all():
        assert public.for_organisation(organisation).exists(), organisation.name
    for person in Person.objects.internal().prefetch_related("memberships"):
        assert person.memberships.all(), person.slug
        assert public.for_person(person).exists(), person.slug


def test_the_demo_is_the_same_every_time():
    assert demo.build_demo() == demo.build_demo()
