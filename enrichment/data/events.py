"""Word lists of the offline importance score: how much an event weighs and what the one-line
reason calls it, and which words around a percentage make it a rise or a fall. Themes are the
values of ``lexicon.STRONG_WORDS`` and ``lexicon.STRONG_PAIRS``; everything is lowercase except
the nouns written into the reason.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# How much each theme moves the importance score when it is the story (named in the
# headline or the first sentences); half as much when it only comes up further down.
EVENT_WEIGHTS: dict[str, float] = {
    "bankruptcy": 3.0,
    "a default": 2.5,
    "a deal": 2.0,
    "job cuts": 2.0,
    "a product recall": 2.0,
    "a security incident": 2.0,
    "an outage": 2.0,
    "interest rates": 2.0,
    "fraud allegations": 2.0,
    "a strike": 1.75,
    "a closure": 1.5,
    "a contract": 1.25,
    "a ban": 1.5,
    "sanctions": 1.5,
    "tariffs": 1.5,
    "company guidance": 1.5,
    "an investigation": 1.5,
    "a stock listing": 1.5,
    "a shutdown": 1.5,
    "a crash": 1.5,
    "a restructuring": 1.5,
    "a late-stage trial": 1.5,
    "a regulatory approval": 1.5,
    "a court or regulatory ruling": 1.25,
    "legal action": 1.0,
    "a leadership change": 1.0,
    "penalties": 1.0,
    "a cancellation": 1.5,
    "the economy": 1.0,
    "sharp market moves": 1.0,
    "a rating change": 0.5,
    "shareholder payouts": 0.5,
    "record figures": 0.5,
    "large sums": 0.0,  # the figures themselves are weighed instead
}
# Themes that are bad news for the company they happen to, whatever else the story says: the
# offline reading never calls a story with one of them bullish for that company.
BAD_NEWS_THEMES: frozenset[str] = frozenset(
    {
        "bankruptcy",
        "a default",
        "job cuts",
        "a product recall",
        "a security incident",
        "an outage",
        "fraud allegations",
        "a strike",
        "a closure",
        "a ban",
        "sanctions",
        "an investigation",
        "a shutdown",
        "a crash",
        "penalties",
        "a cancellation",
        "legal action",
    }
)
# What importance_reason calls an event, by the word found ("acquire" → "acquisition");
# words not listed are named by their theme without its article ("a deal" → "deal").
EVENT_NOUNS: dict[str, str] = {
    "acquire": "acquisition",
    "acquisition": "acquisition",
    "merger": "merger",
    "merge": "merger",
    "takeover": "takeover",
    "buyout": "buyout",
    "bankruptcy": "bankruptcy",
    "bankrupt": "bankruptcy",
    "insolvency": "insolvency",
    "layoff": "layoffs",
    "layoffs": "layoffs",
    "recall": "recall",
    "ban": "ban",
    "banned": "ban",
    "ipo": "IPO",
    "probe": "probe",
    "investigation": "investigation",
    "antitrust": "antitrust probe",
    "lawsuit": "lawsuit",
    "indictment": "indictment",
    "fraud": "fraud case",
    "resign": "resignation",
    "resignation": "resignation",
    "ousted": "ouster",
    "breach": "data breach",
    "hack": "hack",
    "outage": "outage",
    "strike": "strike",
    "shutdown": "shutdown",
    "restructuring": "restructuring",
    "closure": "closure",
    "profit warning": "profit warning",
    "chapter 11": "Chapter 11 filing",
    "rate cut": "rate cut",
    "rate hike": "rate hike",
    "rates cut": "rate cut",
    "cut rates": "rate cut",
    "policy rate": "rate decision",
    "phase 3": "Phase 3 trial",
    "phase iii": "Phase 3 trial",
    "fda approval": "FDA approval",
    "debt default": "debt default",
    "cyberattack": "cyberattack",
    "ransomware": "ransomware attack",
    "penalty": "penalty",
    "penalties": "penalties",
    "fined": "fine",
    "ruling": "ruling",
    "verdict": "verdict",
    "commission orders": "regulatory order",
    "commission voted": "regulatory vote",
    "regulator orders": "regulatory order",
    "court ruled": "court ruling",
    "judge ruled": "court ruling",
    "new rule": "new rule",
    "final rule": "final rule",
    "regulators approved": "regulatory approval",
    "cancellation": "cancellation",
    "cancel": "cancellation",
    "canceled": "cancellation",
    "cancelled": "cancellation",
    "scrap": "cancellation",
    "contract": "contract",
    "deal": "deal",
    "tariff": "tariffs",
    "tariffs": "tariffs",
    "sanctions": "sanctions",
    "downgrade": "downgrade",
    "upgrade": "upgrade",
    "dividend": "dividend",
    "buyback": "buyback",
    "recession": "recession",
    "inflation": "inflation figures",
}
# Themes that take a price in importance_reason ("A $4.2 billion acquisition") when a sum is
# written next to the word naming them.
PRICED_THEMES: frozenset[str] = frozenset(
    {
        "a deal",
        "a contract",
        "a stock listing",
        "a restructuring",
        "penalties",
        "a cancellation",
        "bankruptcy",
        "legal action",
        "shareholder payouts",
    }
)
# What importance_reason calls a theme found through a word not in EVENT_NOUNS.
THEME_NOUNS: dict[str, str] = {
    "interest rates": "interest-rate news",
    "the economy": "economic news",
    "sharp market moves": "sharp market move",
    "record figures": "record result",
    "company guidance": "guidance change",
    "fraud allegations": "fraud allegations",
    "a late-stage trial": "late-stage trial result",
    "a court or regulatory ruling": "ruling",
    "shareholder payouts": "shareholder payout",
    "large sums": "large sums",
}
# Words next to a percentage that make it a change ("rose 18%", "18% more", "down 4%").
RISE_WORDS: frozenset[str] = _words(
    """
    rise rises rose risen rising up jump jumps jumped surge surged surges soar soared
    soars climb climbed climbs gain gained gains increase increased increases higher more
    grew grow grows growth boost boosted rally rallied raise raised raises lift lifted
    """
)
RISE_AFTER: frozenset[str] = _words("more higher up increase rise gain jump growth")
FALL_WORDS: frozenset[str] = _words(
    """
    fall falls fell fallen falling down drop drops dropped decline declined declines
    decrease decreased lower less shrank shrink slump slumped plunge plunged plunges
    tumble tumbled slide slid sank sink cut cuts slashed loss lost crater cratered
    """
)
FALL_AFTER: frozenset[str] = _words("less lower down decrease drop fall decline")
