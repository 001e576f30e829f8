"""``/api/``: the partner API (v1), its OpenAPI schema and its documentation (served from
this site: drf-spectacular-sidecar, no CDN)."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from . import views

app_name = "partners"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("stories", views.StoryViewSet, basename="story")
router.register("sources", views.SourceViewSet, basename="source")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("companies", views.CompanyViewSet, basename="company")
router.register("webhooks", views.WebhookViewSet, basename="webhook")

# The documentation pages build their styles in the browser (inline <style> elements), which
# the site's CSP refuses; on these two pages only, and nowhere else, it allows them.
docs_styles = csp_update({"style-src": ["'unsafe-inline'"]})

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
]
