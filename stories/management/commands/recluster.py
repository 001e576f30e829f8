from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, Q
from django.utils import timezone
from tqdm import tqdm

from articles.models import Article
from stories import clustering, consolidation
from stories.models import StoryCluster


class Command(BaseCommand):
    help = (
        "Re-run story clustering over a period (a backfill, or after tuning the threshold). "
        "Articles an editor merged or split, and stories the desk has decided or edited, "
        "are left where they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=30, help="how far back (default 30)"
        )
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="recompute every article's key terms first: after upgrading to a "
            "release that changes how they are read (the README's upgrade notes say "
            "which)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = timezone.now() - timedelta(days=options["days"])
        # Articles the desk has acted on stay where they are, and so do the stories an
        # editor touched (merged, split, chose the lead of): consolidation's fixed stories.
        settled = Article.objects.filter(
            Q(pk__in=Article.objects.settled().values("pk")) | Q(cluster__manual=True)
        ).values("pk")
        articles = Article.objects.filter(published_at__gte=since).exclude(
            pk__in=settled
        )
        ids = list(articles.order_by("published_at", "pk").values_list("pk", flat=True))
        if options["reindex"]:
            # What the desk settled keeps its story, but is read the new way too.
            for article in Article.objects.filter(
                published_at__gte=since, pk__in=settled
            ).iterator():
                clustering.index_article(article)
        # Detach first, so each article only meets those already re-clustered before it.
        articles.update(cluster=None)
        for article in tqdm(
            Article.objects.filter(pk__in=ids)
            .order_by("published_at", "pk")
            .iterator(),
            total=len(ids),
            unit="article",
            disable=options["verbosity"] < 1,
        ):
            # Each alone first; consolidation below makes the stories, from the reports
            # alone (assign's first guess could put one into a story an editor froze).
            if options["reindex"] or not article.cluster_signature:
                clustering.index_article(article)
            clustering.ensure_cluster(article)
        # The same stories whatever order the articles came in (stories/consolidation.py).
        ordered = list(
            Article.objects.filter(pk__in=ids)
            .order_by(*consolidation.SEED_ORDER)
            .values_list("pk", flat=True)
        )
        for seeds in consolidation.chunks(ordered):
            consolidation.consolidate(seeds)
        emptied = StoryCluster.objects.annotate(n=Count("articles")).filter(n=0)
        removed, _ = emptied.delete()
        multi = StoryCluster.objects.multi_source().count()
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-clustered {len(ids)} articles: {multi} stories with several sources, "
                f"{removed} empty clusters removed."
            )
        )
