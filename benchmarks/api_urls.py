"""The public-site benchmark's URLs plus ``/_api_hello/``: a DRF view with the partner API's
own authentication, quota and headers that answers a few bytes — the ceiling
``benchmarks/api.py`` measures the stories against. Used by that benchmark only."""

from typing import Any

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.site_urls import urlpatterns as site_urlpatterns
from partners.views import PartnerAPIMixin


class Hello(PartnerAPIMixin, APIView):
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"hello": "world"})


urlpatterns = [path("_api_hello/", Hello.as_view()), *site_urlpatterns]
