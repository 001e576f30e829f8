"""Feed parsing: bytes in, normalised entries out. Pure; no I/O, no Django.

feedparser does the format work (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, encodings). Its own HTML
sanitiser and relative-URI pass are switched off: nh3 does both, faster and with a stricter
allowlist (see ``sources.normalize.sanitize_html``).
"""

from __future__ import annotations

import calendar
import contextlib
import html
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser

from . import normalize

# A publication date further ahead of the fetch time than this is a feed's clock or time-zone
# mistake; it would pin the entry to the top of every list, so it is clamped to the fetch time.
FUTURE_SKEW = timedelta(minutes=10)
_EPOCH_FLOOR = datetime(1990, 1, 1, tzinfo=UTC)

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/xml",
    "text/xml",
)


class FeedParseError(Exception):
    """The body is not a feed. ``kind`` is a short code, ``str()`` a sentence for editors."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(slots=True)
class NormalizedEntry:
    guid: str
    url: str
    canonical_url: str
    title: str
    author: str
    published_at: datetime
    updated_at: datetime | None
    content_html: str
    text: str
    image_url: str
    language: str
    content_hash: str


@dataclass(slots=True)
class ParsedFeed:
    title: str = ""
    site_url: str = ""
    language: str = ""
    ttl_minutes: int | None = None
    entries: list[NormalizedEntry] = field(default_factory=list)
    warning: str = ""  # feedparser's "bozo" complaint when entries came out anyway


_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")
# Bodies gzip-compressed twice, or compressed without a Content-Encoding header, are common;
# they are inflated up to this size and no further.
MAX_INFLATED = 10 * 1024 * 1024


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_MARKERS) or any(m in head[:512] for m in _HTML_MARKERS):
        return True
    return "html" in content_type and b"<rss" not in head and b"<feed" not in head


def _inflate(body: bytes) -> bytes:
    """Gunzip a body that is still gzip after HTTP decoding, bounded against gzip bombs."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        inflated = inflater.decompress(body, MAX_INFLATED)
    except zlib.error as exc:
        raise FeedParseError("not_a_feed", "not a feed: corrupt gzip data") from exc
    if inflater.unconsumed_tail:
        raise FeedParseError("too_large", "feed too large once decompressed")
    return inflated


def _disambiguate(entries: list[NormalizedEntry]) -> list[NormalizedEntry]:
    """Make identities unique within one document.

    Publishers reuse one guid (or, without guids, one link) for different posts. Identical
    repeats are dropped; distinct posts sharing a guid get the guid suffixed with their content
    hash, which is stable from fetch to fetch; a URL shared by distinct posts identifies none
    of them, so it is not used as their canonical URL.
    """
    by_guid: dict[str, list[NormalizedEntry]] = {}
    for entry in entries:
        by_guid.setdefault(entry.guid, []).append(entry)
    result: list[NormalizedEntry] = []
    for guid, group in by_guid.items():
        distinct = list({e.content_hash: e for e in reversed(group)}.values())[::-1]
        if len(distinct) > 1:
            for entry in distinct:
                entry.guid = f"{guid}#{entry.content_hash[:16]}"
        result.extend(distinct)
    url_counts = Counter(e.canonical_url for e in result if e.canonical_url)
    for entry in result:
        if url_counts[entry.canonical_url] > 1:
            entry.canonical_url = ""
    return result


def _as_utc(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def _plausible(value: datetime | None, fetched_at: datetime) -> datetime | None:
    if value is None or value < _EPOCH_FLOOR:
        return None
    if value > fetched_at + FUTURE_SKEW:
        return fetched_at
    return value


def _pick_content(entry: Any) -> tuple[str, str, str]:
    """(value, mime type, xml:base) of the fullest body: content:encoded / atom:content over
    the summary."""
    best: tuple[str, str, str] = ("", "", "")
    for item in entry.get("content") or ():
        value = item.get("value") or ""
        if len(value) > len(best[0]):
            best = (value, item.get("type") or "", item.get("base") or "")
    if not best[0]:
        detail = entry.get("summary_detail") or {}
        best = (
            entry.get("summary") or "",
            detail.get("type") or "",
            detail.get("base") or "",
        )
    return best


def _as_html(value: str, mime: str) -> str:
    if mime == "text/plain":
        paragraphs = [p for p in re.split(r"\n\s*\n", value) if p.strip()]
        return "".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs)
    return value


def _entry_image(entry: Any, base: str, content_html: str) -> str:
    for media in entry.get("media_content") or ():
        medium = (media.get("medium") or "").lower()
        mime = (media.get("type") or "").lower()
        if medium == "image" or mime.startswith("image/") or (not medium and not mime):
            url = normalize.absolute_url(media.get("url"), base)
            if url:
                return url
    for thumb in entry.get("media_thumbnail") or ():
        url = normalize.absolute_url(thumb.get("url"), base)
        if url:
            return url
    for enclosure in entry.get("enclosures") or ():
        if (enclosure.get("type") or "").lower().startswith("image/"):
            url = normalize.absolute_url(enclosure.get("href"), base)
            if url:
                return url
    return normalize.absolute_url(normalize.first_image(content_html), base)


def _language(entry: Any, feed_language: str) -> str:
    for detail in (entry.get("title_detail"), *(entry.get("content") or ())):
        if detail and detail.get("language"):
            return normalize.clean_text(detail["language"])[:20]
    return feed_language


