"""A realistic front page for the checks that look at whole pages (browser, HTML, axe).

Published the way the desk publishes, with what stretches a layout: long headlines and
unbroken words, long source and company names, a URL in a summary, every badge, an image,
another outlet's report, related stories and a correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User

from articles.models import Article, Category, Company
from editorial import services
from stories import clustering
from tests.editorial.factories import chief, reported, story
from tests.factories import ArticleFactory, SourceFactory

S = Article.Status

LEAD_TITLE = (
    "Helios Semiconductor agrees to buy Lumen Photonics for $4.2bn in the optics "
    "industry's largest deal since 2019, pending approval by regulators in Brussels, "
    "Washington and Beijing"
)
# German compounds are real headlines too; nothing may push the page sideways.
LONG_WORD_TITLE = (
    "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt "
    "raises contributions for the first time in a decade"
)
SUMMARY_WITH_URL = (
    "The filing, published at https://investors.heliossemiconductor.example/news/2026/"
    "HeliosToAcquireLumenPhotonicsDefinitiveAgreementAnnouncement?utm_source=newswire, "
    "says the boards of both companies approved the deal unanimously."
)


@dataclass
class Sample:
    lead: Article  # the story page with everything on it
    long_words: Article  # a story of unbreakable words
    company: Company
    stories: list[Article]  # every published story, newest first on the front page


def published(editor: User, title: str, **fields: Any) -> Article:
    article = story(S.APPROVED, title=title, **fields)
    return services.article_publish(article=article, editor=editor)


def newsroom(*, filler: int = 0) -> Sample:
    """Published stories as the desk leaves them, plus ``filler`` plain published ones
    (older, so the desk's stories lead the front page) for "load more"."""
    boss = chief("sample-chief")
    wire = SourceFactory.create(name="Financial Markets Wire International")
    helios = Company.objects.create(
        name="Helios Semiconductor Manufacturing Corporation",
        slug="helios",
        ticker="HLSM",
    )
    lumen = Company.objects.create(name="Lumen Photonics", slug="lumen", ticker="LUMN")
    technology = Category.objects.get(slug="technology")
    markets = Category.objects.get(slug="markets")
    base = datetime.now(UTC) - timedelta(days=2)
    made: list[Article] = []
    for n in range(filler):
        made.append(
            ArticleFactory.create(
                title=f"Port authority approves phase {n} of the harbour expansion",
                summary=(
                    f"Phase {n} adds {n * 40} berths and {n * 3} cranes by 2028; "
                    "officials expect cargo volumes to rise once dredging is done."
                ),
                status=S.PUBLISHED,
                published_at=base - timedelta(hours=n),
                published_at_site=base - timedelta(hours=n),
                source=wire,
                category=[markets, technology, None][n % 3],
                sentiment=["bullish", "bearish", "neutral", ""][n % 4],
                importance=(n % 10) + 1,
            )
        )

    related = published(
        boss,
        "Lumen Photonics shareholders back Helios Semiconductor offer",
        summary="Lumen Photonics shareholders voted to accept the Helios offer.",
        text="Shareholders of Lumen Photonics backed the Helios Semiconductor offer.",
        sentiment="bullish",
        importance=6,
        category=technology,
        source=wire,
    )
    long_word = published(
        boss,
        LONG_WORD_TITLE,
        summary=SUMMARY_WITH_URL,
        sentiment="bearish",
        importance=3,
        category=markets,
    )
    lead = published(
        boss,
        LEAD_TITLE,
        summary=(
            "Helios agreed to buy Lumen Photonics for $4.2bn in cash, its largest "
            "acquisition, to secure the optical interconnects its AI chips need."
        ),
        analysis=(
            "The deal makes Helios the largest supplier of optical interconnects.\n\n"
            "Regulators in three jurisdictions must approve it; Beijing's review of a "
            "similar deal took fourteen months."
        ),
        takeaways=[
            "Helios pays $4.2bn in cash, a 38% premium.",
            "Regulators in the EU, US and China must approve.",
            "Closing is expected in the second half of 2027.",
        ],
        text="Helios Semiconductor agreed to buy Lumen Photonics for $4.2 billion.",
        sentiment="bullish",
        importance=9,
        category=technology,
        author="Ada Reporter and Grace Correspondent",
        image_url="https://img.example/helios-lumen.jpg",
        source=wire,
    )
    lead.companies.add(helios, lumen)
    long_word.companies.add(helios)
    reported(
        lead,
        title="Chip giant Helios snaps up optics maker Lumen in $4.2bn deal",
        url="https://other.example/helios-lumen",
    )
    lead = services.article_edit(
        article=lead,
        editor=boss,
        version=lead.version,
        changes={"summary": lead.summary.replace("$4.2bn", "$4.2bn (€3.9bn)")},
        correction="added the price in euros",
    )
    for article in (related,):
        Article.objects.filter(pk=article.pk).update(cluster=None)
        clustering.assign(Article.objects.get(pk=article.pk))
    lead.refresh_from_db()
    stories = [lead, long_word, related, *made]
    return Sample(lead=lead, long_words=long_word, company=helios, stories=stories)
