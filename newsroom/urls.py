from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views import defaults

from newsroom.middleware import speaks_json


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404s: JSON under /api/ (partners' clients parse it), the site's page elsewhere."""
    if speaks_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500s: JSON under /api/, the site's page elsewhere."""
    if speaks_json(request):
        return JsonResponse(
            {"detail": "Internal server error: we have been told; try again later."},
            status=500,
        )
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400s Django answers itself (a body over DATA_UPLOAD_MAX_MEMORY_SIZE): JSON under
    /api/."""
    if speaks_json(request):
        return JsonResponse(
            {"detail": "Bad request: " + str(exception)[:200]}, status=400
        )
    return defaults.bad_request(request, exception)


handler400 = bad_request
handler404 = not_found
handler500 = server_error


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says (the admin's pages say nothing)."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("editorial/", include("editorial.urls")),
    path("api/", include("partners.urls")),
    path("favicon.ico", favicon),
    path("", include("public.urls")),
]
