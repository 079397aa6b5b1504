"""/sitemap.xml: an index over the public publications, persons, organisations and journals."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from publications.models import Journal, Organisation, Person, Publication


class PublicationSitemap(Sitemap):
    limit = 10_000  # URLs per sitemap page (the protocol allows 50,000)

    def items(self):
        return Publication.objects.public().only("slug", "modified").order_by("pk")

    def lastmod(self, publication: Publication):
        return publication.modified

    def get_latest_lastmod(self):
        """The index's lastmod for this section, from the index on `modified`: Django's own
        takes the latest of every item's lastmod, reading all the records (19 s at a million)."""
        return Publication.objects.public().aggregate(latest=Max("modified"))["latest"]


class PersonSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Person.objects.internal().public().only("slug").order_by("pk")


class OrganisationSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Organisation.objects.internal().public().only("slug").order_by("pk")


class JournalSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Journal.objects.public().only("slug").order_by("pk")


SITEMAPS = {
    "publications": PublicationSitemap,
    "persons": PersonSitemap,
    "organisations": OrganisationSitemap,
    "journals": JournalSitemap,
}
