from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("editorial/", include("editorial.urls")),
    # Browsers ask for /favicon.ico whatever the page says (the admin's pages say nothing).
    path(
        "favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)
    ),
    path("", include("public.urls")),
]
