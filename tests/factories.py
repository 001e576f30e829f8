"""Feed documents and model objects for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

import factory
from django.utils.text import slugify

from articles.models import Article
from sources.models import Source


def rss(
    items: list[dict[str, str]],
    *,
    title: str = "Test Wire",
    link: str = "https://wire.example/",
    ttl: int | None = None,
    extra_channel: str = "",
) -> bytes:
    """An RSS 2.0 document. Item keys: title, link, guid, description, content, pubDate,
    author; values are inserted escaped except `content` (wrapped in CDATA)."""
    parts = []
    for item in items:
        fields = []
        for key in ("title", "link", "guid", "description", "pubDate", "author"):
            if key in item:
                fields.append(f"<{key}>{escape(item[key])}</{key}>")
        if "content" in item:
            fields.append(
                f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>"
            )
        fields.append(item.get("raw", ""))
        parts.append("<item>" + "".join(fields) + "</item>")
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>{ttl_tag}"
        f"{extra_channel}{''.join(parts)}</channel></rss>"
    ).encode()


def rss_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def story(n: int, *, when: datetime | None = None, **overrides: str) -> dict[str, str]:
    """A plausible, distinct news item number n."""
    when = when or datetime(2026, 11, 20, 9, 0, tzinfo=UTC) + timedelta(hours=n)
    item = {
        "title": f"Story number {n} about the harbour expansion",
        "link": f"https://wire.example/news/{n}",
        "guid": f"https://wire.example/news/{n}",
        "description": (
            f"Port authority approves phase {n} of the harbour expansion, adding {n * 40} "
            f"berths and {n * 3} cranes by 2028. Officials expect cargo volumes to rise "
            "once the dredging of the northern channel is complete next spring."
        ),
        "pubDate": rss_date(when),
    }
    item.update(overrides)
    return item


class SourceFactory(factory.django.DjangoModelFactory[Source]):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    feed_url = factory.Sequence(lambda n: f"https://feeds{n}.example/rss.xml")


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    class Meta:
        model = Article

    source = factory.SubFactory(SourceFactory)
    guid = factory.Sequence(lambda n: f"guid-{n}")
    url = factory.Sequence(lambda n: f"https://news.example/{n}")
    canonical_url = factory.LazyAttribute(lambda a: a.url)
    title = factory.Faker("sentence")
    text = factory.Faker("paragraph")
    published_at = factory.LazyFunction(lambda: datetime.now(UTC))
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    status = Article.Status.NEW
    # Published stories have their address on the site and their publication time, as the
    # desk's publish gives them.
    slug = factory.LazyAttributeSequence(
        lambda a, n: (
            f"{slugify(a.title)[:60]}-{n}"
            if a.status == Article.Status.PUBLISHED
            else ""
        )
    )
    published_at_site = factory.LazyAttribute(
        lambda a: datetime.now(UTC) if a.status == Article.Status.PUBLISHED else None
    )


def enrich(article_id: int, **options: object) -> None:
    """Run the pipeline's enrichment chain for one article in-process: the backend's proposal,
    then the desk receiving it."""
    from newsroom.pipeline import enrichment_chain

    enrichment_chain(article_id, **options).apply()  # type: ignore[arg-type]
