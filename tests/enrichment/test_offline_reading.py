"""The offline analysis's reading: what the news means for the company it is about and what the
market made of it, in a few words of ours around the article's own names and figures, and
nothing at all when the article gives it nothing to go on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from enrichment.offline import OfflineBackend
from enrichment.offline.reading import OWN_WORDS, market_moves, without_reading
from enrichment.schema import ArticleInput, CompanyMention, EnrichmentResult

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
COMPANIES = (
    ("Aster Motors", "ASTM", ("Aster",)),
    ("Helios Semiconductor", "HLSM", ("Helios",)),
    ("Lumen Optics", "LMNO", ("Lumen",)),
    ("Quillon Pharmaceuticals", "QLPH", ("Quillon",)),
)

JOB_CUTS = (
    "Aster Motors will eliminate about 3,500 jobs and close its Harlow Creek assembly plant "
    "in Ohio by June 2027, the carmaker said on Wednesday. The plant employs about 2,100 "
    "people and builds the Caravel sport utility vehicle. Production of the Caravel will "
    "move to the company's plant in Tennessee. Union leaders called the closure a betrayal "
    "of workers who had accepted pay cuts. Aster shares rose 3.2% in early trading."
)
TRIAL = (
    "Quillon Pharmaceuticals said on Monday its experimental heart drug reduced the risk of "
    "hospitalization by 23% in a Phase 3 trial, meeting its main goal. Quillon plans to "
    "file for approval in 2027. Quillon shares jumped 34% to $71.80 in premarket trading. "
    "Analysts raised their price targets. The drug could reach sales of $2 billion a year."
)
DEAL = (
    "Helios Semiconductor agreed on Monday to buy Lumen Optics for $4.2 billion in cash, "
    "its largest acquisition. Helios will pay $38.50 a share, a premium of 31%. "
    "Lumen shares rose 27% after the announcement, while Helios shares slipped 2.1%. "
    "The deal is expected to close in 2027. Helios plans to keep the Lumen brand."
)


def enrich(title: str, text: str) -> EnrichmentResult:
    article = ArticleInput(
        title=title,
        text=text,
        source_name="Northwind Wire",
        published_at=NOW - timedelta(hours=1),
        categories=("Business", "Technology", "Health"),
        known_companies=COMPANIES,
    )
    return OfflineBackend().enrich(article, now=NOW)


def reading_of(result: EnrichmentResult) -> str:
    return result.analysis.removesuffix(without_reading(result.analysis)).strip()


def test_job_cuts_read_as_bearish_for_the_company_and_a_falling_share_price_agrees() -> (
    None
):
    text = JOB_CUTS.replace("Aster shares rose 3.2%", "Aster shares fell 4.1%")
    result = enrich("Aster Motors to cut 3,500 jobs and close Ohio plant", text)

    assert result.sentiment == "bearish"
    assert reading_of(result) == (
        "Bearish for Aster Motors: 3,500 job cuts. "
        "The market took it badly: Aster shares fell 4.1%."
    )


@pytest.mark.parametrize(
    ("moved", "verdict"),
    [
        ("fell 2.3%", "A muted market reaction: Aster shares fell 2.3%."),
        ("fell 41%", "The market took it badly: Aster shares fell 41%."),
    ],
)
def test_how_the_market_took_it_depends_on_how_far_the_shares_moved(
    moved: str, verdict: str
) -> None:
    """Found by a stranger: a 2.3% dip and a 41% crash both read "The market took it
    badly"; a move under 3% is no verdict either way."""
    text = JOB_CUTS.replace("Aster shares rose 3.2%", f"Aster shares {moved}")
    result = enrich("Aster Motors to cut 3,500 jobs and close Ohio plant", text)

    assert result.sentiment == "bearish"
    assert reading_of(result) == f"Bearish for Aster Motors: 3,500 job cuts. {verdict}"


def test_shares_rising_on_bad_news_are_reported_without_a_reason_of_ours() -> None:
    """The rules cannot know why (a reader found "investors looked past the news" where the
    other report said investors welcomed the savings): only the relation is stated, and the
    company's shares outweigh the tone of its passages."""
    result = enrich("Aster Motors to cut 3,500 jobs and close Ohio plant", JOB_CUTS)

    assert result.sentiment == "bearish"
    assert reading_of(result) == (
        "The shares went the other way: Aster shares rose 3.2%."
    )
    aster = next(c for c in result.companies if c.name.startswith("Aster"))
    assert aster.sentiment == "bullish"  # what its shares did


def test_good_news_that_the_market_welcomed() -> None:
    result = enrich("Quillon heart drug meets main goal in Phase 3 trial", TRIAL)

    assert result.sentiment == "bullish"
    reading = reading_of(result)
    # "a Phase 3 trial" would say nothing: a trial is a success for one company and a
    # failure for another.
    assert reading == "Investors welcomed it: Quillon shares jumped 34%."


