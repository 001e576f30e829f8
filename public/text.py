"""How the reader pages shorten, date and link: excerpts cut where a reader would, times a
reader can place, links to other outlets without their tracking, a lead image's alt text.
Pure functions of their arguments (and the clock)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils import timezone

from sources.normalize import TRACKING_PARAMS, TRACKING_PREFIXES

ELLIPSIS = "…"
# A front-page card's summary: this many characters, or a first sentence up to
# CARD_STRETCH more, whole (most leads are 180 to 260 characters).
CARD_CHARS = 220
CARD_STRETCH = 60
# The end of a sentence: its stop (and a closing quote or bracket), then a space. "$2.7bn"
# and "4.00%" have no space after their point, so they are never taken for one.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*(?=\s)")
# A stop that ends an abbreviation, not a sentence: "Blast furnace No. 4", "Mr. Lee", "U.S.",
# "Gov. Newsom", "3 p.m. Eastern", an initial ("Michael J. Fox").
_ABBREVIATION = re.compile(
    r"(?:\b(?:No|Nos|Mr|Mrs|Ms|Dr|St|Mt|Inc|Corp|Co|Ltd|Jr|Sr|vs|approx|est|Jan|Feb|Mar|"
    r"Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Gov|Sen|Rep|Gen|Lt|Col|Capt|Maj|Sgt|Adm|Prof"
    r"|Rev|Hon|Fr)|\b(?:[A-Z]\.)+[A-Z]?|\b[ap]\.m|(?<![\w.])[A-Z])\.$"
)
# What a cut must not leave dangling before the ellipsis (nor an ellipsis of its own).
_DANGLING = " \t\n,;:.…-–—([{\"'“‘/&"


def excerpt(text: str, limit: int, *, stretch: int = 0) -> str:
    """``text`` in at most ``limit`` characters, cut where a reader would: after the last
    whole sentence that fits (when that keeps at least half the room); else, with
    ``stretch``, after the first sentence that ends within ``limit + stretch`` (a card shows
    a 240-character lead whole rather than cut before its last words); else at the last
    clause's comma or, failing that, the last whole word, with an ellipsis. Never mid-word
    or mid-number, never ". …"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    ends = [
        m.end()
        for m in _SENTENCE_END.finditer(text, 0, limit + stretch + 1)
        if not _ABBREVIATION.search(text, 0, m.start() + 1)
    ]
    fitting = [end for end in ends if end <= limit]
    if fitting and fitting[-1] >= limit // 2:
        return text[: fitting[-1]]
    if len(text) <= limit + stretch:
        return text
    longer = [end for end in ends if end > limit]
    if longer:
        return text[: longer[0]]
    room = limit - len(ELLIPSIS)
    head = text[: room + 1]
    # The end of a clause ("…for $4.2 billion in cash, a move that…") reads better than
    # the middle of one, when it keeps at least half the room.
    comma = head.rfind(", ")
    if comma >= room // 2:
        cut = head[:comma]
    elif head[-1] == " ":
        cut = head
    else:
        space = head.rfind(" ")
        # One word longer than the room (a URL) can only be cut inside.
        cut = head[:space] if space > 0 else head[:room]
    cut = cut.rstrip(_DANGLING)
    return (cut or text[:room]) + ELLIPSIS


def web_address(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) address (the only links pages give)."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def secure_address(url: str | None) -> bool:
    """Whether ``url`` is an absolute https address."""
    return web_address(url) and urlsplit((url or "").strip()).scheme.lower() == "https"


def clean_url(url: str) -> str:
    """``url`` without the campaign and click identifiers outlets add (utm_*, fbclid,
    gclid, …), the rest of it as it was; "" for anything but an http(s) address (a
    ``javascript:`` or ``data:`` URL that reached the database another way than ingest)."""
    if not web_address(url):
        return ""
    if "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    kept = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS
        and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept, doseq=True)))


def ago(when: datetime | None, *, now: datetime | None = None) -> str:
    """How long ago ``when`` was, for a reader: minutes, hours, "1 day ago", then the date
    ("24 Nov", with the year when it is not this one): "1 week, 3 days ago" is arithmetic,
    not an answer."""
    if when is None:
        return ""
    now = now or timezone.now()
    elapsed = now - when
    if elapsed < timedelta(0):
        elapsed = timedelta(0)
    if elapsed < timedelta(minutes=1):
        return "just now"
    if elapsed < timedelta(hours=1):
        minutes = int(elapsed.total_seconds() // 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    if elapsed < timedelta(hours=24):
        hours = int(elapsed.total_seconds() // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    if elapsed < timedelta(hours=48):
        return "1 day ago"
    local = timezone.localtime(when)
    if local.year == timezone.localtime(now).year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


class _Images(HTMLParser):
    def __init__(self, src: str) -> None:
        super().__init__(convert_charrefs=True)
        self.src = src
        self.alt: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "img" or self.alt is not None:
            return
        found = dict(attrs)
        if (found.get("src") or "") == self.src:
            self.alt = found.get("alt") or ""


def image_alt(content: str, image_url: str) -> str:
    """The alt text the source gave its lead image in the article's HTML, or "": the image
    sits beside the headline, so without the source's words it is decorative, and repeating
    the headline would make a screen reader say it twice."""
    if not content or not image_url or "<img" not in content:
        return ""
    parser = _Images(image_url)
    parser.feed(content)
    parser.close()
    return " ".join((parser.alt or "").split())
