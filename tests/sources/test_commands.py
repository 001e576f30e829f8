from __future__ import annotations

import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

from articles.models import Article
from sources.models import Source
from tests.factories import SourceFactory, rss, story
from tests.feedserver import FeedServer

pytestmark = pytest.mark.django_db

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="Markets" title="Markets">
      <outline type="rss" text="Wire One" xmlUrl="https://one.example/rss" htmlUrl="https://one.example/"/>
      <outline type="rss" text="Wire Two" xmlUrl="https://two.example/atom"/>
    </outline>
    <outline type="rss" text="Loose Feed" xmlUrl="https://loose.example/feed"/>
  </body>
</opml>"""


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_import_opml_turns_nested_outlines_into_categories(tmp_path: Path) -> None:
    path = tmp_path / "subs.opml"
    path.write_bytes(OPML)
    output = run("import_opml", str(path))
    assert "3 sources added, 0 already present" in output
    assert Source.objects.get(name="Wire One").default_category == "Markets"
    assert Source.objects.get(name="Wire One").site_url == "https://one.example/"
    assert Source.objects.get(name="Loose Feed").default_category == ""
    assert "0 sources added, 3 already present" in run("import_opml", str(path))


def test_one_bad_outline_is_listed_with_its_line_and_the_others_are_imported(
    tmp_path: Path,
) -> None:
    """Issue: one outline with xmlUrl="not-a-url" printed a traceback and imported nothing."""
    path = tmp_path / "mixed.opml"
    path.write_bytes(
        b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>t</title></head><body>
<outline text="Good" xmlUrl="https://good.example/feed.xml"/>
<outline text="Bad" xmlUrl="not-a-url"/>
<outline text="Script" xmlUrl="javascript:alert(1)"/>
<outline text="Long" xmlUrl="https://long.example/feed" htmlUrl="https://x.example/%s"/>
<outline text="Also good" xmlUrl="https://also.example/rss"/>
</body></opml>"""
        % (b"a" * 3000)
    )
    out, err = StringIO(), StringIO()

    call_command("import_opml", str(path), stdout=out, stderr=err)

    assert sorted(Source.objects.values_list("name", flat=True)) == [
        "Also good",
        "Good",
    ]
    listed = err.getvalue().splitlines()
    assert listed[0] == (
        "! line 4: not-a-url: 'not-a-url' is not a feed address: it must start with "
        "http:// or https://"
    )
    assert listed[1].startswith("! line 5: javascript:alert(1): ")
    assert listed[2].startswith("! line 6: https://long.example/feed: site url: ")
    assert "2 sources added, 0 already present, 3 not imported" in out.getvalue()


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    (tmp_path / "in.opml").write_bytes(OPML)
    run("import_opml", str(tmp_path / "in.opml"))
    run("export_opml", "--output", str(tmp_path / "out.opml"))
    exported = (tmp_path / "out.opml").read_text()
    assert 'version="2.0"' in exported
    Source.objects.all().delete()
    run("import_opml", str(tmp_path / "out.opml"))
    assert sorted(Source.objects.values_list("name", "default_category")) == [
        ("Loose Feed", ""),
        ("Wire One", "Markets"),
        ("Wire Two", "Markets"),
    ]


def test_import_opml_rejects_a_file_that_is_not_opml(tmp_path: Path) -> None:
    path = tmp_path / "bad.opml"
    path.write_bytes(b"<html><body>nope</body></html>")
    with pytest.raises(CommandError, match="not an OPML document"):
        run("import_opml", str(path))


def test_add_source_finds_the_feed_from_a_web_page(feeds: FeedServer) -> None:
    feed_url = feeds.add(
        "/feeds/all.rss", rss([story(1), story(2)], title="Harbour News")
    )
    page = (
        "<!doctype html><html><head><title>Harbour News</title>"
        '<link rel="alternate" type="application/rss+xml" title="All" href="/feeds/all.rss">'
        "</head><body>Welcome</body></html>"
    )
    site = feeds.add("/", page, content_type="text/html")
    output = run("add_source", site, "--category", "Ports")
    source = Source.objects.get()
    assert source.feed_url == feed_url
    assert source.name == "Harbour News"
    assert source.default_category == "Ports"
    assert Article.objects.filter(source=source).count() == 2
    assert "2 new articles" in output


def test_add_source_explains_a_page_without_a_feed(feeds: FeedServer) -> None:
    site = feeds.add(
        "/", "<html><head></head><body>No feed</body></html>", content_type="text/html"
    )
    with pytest.raises(CommandError, match="is not a feed and links to none"):
        run("add_source", site)