def test_a_deal_the_buyers_shares_fell_on_is_not_read_as_bullish_for_the_buyer() -> (
    None
):
    result = enrich("Helios to buy Lumen Optics for $4.2 billion", DEAL)

    assert reading_of(result) == (
        "Shares moved both ways: Lumen shares rose 27% and Helios shares slipped 2.1%."
    )
    sentiments = {c.name.split()[0]: c.sentiment for c in result.companies}
    assert sentiments["Helios"] == "bearish"
    assert sentiments["Lumen"] == "bullish"


def test_bad_news_is_never_read_as_bullish_for_the_company() -> None:
    # Upbeat words around a hack ("record", "strong") must not make the hack good news.
    text = (
        "Aster Motors said hackers stole data on 2 million customers in a breach of its "
        "connected-car service, even as it reported record sales and strong demand. The "
        "company said sales grew strongly and it expects a record year. Aster said it "
        "had hired experts and informed regulators. The breach was discovered last week."
    )
    result = enrich(
        "Aster Motors hit by hack of customer data despite record sales", text
    )

    assert not reading_of(result).startswith("Bullish")


def test_a_company_named_only_in_passing_gets_no_verdict_on_the_story() -> None:
    text = (
        "Regional carmakers will cut 3,500 jobs this year, an industry group said. "
        "Suppliers expect orders to fall by a fifth. Aster Motors was among those that "
        "reported weaker demand. Dealers said buyers were waiting for lower rates. "
        "The group called on the government to cut the tax on new cars."
    )
    result = enrich("Carmakers to cut 3,500 jobs as demand slows", text)

    assert "for Aster" not in result.analysis


def test_an_article_with_no_company_and_no_market_move_gets_no_reading() -> None:
    text = (
        "The city council voted 7-2 on Tuesday to extend the night bus network to four new "
        "suburbs from March. About 12,000 residents live near the new stops. The extension "
        "will cost $3.1 million a year. A review of passenger numbers is due next year. "
        "Night buses carried 1.4 million passengers last year."
    )
    result = enrich("Council extends night buses to four suburbs", text)

    assert reading_of(result) == ""


def test_the_reading_adds_only_its_own_joining_words_to_the_articles() -> None:
    for title, text in (
        ("Aster Motors to cut 3,500 jobs and close Ohio plant", JOB_CUTS),
        ("Quillon heart drug meets main goal in Phase 3 trial", TRIAL),
        ("Helios to buy Lumen Optics for $4.2 billion", DEAL),
    ):
        reading = reading_of(enrich(title, text))
        assert reading
        words = {w.strip(".,:%$").casefold() for w in reading.replace("'", " ").split()}
        source = f"{title} {text}".casefold()
        assert {w for w in words if w and w not in source} <= OWN_WORDS, reading


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lumen shares rose 27% on Monday.", ["Lumen shares rose 27%"]),
        ("Shares of Helios fell 3.5 percent.", ["Helios shares fell 3.5%"]),
        (
            "Aster's stock jumped by about 12% after the report.",
            ["Aster shares jumped by about 12%"],
        ),
        (
            "Shares of Helios closed 29% higher on Monday.",
            ["Helios shares closed 29% higher"],
        ),
        ("Lumen shares were down 1.2% at noon.", ["Lumen shares were down 1.2%"]),
        # Under 1%: noise, not a verdict.
        ("Helios shares slipped 0.4%.", []),
        # Found by an attack: not the reaction to this news, or not this company's.
        ("Helios and Aster shares fell 2% and 9% respectively.", []),
        ("Aster shares rose 3% in early trading before reversing to fall 9%.", []),
        ("Aster shares have jumped 40% this year.", []),
        ("Aster shares rose 4% this year.", []),
        # With three companies named, "The shares" could be any of them.
        ("The shares slipped 2.1% in late trading.", []),
        ("Shares soared 30% in premarket trading.", []),
        # Not a company it knows, or not a move of shares: nothing.
        ("Bank shares rose 4% across Europe.", []),
        ("Aster's sales rose 27% in the quarter.", []),
    ],
)
def test_market_moves_are_found_with_the_company_they_belong_to(
    text: str, expected: list[str]
) -> None:
    companies = [
        CompanyMention(name="Aster Motors", sentiment="neutral"),
        CompanyMention(name="Helios Semiconductor", sentiment="neutral"),
        CompanyMention(name="Lumen Optics", sentiment="neutral"),
    ]

    assert [str(move) for move in market_moves(text, companies)] == expected


@pytest.mark.parametrize(
    "text", ["The shares slipped 2.1% in late trading.", "Shares slipped 2.1% at noon."]
)
def test_unnamed_shares_belong_to_the_only_company_named(text: str) -> None:
    aster = [CompanyMention(name="Aster Motors", sentiment="neutral")]

    assert [str(move) for move in market_moves(text, aster)] == [
        "Aster shares slipped 2.1%"
    ]


def test_a_markets_shares_are_not_a_companys_of_the_same_first_word() -> None:
    aramco = [CompanyMention(name="Saudi Aramco", sentiment="neutral")]

    assert market_moves("Saudi shares rose 1.5% on higher oil prices.", aramco) == []


