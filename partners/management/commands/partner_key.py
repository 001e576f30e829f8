"""Create a partner (if new) and one API key for it; prints the key, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.models import Partner, PartnerAPIKey


class Command(BaseCommand):
    help = "Create an API key for a partner (created if new) and print it: it is shown once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("partner", help="the partner's name")
        parser.add_argument("--email", default="", help="contact e-mail (new partner)")
        parser.add_argument(
            "--tier", default=Partner.Tier.TRIAL, choices=Partner.Tier.values
        )
        parser.add_argument("--name", default="default", help="what the key is for")
        parser.add_argument(
            "--days", type=int, default=0, help="expire after N days (0: never)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 0:
            raise CommandError(
                "--days is how many days the key lasts: 1 or more (0: no expiry)."
            )
        partner = Partner.objects.filter(name=options["partner"]).first()
        if partner is None:
            if not options["email"]:
                raise CommandError("A new partner needs --email (its contact).")
            partner = Partner.objects.create(
                name=options["partner"],
                contact_email=options["email"],
                tier=options["tier"],
            )
            self.stdout.write(f"Created partner {partner.name} ({partner.tier}).")
        expiry = (
            timezone.now() + timedelta(days=options["days"])
            if options["days"]
            else None
        )
        key_object, key = PartnerAPIKey.objects.create_key(
            partner=partner, name=options["name"][:50], expiry_date=expiry
        )
        self.stdout.write(
            f"API key {key_object.prefix}… for {partner.name} "
            "(store it now: it is not shown again):"
        )
        self.stdout.write(key)
