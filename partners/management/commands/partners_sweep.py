"""Run the partners' sweep once: what beat does every minute (announce changes a lost
message left pending, retry webhook deliveries that are due, write request counts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from partners.tasks import sweep


class Command(BaseCommand):
    help = (
        "Announce pending changes, retry due webhook deliveries and save usage counts "
        "(beat runs this every minute; without a worker, run it yourself or from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = sweep()
        self.stdout.write(
            f"Announced {done['announced']} change(s), attempted {done['delivered']} "
            f"delivery(ies), saved usage for {done['usage']} partner-day(s)."
        )
