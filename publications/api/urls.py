"""/api/: version 1 of the API, and a JSON 404 for every other path under /api/."""

from django.urls import path, re_path

from publications.api import schema, views

app_name = "api"

urlpatterns = [
    path("v1/", views.ApiRoot.as_view(), name="root"),
    path("v1/schema/", schema.SchemaView.as_view(), name="schema"),
    path("v1/docs/", schema.docs, name="docs"),
    path("v1/publications/", views.PublicationList.as_view(), name="publication-list"),
    path(
        "v1/publications/<slug:slug>/",
        views.PublicationDetail.as_view(),
        name="publication-detail",
    ),
    path("v1/persons/", views.PersonList.as_view(), name="person-list"),
    path("v1/persons/<slug:slug>/", views.PersonDetail.as_view(), name="person-detail"),
    path("v1/organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path(
        "v1/organisations/<slug:slug>/",
        views.OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
    path("v1/journals/", views.JournalList.as_view(), name="journal-list"),
    path("v1/journals/<slug:slug>/", views.JournalDetail.as_view(), name="journal-detail"),
    path("v1/subject-areas/", views.SubjectAreaList.as_view(), name="subject-area-list"),
    path(
        "v1/subject-areas/<int:code>/",
        views.SubjectAreaDetail.as_view(),
        name="subject-area-detail",
    ),
    re_path(r"^.*$", views.not_found),
]
