"""Reader pages, cached whole.

Public pages are the same for everyone (no session, no CSRF cookie, no ``Vary: Cookie``),
so each is rendered once per *generation* and served from the cache until the desk changes
something readers see: publishing, unpublishing, correcting or archiving a story starts a
new generation (``editorial`` sends ``story_changed``; see ``PublicConfig.ready``). The
cache is shared by every process (Redis, or files under var/cache/ in the embedded setup),
so a story published from a shell or a worker refreshes the pages the web server serves.

A page's ETag is a hash of its content, kept with the cached page: a client that has it gets
a 304 without a render or a query, and one holding a page from before a restart or a deploy
gets the new page (a generation counter would start again and hand it a 304).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag

GENERATION = "public:generation"


def _new_generation() -> str:
    # Random, never a counter: a generation lost with its key (an emptied or evicting cache)
    # must not come back and find the pages of an older one.
    return uuid.uuid4().hex[:16]


# This process remembers the generation for PUBLIC_GENERATION_MEMO_SECONDS, so a page
# served from a shared cache (Redis) is one round trip, not two. A change made in this
# process shows at once; one made in another (a worker, a shell) within that time.
_memo: tuple[float, str] | None = None


def generation() -> str:
    """The current generation of the public pages."""
    global _memo
    now = time.monotonic()
    memo = _memo
    if memo is not None and now - memo[0] < settings.PUBLIC_GENERATION_MEMO_SECONDS:
        return memo[1]
    value = cache.get(GENERATION)
    if value is None:
        cache.add(GENERATION, _new_generation(), timeout=None)
        value = cache.get(GENERATION)
    _memo = (now, str(value))
    return str(value)


def invalidate(**_: Any) -> None:
    """A story readers see changed: every public page is rendered afresh."""
    global _memo
    value = _new_generation()
    cache.set(GENERATION, value, timeout=None)
    _memo = (time.monotonic(), value)


def invalidate_on_commit(**_: Any) -> None:
    """``invalidate`` once the change commits: a page rendered meanwhile, from what the
    database still holds, would be kept under the new generation for PUBLIC_CACHE_SECONDS
    (an attacker renamed a company inside a transaction and read its page before the
    commit: the old name stayed for five minutes)."""
    transaction.on_commit(invalidate, robust=True)


# The fields of a company, category or source that pages show by name (a source's site
# address, refreshed by every fetch, only in structured data: it waits for the next change).
SHOWN_FIELDS = frozenset({"name", "slug", "ticker", "description"})


def renamed(
    sender: type, instance: Any, created: bool, update_fields: Any = None, **_: Any
) -> None:
    """A company, category or source saved: the pages are stale only if it existed (a new
    one is on no page yet) and a field pages show may have changed. A source saved after
    each fetch (its schedule, its health) leaves them alone."""
    if created:
        return
    if update_fields is not None and not (set(update_fields) & SHOWN_FIELDS):
        return
    invalidate_on_commit()


def _none_match_fails(etag: str | None, request: HttpRequest) -> bool:
    """Whether If-None-Match names ``etag`` (or is "*"), compared weakly: then the client
    has this page, and gets a 304."""
    if not etag:
        return False
    asked = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in asked or etag.removeprefix("W/") in {
        tag.removeprefix("W/") for tag in asked
    }


def content_etag(content: bytes) -> str:
    """A strong ETag naming exactly these bytes."""
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def _cacheable(request: HttpRequest, reads: frozenset[str]) -> bool:
    return set(request.GET) <= reads and len(request.get_full_path()) <= 1024


def dont_keep(request: HttpRequest) -> None:
    """Answer this request without keeping its page: its address names no page of ours
    (an unknown category, a made-up cursor, any search's words), and keeping one copy per
    made-up address would let anyone fill the cache and push out what it must keep."""
    request.public_keep = False  # type: ignore[attr-defined]


def public_page(
    view: Callable[..., HttpResponse] | None = None,
    /,
    *,
    reads: frozenset[str] = frozenset(),
) -> Any:
    """Serve ``view``'s successful GET answers from the cache, with an ETag of their content
    and a 304 for a client that already has that content. ``reads``: the query parameters
    the page reads; a request with others is answered, and not kept (made-up parameters,
    "?x=<3 KB>" or a search's "q" on the front page, would fill the cache with copies of
    the same page), and the page's canonical link names only those (``canonical_url``).
    As ``@public_page`` or ``@public_page(reads=…)``."""
    if view is None:
        return partial(public_page, reads=reads)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        variant = "htmx" if request.headers.get("HX-Request") else "page"
        # Pages name their own address (canonical link, feeds, sitemaps), so the scheme
        # and host are part of the key: a request with a forged Host or X-Forwarded-Proto
        # gets a page of its own, never one that other readers are then served.
        where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
        digest = hashlib.sha256(f"{variant}:{where}".encode()).hexdigest()[:32]
        key = f"public:page:{generation()}:{digest}"
        # Only an address this page reads is kept (``reads``, also for the canonical link).
        request.public_reads = reads  # type: ignore[attr-defined]
        keep = _cacheable(request, reads)
        response = cache.get(key) if keep else None
        if response is None:
            response = view(request, *args, **kwargs)
            if (
                isinstance(response, SimpleTemplateResponse)
                and not response.is_rendered
            ):
                response.render()  # a TemplateResponse (the sitemap view's)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
            ):
                response["ETag"] = content_etag(response.content)
                # The syndication view dates a feed by its newest story; a story taken
                # down or a name changed does not move that date, and a reader asking
                # "modified since?" was told no (a 304) for a changed feed. The ETag
                # names the content itself.
                if "Last-Modified" in response:
                    del response["Last-Modified"]
                if keep and getattr(request, "public_keep", True):
                    cache.set(key, response, settings.PUBLIC_CACHE_SECONDS)
        if settings.PUBLIC_MAX_AGE:
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
        else:
            patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ["HX-Request"])
        # Revalidation is by ETag alone, compared weakly (RFC 9110 §13.1.2: a compressing
        # proxy turns our ETag into W/"…"). A page has no Last-Modified (see above), so
        # If-Modified-Since and If-Unmodified-Since are ignored, as §13.1.3-4 say for a
        # resource without a date.
        if _none_match_fails(response.get("ETag"), request):
            not_modified = HttpResponseNotModified()
            # §15.4.5: a 304 carries what the 200 would have said about caching.
            for header in ("ETag", "Cache-Control", "Vary"):
                not_modified[header] = response[header]
            return not_modified
        return response

    return wrapped
