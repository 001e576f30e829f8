from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sources.fetching import BlockedAddress, how_to_allow
from sources.services import SourceError, source_add


class Command(BaseCommand):
    help = "Add a feed by its URL, or by a web page that links to its feed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--category", default="", help="default category of its articles"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            source = source_add(
                url=options["url"],
                name=options["name"],
                default_category=options["category"],
            )
        except SourceError as exc:
            blocked = exc.__cause__
            hint = (
                how_to_allow(options["url"], blocked)
                if isinstance(blocked, BlockedAddress)
                else ""
            )
            raise CommandError(str(exc) + hint) from exc
        attempt = source.attempts.first()
        self.stdout.write(self.style.SUCCESS(f"Added {source.name} (id {source.pk})"))
        self.stdout.write(f"  feed: {source.feed_url}")
        if attempt:
            self.stdout.write(
                f"  first fetch: {attempt.get_outcome_display()}, "
                f"{attempt.new_count} new articles"
            )
