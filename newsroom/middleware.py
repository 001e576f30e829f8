"""Site-wide request guards."""

from __future__ import annotations

from collections.abc import Callable

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)


def speaks_json(request: HttpRequest) -> bool:
    """Whether errors for this request are JSON: the partner API's clients parse every
    answer (``/api/``, partners.urls); everything else is the site's pages."""
    return request.path.startswith("/api/")


def refuse_nul_bytes(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Answer 400 to a path, query or form value holding a NUL byte. No text column takes one
    (PostgreSQL refuses it with an error), so such a value can only fail later as a 500 —
    in an admin filter, an action's reason, a search — and no person types one."""

    def middleware(request: HttpRequest) -> HttpResponse:
        values = [("path", [request.path]), *request.GET.lists()]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            values += request.POST.lists()
        for name, items in values:
            if "\x00" in name or any("\x00" in item for item in items):
                message = "A parameter holds a NUL byte, which no field accepts."
                if speaks_json(request):
                    return JsonResponse({"detail": message}, status=400)
                return HttpResponseBadRequest(
                    message, content_type="text/plain; charset=utf-8"
                )
        return get_response(request)

    return middleware
