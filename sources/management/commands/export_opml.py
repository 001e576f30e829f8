from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sources.services import sources_export_opml


class Command(BaseCommand):
    help = "Write every source as OPML 2.0 (to stdout, or to --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", default="-")

    def handle(self, *args: Any, **options: Any) -> None:
        data = sources_export_opml()
        if options["output"] == "-":
            self.stdout.write(data.decode("utf-8"))
        else:
            with open(options["output"], "wb") as fh:
                fh.write(data)
            self.stderr.write(f"Wrote {options['output']}")
