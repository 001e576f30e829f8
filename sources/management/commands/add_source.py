from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sources.fetching import BlockedAddress
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
            raise CommandError(str(exc) + _hint(options["url"], exc)) from exc
        attempt = source.attempts.first()
        self.stdout.write(self.style.SUCCESS(f"Added {source.name} (id {source.pk})"))
        self.stdout.write(f"  feed: {source.feed_url}")
        if attempt:
            self.stdout.write(
                f"  first fetch: {attempt.get_outcome_display()}, "
                f"{attempt.new_count} new articles"
            )


def _hint(url: str, exc: SourceError) -> str:
    """How whoever runs this command (they run the server) may allow the feed they typed
    when it is on their own machine or network (a test feed, an intranet): never for a
    link-local address (a cloud's metadata service) or one reached by a redirect or a link,
    and with what else the setting opens."""
    blocked = exc.__cause__
    if not isinstance(blocked, BlockedAddress):
        return ""
    try:
        typed = urlsplit(url.strip()).hostname
        address = ipaddress.ip_address(blocked.address.split("%", 1)[0])
    except ValueError:
        return ""
    if blocked.host != typed or address.is_link_local or address.is_multicast:
        return ""
    if not (address.is_loopback or address.is_private):
        return ""
    return (
        " (on a development machine, NEWSROOM_ALLOW_PRIVATE_FEEDS=1 in the server's and "
        "workers' environment allows feeds on private addresses; it turns off the address "
        "check for every feed, and for partners' webhooks unless "
        "PARTNER_WEBHOOK_ALLOW_PRIVATE=0: never on a public server)"
    )
