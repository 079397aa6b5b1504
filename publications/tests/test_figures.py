"""Cached whole-collection figures are never stale: every write that can change what the public
sees changes the data version (and writes to drafts, which cannot, leave it alone)."""

from __future__ import annotations

import pytest

from publications.fingerprints.compute import refresh as refresh_fingerprints
from publications.fingerprints.models import Concept
from publications.models import (
    Authorship,
    DataVersion,
    Keyword,
    Organisation,
    PublicationKeyword,
    SubjectArea,
    Visibility,
    WorkflowState,
)
from publications.tests.factories import (
    JournalFactory,
    OrganisationFactory,
    PersonFactory,
    PublicationFactory,
    add_authors,
)
from publications.tests.test_views import result_count, text_of

pytestmark = pytest.mark.django_db


def version() -> int:
    return DataVersion.objects.get().value


def test_every_kind_of_write_changes_the_data_version():
    before = version()
    publication = PublicationFactory()
    after_insert = version()
    publication.title = "Changed"
    publication.save()
    after_update = version()
    Keyword.objects.create(term="HIV").delete()
    after_delete = version()
    assert before < after_insert < after_update < after_delete


def test_writes_to_a_draft_and_its_rows_leave_the_data_version_alone():
    # The person, journal and organisation are shown already, for a public record of theirs.
    public = PublicationFactory()
    person = PersonFactory()
    organisation = Organisation.objects.create(name="Draft Lab")
    add_authors(public, [person])
    public.authorships.get().affiliations.add(organisation)
    draft = PublicationFactory(journal=public.journal, workflow_state=WorkflowState.IN_PROGRESS)
    keyword = Keyword.objects.create(term="drafted")
    before = version()
    draft.title = "Still a draft"
    draft.abstract = "Interleukin-2 administration restores immune function in HIV infection."
    draft.save()
    refresh_fingerprints([draft.pk])  # new concepts, and the counts of the others
    assert Concept.objects.exists()
    add_authors(draft, [person])
    authorship = draft.authorships.get()
    authorship.affiliations.add(organisation)
    draft.publication_keywords.create(keyword=keyword, position=1)
    draft.subject_areas.add(SubjectArea.objects.first())
    draft.links.create(url="https://example.org/draft")
    authorship.affiliations.clear()
    draft.authorships.all().delete()
    draft.delete()
    # New keywords, journals and outside persons show only with public records.
    Keyword.objects.create(term="not yet on any record")
    JournalFactory()
    PersonFactory(is_internal=False)
    assert version() == before
    # A concept's label shows on the public records linked to it.
    Concept.objects.filter(pk=Concept.objects.first().pk).update(label="Interleukin 2")
    assert version() > before
    before = version()
    # Persons, organisations, keywords and the like move it whatever records they are in.
    organisation.name = "Draft Laboratory"
    organisation.save()
    assert version() > before


def test_publishing_withdrawing_and_the_rows_of_public_records_change_the_data_version():
    record = PublicationFactory(workflow_state=WorkflowState.FOR_VALIDATION)
    draft = PublicationFactory(workflow_state=WorkflowState.IN_PROGRESS)
    person = PersonFactory()
    steps = []

    def moved(step: str) -> None:
        steps.append((step, version()))

    moved("start")
    record.workflow_state = WorkflowState.VALIDATED
    record.save()  # published
    moved("publish")
    add_authors(record, [person])
    moved("author of a public record")
    record.authorships.get().affiliations.add(Organisation.objects.create(name="Lab"))
    moved("affiliation")  # (the organisation's insert moved it already: checked below)
    before_affiliation_only = version()
    record.authorships.get().affiliations.clear()
    assert version() > before_affiliation_only, "an affiliation of a public record"
    moved("keyword")
    PublicationKeyword.objects.create(
        publication=record, keyword=Keyword.objects.create(term="k"), position=1
    )
    moved("after keyword")
    # An authorship moved from the public record to a draft (as a merge moves them).
    Authorship.objects.filter(publication=record).update(publication=draft)
    moved("moved away")
    record.visibility = Visibility.CAMPUS
    record.save()  # withdrawn
    moved("withdraw")
    versions = [value for _, value in steps]
    assert versions == sorted(versions)
    assert len(set(versions)) == len(versions), steps
    public = PublicationFactory()
    before = version()
    public.delete()
    assert version() > before


