"""Entries → articles: deduplicate, store, update (the pipeline's first step, called by the
entry sink ``newsroom.pipeline.store_entries``).

Identity, in order: (source, guid); then the canonical URL across all sources; then the content
hash (the same text under another guid or URL). Deleted articles leave tombstones and rejected
ones stay as rows, so neither comes back on the next fetch. A changed entry updates its article
while no reader has seen it; after publication the change is only flagged for the editors.

Per batch the work is a fixed number of queries whatever the number of entries: three bulk
reads, one bulk insert, one bulk update.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from sources.models import Source
from sources.parsing import NormalizedEntry
from sources.sink import IngestStats

from .models import Article, Category, Tombstone

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A title with little or no text ("Featured Advertiser", "Comments") does not identify a
# story: the content hash only counts as identity when there is this much text behind it.
CONTENT_DEDUP_MIN_CHARS = 140
# Statuses in which nobody outside the newsroom has seen the article: the feed may still
# correct it. Published, rejected and archived articles are never rewritten by a fetch.
UPDATABLE = frozenset(
    {
        Article.Status.NEW,
        Article.Status.ENRICHING,
        Article.Status.IN_REVIEW,
        Article.Status.FAILED,
    }
)
# Statuses in which a feed change is only flagged for the desk: the copy was signed off.
FLAGGED = frozenset({Article.Status.APPROVED, Article.Status.PUBLISHED})
UPDATED_FIELDS = [
    "title",
    "feed_title",
    "author",
    "content",
    "text",
    "image_url",
    "language",
    "content_hash",
    "updated_at_source",
    "feed_revisions",
    "updated_at",
]


class OnWrite(Protocol):
    """Told, inside the ingest's transaction, which articles were created, which were
    updated from the feed (with what changed, old and new, per article id) and which the
    source changed after the desk signed them off (flagged, not rewritten): the pipeline
    queues the next steps and records the changes in the stories' history."""

    def __call__(
        self,
        *,
        created: list[int],
        updated: list[Article],
        changes: dict[int, dict[str, list[str]]],
        flagged: list[Article],
    ) -> None: ...


def _nothing(
    *,
    created: list[int],
    updated: list[Article],
    changes: dict[int, dict[str, list[str]]],
    flagged: list[Article],
) -> None:
    return None


