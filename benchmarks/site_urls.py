"""The project's URLs plus ``/_hello/``: a plain Django view answering a few bytes through
the same middleware, the ceiling ``benchmarks/site.py`` measures the pages against. Used by
that benchmark only (through ``benchmarks.site_settings``)."""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

HELLO = b"Hello, world!"


def hello(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(HELLO, content_type="text/plain")
    # Which worker answered: the benchmark starts measuring once every worker has booted.
    response["X-Worker"] = str(os.getpid())
    return response


urlpatterns = [
    path("_hello/", hello, name="bench_hello"),
    path("", include("newsroom.urls")),
]
