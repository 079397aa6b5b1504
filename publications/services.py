"""Writes that touch several models: keyword-only, typed, atomic."""

from __future__ import annotations

from django.db import transaction

from publications.models import Journal, Person, Publication, PublicationSlug


@transaction.atomic
def publication_sync_derived(
    *, publication: Publication, previous_slug: str = "", fingerprint: bool = True
) -> None:
    """After a publication and its related rows were edited: its current status and date follow
    the status history, empty subject areas are taken from its journal, a changed slug keeps
    the old address as a redirect, and its fingerprint is recomputed."""
    entries = list(publication.status_history.all())
    if entries:
        publication.apply_status_history(entries)
        publication.save(update_fields=["status", "date", "date_precision"])
    if publication.journal_id and not publication.subject_areas.exists():
        publication.subject_areas.set(publication.journal.subject_areas.all())
    if previous_slug and previous_slug != publication.slug:
        PublicationSlug.objects.get_or_create(
            slug=previous_slug, defaults={"publication": publication}
        )
    # A slug given back to the record is its current address again, not a redirect.
    publication.old_slugs.filter(slug=publication.slug).delete()
    Publication.objects.filter(pk=publication.pk).refresh_search_text()
    # Its fingerprint, and its persons' and organisations', follow the edit (an import does
    # this once for all its records instead).
    if fingerprint:
        from publications.fingerprints.compute import refresh

        refresh([publication.pk])


def journal_sync_search(*, journal: Journal) -> int:
    """After a journal's title changed: its publications are found under the new title."""
    return Publication.objects.filter(journal=journal).refresh_search_text()


def person_sync_search(*, person: Person) -> int:
    """After a person's name changed: their publications are found under the new name."""
    return Publication.objects.filter(authorships__person=person).refresh_search_text()
