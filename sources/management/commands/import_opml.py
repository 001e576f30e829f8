from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sources.services import SourceError, source_import_opml


class Command(BaseCommand):
    help = (
        "Create sources from an OPML file; nested outlines become default categories."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = options["file"].read_bytes()
            result = source_import_opml(data=data)
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        for source in result.created:
            category = (
                f" [{source.default_category}]" if source.default_category else ""
            )
            self.stdout.write(f"+ {source.name}{category}  {source.feed_url}")
        for line, url, reason in result.rejected:
            self.stderr.write(f"! line {line}: {url}: {reason}")
        summary = f"{len(result.created)} sources added, {len(result.skipped)} already present"
        if result.rejected:
            self.stdout.write(
                self.style.WARNING(
                    f"{summary}, {len(result.rejected)} not imported"
                    " (each listed with its line and the reason)."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary}."))
