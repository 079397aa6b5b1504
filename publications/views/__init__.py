"""Public pages. Views stay thin: they call QuerySet vocabulary and render one template each."""

from publications.views.entities import (
    JournalDetailView,
    JournalListView,
    OrganisationDetailView,
    PersonDetailView,
    PersonListView,
    SubjectAreaDetailView,
    home,
    organisation_list,
    subject_area_list,
)
from publications.views.publications import (
    listing_export,
    publication_cite,
    publication_detail,
    publication_export,
    publication_fingerprint,
    publication_list,
    robots_txt,
)

__all__ = [
    "listing_export",
    "JournalDetailView",
    "JournalListView",
    "OrganisationDetailView",
    "PersonDetailView",
    "PersonListView",
    "SubjectAreaDetailView",
    "home",
    "publication_cite",
    "publication_fingerprint",
    "organisation_list",
    "publication_detail",
    "publication_export",
    "publication_list",
    "robots_txt",
    "subject_area_list",
]
