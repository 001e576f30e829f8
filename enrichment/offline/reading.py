"""The reading: the analysis in our own words, put together from what the rules already know.

A story page's analysis says what the news means, not what it says again. The source budget
(``budget``) leaves no sentence of a short news story for it, and a sentence about the text
("no market-moving terms were detected") is scaffolding, not analysis. What the rules do know,
and can say in a few plain words without inventing anything, is:

* **what it turns on for the company it is about**: the story's tone and its main event or
  job cuts ("Bearish for Aster Motors: 3,500 job cuts."), only when that company's own
  passages do not lean the other way. Sums and percentages stay out of it: a bare "38% rise"
  may be the cocoa price, not the company's.
* **what the market made of it**: every "<company> shares rose 27%" the article reports, read
  against the story's tone ("Investors welcomed the news: Quillon shares jumped 34%.",
  "Investors looked past the news: Aster shares rose 3.2%."). The figures and the verbs are
  the article's own.

Each sentence is written only when its evidence is there, so an article without companies or
market moves still gets an empty reading rather than filler. Every name and figure in the
reading is the article's; only the joining words are ours (the tests check both).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..data import events
from ..schema import CompanyMention, Sentiment
from .importance import Stakes

# "Lumen shares rose 27%", "Carrow Valley's stock fell 1.8%", "The shares slipped 2.1%",
# "shares of Tamsin jumped 12%": a market move with the company it belongs to.
_UP = "rose|jumped|climbed|gained|surged|soared|rallied|advanced|rebounded|added"
_DOWN = "fell|dropped|slipped|slid|sank|tumbled|plunged|declined|lost|retreated|sagged"
_OWNER = r"(?:[A-Z][\w&.-]*\s){0,3}[A-Z][\w&.-]*"
_MOVE = re.compile(
    rf"(?:\b(?P<owner>{_OWNER})(?:'s|’s)?\s+(?:shares|stock)"
    rf"|\b[Ss]hares\s+(?:of|in)\s+(?P<owner_of>{_OWNER}))"
    r"\s+(?:were\s+|have\s+|had\s+)?"
    rf"(?P<verb>{_UP}|{_DOWN})\s+"
    r"(?:by\s+)?(?:about\s+|nearly\s+|almost\s+|around\s+|more\s+than\s+)?"
    r"(?P<size>\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b))"
)
_DOWN_VERBS = frozenset(_DOWN.split("|"))
# Words that start a sentence, not a company: "The shares fell 3.7%" is the main company's.
_NOT_OWNERS = frozenset({"The", "Its", "Their", "His", "Her", "Our", "Those", "These"})
MAX_MOVES = 2


@dataclass(frozen=True, slots=True)
class Move:
    """One market move as the article reports it: "Lumen shares rose 27%"."""

    company: str  # as the article names it ("Lumen")
    verb: str  # "rose"
    size: str  # "27%"

    @property
    def up(self) -> bool:
        return self.verb not in _DOWN_VERBS

    def __str__(self) -> str:
        return f"{self.company} shares {self.verb} {self.size}"


def _owner(written: str, companies: Sequence[CompanyMention]) -> str:
    """The company ``written`` names, as written ("Lumen" for Lumen Optics), or "" when it
    names none of ``companies`` ("The", a sector, a person)."""
    words = written.split()
    while words and words[0] in _NOT_OWNERS:
        words = words[1:]
    for company in companies:
        names = company.name.split()
        # The name as written, or its first word(s): "Lumen" and "Lumen Optics" are both it.
        if words and names[: len(words)] == words:
            return " ".join(words)
        if words[-len(names) :] == names:
            return company.name
    return ""


def market_moves(text: str, companies: Sequence[CompanyMention]) -> list[Move]:
    """The market moves ``text`` reports for ``companies``, one per company, in text order;
    "The shares ..." belongs to the first company."""
    moves: list[Move] = []
    seen: set[str] = set()
    for match in _MOVE.finditer(text):
        written = match.group("owner") or match.group("owner_of") or ""
        owner = _owner(written, companies)
        if not owner and written.split()[:1] == ["The"] and companies:
            owner = companies[0].name.split()[0]
        if owner and owner not in seen:
            seen.add(owner)
            size = (
                match.group("size").replace(" percent", "%").replace(" per cent", "%")
            )
            moves.append(Move(owner, match.group("verb"), size.replace(" %", "%")))
    return moves[:MAX_MOVES]


def _who_wins(
    companies: Sequence[CompanyMention],
    stakes: Stakes,
    sentiment: Sentiment,
    title: str,
) -> str:
    """ "Bearish for Aster Motors: 3,500 job cuts.": the story's tone for the company it is
    about (the first named, and in the headline), with what it turns on; "" when the story
    leans neither way or there is no event to name (the badge already says bullish or
    bearish). Bad news (job cuts, a hack, an outage ...) is never bullish, and is bearish
    whatever the company's own passages say ("shares rose" in them does not undo 3,500 job
    cuts); other events need the company's passages not to lean the other way."""
    what = " and ".join(part for part in (stakes.event, stakes.jobs) if part)
    if sentiment == "neutral" or not companies or not what:
        return ""
    subject = companies[0]
    if subject.name.split()[0] not in title:
        return ""  # the story is not about it: a name in passing, a product, a sector
    bad_news = bool(stakes.jobs) or stakes.theme in events.BAD_NEWS_THEMES
    if sentiment == "bullish" and bad_news:
        return ""  # "bullish for Apple: a hack" is the rules misreading the story
    if subject.sentiment not in (sentiment, "neutral") and not bad_news:
        return ""  # the company's own passages lean the other way: unsure
    return f"{sentiment.capitalize()} for {subject.name}: {what}."


