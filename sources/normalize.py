"""Pure normalisers for feed entries: text in, text out, no I/O, no Django.

Each function accepts whatever a hostile feed can put in a field (None, huge strings, markup,
control characters) and returns a value that is safe to store.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import nh3

TITLE_MAX = 300
AUTHOR_MAX = 200
GUID_MAX = 480  # room for a "#<hash>" suffix within 512
CANONICAL_URL_MAX = 600  # keeps the unique index under PostgreSQL's btree row limit
URL_MAX = 2048

_WS = re.compile(r"\s+")
# A tag opens with a letter, "/", "!" or "?" after "<" (as an HTML parser reads it), so
# "Revenue < $1bn" keeps its words; an unclosed one at the end goes too.
_TAG = re.compile(r"<[A-Za-z/!?][^>]*>?")
# C0 controls except tab/newline/CR, and lone surrogates: invalid in XML and in PostgreSQL
# text; the non-characters U+FFFE, U+FFFF and U+FDD0-U+FDEF (one in a headline made every
# feed and the news sitemap unreadable XML); and the bidirectional embeddings, overrides
# and isolates, which turn a headline's letters around ("kcots" shown as "stock") and which
# no feed of the corpus uses (right-to-left text needs none of them).
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]"
)
# A script's or a style sheet's body is code, not words: a title keeps none of it.
_CODE = re.compile(
    r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)

# Query parameters that identify a campaign or a click, never the document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "ref_url",
        "cmpid",
        "ncid",
        "sr_share",
        "spm",
        "__twitter_impression",
        "oly_anon_id",
        "oly_enc_id",
        "vero_conv",
        "vero_id",
        "wt_mc",
        "at_medium",
        "at_campaign",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "ito",
        "s_kwcid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")

# Allowlist for article HTML. Ammonia's defaults minus layout-only and image-map tags.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener nofollow noreferrer"

# Hosts and paths that serve 1x1 "read" beacons inside feed content.
_PIXEL_HOSTS = re.compile(
    r"(feeds\.feedburner\.com/~r/|feedsportal\.com|pixel\.wp\.com|stats\.wordpress\.com|"
    r"doubleclick\.net|google-analytics\.com|pixel\.quantserve\.com|"
    r"feeds\.feedblitz\.com/~/i/|/~ff/|medium\.com/_/stat|rss\.buysellads\.com|"
    r"ad\.doubleclick|analytics\.|/pixel[./?]|/beacon[./?]|/track(ing)?/)",
    re.IGNORECASE,
)
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def without_unsafe_characters(text: str) -> str:
    """``text`` without the characters no page, feed or database should carry (see
    ``_CONTROL``); line breaks and tabs stay."""
    return _CONTROL.sub("", text)


# Letters that draw nothing: Hangul fillers, the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def says_something(text: str) -> bool:
    """Whether ``text`` has a character a reader can see: not only spaces, controls,
    zero-width or combining marks, or letters that draw nothing."""
    return any(
        unicodedata.category(c)[0] not in "CMZ"
        and not c.isspace()
        and c not in _BLANK_LETTERS
        for c in text
    )


def clean_text(value: object) -> str:
    """Any value as a single-spaced string without control characters."""
    if value is None:
        return ""
    text = _CONTROL.sub("", str(value))
    return _WS.sub(" ", text).strip()


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary when one is near, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def clean_title(raw: object, *, fallback_text: str = "") -> str:
    """A plain-text title: tags stripped, entities decoded, whitespace collapsed, capped.

    A missing title is taken from the start of the entry's text.
    """
    text = clean_text(raw)
    if "<" in text or "&" in text:
        # Entities first so that escaped markup ("&lt;b&gt;") is stripped as markup too.
        text = _CODE.sub(" ", html.unescape(_TAG.sub(" ", _CODE.sub(" ", text))))
        text = _TAG.sub(" ", text)
        text = clean_text(html.unescape(text))
    if not text:
        words = clean_text(fallback_text).split(" ")
        text = " ".join(words[:14])
        if not text:
            return ""
        return (
            clip(text, 120) if len(words) <= 14 else clip(text, 120).rstrip("…") + "…"
        )
    return clip(text, TITLE_MAX)


def clean_author(raw: object) -> str:
    return clip(clean_title(raw), AUTHOR_MAX)


def absolute_url(raw: object, base: str = "") -> str:
    """Resolve a link against the feed (or xml:base) URL; only http(s) links survive."""
    value = clean_text(raw)
    if not value:
        return ""
    try:
        url = urljoin(base, value) if base else value
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url[:URL_MAX]


def canonical_url(url: str) -> str:
    """The URL that identifies the document: tracking parameters, fragment and default port
    removed, scheme and host lower-cased. Empty when the URL cannot identify anything."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return ""
    if port and not (
        (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS
        and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    path = parts.path or "/"
    result = urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))
    return result if len(result) <= CANONICAL_URL_MAX else ""


def _is_tracking_pixel(attrs: dict[str, str]) -> bool:
    src = attrs.get("src", "")
    if not src:
        return True
    for dim in ("width", "height"):
        value = attrs.get(dim, "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 2:
            return True
    return bool(_PIXEL_HOSTS.search(src))


def _drop_pixels(match: re.Match[str]) -> str:
    attrs = dict(_ATTR.findall(match.group(0)))
    return "" if _is_tracking_pixel(attrs) else match.group(0)


def sanitize_html(raw: object, *, base_url: str = "") -> str:
    """Allowlisted HTML: no script or style, no event handlers or javascript: URLs, no tracking
    pixels; relative links resolved against ``base_url``; links get rel="noopener nofollow"."""
    if not raw:
        return ""
    text = _CONTROL.sub("", str(raw))
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={
            "script",
            "style",
            "noscript",
            "template",
            "iframe",
            "object",
        },
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        url_relative=("rewrite_with_base", base_url)
        if base_url.startswith(("http://", "https://"))
        else "pass_through",
    )
    if "<img" in cleaned:
        # nh3's output is normalised (double-quoted attributes), so a regex is safe here.
        cleaned = _IMG.sub(_drop_pixels, cleaned)
    return cleaned.strip()


_BLOCK_END = re.compile(
    r"</(p|div|li|h[1-6]|blockquote|tr|pre|figure)>|<br\s*/?>", re.I
)


def html_to_text(fragment: str) -> str:
    """Readable plain text from (already sanitised) HTML, paragraphs kept as blank lines."""
    if not fragment:
        return ""
    marked = _BLOCK_END.sub("\n\n", fragment)
    text = html.unescape(nh3.clean(marked, tags=set()))
    paragraphs = (clean_text(p) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def first_image(fragment: str) -> str:
    """The src of the first non-pixel image in sanitised HTML."""
    for match in _IMG.finditer(fragment or ""):
        attrs = dict(_ATTR.findall(match.group(0)))
        if not _is_tracking_pixel(attrs):
            return html.unescape(attrs["src"])
    return ""


def content_hash(title: str, text: str) -> str:
    """Identity of what an entry says, insensitive to case, whitespace and markup."""
    normalised = clean_text(f"{title}\n{text}").casefold()
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()


def make_guid(entry_id: object, link: str, title: str, date_key: str) -> str:
    """The entry's identity: its id, else its link, else a hash of title and date.

    Very long ids (seen in hostile feeds) are hashed so they fit an index.
    """
    guid = clean_text(entry_id) or link
    if not guid:
        digest = hashlib.sha256(
            f"{title}\n{date_key}".encode("utf-8", "replace")
        ).hexdigest()
        return f"sha256:{digest}"
    if len(guid) > GUID_MAX:
        return "sha256:" + hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()
    return guid
