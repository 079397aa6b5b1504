"""Atom feeds of the newest public research output: site-wide, per person, organisation and
journal, and of any listing (`format=atom` with the listing's filters)."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from publications.filters import PublicationFilterSet
from publications.models import Journal, Organisation, Person, Publication

FEED_SIZE = 50


class PublicationFeed(Feed):
    """The newest public publications."""

    feed_type = Atom1Feed
    title = "Newest research output"
    subtitle = "The newest public research output of the portal."

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def link(self, obj=None) -> str:
        return "/publications/"

    def publications(self, obj) -> QuerySet:
        return Publication.objects.public()

    def items(self, obj=None):
        return list(self.publications(obj).for_list().newest()[:FEED_SIZE])

    def item_title(self, publication: Publication) -> str:
        return publication.full_title

    def item_description(self, publication: Publication) -> str:
        parts = [publication.output_category, publication.get_output_type_display()]
        source = f" In: {publication.journal.title}." if publication.journal else ""
        summary = " › ".join(parts) + "." + source
        if publication.abstract:
            summary += " " + publication.abstract_text[:600]
        return summary

    def item_author_name(self, publication: Publication) -> str:
        names = [authorship.display_name for authorship in publication.authorships.all()]
        return ", ".join(names[:10]) + (" et al." if len(names) > 10 else "")

    def item_pubdate(self, publication: Publication):
        if publication.date is None:
            return publication.created
        return datetime.datetime.combine(publication.date, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, publication: Publication):
        return publication.modified

    def item_guid(self, publication: Publication) -> str:
        return f"https://doi.org/{publication.doi}" if publication.doi else ""

    def item_guid_is_permalink(self, publication: Publication) -> bool:
        return False


class ListingFeed(PublicationFeed):
    """Any listing as Atom: /publications/?…&format=atom applies the listing's filters."""

    title = "Research output"

    def publications(self, obj) -> QuerySet:
        return PublicationFilterSet(self.request.GET, queryset=Publication.objects.public()).qs

    def link(self, obj=None) -> str:
        query = self.request.GET.copy()
        query.pop("format", None)
        return "/publications/" + (f"?{query.urlencode()}" if query else "")


class PersonFeed(PublicationFeed):
    def get_object(self, request, slug: str):
        self.request = request
        return get_object_or_404(Person.objects.internal().public(), slug=slug)

    def title(self, person: Person) -> str:
        return f"Research output of {person.full_name}"

    def link(self, person: Person) -> str:
        return person.get_absolute_url()

    def publications(self, person: Person) -> QuerySet:
        return Publication.objects.public().for_person(person)


class OrganisationFeed(PublicationFeed):
    def get_object(self, request, slug: str):
        self.request = request
        return get_object_or_404(Organisation.objects.public(), slug=slug)

    def title(self, organisation: Organisation) -> str:
        return f"Research output of {organisation.name}"

    def link(self, organisation: Organisation) -> str:
        return organisation.get_absolute_url()

    def publications(self, organisation: Organisation) -> QuerySet:
        return Publication.objects.public().for_organisation(organisation)


class JournalFeed(PublicationFeed):
    def get_object(self, request, slug: str):
        self.request = request
        return get_object_or_404(Journal.objects.public(), slug=slug)

    def title(self, journal: Journal) -> str:
        return f"Research output in {journal.title}"

    def link(self, journal: Journal) -> str:
        return journal.get_absolute_url()

    def publications(self, journal: Journal) -> QuerySet:
        return Publication.objects.public().for_journal(journal)