# What investors made of it: (the story's tone, whether the first move is up) → the lead.
VERDICTS: dict[tuple[Sentiment, bool], str] = {
    ("bullish", True): "Investors welcomed the news",
    ("bullish", False): "Investors were not convinced",
    ("bearish", True): "Investors looked past the news",
    ("bearish", False): "The market took it badly",
    ("neutral", True): "The market's first reaction",
    ("neutral", False): "The market's first reaction",
}
SPLIT = "Investors split"
# Every word the reading adds to the article's own names, figures and verbs, the event nouns
# of the importance reason included ("acquisition" for "acquire"): the tests hold the
# reading to these.
OWN_WORDS: frozenset[str] = frozenset(
    " ".join(
        [
            *VERDICTS.values(),
            SPLIT,
            "bullish bearish for and shares job cuts",
            *events.EVENT_NOUNS.values(),
            *events.THEME_NOUNS.values(),
            *events.EVENT_WEIGHTS,
        ]
    )
    .casefold()
    .replace("'", " ")
    .split()
)


def _verdict(moves: Sequence[Move], sentiment: Sentiment) -> str:
    """What investors made of it, in the article's figures, read against the story's tone."""
    if not moves:
        return ""
    said = " and ".join(str(move) for move in moves)
    mixed = len({move.up for move in moves}) == 2
    lead = SPLIT if mixed else VERDICTS[sentiment, moves[0].up]
    return f"{lead}: {said}."


def write_reading(
    *,
    companies: Sequence[CompanyMention],
    stakes: Stakes,
    moves: Sequence[Move],
    sentiment: Sentiment,
    title: str,
) -> str:
    """The reading as one paragraph, or "" when the article gives it nothing to go on."""
    return " ".join(
        sentence
        for sentence in (
            _who_wins(companies, stakes, sentiment, title),
            _verdict(moves, sentiment),
        )
        if sentence
    )


_OPENINGS = (
    "Bullish for ",
    "Bearish for ",
    *(f"{lead}: " for lead in (*VERDICTS.values(), SPLIT)),
)


def without_reading(analysis: str) -> str:
    """``analysis`` without its reading (always its first paragraph, when there is one): what
    is left is the article's own sentences, which the source budget counts."""
    first, _, rest = analysis.partition("\n\n")
    return rest if first.startswith(_OPENINGS) else analysis
