"""The reading: the analysis in our own words, put together from what the rules already know.

A story page's analysis says what the news means, not what it says again. The source budget
(``budget``) leaves no sentence of a short news story for it, and a sentence about the text
("no market-moving terms were detected") is scaffolding, not analysis. What the rules do know,
and can say in a few plain words without inventing anything, is:

* **what it turns on for the company it is about**: the story's tone and its main event or
  job cuts ("Bearish for Aster Motors: 3,500 job cuts."), only when that company's own
  passages do not lean the other way. Sums and percentages stay out of it: a bare "38% rise"
  may be the cocoa price, not the company's.
* **what the market did**: the "<company> shares rose 27%" the article reports (1% or more),
  set against the story's tone ("Investors welcomed it: Quillon shares jumped 34%.", "The
  shares went the other way: Aster shares rose 3.2%.", "Shares moved both ways: ..."). Only
  the relation is stated, never a reason the article does not give. A move also sets that
  company's own sentiment (``company_sentiments``). The figures and verbs are the article's.

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
# "Shares rose 9.4%", "shares of Tamsin jumped 12%", "Shares of Quillon closed 29% higher",
# "Corvane shares were down 1.2%": a market move with the company it belongs to.
_UP = "rose|jumped|climbed|gained|surged|soared|rallied|advanced|rebounded|added"
_DOWN = "fell|dropped|slipped|slid|sank|tumbled|plunged|declined|lost|retreated|sagged"
_OWNER = r"(?:[A-Z][\w&.-]*\s){0,3}[A-Z][\w&.-]*"
_ABOUT = r"(?:by\s+)?(?:about\s+|nearly\s+|almost\s+|around\s+|more\s+than\s+)?"
_SIZE = r"\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b)"
_MOVE = re.compile(
    rf"(?:\b(?P<owner>{_OWNER})(?:'s|’s)?\s+(?:shares|stock)"
    rf"|\b[Ss]hares\s+(?:of|in)\s+(?P<owner_of>{_OWNER})"
    r"|(?:^|(?<=[.!?]\s))(?P<bare>Shares))"
    r"\s+(?P<moved>(?:were\s+|was\s+|have\s+|had\s+)?"
    rf"(?:(?P<verb>{_UP}|{_DOWN}|up|down)\s+{_ABOUT}(?P<size>{_SIZE})"
    rf"|(?:closed|ended|finished|opened|traded)\s+{_ABOUT}(?P<size_then>{_SIZE})\s+"
    r"(?P<direction>higher|lower|up|down)))",
    re.MULTILINE,
)
_DOWN_WORDS = frozenset([*_DOWN.split("|"), "down", "lower"])
# Words that start a sentence, not a company: "The shares fell 3.7%" is the main company's.
_NOT_OWNERS = frozenset({"The", "Its", "Their", "His", "Her", "Our", "Those", "These"})
MAX_MOVES = 2
# First words of company names that also name a market, a sector or a country.
_GENERIC_FIRST_WORDS = frozenset(
    " ".join(
        (
            "Saudi Bank Banco American America General National First United China Chinese",
            "US U.S. European Europe Japan Japanese British Royal Deutsche Global New Oil",
            "International Energy Auto Tech Asian Indian Korean German French Swiss",
            "Canadian Australian Commonwealth Standard Federal Public Southern Northern",
            "Western Eastern",
        )
    ).split()
)
# What makes a reported move something other than the reaction to this news: a figure for
# the year so far, another company's ("respectively"), or a move the day then undid.
_NOT_A_REACTION = re.compile(
    r"[^.;]{0,80}?\b(?:respectively|this year|so far|year to date|year-to-date|since"
    r"|over the past|before|revers\w*|pared|erased|later|then|but)\b"
)
# A smaller move is noise: it says nothing about what the market made of the news.
MIN_MOVE_PERCENT = 1.0


@dataclass(frozen=True, slots=True)
class Move:
    """One market move as the article reports it: "Lumen shares rose 27%"."""

    company: str  # as the article names it ("Lumen")
    moved: str  # as the article writes it: "rose 27%", "closed 29% higher"
    up: bool
    percent: float

    def __str__(self) -> str:
        return f"{self.company} shares {self.moved}"


def _owner(written: str, companies: Sequence[CompanyMention]) -> str:
    """The company ``written`` names, as written ("Lumen" for Lumen Optics), or "" when it
    names none of ``companies`` ("The", a sector, a person)."""
    words = written.split()
    while words and words[0] in _NOT_OWNERS:
        words = words[1:]
    for company in companies:
        names = company.name.split()
        # The name as written, or its first word(s): "Lumen" and "Lumen Optics" are both it;
        # but "Saudi shares" are a market's, not Saudi Aramco's.
        if words == names[:1] and words[0] in _GENERIC_FIRST_WORDS and len(names) > 1:
            continue
        if words and names[: len(words)] == words:
            return " ".join(words)
        if words[-len(names) :] == names:
            return company.name
    return ""


def market_moves(text: str, companies: Sequence[CompanyMention]) -> list[Move]:
    """The market moves ``text`` reports for ``companies``, one per company, in text order,
    of at least MIN_MOVE_PERCENT; "The shares ..." and "Shares ..." opening a sentence belong
    to the first company."""
    moves: list[Move] = []
    seen: set[str] = set()
    for match in _MOVE.finditer(text):
        written = match.group("owner") or match.group("owner_of") or ""
        owner = _owner(written, companies)
        # "The shares ..." or "Shares ..." are the company's only when it is the only one
        # named: after "Lumen's board backed the offer", "Shares soared" may be Lumen's.
        generic = match.group("bare") or written.split()[:1] == ["The"]
        if not owner and generic and len(companies) == 1:
            owner = companies[0].name.split()[0]
        if (
            match.group("moved").startswith(
                ("have", "had")
            )  # "have jumped 40% this year"
            or text[: match.start()].endswith(
                (" and ", ", ")
            )  # "Helios and Aster shares"
            or _NOT_A_REACTION.match(text, match.end())
        ):
            continue
        size = match.group("size") or match.group("size_then")
        percent = float(re.match(r"\d+(?:\.\d+)?", size).group())  # type: ignore[union-attr]
        if owner and owner not in seen and percent >= MIN_MOVE_PERCENT:
            seen.add(owner)
            moved = re.sub(r"\s?(?:percent|per cent)\b|\s%", "%", match.group("moved"))
            direction = match.group("verb") or match.group("direction")
            moves.append(Move(owner, moved, direction not in _DOWN_WORDS, percent))
    return moves[:MAX_MOVES]


def company_sentiments(
    companies: list[CompanyMention], moves: Sequence[Move]
) -> list[CompanyMention]:
    """``companies`` with the sentiment of each whose shares the article says moved set by
    the move: "Orrin shares gained 4.4%" says more about what the story means for Orrin than
    the words around its name do."""
    by_name = {move.company: move for move in moves}
    updated = []
    for company in companies:
        move = next((m for name, m in by_name.items() if _owner(name, [company])), None)
        if move is not None:
            company = company.model_copy(
                update={"sentiment": "bullish" if move.up else "bearish"}
            )
        updated.append(company)
    return updated


def _subject(companies: Sequence[CompanyMention], title: str) -> CompanyMention | None:
    """The company the story is about: the first named, when the headline names it (else
    a name in passing, a product, a sector)."""
    if not companies or companies[0].name.split()[0] not in title:
        return None
    return companies[0]


def subject_move(
    moves: Sequence[Move], companies: Sequence[CompanyMention], title: str
) -> Move | None:
    """The first move the article reports when it is the shares of the company the story is
    about (``_subject``): "Tamsin Payments jumps 25% in trading debut" is good news for
    Tamsin whatever words surround it; None otherwise."""
    subject = _subject(companies, title)
    if not moves or subject is None:
        return None
    return moves[0] if _owner(moves[0].company, [subject]) else None


# Events whose name does not say which way they went: "a Phase 3 trial" is a success for
# one company and a failure for another, "a guidance change" is up or down.
_UNTELLING_THEMES = frozenset(
    {
        "a late-stage trial",
        "company guidance",
        "a rating change",
        "record figures",
        "the economy",
        "interest rates",
        "a court or regulatory ruling",
        "legal action",
        "a leadership change",
        "shareholder payouts",
        "large sums",
    }
)


_DENIED = re.compile(
    r"\b(?:not|no|never|won't|wouldn't|isn't|aren't|didn't|ruled? out|rules out|scrap\w*"
    r"|denie[sd]|deny|rather than|instead of|avoid\w*|without|reversed?|halt\w*|drops"
    r"|dropped|abandon\w*|shelve[sd]?|cancel\w*|withdr[ae]w\w*)\b",
    re.IGNORECASE,
)
_STRIKES_A_DEAL = re.compile(
    r"\b(?:strikes?|struck|striking)\s+(?:a\s+|an\s+)?(?:\S+\s+)?"
    r"(?:deal|agreement|pact|partnership|accord)",
    re.IGNORECASE,
)
_JOBS_WORDS = re.compile(
    r"\b(?:jobs?|layoffs?|lay(?:s|ing)? off|laid off|staff|workforce|workers|employees"
    r"|positions|headcount)\b",
    re.IGNORECASE,
)


def _who_wins(
    companies: Sequence[CompanyMention],
    stakes: Stakes,
    sentiment: Sentiment,
    title: str,
    lead: str,
) -> str:
    """ "Bearish for Halvard Steel: 2,800 job cuts.": the story's tone for the company it is
    about (the first named, and in the headline), with what it turns on; "" when the story
    leans neither way, when there is no event that says which way it went (the badge
    already says bullish or bearish), or when the company's own sentiment (its passages, or
    its shares' move) is not the story's. Bad news (job cuts, a hack, an outage ...) is
    never bullish."""
    event = stakes.event
    if (
        stakes.theme in _UNTELLING_THEMES
        or not stakes.titled  # "its first loss since its 2009 bankruptcy": history
        or (stakes.theme == "a strike" and _STRIKES_A_DEAL.search(title))
    ):
        event = ""
    # Job cuts the headline speaks of, not some in the article's background.
    jobs = stakes.jobs if _JOBS_WORDS.search(title) else ""
    what = " and ".join(part for part in (event, jobs) if part)
    if sentiment == "neutral" or not companies or not what:
        return ""
    if _DENIED.search(f"{title} {lead}"):
        return ""  # "will not cut", "ruled out layoffs", "no plans for a recall"
    subject = _subject(companies, title)
    if subject is None:
        return ""  # the story is not about it
    bad_news = bool(jobs) or (bool(event) and stakes.theme in events.BAD_NEWS_THEMES)
    if sentiment == "bullish" and bad_news:
        return ""  # "bullish for Apple: a hack" is the rules misreading the story
    if subject.sentiment != sentiment and not (
        bad_news and subject.sentiment == "neutral"
    ):
        # Its own passages, or its shares ("Helios shares slipped 2.1%" on a deal read as
        # bullish), say otherwise: unsure, so nothing.
        return ""
    return f"{sentiment.capitalize()} for {subject.name}: {what}."


# What the market did, set against the story's tone: (tone, whether the first move is up) →
# the lead. Only the relation is stated, never a reason the article does not give.
VERDICTS: dict[tuple[Sentiment, bool], str] = {
    ("bullish", True): "Investors welcomed it",
    ("bullish", False): "The shares went the other way",
    ("bearish", True): "The shares went the other way",
    ("bearish", False): "The market took it badly",
    ("neutral", True): "Market reaction",
    ("neutral", False): "Market reaction",
}
SPLIT = "Shares moved both ways"
# Moves this small are not a verdict either way (found by a stranger: a 2.3% dip and a 41%
# crash were both "The market took it badly").
MUTED = "A muted market reaction"
MUTED_PERCENT = 3.0
# Every word the reading adds to the article's own names, figures and verbs, the event nouns
# of the importance reason included ("acquisition" for "acquire"): the tests hold the
# reading to these.
OWN_WORDS: frozenset[str] = frozenset(
    " ".join(
        [
            *VERDICTS.values(),
            SPLIT,
            MUTED,
            "bullish bearish for and shares job cuts higher lower up down",
            *events.EVENT_NOUNS.values(),
            *events.THEME_NOUNS.values(),
            *events.EVENT_WEIGHTS,
        ]
    )
    .casefold()
    .replace("'", " ")
    .split()
)


def _verdict(
    moves: Sequence[Move], sentiment: Sentiment, subject: CompanyMention | None
) -> str:
    """What the market did, in the article's figures, set against the story's tone; "" for a
    single move in a story that leans neither way (it would only repeat the move)."""
    if not moves:
        return ""
    said = " and ".join(str(move) for move in moves)
    mixed = len({move.up for move in moves}) == 2
    own = subject is not None and bool(_owner(moves[0].company, [subject]))
    # A rival's shares set against the story's tone would read as its subject's.
    lead = SPLIT if mixed else VERDICTS[sentiment if own else "neutral", moves[0].up]
    if lead == "Market reaction" and len(moves) == 1 and own:
        return ""  # a bare move, and often the summary's own first words
    if lead in VERDICTS.values() and all(abs(m.percent) < MUTED_PERCENT for m in moves):
        lead = MUTED  # too small to be the market's verdict either way
    return f"{lead}: {said}."


def write_reading(
    *,
    companies: Sequence[CompanyMention],
    stakes: Stakes,
    moves: Sequence[Move],
    sentiment: Sentiment,
    title: str,
    lead: str = "",
) -> str:
    """The reading as one paragraph (``lead``: the article's first sentence), or "" when
    the article gives it nothing to go on."""
    return " ".join(
        sentence
        for sentence in (
            _who_wins(companies, stakes, sentiment, title, lead),
            _verdict(moves, sentiment, companies[0] if companies else None),
        )
        if sentence
    )


_OPENINGS = (
    "Bullish for ",
    "Bearish for ",
    *(f"{lead}: " for lead in (*VERDICTS.values(), SPLIT, MUTED)),
)


def without_reading(analysis: str) -> str:
    """``analysis`` without its reading (always its first paragraph, when there is one): what
    is left is the article's own sentences, which the source budget counts."""
    first, _, rest = analysis.partition("\n\n")
    return rest if first.startswith(_OPENINGS) else analysis
