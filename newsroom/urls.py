from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says (the admin's pages say nothing)."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("editorial/", include("editorial.urls")),
    path("favicon.ico", favicon),
    path("", include("public.urls")),
]
