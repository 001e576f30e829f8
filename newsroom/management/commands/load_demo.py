"""Load the bundled demo sources and their feeds, offline, and create a demo editor."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Company
from editorial.exceptions import ActionRefused
from editorial.services import article_publish
from sources.models import FetchAttempt, Source
from sources.services import source_create, source_disable, source_ingest_body

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo_feeds"

# (file, name, feed URL, site URL, default category, trust). The URLs are where such feeds
# would live; the demo never fetches them: the bundled file goes through the same
# parse → ingest path as a fetched body.
DEMO_SOURCES = [
    (
        "northwind_wire.xml",
        "Northwind Wire",
        "https://northwind-wire.example/rss.xml",
        "https://northwind-wire.example/",
        "Business",
        0.8,
    ),
    (
        "ledger_daily.xml",
        "The Ledger Daily",
        "https://ledger-daily.example/feed/",
        "https://ledger-daily.example/",
        "Markets",
        0.7,
    ),
    (
        "circuit_report.xml",
        "Circuit Report",
        "https://circuit-report.example/atom.xml",
        "https://circuit-report.example/",
        "Technology",
        0.6,
    ),
    (
        "market_pulse.xml",
        "Market Pulse",
        "https://market-pulse.example/rss",
        "https://market-pulse.example/",
        "Markets",
        0.5,
    ),
    (
        "energy_transition_digest.xml",
        "Energy Transition Digest",
        "https://energy-digest.example/index.rdf",
        "https://energy-digest.example/",
        "Energy",
        0.6,
    ),
]

# The fictional companies the demo feeds write about (the offline backend finds companies it
# knows: these, and the well-known ones it ships with).
DEMO_COMPANIES = [
    ("Helios Semiconductor", "HLSM", ["Helios"]),
    ("Lumen Optics", "LMNO", ["Lumen"]),
    ("Northbridge Bank", "NBRB", ["Northbridge"]),
    ("Carrow Valley Bancorp", "CVBC", ["Carrow Valley"]),
    ("Verdant Grid Energy", "VGEN", ["Verdant Grid", "Verdant"]),
    ("Aster Motors", "ASTM", ["Aster"]),
    ("Quillon Pharmaceuticals", "QLPH", ["Quillon"]),
    ("Solenne Biotech", "SLNB", ["Solenne"]),
    ("Cobalt Cloud", "CBLT", ["Cobalt"]),
    ("Pellucid Retail", "PLRT", ["Pellucid"]),
    ("Ferrovia Logistics", "FRVL", ["Ferrovia"]),
    ("Halvard Steel", "HLVD", ["Halvard"]),
    ("Orrin Aerospace", "ORRN", ["Orrin"]),
    ("Corvane Air", "CRVA", ["Corvane"]),
    ("Zephyrine Telecom", "ZPHT", ["Zephyrine"]),
    ("Marrowick Insurance", "MRWK", ["Marrowick"]),
    ("Fennimore Foods", "FNMR", ["Fennimore"]),
    ("Auralis Networks", "AURN", ["Auralis"]),
    ("Kaldera Robotics", "KLDR", ["Kaldera"]),
    ("Tamsin Payments", "TMSN", ["Tamsin"]),
    ("Brannock Renewables", "BRNK", ["Brannock"]),
    ("Corrigan Utilities", "CRGU", ["Corrigan"]),
    ("Greyfell Mining", "GRFM", ["Greyfell"]),
]

DEMO_NOT_POLLED = (
    "a demo source, not polled: its address is a placeholder (.example); its feed was "
    "read once from demo_feeds/{}"
)
DEMO_EDITOR = ("editor", "newsroom-demo")
# How many of the demo's stories the setup publishes (the rest wait in the review queue).
DEMO_PUBLISHED = 18


class Command(BaseCommand):
    help = "Create the demo sources, ingest their bundled feeds offline and add a demo editor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-editor", action="store_true", help="skip the demo editor"
        )
        parser.add_argument(
            "--publish",
            type=int,
            default=DEMO_PUBLISHED,
            help="publish this many of the most important stories, as the demo editor, so "
            f"the public site has something to show (default {DEMO_PUBLISHED}; the rest "
            "wait in the review queue)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name, ticker, aliases in DEMO_COMPANIES:
            Company.objects.get_or_create(
                slug=slugify(name),
                defaults={"name": name, "ticker": ticker, "aliases": aliases},
            )
        # One transaction for every feed, so the pipeline (clustering, enrichment) runs
        # after the commit on stories already moved to the present (below).
        with transaction.atomic():
            self._ingest()
            self._bring_to_today()
        total = Article.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {total} articles from {len(DEMO_SOURCES)} sources."
            )
        )
        if not options["no_editor"]:
            editor = self._editor()
            self._publish(editor, options["publish"])

    def _ingest(self) -> None:
        for filename, name, feed_url, site_url, category, trust in DEMO_SOURCES:
            source = Source.objects.filter(feed_url=feed_url).first() or source_create(
                feed_url=feed_url,
                name=name,
                site_url=site_url,
                default_category=category,
                trust=trust,
            )
            attempt = source_ingest_body(
                source=source,
                body=(DEMO_DIR / filename).read_bytes(),
                content_type="application/xml",
            )
            if attempt.outcome == FetchAttempt.Outcome.ERROR:
                self.stderr.write(self.style.ERROR(f"{name}: {attempt.error}"))
            else:
                self.stdout.write(f"  {name:<28} {attempt.new_count:>3} new articles")
            # make run's beat polls what is due: a placeholder address would only fail
            # ("could not resolve") and mark the source failing after its first interval.
            source_disable(source=source, reason=DEMO_NOT_POLLED.format(filename))
        # The demo feeds name their images on reserved .example hosts (RFC 2606), which no
        # browser can load: the site would show a broken image above each story.
        Article.objects.filter(
            source__feed_url__in=[feed_url for _, _, feed_url, *_ in DEMO_SOURCES],
            image_url__regex=r"^https?://[^/]*\.example(:[0-9]+)?/",
        ).update(image_url="")

    def _bring_to_today(self) -> None:
        """The bundled feeds were written on fixed dates: the demo's new articles move
        together (their order and spacing kept) so the latest broke two hours ago, or the
        site would open a week old (an empty "Top 24 hours", stale sitemaps)."""
        new = Article.objects.filter(
            source__feed_url__in=[feed_url for _, _, feed_url, *_ in DEMO_SOURCES],
            status=Article.Status.NEW,
        )
        latest = new.aggregate(latest=Max("published_at"))["latest"]
        if latest is None:
            return
        shift = timezone.now() - timedelta(hours=2) - latest
        if shift > timedelta(hours=1):
            new.update(published_at=F("published_at") + shift)

    def _publish(self, editor: Any, count: int) -> None:
        """The desk's first decisions, made through the desk's own services (audited)."""
        if count <= 0 or Article.objects.published().exists():
            return
        leads = (
            Article.objects.leading()
            .awaiting_review()
            .order_by("-importance", "-published_at")[:count]
        )
        published = 0
        for article in leads:
            try:
                # Nobody read these: the system publishes them (the history says
                # so, and the demo editor is not offered to undo what they did not
                # do), and the story page says they went out without a review.
                article_publish(
                    article=article,
                    editor=None,
                    on_behalf_of=editor,
                    note="demo setup, published without review",
                    reviewed=False,
                )
                published += 1
            except (ActionRefused, ValidationError) as exc:
                self.stderr.write(f"  not published: {article.title[:60]}: {exc}")
        self.stdout.write(
            f"  Published {published} stories; "
            f"{Article.objects.leading().awaiting_review().count()} wait for review."
        )

    @transaction.atomic
    def _editor(self) -> Any:
        username, password = DEMO_EDITOR
        if not settings.DEBUG:
            # A published password is a demo's convenience only: outside DEBUG (a server
            # someone may reach), the chief editor gets a random one, shown once.
            password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"is_staff": True, "email": "editor@newsroom.example"},
        )
        if created:
            user.set_password(password)
            user.save()
            # The demo editor is a chief editor, so every desk action can be tried.
            user.groups.add(Group.objects.get(name="Chief editors"))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo editor created. Log in at {settings.SITE_URL.rstrip('/')}"
                    f"/admin/ as {username} / {password}"
                )
            )
        else:
            self.stdout.write(f"Demo editor: {username} (password unchanged)")
        return user