def normalize_entry(
    entry: Any, *, feed_url: str, feed_language: str, fetched_at: datetime
) -> NormalizedEntry:
    """One feedparser entry as a NormalizedEntry, safe to store."""
    raw_html, mime, content_base = _pick_content(entry)
    base = content_base or feed_url
    link = normalize.absolute_url(entry.get("link"), base) or normalize.absolute_url(
        entry.get("id") if str(entry.get("id", "")).startswith("http") else "", base
    )
    content_html = normalize.sanitize_html(
        _as_html(raw_html, mime), base_url=link or base
    )
    text = normalize.html_to_text(content_html)
    title = normalize.clean_title(entry.get("title"), fallback_text=text)
    published = _plausible(
        _as_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
        fetched_at,
    )
    updated = _plausible(_as_utc(entry.get("updated_parsed")), fetched_at)
    published_at = published or updated or fetched_at
    dated = published or updated
    date_key = dated.isoformat() if dated else ""
    return NormalizedEntry(
        guid=normalize.make_guid(entry.get("id"), link, title, date_key),
        url=link,
        canonical_url=normalize.canonical_url(link),
        title=title,
        author=normalize.clean_author(entry.get("author")),
        published_at=published_at,
        updated_at=updated,
        content_html=content_html,
        text=text,
        image_url=_entry_image(entry, link or base, content_html),
        language=_language(entry, feed_language),
        content_hash=normalize.content_hash(title, text),
    )


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if 0 < minutes <= 7 * 24 * 60 else None


# feedparser looks for an e-mail address in every person field (author, creator, name, email,
# managingEditor, webMaster, publisher, contributor) with a regular expression that takes
# quadratic time on a long run without spaces: 25 KB took 1.5 s, 50 KB 6 s and 1 MB more
# than five minutes of a worker. No name needs more than PERSON_CHARS characters, so longer
# ones are cut before feedparser sees them. Linear: one scan for the element, then a slice.
PERSON_CHARS = 500
_PERSON = re.compile(
    rb"(<(?:[\w-]+:)?(?:author|creator|name|email|managingEditor|webMaster|publisher"
    rb"|contributor|owner)\b[^<>]{0,500}>)"
    rb"(<!\[CDATA\[)?"
    rb"([^<\]]{%d,})" % (PERSON_CHARS + 1),
    re.IGNORECASE,
)


def cap_people(body: bytes) -> bytes:
    """``body`` with every person field's text cut to PERSON_CHARS characters."""
    if len(body) < PERSON_CHARS:
        return body
    return _PERSON.sub(
        lambda m: m.group(1) + (m.group(2) or b"") + m.group(3)[:PERSON_CHARS], body
    )


def parse_feed(
    body: bytes, *, url: str, fetched_at: datetime, content_type: str = ""
) -> ParsedFeed:
    """Parse a feed document. Raises FeedParseError when the body is not a feed.

    A feed that feedparser flags as ill-formed ("bozo") is still a feed when entries came out.
    """
    content_type = (content_type or "").lower()
    if not body or not body.strip():
        raise FeedParseError("empty", "empty response: the server sent no content")
    if body[:2] == b"\x1f\x8b":
        body = _inflate(body)
    body = cap_people(body)
    # Without a type feedparser flags every document as suspect; XML is what feeds are.
    headers = {
        "content-location": url,
        "content-type": content_type or "application/xml",
    }
    result = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    feed = result.get("feed") or {}
    problem = normalize.clip(
        normalize.clean_text(result.get("bozo_exception") or ""), 200
    )
    if not result.entries and not result.get("version"):
        if _looks_like_html(body, content_type):
            raise FeedParseError("not_a_feed", "not a feed: got an HTML page")
        raise FeedParseError("not_a_feed", f"not a feed: {problem or 'unknown format'}")

    language = normalize.clean_text(feed.get("language"))[:20]
    parsed = ParsedFeed(
        title=normalize.clean_title(feed.get("title")),
        site_url=normalize.absolute_url(feed.get("link"), url),
        language=language,
        ttl_minutes=_ttl(feed.get("ttl")),
        warning=problem if result.get("bozo") else "",
    )
    entries = (
        normalize_entry(
            entry, feed_url=url, feed_language=language, fetched_at=fetched_at
        )
        for entry in result.entries
    )
    # Nested or empty <item>s carry nothing to show; they are not articles.
    parsed.entries = _disambiguate([e for e in entries if e.title or e.url or e.text])
    if not parsed.entries and result.get("bozo"):
        # A feed root but nothing usable after it: usually a truncated or crashed response.
        raise FeedParseError(
            "broken_feed", f"broken feed, no entries could be read: {problem}"
        )
    return parsed


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "a"):
            return
        values = {key: (value or "") for key, value in attrs}
        rels = values.get("rel", "").lower().split()
        mime = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and mime in FEED_TYPES and values.get("href"):
            self.found.append((values["href"], mime, values.get("title", "")))


def discover_feeds(body: bytes, *, url: str) -> list[str]:
    """Feed URLs a web page advertises with <link rel="alternate">, best first."""
    parser = _AlternateLinks()
    # HTMLParser can raise on badly broken markup; what was found before that still counts.
    with contextlib.suppress(AssertionError, ValueError):
        parser.feed(body[:1_000_000].decode("utf-8", "replace"))
    rank = {mime: i for i, mime in enumerate(FEED_TYPES)}
    ordered = sorted(parser.found, key=lambda found: rank.get(found[1], 99))
    urls = (normalize.absolute_url(href, url) for href, _, _ in ordered)
    return list(dict.fromkeys(u for u in urls if u))
