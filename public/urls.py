from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("articles/<int:pk>/", views.article_detail, name="detail"),
]
