"""Word lists of the offline enrichment backend: finance sentiment, importance, categories.

Single words are base forms; ``offline.inflections`` adds regular inflections (beat → beats,
beating; rally → rallied), so irregular forms are listed by hand. Everything is lowercase.
Pairs are two consecutive words after tokenising ("all-time high" → "time high"). How much
each importance theme weighs and what the reason calls it are in ``events``; the word lists of
condensing and of the analysis are in ``editing``.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Sentiment --------------------------------------------------------------------------------
# A finance reading of words, after Loughran-McDonald: "loss", "probe" and "layoffs" are bad
# news for a company even in a calm sentence. Words whose finance meaning flips with context
# ("cut": rates vs jobs, "record": high vs loss, "charge") are left to POSITIVE/NEGATIVE_PAIRS.
POSITIVE_WORDS: frozenset[str] = _words(
    """
    accelerate accomplish achieve advance advantage applaud approve approval attractive
    award beat benefit best blockbuster bolster boom boost breakthrough bright brisk
    bullish buoy buyback climb confidence confident cure delight dividend durable
    effective efficiency efficient encourage enhance exceed excellent expand expansion
    favorable favourable gain good great grow growth grew grown high-margin improve
    improvement innovative jump lucrative milestone momentum optimism optimistic
    outpace outperform outperformance overweight popular positive praise profit profitable
    profitability progress prosper prosperity rally rebound recover recovery recovered
    reliable resilient resilience revive reward rise risen rose robust safe savings soar
    solid stable strength strengthen strong stronger strongest succeed success successful
    surge surpass surplus thrive tailwind top-performing triumph upbeat upgrade upside
    upswing upturn welcome win winner won windfall
    """
)

NEGATIVE_WORDS: frozenset[str] = _words(
    """
    abuse accuse adverse allegation allege antitrust backlash bad bankrupt bankruptcy
    bearish blow breach bribe bribery broken burden closure collapse concern contraction
    corruption crash crisis critical criticise criticism criticize damage danger dangerous
    decline decrease deficit defect defective delay delist deteriorate deterioration
    disappoint disappointing disappointment dismal dispute disrupt disruption downgrade
    downturn drop embezzle embezzlement fail failure fall fallen fell fear fraud
    fraudulent halt headwind hurt impairment indict indictment insolvency insolvent
    investigation lawsuit layoff layoffs liquidation litigation lose loss losses lost
    miss negative negligence oust outage penalty plummet plunge probe recall recession
    resign resignation risky sank scandal scrap selloff sell-off setback shortage
    shortfall shut shutdown sink slash slow slowdown slower slump slowing slide slip
    shrink shrank shrunk stall struggle subpoena sue sunk suspend suspension threat tumble
    turmoil uncertain
    uncertainty underperform underweight unprofitable unrest violate violation volatile
    volatility vulnerability warn warning weak weaken weaker weakness worry worse worst
    writedown write-down slid
    """
)

# Two consecutive words scored as one hit, in place of their words' own scores. In
# "profit falls" the direction decides, not the (positive) noun.
_RESULTS = ("profit", "profits", "revenue", "revenues", "sales", "earnings", "income")
_UP = (
    "rose", "rises", "rise", "jumped", "jumps", "surged", "surges", "climbed", "climbs",
    "grew", "grows",
)  # fmt: skip
_DOWN = (
    "fell", "falls", "fall", "dropped", "drops", "declined", "declines", "slumped",
    "slumps", "plunged", "plunges", "shrank", "shrinks", "slipped", "slips",
)  # fmt: skip

POSITIVE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    (n, v) for n in _RESULTS for v in _UP
) | frozenset(
    {
        ("record", "high"),
        ("record", "profit"),
        ("record", "profits"),
        ("record", "revenue"),
        ("record", "sales"),
        ("record", "earnings"),
        ("record", "quarter"),
        ("record", "year"),
        ("time", "high"),
        ("raised", "guidance"),
        ("raises", "guidance"),
        ("raised", "forecast"),
        ("raises", "forecast"),
        ("raised", "outlook"),
        ("raises", "outlook"),
        ("beat", "expectations"),
        ("beat", "estimates"),
        ("main", "goal"),
        ("primary", "endpoint"),
        ("statistically", "significant"),
        ("shares", "jumped"),
        ("shares", "rose"),
        # A loss that narrows is good news ("its net loss narrowed to $12m").
        *(
            (loss, verb)
            for loss in ("loss", "losses")
            for verb in ("narrow", "narrows", "narrowed", "narrowing")
        ),
    }
)

# Pairs that carry no market tone although a word in them does: medical and legal terms.
NEUTRAL_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("heart", "failure"),
        ("kidney", "failure"),
        ("organ", "failure"),
        ("liver", "failure"),
        ("respiratory", "failure"),
        ("adverse", "events"),
        ("adverse", "event"),
        ("side", "effect"),
        ("side", "effects"),
        ("risk", "factors"),
        ("free", "fall"),
        # What a measure is meant to prevent ("to keep a slowing economy from stalling").
        ("from", "stalling"),
        ("from", "collapsing"),
        ("from", "slipping"),
    }
)

NEGATIVE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("record", "low"),
        ("record", "loss"),
        ("record", "losses"),
        ("time", "low"),
        ("job", "cuts"),
        ("job", "losses"),
        ("jobs", "cut"),
        ("cut", "jobs"),
        ("cuts", "jobs"),
        ("cutting", "jobs"),
        ("cut", "guidance"),
        ("cuts", "guidance"),
        ("cut", "forecast"),
        ("lowered", "guidance"),
        ("lowers", "guidance"),
        ("profit", "warning"),
        ("net", "loss"),
        ("class", "action"),
        ("debt", "default"),
        *(
            (loss, verb)
            for loss in ("loss", "losses")
            for verb in ("widen", "widens", "widened", "widening")
        ),
        ("shares", "fell"),
        ("shares", "dropped"),
        *((noun, verb) for noun in _RESULTS for verb in _DOWN),
    }
)

# Words that only qualify the pair after them, which then counts in their place ("net loss
# narrowed" is a loss that narrowed, not a "net loss").
PAIR_MODIFIERS: frozenset[str] = _words("net operating quarterly annual pretax")

# Adjectives and other words that take no inflections: "good" must not become "goods".
UNINFLECTED: frozenset[str] = _words(
    """
    good great bad best worst worse strong stronger strongest weak weaker safe solid stable
    bright positive negative bullish bearish upbeat robust resilient favorable favourable
    lucrative popular reliable excellent dismal dangerous risky volatile uncertain critical
    adverse fraudulent insolvent bankrupt defective unprofitable effective efficient
    optimistic pessimistic attractive durable confident brisk innovative successful
    profitable slower worse grew grown risen rose fell fallen sank sunk slid won lost
    """
)

# What moved decides what a move means: "shares slide" is bad news for the story, "costs
# climb" too although "climb" is a good word, and "yields slide" or "gold rose" say nothing of
# it. A direction word reads by the nearest of these nouns up to MOVER_WINDOW words before it
# (no noun found: the word counts as listed); "share price" and "stock price" are shares.
DIRECTION_WORDS: frozenset[str] = _words(
    """
    rise rose risen climb jump surge soar gain grow grew grown rally rebound recover
    fall fell fallen drop decline decrease slide slid slip sink sank sunk plunge plummet
    tumble slump weaken strengthen shrink shrank shrunk slow stall
    """
)
MOVER_WINDOW = 6
# A rise is bad news for whoever the story is about.
INVERTED_MOVERS: frozenset[str] = _words(
    "cost costs expense expenses debt loss losses unemployment jobless"
)
# The direction says nothing of the story's tone: markets and measures no company owns.
NEUTRAL_MOVERS: frozenset[str] = _words(
    """
    yield yields bond bonds note notes treasury treasuries inflation price prices rate
    rates dollar euro yen pound mark currency currencies gold oil crude
    """
)
# The move is the story's own: these stop the search for a mover further back.
OWN_MOVERS: frozenset[str] = _words(
    """
    share shares stock stocks revenue revenues sales profit profits earnings income demand
    orders output shipments index market markets margin margins
    """
)

# A sentiment word within this many words after one of these counts the other way
# ("did not miss", "no layoffs"). "fails to" / "unable to" are rewritten to "not" first.
NEGATORS: frozenset[str] = frozenset(
    {"not", "no", "never", "without", "neither", "nor", "cannot", "hardly", "barely"}
)
NEGATION_WINDOW = 3

# --- Importance -------------------------------------------------------------------------------
# Words that move markets or make front pages; a hit adds to the importance score and is
# named in importance_reason. Values are the theme the analysis mentions.
STRONG_WORDS: dict[str, str] = {
    "acquire": "a deal",
    "acquisition": "a deal",
    "merger": "a deal",
    "merge": "a deal",
    "takeover": "a deal",
    "buyout": "a deal",
    "bankruptcy": "bankruptcy",
    "bankrupt": "bankruptcy",
    "insolvency": "bankruptcy",
    "billion": "large sums",
    "trillion": "large sums",
    "layoff": "job cuts",
    "layoffs": "job cuts",
    "recall": "a product recall",
    "ban": "a ban",
    "banned": "a ban",
    "sanctions": "sanctions",
    "tariff": "tariffs",
    "tariffs": "tariffs",
    "guidance": "company guidance",
    "probe": "an investigation",
    "investigation": "an investigation",
    "antitrust": "an investigation",
    "lawsuit": "legal action",
    "indictment": "legal action",
    "fraud": "fraud allegations",
    "ipo": "a stock listing",
    "resign": "a leadership change",
    "resignation": "a leadership change",
    "ousted": "a leadership change",
    "downgrade": "a rating change",
    "upgrade": "a rating change",
    "breach": "a security incident",
    "hack": "a security incident",
    "outage": "an outage",
    "recession": "the economy",
    "inflation": "the economy",
    "strike": "a strike",
    "shutdown": "a shutdown",
    "crash": "a crash",
    "plunge": "sharp market moves",
    "soar": "sharp market moves",
    "surge": "sharp market moves",
    "restructuring": "a restructuring",
    "dividend": "shareholder payouts",
    "buyback": "shareholder payouts",
    "closure": "a closure",
    "penalty": "penalties",
    "penalties": "penalties",
    "fined": "penalties",
    "ruling": "a court or regulatory ruling",
    "verdict": "a court or regulatory ruling",
    "cancel": "a cancellation",
    "canceled": "a cancellation",
    "cancelled": "a cancellation",
    "cancellation": "a cancellation",
    "scrap": "a cancellation",
    "cyberattack": "a security incident",
    "ransomware": "a security incident",
    "contract": "a contract",
    "contracts": "a contract",
    "deal": "a contract",
    "deals": "a contract",
    "strikes": "a strike",
    "recalls": "a product recall",
    "recalling": "a product recall",
}
# Strong words counted only as written: their other forms mean something else ("dealing
# with", "contracting economy", "a striking design", "she recalled").
STRONG_AS_WRITTEN: frozenset[str] = _words(
    "contract contracts deal deals strike strikes recall recalls recalling"
)

STRONG_PAIRS: dict[tuple[str, str], str] = {
    ("rate", "cut"): "interest rates",
    ("rate", "hike"): "interest rates",
    ("rates", "cut"): "interest rates",
    ("cut", "rates"): "interest rates",
    ("raise", "rates"): "interest rates",
    ("policy", "rate"): "interest rates",
    ("interest", "rate"): "interest rates",
    ("interest", "rates"): "interest rates",
    ("central", "bank"): "interest rates",
    ("job", "cuts"): "job cuts",
    ("job", "losses"): "job cuts",
    ("lay", "off"): "job cuts",
    ("a", "record"): "record figures",
    ("record", "high"): "record figures",
    ("record", "low"): "record figures",
    ("record", "profit"): "record figures",
    ("record", "revenue"): "record figures",
    ("record", "sales"): "record figures",
    ("record", "loss"): "record figures",
    ("record", "quarter"): "record figures",
    ("profit", "forecast"): "company guidance",
    ("profit", "warning"): "company guidance",
    ("cut", "forecast"): "company guidance",
    ("cuts", "forecast"): "company guidance",
    ("raised", "forecast"): "company guidance",
    ("raises", "forecast"): "company guidance",
    ("slashes", "outlook"): "company guidance",
    ("lowered", "outlook"): "company guidance",
    ("raised", "outlook"): "company guidance",
    ("chapter", "11"): "bankruptcy",
    ("debt", "default"): "a default",
    ("phase", "3"): "a late-stage trial",
    ("phase", "iii"): "a late-stage trial",
    ("fda", "approval"): "a regulatory approval",
    ("commission", "orders"): "a court or regulatory ruling",
    ("commission", "voted"): "a court or regulatory ruling",
    ("regulator", "orders"): "a court or regulatory ruling",
    ("court", "ruled"): "a court or regulatory ruling",
    ("judge", "ruled"): "a court or regulatory ruling",
    ("new", "rule"): "a court or regulatory ruling",
    ("final", "rule"): "a court or regulatory ruling",
    ("regulators", "approved"): "a regulatory approval",
}

# --- What to watch ----------------------------------------------------------------------------
FORWARD_WORDS: frozenset[str] = _words(
    """
    will expects expected expect plans plan planned planning upcoming forecast forecasts
    outlook guidance intends intend aims scheduled pending deadline
    """
)
# "next" and "coming" look ahead only before a time word: "next month", not "next generation".
FORWARD_TIME_WORDS: frozenset[str] = _words(
    """
    week weeks month months year years quarter quarters meeting step steps round phase season
    spring summer autumn fall winter january february march april may june july august
    september october november december monday tuesday wednesday thursday friday
    """
)

# --- Summaries --------------------------------------------------------------------------------
STOPWORDS: frozenset[str] = _words(
    """
    a about above after again against all also am an and any are around as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself new no nor not now of off on once only
    or other our ours ourselves out over own per said same say says she should so some such
    than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would
    you your yours yourself yourselves year years week weeks day days today yesterday
    tuesday monday wednesday thursday friday saturday sunday one two three first last
    however many much may might must us via get got like make made well still even back
    """
)

# Abbreviations that end in a full stop without ending the sentence ("Dr. Smith",
# "Apple Inc. said", "Jan. 5"). Lowercase, without the final dot.
ABBREVIATIONS: frozenset[str] = _words(
    """
    mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt gov sen rep rev hon pres supt
    inc corp co ltd llc plc bros cos dept univ assn est approx vs etc al cf fig figs vol
    jan feb mar apr jun jul aug sep sept oct nov dec
    no nos op pp ph
    """
)

# Abbreviations that may end a sentence ("… listed in the U.S." and a dotted one such as
# "a.m." too), which then ends before one of SENTENCE_OPENERS; a title ("Dr.") never does.
SENTENCE_END_ABBREVIATIONS: frozenset[str] = _words(
    "inc corp co ltd llc plc bros cos etc al"
)
SENTENCE_OPENERS: frozenset[str] = _words(
    """
    the a an it its he she they we i you this that these those there his her their our
    but however in on at for after before while when if as shares
    """
)

# --- Categories -------------------------------------------------------------------------------
# Canonical category → keywords, comma-separated (single words, or phrases matched as written).
# A site's category names are matched case-insensitively, directly or through CATEGORY_ALIASES.
_CATEGORY_KEYWORD_TEXT: dict[str, str] = {
    "markets": """
        stock, stocks, shares, investors, investor, trading, traders, nasdaq, dow, index,
        bond, bonds, yield, yields, treasury, treasuries, equities, rally, selloff,
        wall street, stock market, hedge fund, etf, ipo, analysts, valuation, share price,
        futures, commodities, currency, forex, market value, s&p
    """,
    "business": """
        company, companies, deal, acquisition, acquire, merger, ceo, executive, revenue,
        profit, sales, retail, retailer, startup, brand, customers, corporate, layoffs,
        factory, plant, workforce, union, supplier, suppliers, manufacturing, earnings,
        quarter, business
    """,
    "technology": """
        software, app, apps, ai, artificial intelligence, chip, chips, semiconductor,
        semiconductors, cloud, computer, computers, internet, smartphone, iphone, ipad, mac,
        android, ios, tech, technology, cyber, cybersecurity, robot, robots, algorithm,
        developer, developers, code, programming, open source, linux, server, servers,
        browser, web, digital, device, devices, data center, photonics, api, github, router,
        routers, flaw, patch, vulnerability, hackers, network, networks, 5g, spectrum,
        wireless, broadband, telecom, accelerator
    """,
    "energy": """
        oil, crude, opec, gas, natural gas, lng, solar, wind, renewable, renewables, energy,
        power plant, electricity, grid, battery, batteries, nuclear, coal, pipeline,
        refinery, drilling, barrel, barrels, emissions, carbon, fuel, petrol, gasoline,
        utility, utilities, hydrogen, turbine, turbines, megawatt, megawatts, gigawatt,
        gigawatts, offshore wind, oilfield
    """,
    "economy": """
        economy, economic, economists, inflation, gdp, unemployment, jobless, interest rate,
        interest rates, central bank, federal reserve, rate cut, rate hike, monetary, fiscal,
        recession, consumer prices, wages, payrolls, trade deficit, tariffs, budget,
        mortgage, mortgages, policy rate, basis points, currency
    """,
    "health": """
        health, healthcare, drug, drugs, pharmaceutical, pharmaceuticals, vaccine, vaccines,
        trial, clinical, patients, fda, hospital, hospitals, disease, cancer, heart,
        medicine, medical, doctor, doctors, therapy, treatment, virus, pandemic, biotech,
        wellness, diet, fitness, nutrition, sleep, mental health, placebo
    """,
    "politics": """
        election, elections, president, congress, senate, parliament, minister, government,
        lawmakers, democrats, republicans, democrat, republican, vote, voters, campaign,
        white house, legislation, governor, mayor, political, politics, supreme court,
        senator, gop, administration
    """,
    "world": """
        international, foreign, war, military, troops, united nations, nato, china, india,
        russia, ukraine, europe, european union, africa, middle east, israel, iran, summit,
        diplomatic, embassy, refugees, border, pakistan, japan
    """,
    "science": """
        research, researchers, study, scientists, species, biology, physics, genome, journal,
        climate, ecology, vegetation, astronomy, laboratory
    """,
    "sports": """
        football, soccer, transfer, match, league, coach, player, players, season,
        tournament, championship, nba, nfl, baseball, basketball, cycling, marathon,
        triathlon
    """,
    "entertainment": """
        film, movie, movies, music, album, podcast, episode, television, tv, show, game,
        games, video game, celebrity, streaming, hollywood
    """,
    "crypto": """
        bitcoin, crypto, cryptocurrency, blockchain, ethereum, token, tokens, defi,
        stablecoin, btc
    """,
}
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    category: tuple(k.strip() for k in text.split(",") if k.strip())
    for category, text in _CATEGORY_KEYWORD_TEXT.items()
}

# Other names sites give the same categories.
CATEGORY_ALIASES: dict[str, str] = {
    "tech": "technology",
    "science & technology": "technology",
    "sci-tech": "technology",
    "finance": "markets",
    "stocks": "markets",
    "investing": "markets",
    "money": "markets",
    "economics": "economy",
    "macro": "economy",
    "companies": "business",
    "corporate": "business",
    "healthcare": "health",
    "pharma": "health",
    "world news": "world",
    "international": "world",
    "global": "world",
    "sport": "sports",
    "culture": "entertainment",
    "media": "entertainment",
    "climate": "energy",
    "cryptocurrency": "crypto",
}

DEFAULT_CATEGORIES: tuple[str, ...] = (
    "Markets",
    "Business",
    "Technology",
    "Energy",
    "Economy",
    "Health",
    "Politics",
    "World",
)