def test_only_public_records_show_outside_organisations_and_journals(visitor):
    """An outside organisation shows with members, units or a public record, a journal with a
    public record, an outside person only on public records (querysets' public()): drafts never
    show or hide them, so a draft's rows leave the data version alone. The institution's own
    people and units are shown whatever their output."""
    journal = JournalFactory()
    partner = OrganisationFactory(name="Partner lab", kind="external")
    pages = [journal.get_absolute_url(), partner.get_absolute_url()]
    assert [visitor.get(page).status_code for page in pages] == [404, 404]
    before = version()
    draft = PublicationFactory(journal=journal, workflow_state=WorkflowState.IN_PROGRESS)
    add_authors(draft, [PersonFactory(is_internal=False)])
    draft.authorships.get().affiliations.add(partner)
    assert version() == before
    assert [visitor.get(page).status_code for page in pages] == [404, 404]
    draft.workflow_state = WorkflowState.VALIDATED
    draft.save()  # published: both are shown at once
    assert version() > before
    assert [visitor.get(page).status_code for page in pages] == [200, 200]
    colleague = PersonFactory(is_internal=True)  # no records yet: shown, and moves the version
    assert version() > before
    assert visitor.get(colleague.get_absolute_url()).status_code == 200


def test_a_kept_page_stays_kept_while_drafts_are_edited(visitor, django_assert_num_queries):
    public = PublicationFactory(title="Public record")
    person = PersonFactory()
    add_authors(public, [person])
    draft = PublicationFactory(
        title="Draft record", journal=public.journal, workflow_state=WorkflowState.IN_PROGRESS
    )
    visitor.get("/publications/")
    draft.title = "Draft record, edited"
    draft.save()
    add_authors(draft, [person])
    with django_assert_num_queries(1):  # the kept page, for the data version alone
        response = visitor.get("/publications/")
    assert "Public record" in text_of(response)
    draft.workflow_state = WorkflowState.VALIDATED
    draft.save()
    assert "Draft record, edited" in text_of(visitor.get("/publications/"))


def test_cached_totals_and_facets_follow_each_change(visitor):
    PublicationFactory(title="First", language="en")
    first = visitor.get("/publications/")
    assert result_count(first) == 1
    assert result_count(visitor.get("/publications/")) == 1  # served from the cache
    PublicationFactory(title="Second", language="it")
    second = visitor.get("/publications/")
    assert result_count(second) == 2
    assert "Italian 1" in text_of(second)
    home = text_of(visitor.get("/"))
    assert "2 research outputs" in home
    PublicationFactory(title="Third")
    assert "3 research outputs" in text_of(visitor.get("/"))


def test_a_cached_listing_costs_fewer_queries_than_a_fresh_one(visitor, django_assert_num_queries):
    PublicationFactory.create_batch(3)
    # Fresh: 1 data version, 2 the stored figures (none), 3 count, 4 page + journals,
    # 5 authors, 6 facets.
    with django_assert_num_queries(6):
        visitor.get("/publications/")
    # The same address again: the kept page (pagecache), for the data version alone.
    with django_assert_num_queries(1):
        visitor.get("/publications/")
    # Another order of the same listing: its count and facet counts are cached figures (the
    # facets' links, which carry the order, are built from them). 1 data version, 2 the stored
    # figures (for the page's ids, not cached yet), 3 page + journals, 4 authors.
    with django_assert_num_queries(4):
        visitor.get("/publications/?sort=title")
