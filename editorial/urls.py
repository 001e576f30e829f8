from collections.abc import Callable
from typing import Any

from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from . import dashboard, views

app_name = "editorial"


def desk(route: str, view: Callable[..., Any], name: str) -> URLPattern:
    """A desk page. The desk shows what readers may not see yet (rejected, unpublished,
    scheduled stories): no browser history or shared cache keeps it ("no-store", as the
    admin's pages; found attacking the desk, they carried only "Vary: Cookie")."""
    return path(route, never_cache(view), name=name)


urlpatterns = [
    desk("", dashboard.dashboard, name="dashboard"),
    desk("queue/", views.queue, name="queue"),
    desk("queue/bulk-approve/", views.bulk_approve, name="bulk_approve"),
    desk("queue/<int:pk>/", views.story, name="story"),
    desk("queue/<int:pk>/decide/", views.decide, name="decide"),
    desk("queue/<int:pk>/schedule/", views.schedule, name="schedule"),
    desk("queue/<int:pk>/edit/", views.edit, name="edit"),
    desk("queue/<int:pk>/take/", views.take, name="take"),
    desk("queue/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    desk("queue/<int:pk>/undo/", views.undo, name="undo"),
    desk("queue/<int:pk>/split/", views.split, name="split"),
    desk("queue/<int:pk>/lead/", views.lead, name="lead"),
    desk("queue/<int:pk>/merge/", views.merge, name="merge"),
    desk("queue/<int:pk>/merge/candidates/", views.merge_picker, name="merge_picker"),
]
