"""HTTP for feeds: polite, bounded and safe.

One GET per call with conditional-request validators (RFC 9110 §13), connect/read timeouts and
a total deadline, a cap on the decoded body size (checked while streaming, so an endless or
oversized body is never held whole), gzip/deflate/br, and redirects followed by hand so that
every hop is checked against the address policy (no loopback, private or link-local targets:
a feed URL is user input, and fetching it must not reach the internal network).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx2
from django.conf import settings
from django.utils import timezone

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A fetch that produced no feed body. ``kind`` is a short code; ``str()`` is a sentence
    an editor can act on."""

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.retry_after = retry_after
        self.headers = dict(headers or {})


class FeedTooLarge(FetchError):
    kind = "too_large"


class FeedTimeout(FetchError):
    kind = "timeout"


class BlockedAddress(FetchError):
    kind = "blocked_address"

    def __init__(self, host: str, address: str) -> None:
        super().__init__(
            f"refused to connect to {host}: it resolves to a private, loopback or "
            f"link-local address ({address})"
        )
        self.host, self.address = host, address


class InvalidFeedURL(FetchError):
    kind = "invalid_url"


class ConnectionFailed(FetchError):
    kind = "connection"


class RedirectLoop(FetchError):
    kind = "redirects"


class HTTPStatusError(FetchError):
    kind = "http_status"


class FeedGone(HTTPStatusError):
    kind = "gone"


class RateLimited(HTTPStatusError):
    kind = "rate_limited"


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # where the body came from, after redirects
    status: int
    body: bytes | None  # None on 304 Not Modified
    headers: Mapping[str, str]
    elapsed: float
    permanent_redirect: str = (
        ""  # target of a chain of 301/308 hops from the requested URL
    )
    history: tuple[int, ...] = field(default_factory=tuple)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def user_agent() -> str:
    return f"Newsroom/1.0 (feed fetcher; +{settings.NEWSROOM_URL})"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - (now or timezone.now())).total_seconds())


# IPv6 prefixes that carry an IPv4 address a gateway may translate to (NAT64, RFC 6052 and
# 8215; the deprecated IPv4-compatible form): their IPv4 part must be public too.
_WRAPPING_IPV4 = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("::/96"),
)