ASTER_FALLS = " Aster shares fell 4%. The company gave no other details. Analysts said "
ASTER_FALLS += "they would wait for the full results. The board meets again in March."


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (  # denied
            "Aster Motors will not cut 3,500 jobs despite losses",
            "Aster Motors will not cut 3,500 jobs as planned despite mounting losses and "
            "weak sales, the company said.",
        ),
        (  # scrapped
            "Aster Motors scraps plan to cut 3,500 jobs",
            "Aster Motors scrapped a plan to cut 3,500 jobs after sales recovered.",
        ),
        (  # ruled out
            "Aster Motors rules out layoffs as sales slow",
            "Aster Motors ruled out any plans for layoffs as sales slowed in Europe.",
        ),
        (  # history, not the news
            "Aster Motors posts first loss in years",
            "Aster Motors posted its first quarterly loss since its 2009 bankruptcy as "
            "sales fell in Europe.",
        ),
        (  # "strikes a deal" is not a strike
            "Aster Motors strikes deal with Helios as losses mount",
            "Aster Motors struck a deal to sell engines to Helios Group as losses mounted.",
        ),
        (  # cut hours, not jobs
            "Aster Motors cuts hours for 40,000 staff",
            "Aster Motors will cut 40,000 employees' working hours by 10% rather than lay "
            "anyone off.",
        ),
        (  # the industry's cuts, in the background
            "Aster Motors sales fall 9% in Europe",
            "Aster Motors said sales fell 9% in Europe. The industry has shed 120,000 jobs "
            "since 2019, according to a trade group.",
        ),
    ],
)
def test_the_reading_names_no_event_the_article_does_not_report(
    title: str, text: str
) -> None:
    """An attack made each of these read "Bearish for Aster Motors: <an event that did not
    happen>" (negated, scrapped, historical, another meaning, another company's)."""
    reading = reading_of(enrich(title, text + ASTER_FALLS))

    assert not reading.startswith(("Bearish for", "Bullish for")), reading


def test_a_deal_is_priced_by_the_sum_after_it_not_the_cash_before_it() -> None:
    text = (
        "Aster Motors, which has $9 billion in cash, agreed to acquire Lumen Optics for "
        "$900 million on Monday. Aster shares rose 5%. Lumen has 300 staff. The deal should "
        "close next year. Aster plans to keep the Lumen brand."
    )
    result = enrich("Aster Motors expands in optics", text)

    assert "$9 billion acquisition" not in result.analysis
    assert "$9 billion acquisition" not in result.importance_reason
    assert "$900 million acquisition" in result.importance_reason


def test_a_rivals_move_is_not_set_against_the_storys_tone() -> None:
    text = (
        "Aster Motors is recalling 200,000 cars over faulty brakes, the company said. "
        "Lumen Optics shares rose 4% as buyers looked to its lenses. Aster gave no other "
        "details. The recall starts in March. Owners will be told by letter."
    )
    reading = reading_of(enrich("Aster Motors recalls 200,000 cars", text))

    assert "went the other way" not in reading
    assert reading.endswith("Market reaction: Lumen Optics shares rose 4%.")


# A listing, a financing or an order is told in words that lean neither way; the subject's
# own shares say how the news landed.
DEBUT = (
    "Shares of Aster Motors rose 25% in their first day of trading on Tuesday, giving the "
    "carmaker a market value of about $10.9 billion. Aster sold 46 million shares at $24 "
    "each on Monday evening. The stock opened at $31.50."
)
ORDER = (
    "Helios Semiconductor placed an order with Aster Motors for 40 delivery vans worth "
    "$5.6 million on Thursday. Aster shares gained 4.4% on the news. Deliveries will run "
    "from 2027 to 2029."
)


@pytest.mark.parametrize(
    ("direction", "sentiment"), [("rose", "bullish"), ("fell", "bearish")]
)
def test_a_story_that_leans_neither_way_takes_its_subjects_share_move(
    direction: str, sentiment: str
) -> None:
    moved = enrich(
        "Aster Motors debuts on the exchange", DEBUT.replace("rose", direction, 1)
    )
    assert moved.sentiment == sentiment
    # The move sets the badge; it is not then welcomed as its own confirmation.
    assert "welcomed" not in moved.analysis
    assert "took it badly" not in moved.analysis


def test_a_share_move_of_a_company_the_story_is_not_about_leaves_it_neutral() -> None:
    # Helios placed the order; Aster's shares moved. The story is Helios's.
    result = enrich("Helios Semiconductor orders 40 vans", ORDER)
    assert result.sentiment == "neutral"
    aster = next(c for c in result.companies if c.name == "Aster Motors")
    assert aster.sentiment == "bullish"


def test_words_that_lean_outweigh_the_subjects_share_move() -> None:
    # Job cuts are bearish even though the shares rose; the reading says they went the
    # other way.
    result = enrich("Aster Motors to cut 3,500 jobs and close Ohio plant", JOB_CUTS)
    assert result.sentiment == "bearish"
    assert "The shares went the other way: Aster shares rose 3.2%." in result.analysis
