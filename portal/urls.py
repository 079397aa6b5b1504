from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Research portal – librarians"
admin.site.site_title = "Research portal admin"
admin.site.index_title = "Curate the research output"

urlpatterns = [
    path("admin/tools/", include("publications.admin_tools")),
    path("admin/", admin.site.urls),
    path("oai", include("publications.oai.urls")),
    path("api/", include("publications.api.urls")),
    path("", include("publications.urls")),
]

handler500 = "portal.errors.server_error"
