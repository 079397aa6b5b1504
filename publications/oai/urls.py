"""/oai: the OAI-PMH endpoint (included from portal/urls.py)."""

from django.urls import path

from publications.oai import views

urlpatterns = [path("", views.endpoint, name="oai")]