def _is_public(address: str) -> bool:
    """A global unicast address, including the IPv4 address inside IPv4-mapped, NAT64,
    IPv4-compatible, 6to4 and Teredo IPv6 addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip.teredo is not None:
            inner = ip.teredo[1]  # the client's address
        if inner is None and any(ip in net for net in _WRAPPING_IPV4):
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None and not _is_public(str(inner)):
            return False
    return ip.is_global and not ip.is_multicast


def check_url(
    url: str, *, allow_private: bool | None = None, what: str = "feed"
) -> None:
    """Refuse what may not be fetched: non-http(s) schemes and, unless private addresses
    are allowed (``NEWSROOM_ALLOW_PRIVATE_FEEDS`` for feeds), hosts resolving to non-public
    addresses. The address policy of every URL a user gives us (feeds, partners' webhooks);
    ``what`` names it in the message."""
    if allow_private is None:
        allow_private = settings.NEWSROOM_ALLOW_PRIVATE_FEEDS
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise InvalidFeedURL(f"invalid {what} URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidFeedURL(
            f"unsupported URL scheme {parts.scheme!r}: only http and https {what} URLs "
            "are allowed"
        )
    if not host:
        raise InvalidFeedURL(f"invalid {what} URL: no host name")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailed(f"could not resolve host {host}") from exc
    # DNS can change between this check and the connection (rebinding); a resolver that pins
    # the checked address would close that gap. Noted in docs/security.md.
    for *_, sockaddr in infos:
        if not _is_public(str(sockaddr[0])):
            raise BlockedAddress(host, str(sockaddr[0]))


def how_to_allow(url: str, blocked: BlockedAddress) -> str:
    """How whoever runs the server may allow the feed they typed (``url``) when it is on
    their own machine or network (a test feed, an intranet), with what else the setting
    opens; "" for a link-local address (a cloud's metadata service), a public one, or one
    reached by a redirect or a link rather than typed."""
    try:
        typed = urlsplit(url.strip()).hostname
        address = ipaddress.ip_address(blocked.address.split("%", 1)[0])
    except ValueError:
        return ""
    if blocked.host != typed or address.is_link_local or address.is_multicast:
        return ""
    if not (address.is_loopback or address.is_private):
        return ""
    return (
        " (on a development machine, NEWSROOM_ALLOW_PRIVATE_FEEDS=1 in the server's and "
        "workers' environment allows feeds on private addresses; it turns off the address "
        "check for every feed, and for partners' webhooks unless "
        "PARTNER_WEBHOOK_ALLOW_PRIVATE=0: never on a public server)"
    )


def _client(deadline: float) -> httpx2.Client:
    """A client for one fetch (the feed and its redirects): addresses checked where the
    connection is made, to the address used (no DNS rebinding), no proxy from the
    environment, and FEED_DEADLINE enforced at the socket, so headers dripped a byte at
    a time cannot hold a worker (sources.guard). No keep-alive across feeds: the price."""
    from .guard import guarded_client

    return guarded_client(
        deadline=deadline,
        allow_private=settings.NEWSROOM_ALLOW_PRIVATE_FEEDS,
        headers={"Accept": ACCEPT},
        timeout=_timeout(),
    )


def _timeout() -> httpx2.Timeout:
    return httpx2.Timeout(
        connect=settings.FEED_CONNECT_TIMEOUT,
        read=settings.FEED_READ_TIMEOUT,
        write=settings.FEED_READ_TIMEOUT,
        pool=settings.FEED_CONNECT_TIMEOUT,
    )


def _reason(status: int) -> str:
    try:
        from http import HTTPStatus

        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _read_body(response: httpx2.Response, *, deadline: float, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FeedTooLarge(
            f"feed too large: the server announced {int(declared):,} bytes, the limit is "
            f"{max_bytes:,}",
            http_status=response.status_code,
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedTooLarge(
                f"feed too large: more than {max_bytes:,} bytes",
                http_status=response.status_code,
            )
        if time.monotonic() > deadline:
            raise FeedTimeout(
                f"timed out: the feed took longer than {settings.FEED_DEADLINE:g} s to download",
                http_status=response.status_code,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_feed(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    client: httpx2.Client | None = None,
) -> FetchResult:
    """GET a feed. Returns the body (or a 304); raises a FetchError subclass otherwise."""
    started = time.monotonic()
    deadline = started + settings.FEED_DEADLINE
    if client is None:
        with _client(deadline) as guarded:
            return _fetch(url, etag, last_modified, guarded, started, deadline)
    return _fetch(url, etag, last_modified, client, started, deadline)


def _fetch(
    url: str,
    etag: str,
    last_modified: str,
    client: httpx2.Client,
    started: float,
    deadline: float,
) -> FetchResult:
    headers = {"User-Agent": user_agent()}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    current = url
    seen: list[str] = [url]
    history: list[int] = []
    permanent = ""
    still_permanent = True
    while True:
        if time.monotonic() > deadline:
            raise FeedTimeout(
                f"timed out after {settings.FEED_DEADLINE:g} s of redirects"
            )
        check_url(current)
        try:
            with client.stream(
                "GET", current, headers=headers, timeout=_timeout()
            ) as response:
                status = response.status_code
                if status in REDIRECTS and response.headers.get("location"):
                    target = urljoin(current, response.headers["location"].strip())
                    history.append(status)
                    if status in PERMANENT_REDIRECTS and still_permanent:
                        permanent = target
                    else:
                        still_permanent = False
                    if target in seen:
                        raise RedirectLoop(
                            f"redirect loop: {target} was already visited"
                        )
                    if len(history) > settings.FEED_MAX_REDIRECTS:
                        raise RedirectLoop(
                            f"too many redirects (more than {settings.FEED_MAX_REDIRECTS})"
                        )
                    seen.append(target)
                    current = target
                    _drain(response)
                    continue
                if status == 304:
                    _drain(response)
                    return FetchResult(
                        url=current,
                        status=304,
                        body=None,
                        headers=dict(response.headers),
                        elapsed=time.monotonic() - started,
                        permanent_redirect=permanent,
                        history=tuple(history),
                    )
                if status >= 400:
                    _raise_for_status(response)
                body = _read_body(
                    response, deadline=deadline, max_bytes=settings.FEED_MAX_BYTES
                )
                return FetchResult(
                    url=current,
                    status=status,
                    body=body,
                    headers=dict(response.headers),
                    elapsed=time.monotonic() - started,
                    permanent_redirect=permanent,
                    history=tuple(history),
                )
        except httpx2.TimeoutException as exc:
            if (
                time.monotonic() >= deadline
            ):  # the total deadline, enforced at the socket
                raise FeedTimeout(
                    f"timed out: the feed took longer than {settings.FEED_DEADLINE:g} s "
                    "to download"
                ) from exc
            raise FeedTimeout(f"timed out: {_describe_timeout(exc)}") from exc
        except httpx2.DecodingError as exc:
            raise ConnectionFailed(
                f"could not decode the response body: {exc}"
            ) from exc
        except httpx2.TransportError as exc:
            host = urlsplit(current).hostname
            raise ConnectionFailed(
                f"could not connect to {host}: {exc or type(exc).__name__}"
            ) from exc


def _describe_timeout(exc: httpx2.TimeoutException) -> str:
    if isinstance(exc, httpx2.ConnectTimeout):
        return f"no connection within {settings.FEED_CONNECT_TIMEOUT:g} s"
    if isinstance(exc, httpx2.ReadTimeout):
        return f"the server sent nothing for {settings.FEED_READ_TIMEOUT:g} s"
    return str(exc) or type(exc).__name__


def _drain(response: httpx2.Response, limit: int = 64 * 1024) -> None:
    """Read a small body to its end so the connection goes back to the pool (keep-alive);
    a body too big to be worth reading just closes it."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            return


def _raise_for_status(response: httpx2.Response) -> None:
    status = response.status_code
    headers = dict(response.headers)
    phrase = _reason(status)
    if status == 410:
        raise FeedGone(
            "the feed is gone (HTTP 410): the publisher removed it",
            http_status=status,
            headers=headers,
        )
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        wait = f"; asked to wait {retry_after:.0f} s" if retry_after is not None else ""
        raise RateLimited(
            f"the server is {'rate limiting us' if status == 429 else 'unavailable'} "
            f"(HTTP {status} {phrase}){wait}",
            http_status=status,
            retry_after=retry_after,
            headers=headers,
        )
    raise HTTPStatusError(
        f"the server answered HTTP {status} {phrase}".rstrip(),
        http_status=status,
        headers=headers,
    )