def _batches(
    items: Iterable[NormalizedEntry], size: int
) -> Iterator[list[NormalizedEntry]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def ingest_entries(
    *,
    source: Source,
    entries: list[NormalizedEntry],
    fetched_at: datetime,
    on_write: OnWrite = _nothing,
) -> IngestStats:
    """Store a feed's entries as articles; returns what happened to them."""
    stats = IngestStats()
    category = _category_for(source)
    for batch in _batches(entries, BATCH_SIZE):
        stats += _ingest_batch(source, batch, fetched_at, category, on_write)
    return stats


def _category_for(source: Source) -> Category | None:
    name = source.default_category.strip()
    if not name:
        return None
    slug = slugify(name)[:100] or "uncategorised"
    category, _ = Category.objects.get_or_create(
        slug=slug, defaults={"name": name[:100]}
    )
    return category


def _new_article(
    source: Source,
    entry: NormalizedEntry,
    fetched_at: datetime,
    category: Category | None,
) -> Article:
    return Article(
        source=source,
        guid=entry.guid,
        url=entry.url,
        canonical_url=entry.canonical_url,
        title=entry.title or "(untitled)",
        feed_title=entry.title or "(untitled)",
        author=entry.author,
        published_at=entry.published_at,
        updated_at_source=entry.updated_at,
        content=entry.content_html,
        text=entry.text,
        image_url=entry.image_url,
        language=entry.language,
        content_hash=entry.content_hash,
        category=category,
        created_at=fetched_at,
    )


def _ingest_batch(
    source: Source,
    entries: list[NormalizedEntry],
    fetched_at: datetime,
    category: Category | None,
    on_write: OnWrite,
) -> IngestStats:
    stats = IngestStats()
    guids = [entry.guid for entry in entries]
    existing = {
        article.guid: article
        for article in Article.objects.filter(source=source, guid__in=guids).only(
            "id",
            "guid",
            "title",
            "feed_title",
            "content_hash",
            "status",
            "feed_revisions",
            "upstream_changed_at",
            "edited_fields",
        )
    }
    fresh = [entry for entry in entries if entry.guid not in existing]

    urls = {entry.canonical_url for entry in fresh if entry.canonical_url}
    hashes = {
        entry.content_hash
        for entry in fresh
        if len(entry.text) >= CONTENT_DEDUP_MIN_CHARS
    }
    taken_urls: set[str] = set()
    taken_hashes: set[str] = set()
    if fresh:
        # Two index lookups rather than one OR, which SQLite answers with a table scan.
        taken_urls.update(
            Article.objects.filter(canonical_url__in=urls)
            .exclude(canonical_url="")
            .order_by()
            .values_list("canonical_url", flat=True)
        )
        taken_hashes.update(
            Article.objects.filter(content_hash__in=hashes)
            .order_by()
            .values_list("content_hash", flat=True)
        )
    tombstoned_guids: set[str] = set()
    if fresh:
        for guid, url, content_hash, source_id in Tombstone.objects.filter(
            Q(source=source, guid__in=[e.guid for e in fresh])
            | Q(canonical_url__in=urls)
            | Q(content_hash__in=hashes)
        ).values_list("guid", "canonical_url", "content_hash", "source_id"):
            if source_id == source.pk:
                tombstoned_guids.add(guid)
            taken_urls.add(url)
            taken_hashes.add(content_hash)
    taken_urls.discard("")

    to_create: list[Article] = []
    for entry in fresh:
        if entry.guid in tombstoned_guids:
            stats.tombstoned += 1
        elif (
            entry.canonical_url
            and entry.canonical_url in taken_urls
            or (
                entry.content_hash in taken_hashes
                and len(entry.text) >= CONTENT_DEDUP_MIN_CHARS
            )
        ):
            stats.duplicates += 1
        else:
            to_create.append(_new_article(source, entry, fetched_at, category))
            if entry.canonical_url:
                taken_urls.add(entry.canonical_url)
            taken_hashes.add(entry.content_hash)

    to_update: list[Article] = []
    feed_changes: dict[int, dict[str, list[str]]] = {}
    flagged: list[Article] = []
    for entry in entries:
        article = existing.get(entry.guid)
        if article is None:
            continue
        if article.content_hash == entry.content_hash:
            stats.unchanged += 1
        elif article.status in UPDATABLE:
            title = entry.title or "(untitled)"
            changes = {"content_hash": [article.content_hash, entry.content_hash]}
            if title != article.source_headline:
                changes["feed_title"] = [article.source_headline, title]
            article.feed_title = title
            if title != article.title and "title" not in article.edited_fields:
                # A headline the desk rewrote stays the desk's.
                changes["title"] = [article.title, title]
                article.title = title
            feed_changes[article.pk] = changes
            article.author = entry.author
            article.content = entry.content_html
            article.text = entry.text
            article.image_url = entry.image_url
            article.language = entry.language
            article.content_hash = entry.content_hash
            article.updated_at_source = entry.updated_at
            article.feed_revisions += 1
            article.updated_at = fetched_at  # bulk_update() does not apply auto_now
            to_update.append(article)
        else:
            if article.status in FLAGGED and article.upstream_changed_at is None:
                article.upstream_changed_at = fetched_at
                flagged.append(article)
            stats.unchanged += 1
    stats.updated = len(to_update)

    created = _write(to_create, to_update, flagged, feed_changes, on_write)
    stats.new = created
    stats.duplicates += len(to_create) - created
    return stats


def _write(
    to_create: list[Article],
    to_update: list[Article],
    flagged: list[Article],
    changes: dict[int, dict[str, list[str]]],
    on_write: OnWrite,
) -> int:
    """Insert and update in one transaction; returns how many articles were created."""
    try:
        with transaction.atomic():
            Article.objects.bulk_create(to_create)
            updated = _bulk_updates(to_update, flagged, changes)
            on_write(
                created=[article.pk for article in to_create],
                updated=updated,
                changes=changes,
                flagged=flagged,
            )
        return len(to_create)
    except IntegrityError:
        # Another source stored the same canonical URL between our read and our write. Fall
        # back to one savepoint per article so the rest of the batch still lands.
        logger.info(
            "ingest: concurrent duplicate, retrying %d articles one by one",
            len(to_create),
        )
    created: list[int] = []
    with transaction.atomic():
        for article in to_create:
            article.pk = None
            try:
                with transaction.atomic():
                    article.save(force_insert=True)
                created.append(article.pk)
            except IntegrityError:
                continue
        updated = _bulk_updates(to_update, flagged, changes)
        on_write(created=created, updated=updated, changes=changes, flagged=flagged)
    return len(created)


def _bulk_updates(
    to_update: list[Article],
    flagged: list[Article],
    changes: dict[int, dict[str, list[str]]],
) -> list[Article]:
    """Write the feed's changes; returns the articles really updated.

    The rows were read without a lock; an editor may have rewritten the headline or the desk
    signed the story off since. So they are locked and looked at again first: a story signed
    off meanwhile is only flagged, and a headline the desk changed meanwhile stays.
    """
    if to_update:
        now = {
            pk: (status, title, edited, revisions)
            for pk, status, title, edited, revisions in Article.objects.select_for_update()
            .filter(pk__in=[article.pk for article in to_update])
            .order_by("pk")
            .values_list("pk", "status", "title", "edited_fields", "feed_revisions")
        }
        still: list[Article] = []
        for article in to_update:
            status, title, edited, revisions = now.get(article.pk, (None, "", [], 0))
            if status not in UPDATABLE:
                if status in FLAGGED:
                    # Only flagged: the row keeps what the desk signed off, and so does
                    # what the history records about it.
                    article.status, article.title = status, title
                    article.feed_revisions = revisions
                    article.upstream_changed_at = article.updated_at
                    flagged.append(article)
                changes.pop(article.pk, None)
                continue
            noted = changes.setdefault(article.pk, {})
            read = noted["title"][0] if "title" in noted else article.title
            if "title" in edited or title != read:
                article.title = title  # the desk's headline, as it is now
                noted.pop("title", None)
            still.append(article)
        to_update = still
        Article.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=BATCH_SIZE)
    if flagged:
        Article.objects.bulk_update(
            flagged, ["upstream_changed_at"], batch_size=BATCH_SIZE
        )
    return to_update