def test_add_source_tells_the_operator_how_to_allow_a_feed_on_their_own_network(
    feeds: FeedServer, settings: Settings
) -> None:
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    with pytest.raises(CommandError, match="NEWSROOM_ALLOW_PRIVATE_FEEDS=1") as refused:
        run("add_source", feeds.add("/feed.xml", rss([story(1)])))
    assert "never on a public server" in str(refused.value)
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        # A cloud's metadata service: no advice that would open it.
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/feed",
    ],
)
def test_add_source_gives_no_advice_for_a_link_local_address(
    url: str, settings: Settings
) -> None:
    settings.NEWSROOM_ALLOW_PRIVATE_FEEDS = False
    with pytest.raises(CommandError, match="link-local") as refused:
        run("add_source", url)
    assert "NEWSROOM_ALLOW_PRIVATE_FEEDS" not in str(refused.value)


def test_add_source_gives_no_advice_for_a_public_page_pointing_inside(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public address that redirects or links to a private one: the refusal names the
    inside host, which is not what the operator typed."""
    from sources import fetching

    def refuse(url: str, **_kwargs: object) -> None:
        raise fetching.BlockedAddress("intranet.local", "10.0.0.5")

    monkeypatch.setattr(fetching, "fetch_feed", refuse)
    with pytest.raises(CommandError, match="10.0.0.5") as refused:
        run("add_source", "https://news.example/feed")
    assert "NEWSROOM_ALLOW_PRIVATE_FEEDS" not in str(refused.value)


def test_fetch_feeds_sync_prints_a_closing_table(feeds: FeedServer) -> None:
    ok = SourceFactory.create(
        feed_url=feeds.add("/ok.xml", rss([story(1), story(2)])),
        next_fetch_at=timezone.now(),
    )
    SourceFactory.create(
        feed_url=feeds.add(
            "/html.xml", "<html><body>x</body></html>", content_type="text/html"
        ),
        next_fetch_at=timezone.now(),
    )
    SourceFactory.create(
        feed_url=feeds.add("/missing.xml", status=404), next_fetch_at=timezone.now()
    )
    output = run("fetch_feeds", "--all", "--sync", "--workers", "1")
    lines = {
        line.rsplit("  ", 1)[0].strip(): line.split()[-1]
        for line in output.splitlines()
        if line.strip()
    }
    assert lines["sources fetched"] == "3"
    assert lines["new articles"] == "2"
    assert lines["errors"] == "2"
    assert lines["not_a_feed"] == "1" and lines["http_status"] == "1"
    assert "not a feed: got an HTML page" in output
    assert Article.objects.filter(source=ok).count() == 2


def test_fetch_feeds_without_sync_queues_tasks(feeds: FeedServer) -> None:
    SourceFactory.create(
        feed_url=feeds.add("/ok.xml", rss([story(1)])), next_fetch_at=timezone.now()
    )
    assert "Queued 1 fetches" in run("fetch_feeds")
    assert Article.objects.count() == 1  # eager in tests: the task ran


def test_fetch_feeds_names_unknown_sources() -> None:
    with pytest.raises(CommandError, match="no source with id 999"):
        run("fetch_feeds", "--source", "999", "--sync")


def test_an_unclosed_ipv6_address_is_one_rejected_outline_not_a_traceback(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v6.opml"
    path.write_bytes(
        b'<opml version="2.0"><body><outline text="Bad" xmlUrl="http://[::1/feed"/>'
        b'<outline text="Good" xmlUrl="https://good.example/rss"/></body></opml>'
    )
    err = StringIO()

    call_command("import_opml", str(path), stdout=StringIO(), stderr=err)

    assert list(Source.objects.values_list("name", flat=True)) == ["Good"]
    assert (
        "http://[::1/feed: 'http://[::1/feed' is not a valid address" in err.getvalue()
    )


def test_deeply_nested_and_same_named_outlines_import_quickly(tmp_path: Path) -> None:
    """An attack: 3,000 levels overflowed the recursion, and 2,000 outlines called "Feed"
    took over ten minutes (one query per slug number tried); each imported nothing. Deeper
    than Python's recursion limit (1,000), and counted in queries rather than seconds: a
    slug found by trying numbers one by one would cost 300 x 300 / 2 of them here."""
    depth, alike = 1200, 300
    assert depth > sys.getrecursionlimit()
    nested = b"".join(
        b'<outline text="Level %d" xmlUrl="https://deep.example/%d">' % (i, i)
        for i in range(depth)
    )
    same = b"".join(
        b'<outline text="Feed" xmlUrl="https://same.example/%d"/>' % i
        for i in range(alike)
    )
    path = tmp_path / "big.opml"
    path.write_bytes(
        b'<opml version="2.0"><body>'
        + nested
        + b"</outline>" * depth
        + same
        + b"</body></opml>"
    )

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # Counted by a wrapper: Django's own query log keeps only the last 9,000.
    with connection.execute_wrapper(count):
        run("import_opml", str(path))

    assert Source.objects.count() == depth + alike
    assert Source.objects.filter(slug=f"feed-{alike}").exists()
    assert queries < 15 * (depth + alike), queries  # 11 each today
