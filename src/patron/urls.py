from django.contrib import admin
from django.urls import include, path

from patron.api.app import api
from patron.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("patron.web.urls")),
]
