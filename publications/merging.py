"""Merging duplicates: publications into one publication, persons into one person.

Nothing is lost: the kept record gains every authorship, identifier, keyword, subject area,
link, status and old address of the others, which are then deleted; their URLs answer with a
301 to the kept one; the audit history records the merge on both sides (with the user).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_update_with_history

from publications.models import (
    Authorship,
    Membership,
    Person,
    PersonNameVariant,
    PersonSlug,
    Publication,
    PublicationKeyword,
    PublicationLink,
    PublicationSlug,
    PublicationStatusEntry,
)
from publications.services import publication_sync_derived

# Fields a merged publication takes from another when its own are empty.
PUBLICATION_FILLABLE = [
    "subtitle",
    "abstract",
    "journal",
    "volume",
    "issue",
    "pages",
    "page_start",
    "page_end",
    "number_of_pages",
    "article_number",
    "host_title",
    "edition",
    "publisher",
    "place_of_publication",
    "conference_name",
    "conference_location",
    "conference_start",
    "conference_end",
    "doi",
    "pmid",
    "scopus_eid",
    "isbn",
    "date",
]
PERSON_FILLABLE = ["given_name", "initials", "orcid"]


def is_empty(value) -> bool:
    return value in ("", None)


def take_empty_fields(winner, loser, names: list[str]) -> list[str]:
    """Copies the loser's values into the winner's empty fields; returns the names taken. A
    unique value (DOI, ORCID) is cleared on the loser first, so both never hold it at once."""
    taken = []
    for name in names:
        field = winner._meta.get_field(name)
        attname = field.attname
        if is_empty(getattr(winner, attname)) and not is_empty(getattr(loser, attname)):
            setattr(winner, attname, getattr(loser, attname))
            taken.append(name)
    if taken and winner._meta.model is Publication and "date" in taken:
        winner.date_precision = loser.date_precision
    unique = [name for name in taken if name in {"doi", "orcid"}]
    if unique:
        type(loser).objects.filter(pk=loser.pk).update(**dict.fromkeys(unique, ""))
    return taken


def author_key(authorship: Authorship) -> tuple:
    if authorship.person_id:
        return ("person", authorship.person_id, authorship.role)
    return ("name", authorship.name_as_printed.strip().lower(), authorship.role)


@transaction.atomic
def merge_publications(winner: Publication, losers: list[Publication], *, user=None) -> str:
    """Merges the losers into the winner and deletes them. Returns a summary for the user."""
    losers = [loser for loser in losers if loser.pk != winner.pk]
    if not losers:
        return "Nothing to merge: choose at least two different publications."
    moved = {"authors": 0, "keywords": 0, "identifiers": 0}
    for loser in losers:
        loser = Publication.objects.select_for_update().get(pk=loser.pk)
        winner = Publication.objects.select_for_update().get(pk=winner.pk)
        taken = take_empty_fields(winner, loser, PUBLICATION_FILLABLE)
        moved["identifiers"] += len({"doi", "pmid", "scopus_eid", "isbn"} & set(taken))
        winner.source_ids = sorted(set(winner.source_ids) | set(loser.source_ids))
        winner._change_reason = f"Merged with publication #{loser.pk} “{loser.title[:80]}”"
        winner._history_user = user
        winner.save()

        present = {author_key(a) for a in winner.authorships.all()}
        position = winner.authorships.aggregate(last=Max("position"))["last"] or 0
        taken_over = []
        for authorship in loser.authorships.order_by("position"):
            if author_key(authorship) in present:
                continue
            position += 1
            authorship.publication = winner
            authorship.position = position
            taken_over.append(authorship)
            present.add(author_key(authorship))
        # In one statement (with their history), affiliations and all: each statement on the
        # authorships refreshes both records' facet ids (migration 0016).
        bulk_update_with_history(
            taken_over, Authorship, ["publication", "position"], default_user=user
        )
        moved["authors"] += len(taken_over)

        have = set(winner.publication_keywords.values_list("keyword_id", flat=True))
        position = winner.publication_keywords.aggregate(last=Max("position"))["last"] or 0
        for entry in loser.publication_keywords.order_by("position"):
            if entry.keyword_id not in have:
                position += 1
                PublicationKeyword.objects.create(
                    publication=winner, keyword_id=entry.keyword_id, position=position
                )
                have.add(entry.keyword_id)
                moved["keywords"] += 1

        winner.subject_areas.add(*loser.subject_areas.all())
        urls = set(winner.links.values_list("url", flat=True))
        for link in loser.links.all():
            if link.url not in urls:
                PublicationLink.objects.create(publication=winner, url=link.url, label=link.label)
        statuses = set(winner.status_history.values_list("status", flat=True))
        for entry in loser.status_history.all():
            if entry.status not in statuses:
                PublicationStatusEntry.objects.create(
                    publication=winner,
                    status=entry.status,
                    date=entry.date,
                    date_precision=entry.date_precision,
                )

        loser.old_slugs.update(publication=winner)
        slug = loser.slug
        loser._change_reason = f"Merged into publication #{winner.pk} “{winner.title[:80]}”"
        loser._history_user = user
        loser.delete()
        PublicationSlug.objects.get_or_create(slug=slug, defaults={"publication": winner})
    publication_sync_derived(publication=winner)
    return (
        f"Merged {len(losers)} publication(s) into “{winner.title[:80]}”: "
        f"{moved['authors']} author(s), {moved['keywords']} keyword(s) and "
        f"{moved['identifiers']} identifier(s) added; the old addresses redirect to it."
    )


@transaction.atomic
def merge_persons(winner: Person, losers: list[Person], *, user=None) -> str:
    """Merges the losers into the winner and deletes them: their authorships, memberships,
    name variants and ORCID move to the winner, and their profile URLs redirect to it."""
    losers = [loser for loser in losers if loser.pk != winner.pk]
    if not losers:
        return "Nothing to merge: choose at least two different persons."
    authorships = 0
    for loser in losers:
        loser = Person.objects.select_for_update().get(pk=loser.pk)
        winner = Person.objects.select_for_update().get(pk=winner.pk)
        take_empty_fields(winner, loser, PERSON_FILLABLE)
        winner.is_internal = winner.is_internal or loser.is_internal
        winner._change_reason = f"Merged with person #{loser.pk} “{loser.full_name}”"
        winner._history_user = user
        winner.save()

        for authorship in Authorship.objects.filter(person=loser):
            authorship.person = winner
            authorship._history_user = user
            authorship._change_reason = f"Person #{loser.pk} merged into #{winner.pk}"
            authorship.save()
            authorships += 1

        organisations = set(winner.memberships.values_list("organisation_id", flat=True))
        for membership in loser.memberships.all():
            if membership.organisation_id not in organisations:
                membership.person = winner
                membership.save()
                organisations.add(membership.organisation_id)
        Membership.objects.filter(person=loser).delete()

        variants = {name.lower() for name in winner.name_variants.values_list("name", flat=True)}
        names = [v.name for v in loser.name_variants.all()] + [loser.full_name, loser.sort_name]
        for name in names:
            if name and name.lower() not in variants and name != winner.full_name:
                PersonNameVariant.objects.create(person=winner, name=name)
                variants.add(name.lower())

        loser.old_slugs.update(person=winner)
        slug = loser.slug
        loser._change_reason = f"Merged into person #{winner.pk} “{winner.full_name}”"
        loser._history_user = user
        loser.delete()
        PersonSlug.objects.get_or_create(slug=slug, defaults={"person": winner})
    Publication.objects.filter(authorships__person=winner).refresh_search_text()
    return (
        f"Merged {len(losers)} person(s) into {winner.full_name}: {authorships} authorship(s) "
        f"moved; the old profile addresses redirect to it."
    )
