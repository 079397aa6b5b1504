"""The facet ids of each publication (migration 0016) follow every write to their four sources,
whatever the write path, so the facets counted from them are the facets of the data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from publications.merging import merge_persons
from publications.models import (
    Authorship,
    Keyword,
    Organisation,
    Publication,
    PublicationFacetIds,
    PublicationKeyword,
    SubjectArea,
)
from publications.tests.factories import (
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "data" / "import"


def from_sources() -> dict[int, tuple[list, list, list, list]]:
    """The facet ids of every publication, read from the source tables."""
    found: dict[int, tuple[set, set, set, set]] = {}

    def of(publication_id: int) -> tuple[set, set, set, set]:
        return found.setdefault(publication_id, (set(), set(), set(), set()))

    for publication_id, person_id in Authorship.objects.values_list("publication_id", "person_id"):
        if person_id is not None:
            of(publication_id)[0].add(person_id)
    for publication_id, organisation_id in Authorship.affiliations.through.objects.values_list(
        "authorship__publication_id", "organisation_id"
    ):
        of(publication_id)[1].add(organisation_id)
    for publication_id, keyword_id in PublicationKeyword.objects.values_list(
        "publication_id", "keyword_id"
    ):
        of(publication_id)[2].add(keyword_id)
    for publication_id, area_id in Publication.subject_areas.through.objects.values_list(
        "publication_id", "subjectarea_id"
    ):
        of(publication_id)[3].add(area_id)
    return {pk: tuple(sorted(ids) for ids in sets) for pk, sets in found.items()}


def kept() -> dict[int, tuple[list, list, list, list]]:
    return {
        row.publication_id: (
            sorted(row.persons),
            sorted(row.organisations),
            sorted(row.keywords),
            sorted(row.subject_areas),
        )
        for row in PublicationFacetIds.objects.all()
    }


@pytest.fixture
def record() -> Publication:
    publication = PublicationFactory(title="Facet ids")
    add_authors(publication, PersonFactory.create_batch(3))
    unit = OrganisationFactory(name="Unit of facets")
    publication.authorships.first().affiliations.add(unit)
    keyword = Keyword.objects.create(term="facet keyword")
    PublicationKeyword.objects.create(publication=publication, keyword=keyword, position=1)
    publication.subject_areas.add(SubjectArea.objects.get(code=2403))
    return publication


def test_every_kind_of_source_row_is_in_the_publications_facet_ids(record):
    row = PublicationFacetIds.objects.get(publication=record)
    assert sorted(row.persons) == sorted(record.authorships.values_list("person_id", flat=True))
    assert row.organisations == [Organisation.objects.get(name="Unit of facets").pk]
    assert row.keywords == [Keyword.objects.get(term="facet keyword").pk]
    assert row.subject_areas == [SubjectArea.objects.get(code=2403).pk]
    assert kept() == from_sources()


def test_removing_and_changing_sources_rewrites_the_row(record):
    authorship = record.authorships.first()
    authorship.affiliations.clear()
    record.authorships.filter(pk=authorship.pk).update(person=PersonFactory())
    record.publication_keywords.all().delete()
    record.subject_areas.add(SubjectArea.objects.get(code=1000))
    assert kept() == from_sources()
    row = PublicationFacetIds.objects.get(publication=record)
    assert row.organisations == [] and row.keywords == []


def test_a_merge_of_persons_and_a_publication_left_with_nothing(record):
    first, second = (a.person for a in record.authorships.order_by("position")[:2])
    merge_persons(first, [second])
    assert kept() == from_sources()
    record.authorships.all().delete()
    record.publication_keywords.all().delete()
    record.subject_areas.clear()
    assert not PublicationFacetIds.objects.filter(publication=record).exists()


def test_a_deleted_publication_takes_its_row_with_it(record):
    Publication.objects.filter(pk=record.pk).delete()
    assert not PublicationFacetIds.objects.filter(publication_id=record.pk).exists()


def test_an_import_and_a_generated_collection_have_their_facet_ids():
    call_command(
        "import_publications",
        str(FIXTURES / "crossref-works.jsonl"),
        str(FIXTURES / "pubmed-articles-1.xml"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    call_command(
        "generate_publications",
        "--count",
        "40",
        "--seed",
        "5",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert Publication.objects.count() > 40
    assert kept() == from_sources()


def test_the_range_refresh_gives_what_the_triggers_keep(record):
    PublicationFactory.create_batch(2)
    before = kept()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM publications_publicationfacetids")
        cursor.execute(
            "SELECT portal_refresh_facet_ids_between(min(id), max(id)) "
            "FROM publications_publication"
        )
    assert kept() == before == from_sources()


def test_a_truncate_of_a_source_table_rebuilds_the_facet_ids(record):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks: TRUNCATE may run
        cursor.execute("TRUNCATE publications_publicationkeyword")
    assert PublicationFacetIds.objects.get(publication=record).keywords == []
    assert kept() == from_sources()
