from django.urls import path

from . import dashboard, views

app_name = "editorial"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk-approve/", views.bulk_approve, name="bulk_approve"),
    path("queue/<int:pk>/", views.story, name="story"),
    path("queue/<int:pk>/decide/", views.decide, name="decide"),
    path("queue/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("queue/<int:pk>/edit/", views.edit, name="edit"),
    path("queue/<int:pk>/take/", views.take, name="take"),
    path("queue/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("queue/<int:pk>/undo/", views.undo, name="undo"),
    path("queue/<int:pk>/split/", views.split, name="split"),
    path("queue/<int:pk>/lead/", views.lead, name="lead"),
    path("queue/<int:pk>/merge/", views.merge, name="merge"),
    path("queue/<int:pk>/merge/candidates/", views.merge_picker, name="merge_picker"),
]
