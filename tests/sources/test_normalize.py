from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Fed   holds\nrates  ", "Fed holds rates"),
        ("<b>Bold</b> &amp; <i>brave</i>", "Bold & brave"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;Hello", "Hello"),
        # An attacker: a script's body stayed in the headline as words.
        ('<script>function executeMe() { alert("Executed") }</script>Real', "Real"),
        ("<style>h1 { color: red }</style>Styled", "Styled"),
        # "<" before a space or a figure is not a tag: the rest of the title stays.
        ("Profit < forecast & more", "Profit < forecast & more"),
        ("Revenue <$1bn, a <b>first</b>", "Revenue <$1bn, a first"),
        # An attacker: U+FFFE made every feed unreadable XML; U+202E turned letters round.
        ("Yarrow Bank \ufffe sells unit", "Yarrow Bank sells unit"),
        (
            "Borealis \u202ekcots\u202c plunges \u2067x\u2069",
            "Borealis kcots plunges x",
        ),
        ("Caf&eacute; &#8220;quoted&#8221;", "Café “quoted”"),
        (None, ""),
    ],
)
def test_titles_are_plain_single_spaced_text(raw: object, expected: str) -> None:
    assert normalize.clean_title(raw) == expected


def test_long_titles_are_cut_at_a_word_with_an_ellipsis() -> None:
    title = normalize.clean_title("word " * 200)
    assert len(title) <= normalize.TITLE_MAX
    assert title.endswith("word…")


def test_a_missing_title_is_taken_from_the_start_of_the_text() -> None:
    text = (
        "Shares of the harbour operator rose sharply on Tuesday after the port "
        "authority approved the expansion plan."
    )
    assert normalize.clean_title("", fallback_text=text) == (
        "Shares of the harbour operator rose sharply on Tuesday after the port authority approved…"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://News.Example.com:443/a/b?utm_source=rss&id=7&fbclid=x&gclid=y#top",
            "https://news.example.com/a/b?id=7",
        ),
        ("http://example.com:8080?utm_medium=feed", "http://example.com:8080/"),
        (
            "https://example.com/p?mc_cid=1&mc_eid=2&page=2",
            "https://example.com/p?page=2",
        ),
        ("javascript:alert(1)", ""),
        ("mailto:someone@example.com", ""),
        ("", ""),
    ],
)
def test_canonical_urls_drop_tracking_parameters_and_noise(
    url: str, expected: str
) -> None:
    assert normalize.canonical_url(url) == expected


def test_relative_links_resolve_against_the_base_and_only_http_survives() -> None:
    assert (
        normalize.absolute_url("../b.html", "https://x.example/feed/a/")
        == "https://x.example/feed/b.html"
    )
    assert normalize.absolute_url("javascript:alert(1)", "https://x.example/") == ""
    assert normalize.absolute_url("data:text/html,hi", "https://x.example/") == ""


def test_sanitiser_removes_scripts_handlers_and_javascript_urls() -> None:
    dirty = (
        '<p onclick="steal()">Hi <a href="javascript:alert(1)">x</a>'
        '<a href="/story">story</a></p><script>alert(1)</script><style>p{}</style>'
        '<iframe src="https://evil.example"></iframe><img src="x.png" onerror="boom()">'
    )
    clean = normalize.sanitize_html(dirty, base_url="https://site.example/feed")
    assert "script" not in clean and "alert" not in clean
    assert "onclick" not in clean and "onerror" not in clean
    assert "<style" not in clean and "<iframe" not in clean
    assert 'href="https://site.example/story"' in clean
    assert 'rel="noopener nofollow noreferrer"' in clean


@pytest.mark.parametrize(
    "pixel",
    [
        '<img src="https://feeds.feedburner.com/~r/site/~4/abc" height="1" width="1">',
        '<img src="https://cdn.example/t.gif" width="1" height="1">',
        '<img src="https://pixel.wp.com/b.gif?host=x">',
    ],
)
def test_sanitiser_removes_tracking_pixels_but_keeps_pictures(pixel: str) -> None:
    html = f'<p>Text</p>{pixel}<img src="https://cdn.example/photo.jpg" width="640" alt="Port">'
    clean = normalize.sanitize_html(html)
    assert "photo.jpg" in clean
    assert pixel.split('"')[1] not in clean


def test_plain_text_keeps_paragraphs_and_decodes_entities() -> None:
    text = normalize.html_to_text("<p>One &amp; two</p><p>Three<br>four</p>")
    assert text == "One & two\n\nThree\n\nfour"


def test_content_hash_ignores_case_markup_and_spacing() -> None:
    assert normalize.content_hash("Title", "Some  text") == normalize.content_hash(
        "title", "some text"
    )
    assert normalize.content_hash("Title", "Some text") != normalize.content_hash(
        "Title", "Other text"
    )


def test_guid_falls_back_from_id_to_link_to_title_and_date() -> None:
    assert normalize.make_guid("tag:x,2026:1", "https://l", "t", "d") == "tag:x,2026:1"
    assert normalize.make_guid(None, "https://l", "t", "d") == "https://l"
    by_hash = normalize.make_guid(None, "", "t", "2026-01-01")
    assert by_hash.startswith("sha256:")
    assert by_hash != normalize.make_guid(None, "", "t", "2026-01-02")


def test_huge_guids_are_hashed_to_fit_the_index() -> None:
    assert len(normalize.make_guid("x" * 5000, "", "", "")) <= normalize.GUID_MAX


# -- property-based: whatever a feed puts in a field, the normalisers return storable values --


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_titles_are_bounded_plain_text_for_any_input(raw: str) -> None:
    title = normalize.clean_title(raw)
    assert len(title) <= normalize.TITLE_MAX
    assert "\x00" not in title and "\n" not in title
    assert "<script" not in title.lower()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_sanitised_html_never_contains_active_content(raw: str) -> None:
    clean = normalize.sanitize_html(raw).lower()
    assert "<script" not in clean
    assert "javascript:" not in clean
    assert re.search(r"<[^>]*\son\w+\s*=", clean) is None  # no event-handler attribute


_markup = st.lists(
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<a href='javascript:x()'>",
            "<img src=x onerror=y()>",
            "<p>",
            "</p>",
            "&lt;",
            "&amp;",
            "text",
            " ",
            "<svg onload=z()>",
            "<style>",
            "\x00",
        ]
    )
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_markup)
def test_hostile_markup_fragments_are_neutralised(raw: str) -> None:
    clean = normalize.sanitize_html(raw).lower()
    for needle in (
        "<script",
        "javascript:",
        "onerror",
        "onload",
        "<svg",
        "<style",
        "\x00",
    ):
        assert needle not in clean


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_urls_are_http_or_nothing(raw: str, base: str) -> None:
    url = normalize.absolute_url(raw, "https://base.example/" + base)
    assert url == "" or url.startswith(("http://", "https://"))
    canonical = normalize.canonical_url(url)
    assert canonical == "" or len(canonical) <= normalize.CANONICAL_URL_MAX
    assert "utm_" not in canonical


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.text()), st.text(), st.text(), st.text())
def test_guids_are_never_empty_and_always_fit(
    entry_id: object, link: str, title: str, date: str
) -> None:
    guid = normalize.make_guid(entry_id, link, title, date)
    assert guid
    assert len(guid) <= max(normalize.GUID_MAX, len("sha256:") + 64)
