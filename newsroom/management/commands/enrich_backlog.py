from __future__ import annotations

import time
from typing import Any

from celery import current_app
from celery.exceptions import Retry
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from articles.models import Article
from enrichment import batches
from enrichment.budget import BudgetExhausted
from newsroom import pipeline


class Command(BaseCommand):
    help = (
        "Enrich every article waiting for it: one task each, or with --batch one Message "
        "Batches request at half the price (Claude backend only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="use the Message Batches API"
        )
        parser.add_argument("--limit", type=int, default=10_000)
        parser.add_argument(
            "--wait",
            action="store_true",
            help="with --batch: poll in the foreground with a progress bar and apply results",
        )
        parser.add_argument("--poll-interval", type=float, default=30.0)

    def _enrich_here(self, ids: list[int], *, verbosity: int) -> None:
        """Without a broker each article runs here, one after another. When the API asks us
        to wait (a 429 or 529 that Celery would retry later), stop and say so: the article
        and the rest stay queued for the next run, instead of a Retry traceback."""
        done = 0
        for article_id in tqdm(ids, unit="article", disable=verbosity < 1):
            try:
                pipeline.restart([article_id])
            except Retry as exc:
                left = len(ids) - done
                self.stdout.write(
                    self.style.WARNING(
                        f"Enriched {done} articles; the API asked us to wait "
                        f"({exc.exc or exc}). {left} stay queued: run enrich_backlog "
                        "again later, or start a worker (make worker) to retry on its own."
                    )
                )
                return
            done += 1
        self.stdout.write(self.style.SUCCESS(f"Enriched {done} articles."))

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["batch"]:
            ids = list(
                Article.objects.new()
                .order_by("-published_at")
                .values_list("pk", flat=True)[: options["limit"]]
            )
            if current_app.conf.task_always_eager:
                self._enrich_here(ids, verbosity=options["verbosity"])
                return
            for start in tqdm(
                range(0, len(ids), 100),
                unit="100 articles",
                disable=options["verbosity"] < 1,
            ):
                pipeline.restart(ids[start : start + 100])
            self.stdout.write(self.style.SUCCESS(f"Queued {len(ids)} articles."))
            return
        if settings.ENRICHMENT_BACKEND != "claude":
            raise CommandError(
                "--batch needs the Claude backend (set ANTHROPIC_API_KEY)"
            )
        try:
            batch = batches.batch_submit(limit=options["limit"])
        except BudgetExhausted as exc:
            raise CommandError(str(exc)) from exc
        if batch is None:
            self.stdout.write("Nothing to enrich.")
            return
        self.stdout.write(
            f"Submitted batch {batch.batch_id} with {len(batch.article_ids)} "
            f"articles (${batch.reserved_usd:.4f} reserved)."
        )
        if not options["wait"]:
            self.stdout.write("Celery beat applies the results as they come.")
            return
        with tqdm(
            total=len(batch.article_ids),
            unit="article",
            disable=options["verbosity"] < 1,
        ) as bar:
            while True:
                progress = batches.batch_poll(batch)
                pipeline.batch_results_hand_on(progress)
                bar.n = progress.done
                bar.refresh()
                if progress.ended:
                    break
                time.sleep(options["poll_interval"])
        batch.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"Batch done: {batch.applied} applied, {batch.failed} sent back to the queue."
            )
        )
