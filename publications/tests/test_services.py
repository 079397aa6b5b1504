"""Multi-model writes."""

from __future__ import annotations

import datetime

import pytest

from publications.models import SubjectArea
from publications.services import publication_sync_derived
from publications.tests.factories import JournalFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def test_status_and_date_follow_the_status_history():
    publication = PublicationFactory(status="submitted", date=None)
    publication.status_history.create(
        status="epub", date=datetime.date(1996, 12, 5), date_precision="day"
    )
    publication.status_history.create(
        status="published", date=datetime.date(1997, 1, 1), date_precision="month"
    )
    publication_sync_derived(publication=publication)
    publication.refresh_from_db()
    assert (publication.status, publication.date_display, publication.year) == (
        "published",
        "Jan 1997",
        1997,
    )


def test_subject_areas_come_from_the_journal_only_when_none_were_chosen():
    journal = JournalFactory()
    journal.subject_areas.set(SubjectArea.objects.filter(code__in=[2403, 2712]))
    inherited = PublicationFactory(journal=journal)
    chosen = PublicationFactory(journal=journal)
    chosen.subject_areas.set(SubjectArea.objects.filter(code=1100))
    publication_sync_derived(publication=inherited)
    publication_sync_derived(publication=chosen)
    assert sorted(inherited.subject_areas.values_list("code", flat=True)) == [2403, 2712]
    assert list(chosen.subject_areas.values_list("code", flat=True)) == [1100]


def test_a_changed_slug_keeps_the_old_address_and_a_restored_one_is_current_again():
    publication = PublicationFactory(slug="new-name")
    publication_sync_derived(publication=publication, previous_slug="old-name")
    assert list(publication.old_slugs.values_list("slug", flat=True)) == ["old-name"]
    publication.slug = "old-name"
    publication.save()
    publication_sync_derived(publication=publication, previous_slug="new-name")
    assert list(publication.old_slugs.values_list("slug", flat=True)) == ["new-name"]
