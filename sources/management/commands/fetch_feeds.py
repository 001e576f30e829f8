from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from tqdm import tqdm

from sources.models import FetchAttempt, Source
from sources.services import source_fetch, sources_due


def _fetch(source_id: int) -> FetchAttempt | None:
    try:
        return source_fetch(source_id=source_id)
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = "Fetch feeds: the due ones by default, all active ones with --all, or some by id."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", help="every active source")
        which.add_argument(
            "--source", type=int, nargs="+", metavar="ID", help="these sources"
        )
        parser.add_argument(
            "--sync",
            action="store_true",
            help="fetch in this process instead of queueing Celery tasks (no broker needed)",
        )
        parser.add_argument(
            "--workers", type=int, default=4, help="parallel fetches with --sync"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["source"]:
            ids = list(
                Source.objects.filter(pk__in=options["source"]).values_list(
                    "pk", flat=True
                )
            )
            missing = set(options["source"]) - set(ids)
            if missing:
                raise CommandError(
                    f"no source with id {', '.join(map(str, sorted(missing)))}"
                )
        elif options["all"]:
            ids = list(Source.objects.active().values_list("pk", flat=True))
        else:
            ids = sources_due()
        if not ids:
            self.stdout.write("Nothing to fetch.")
            return
        if not options["sync"]:
            from sources.tasks import fetch_source

            for pk in ids:
                fetch_source.delay(pk)
            self.stdout.write(self.style.SUCCESS(f"Queued {len(ids)} fetches."))
            return
        attempts: list[FetchAttempt] = []
        skipped = 0
        workers = max(1, options["workers"])
        if workers == 1:
            # In this thread: the same database connection, and transaction, as the caller.
            for pk in tqdm(ids, unit="feed", disable=options["verbosity"] < 1):
                if attempt := source_fetch(source_id=pk):
                    attempts.append(attempt)
            self._report(attempts, len(ids) - len(attempts))
            return
        with (
            ThreadPoolExecutor(max_workers=workers) as pool,
            tqdm(total=len(ids), unit="feed", disable=options["verbosity"] < 1) as bar,
        ):
            futures = [pool.submit(_fetch, pk) for pk in ids]
            for future in as_completed(futures):
                attempt = future.result()
                if attempt is None:
                    skipped += 1
                else:
                    attempts.append(attempt)
                bar.update()
        self._report(attempts, skipped)

    def _report(self, attempts: list[FetchAttempt], skipped: int) -> None:
        outcome = Counter(a.outcome for a in attempts)
        errors = Counter(
            a.error_kind for a in attempts if a.outcome == FetchAttempt.Outcome.ERROR
        )
        rows = [
            ("sources fetched", len(attempts)),
            ("new articles", sum(a.new_count for a in attempts)),
            ("updated articles", sum(a.updated_count for a in attempts)),
            ("unchanged articles", sum(a.unchanged_count for a in attempts)),
            ("duplicates skipped", sum(a.duplicate_count for a in attempts)),
            ("not modified (304)", outcome[FetchAttempt.Outcome.NOT_MODIFIED]),
            ("unchanged body", outcome[FetchAttempt.Outcome.UNCHANGED]),
            ("errors", outcome[FetchAttempt.Outcome.ERROR]),
        ]
        rows += [(f"  {kind}", count) for kind, count in errors.most_common()]
        if skipped:
            rows.append(("skipped (busy or disabled)", skipped))
        width = max(len(label) for label, _ in rows)
        self.stdout.write("")
        for label, value in rows:
            self.stdout.write(f"{label:<{width}}  {value:>7,}")
        failed = [a for a in attempts if a.outcome == FetchAttempt.Outcome.ERROR]
        for attempt in failed[:20]:
            self.stdout.write(
                self.style.WARNING(f"  {attempt.source.name}: {attempt.error}")
            )
