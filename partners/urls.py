"""``/api/``: the partner API (v1), its OpenAPI schema and its documentation (served from
this site: drf-spectacular-sidecar, no CDN)."""

from typing import Any

from csp.decorators import csp_replace, csp_update
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from . import views

app_name = "partners"

# The trailing slash is optional: a POST to /webhooks would otherwise meet APPEND_SLASH's
# redirect, which loses its body.
router = DefaultRouter(trailing_slash="/?")  # type: ignore[arg-type]  # DRF accepts a pattern
router.include_root_view = False
router.include_format_suffixes = False  # JSON only: no /stories.json
router.register("stories", views.StoryViewSet, basename="story")
router.register("sources", views.SourceViewSet, basename="source")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("webhooks", views.WebhookViewSet, basename="webhook")


# The documentation pages build their styles in the browser (inline <style> elements), which
# the site's CSP refuses; on these two pages only, and nowhere else, it allows them.
# ReDoc also runs its search in a worker made from a blob: URL, and its footer shows a logo
# from its CDN: images come from this site only, so the page makes no request elsewhere.
def docs_styles(view: Any) -> Any:
    allowed = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
    return csp_replace({"img-src": ["'self'", "data:"]})(allowed(view))


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything else under /api/: a JSON 404, with or without DEBUG."""
    return JsonResponse(
        {"detail": "Not found. The resources are listed at /api/docs/."}, status=404
    )


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        docs_styles(
            SpectacularSwaggerSplitView.as_view(
                url_name="partners:schema", template_name="partners/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path(
        "docs/redoc/",
        docs_styles(
            SpectacularRedocView.as_view(
                url_name="partners:schema", template_name="partners/redoc.html"
            )
        ),
        name="redoc",
    ),
    re_path(r"^(?P<rest>.*)$", not_found),
]
