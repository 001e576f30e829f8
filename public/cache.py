"""Reader pages, cached whole.

Public pages are the same for everyone (no session, no CSRF cookie, no ``Vary: Cookie``),
so each is rendered once per *generation* and served from the cache (Redis in production,
local memory by default) until the desk changes something readers see: publishing,
unpublishing, correcting or archiving a story bumps the generation (``editorial`` sends
``story_changed``; see ``PublicConfig.ready``). The generation is also the page's ETag, so a
browser or a proxy that asks again gets a 304 without a database query.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag

GENERATION = "public:generation"


def generation() -> int:
    """The current generation of the public pages (1 on a fresh cache)."""
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, 1, timeout=None)
        value = cache.get(GENERATION, 1)
    return int(value)


def invalidate(**_: Any) -> None:
    """A story readers see changed: every public page is rendered afresh."""
    try:
        cache.incr(GENERATION)
    except ValueError:  # nothing cached yet
        cache.set(GENERATION, 2, timeout=None)


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s successful GET answers from the cache, with an ETag and a 304 for a
    client that already has this generation of the page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        variant = "htmx" if request.headers.get("HX-Request") else "page"
        path = request.get_full_path()
        digest = hashlib.sha256(f"{variant}:{path}".encode()).hexdigest()[:32]
        etag = quote_etag(f"{generation()}-{digest}")
        if etag in parse_etags(request.headers.get("If-None-Match", "")):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            return not_modified
        key = f"public:page:{etag}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if (
                isinstance(response, SimpleTemplateResponse)
                and not response.is_rendered
            ):
                response.render()  # a TemplateResponse (the sitemap view's)
            if response.status_code == 200 and not response.cookies:
                cache.set(key, response, settings.PUBLIC_CACHE_SECONDS)
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
        patch_vary_headers(response, ["HX-Request"])
        return response

    return wrapped
