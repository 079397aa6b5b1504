from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from publications import feeds, views
from publications.pagecache import kept_for_visitors
from publications.sitemaps import SITEMAPS

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("feeds/publications/", feeds.PublicationFeed(), name="feed_publications"),
    path("feeds/persons/<slug:slug>/", feeds.PersonFeed(), name="feed_person"),
    path("feeds/organisations/<slug:slug>/", feeds.OrganisationFeed(), name="feed_organisation"),
    path("feeds/journals/<slug:slug>/", feeds.JournalFeed(), name="feed_journal"),
    path("", kept_for_visitors(views.home), name="home"),
    path("publications/", kept_for_visitors(views.publication_list), name="publication_list"),
    path("publications/export.<str:extension>", views.listing_export, name="listing_export"),
    path("publications/<slug:slug>/", views.publication_detail, name="publication_detail"),
    path("publications/<slug:slug>/cite/", views.publication_cite, name="publication_cite"),
    path(
        "publications/<slug:slug>/fingerprint/",
        views.publication_fingerprint,
        name="publication_fingerprint",
    ),
    path(
        "publications/<slug:slug>/export.<str:extension>",
        views.publication_export,
        name="publication_export",
    ),
    path("persons/", kept_for_visitors(views.PersonListView.as_view()), name="person_list"),
    path(
        "persons/<slug:slug>/",
        kept_for_visitors(views.PersonDetailView.as_view()),
        name="person_detail",
    ),
    path("organisations/", kept_for_visitors(views.organisation_list), name="organisation_list"),
    path(
        "organisations/<slug:slug>/",
        kept_for_visitors(views.OrganisationDetailView.as_view()),
        name="organisation_detail",
    ),
    path("journals/", kept_for_visitors(views.JournalListView.as_view()), name="journal_list"),
    path(
        "journals/<slug:slug>/",
        kept_for_visitors(views.JournalDetailView.as_view()),
        name="journal_detail",
    ),
    path("subject-areas/", kept_for_visitors(views.subject_area_list), name="subject_area_list"),
    path(
        "subject-areas/<int:code>/",
        kept_for_visitors(views.SubjectAreaDetailView.as_view()),
        name="subject_area_detail",
    ),
]
