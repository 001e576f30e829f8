"""Importance: the 1-10 score and its one-line reason, from additive, explainable signals.

What the story is about counts most: the strongest event it reports (a bankruptcy, a deal, job
cuts, a recall, a rate decision ...), weighed in full when the headline or the first sentence
names it and by half when it only comes up further down; and how large its figures are (the
largest sum of money, the largest percentage change, the number of jobs cut). Then who reports
it (how many sources, how trusted), whether it names listed companies, how long it is and how
fresh. Points above 6 count a third, so that signals which tend to come together (a large deal
is also a large sum, widely reported) do not push every big story to 10. The reason names the
event, its size and its coverage in words an editor would use: "A $4.2 billion acquisition
reported by 3 sources; published 1 h ago".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..data import events, lexicon
from ..schema import ArticleInput, CompanyMention
from .sentences import SHORT_TEXT_CHARS, _clip, _Sentence
from .tone import inflections

_STRONG: dict[str, str] = {
    form: theme
    for word, theme in lexicon.STRONG_WORDS.items()
    if word not in lexicon.STRONG_AS_WRITTEN
    for form in sorted(inflections(word))
}
_STRONG.update(lexicon.STRONG_WORDS)
_NOUNS: dict[str, str] = {
    form: noun
    for word, noun in events.EVENT_NOUNS.items()
    if " " not in word
    for form in sorted(inflections(word))
}
_NOUNS.update(events.EVENT_NOUNS)

# "cutting 3,500 positions", "will shed about 1,200 jobs": job cuts without the word "layoffs".
_JOB_CUTS = re.compile(
    r"\b(?:cut|cuts|cutting|eliminat\w*|shed\w*|slash\w*|lay(?:ing)? off|ax(?:e|es|ed|ing))"
    r"\s+(?:about |some |roughly |nearly |around |more than |up to |almost )?"
    r"(?P<count>\d[\d,.]*)(?: (?P<scale>thousand|million))?\s+"
    r"(?:jobs|positions|roles|workers|employees|staff)\b(?!['’])",  # not "staff's hours"
    re.IGNORECASE,
)
# Money and percentages as written: "$4.2 billion", "€900m", "27%", "25 basis points".
_FIGURE = re.compile(
    r"(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:trillion|billion|million|bn|tn|mn|m|k)\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b|basis points\b|bp\b)"
    r"|\b\d[\d,]*(?:\.\d+)?\s(?:trillion|billion|million)\b)"
)
_MONEY = re.compile(
    r"[$€£¥]\s?(?P<amount>\d[\d,]*(?:\.\d+)?)"
    r"(?:\s?(?P<scale>trillion|billion|million|bn|tn|mn|m|k)\b)?",
    re.IGNORECASE,
)
_SCALES = {
    "trillion": 1e12,
    "tn": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "thousand": 1e3,
    "k": 1e3,
}
_PERCENT = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)")
_WORD = re.compile(r"\w+")
_MASS_NOUNS = ("news", "action", "insolvency", "inflation", "data")
# Above this many points a story is already important; further signals count a third.
_KNEE = 6.0
LEAD_SENTENCES = 1  # an event named this early is what the story is about
FIGURE_CHARS = 6000  # how far into the text figures count
PRICE_DISTANCE = 100  # how near its event a sum must be written to be its price
LEAD_JOBS = 3  # job cuts count when the headline or the first sentences give them


# --- Signals -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Event:
    word: str  # as found, lowercased: "acquire", "rate cut"
    theme: str  # "a deal"
    prominent: bool  # in the headline or the first sentence

    @property
    def weight(self) -> float:
        weight = events.EVENT_WEIGHTS.get(self.theme, 1.0)
        return weight if self.prominent else weight / 2


def _strong_words(token_lists: Iterable[list[str]]) -> dict[str, str]:
    """Market-moving words as written (lowercased) → theme, in order of appearance; one
    word per theme, so "rate cut" and "policy rate" count once."""
    found: dict[str, str] = {}
    themes: set[str] = set()
    for tokens in token_lists:
        previous = ""
        for i, token in enumerate(tokens):
            theme = lexicon.STRONG_PAIRS.get((previous, token))
            if theme:
                word, start = f"{previous} {token}", i - 1
            else:
                word, theme, start = token, _STRONG.get(token), i
            # "did not expect job cuts", "no layoffs": named, but not happening.
            if (
                theme
                and theme not in themes
                and lexicon.NEGATORS.isdisjoint(tokens[max(0, start - 3) : start])
            ):
                themes.add(theme)
                found[word] = theme
            previous = token
    return found


def _events(title_tokens: list[str], sentences: Sequence[_Sentence]) -> list[_Event]:
    """One event per theme, prominent if the headline or the first sentence names it,
    strongest first."""
    lead = [title_tokens, *(s.tokens for s in sentences[:LEAD_SENTENCES])]
    prominent = _strong_words(lead)
    rest = _strong_words(s.tokens for s in sentences[LEAD_SENTENCES:])
    found = [_Event(word, theme, True) for word, theme in prominent.items()]
    seen = set(prominent.values())
    found += [
        _Event(word, theme, False) for word, theme in rest.items() if theme not in seen
    ]
    return sorted(found, key=lambda e: -e.weight)


def _number(text: str) -> float:
    try:
        return float(text.replace(",", "").rstrip("."))
    except ValueError:
        return 0.0


def _largest_sum(text: str) -> tuple[float, str]:
    """The largest sum of money in ``text`` and how it is written."""
    best, written = 0.0, ""
    for match in _MONEY.finditer(text):
        scale = (match.group("scale") or "").lower()
        value = _number(match.group("amount")) * _SCALES.get(scale, 1.0)
        if value > best:
            best, written = value, match.group().strip()
    return best, written


# Words after a comparative that do not say what was compared ("18% more than", "less of").
_LINKS = frozenset(
    {"than", "of", "in", "on", "at", "to", "from", "for", "and", "the", "a", "per"}
)


def _largest_change(text: str) -> tuple[float, str, str]:
    """The largest percentage that reads as a change: a rise or fall word just before it
    ("rose 18%", "up 4.1%", "by 62%" after "raised") or a comparative just after it ("18%
    more"); not a level ("to 4.7% from 4.3%"). Returns (value, as written, as the reason
    says it): "an 18% rise" after a rise word; after a comparative, the comparison as
    written ("15% less fuel"), which is not a fall of anything."""
    best: tuple[float, str, str] = (0.0, "", "")
    for match in _PERCENT.finditer(text):
        before = _WORD.findall(text[max(0, match.start() - 40) : match.start()].lower())
        after = _WORD.findall(text[match.end() : match.end() + 20].lower())[:2]
        if before[-1:] and before[-1] in ("from", "to", "at"):
            continue
        near = before[-4:]
        written = match.group().strip()
        if events.RISE_WORDS.intersection(near):
            said = _a(f"{written} rise")
        elif events.FALL_WORDS.intersection(near):
            said = _a(f"{written} fall")
        elif (events.RISE_AFTER | events.FALL_AFTER).intersection(after):
            linked = len(after) > 1 and after[1] in _LINKS
            said = " ".join([written, *after[: 1 if linked else 2]])
        else:
            continue
        value = _number(match.group("value"))
        if best[0] < value < 1000:
            best = (value, written, said)
    return best


def _jobs_cut(text: str) -> int:
    best = 0
    for match in _JOB_CUTS.finditer(text):
        count = _number(match.group("count"))
        count *= _SCALES.get((match.group("scale") or "").lower(), 1.0)
        best = max(best, int(count))
    return best


def _age(published_at: datetime, now: datetime) -> tuple[float, str]:
    hours = max((now - published_at).total_seconds() / 3600, 0.0)
    if hours < 1:
        return hours, "published under 1 h ago"
    if hours < 48:
        return hours, f"published {int(hours)} h ago"
    if hours < 24 * 365:
        return hours, f"published {int(hours // 24)} days ago"
    return hours, f"published {int(hours // (24 * 365))}+ years ago"


def _a(phrase: str) -> str:
    """ "a $4.2 billion acquisition", "an 18% rise", "an outage", "tariffs": the article as
    the phrase is spoken (8, 11 and 18 take "an"); plural and mass nouns take none."""
    if phrase.endswith("s") or phrase.endswith(_MASS_NOUNS):
        return phrase
    digits = re.match(r"[$€£¥]?\s?(\d[\d,]*)", phrase)
    if digits:
        number = digits.group(1).replace(",", "")
        vowel = number.startswith("8") or (
            len(number) in (2, 5, 8) and number[:2] in ("11", "18")
        )
    else:
        vowel = phrase[:1].lower() in "aeio" or phrase.startswith(("FDA", "IPO"))
    return f"{'an' if vowel else 'a'} {phrase}"


def _event_sum(
    event: _Event, title: str, title_tokens: list[str], sentences: Sequence[_Sentence]
) -> tuple[float, str]:
    """The sum written closest to ``event`` (within PRICE_DISTANCE characters) in the first
    passage naming it: "agreed to acquire Lumen for $4.2 billion", "after $1.1bn IPO"."""
    words = event.word.split()
    passages = [(title, title_tokens), *((s.text, s.tokens) for s in sentences[:8])]
    for text, tokens in passages:
        if not any(tokens[i : i + len(words)] == words for i in range(len(tokens))):
            continue
        where = [
            m.start() for m in re.finditer(re.escape(words[0]), text, re.IGNORECASE)
        ]
        best: tuple[int, float, str] = (PRICE_DISTANCE + 1, 0.0, "")
        for match in _MONEY.finditer(text):
            # A price follows its deal ("to acquire Lumen for $900 million"); a sum before
            # the deal word is often something else ("which has $9 billion in cash, agreed
            # to acquire"), so it must be much nearer to win.
            distance = (
                min(
                    abs(match.start() - w)
                    + (PRICE_DISTANCE // 2 if match.start() < w else 0)
                    for w in where
                )
                if where
                else 10**6
            )
            if distance < best[0]:
                value, written = _largest_sum(match.group())
                best = (distance, value, written)
        return best[1], best[2]
    return 0.0, ""


def _event_noun(event: _Event) -> str:
    return (
        _NOUNS.get(event.word)
        or events.THEME_NOUNS.get(event.theme)
        or event.theme.removeprefix("a ").removeprefix("an ")
    )


@dataclass(slots=True)
class Stakes:
    """What the story is about, in the reason's words: the main event as a noun phrase
    ("a $4.2 billion acquisition", "a profit warning") and the job cuts ("3,500 job cuts"),
    each empty when the story has none. Sums and percentages are left out on purpose: the
    text does not say whose they are ("a 38% rise" in cocoa costs is not the company's)."""

    event: str = ""
    # The event's theme ("a deal", "an outage"), as in ``events.EVENT_WEIGHTS``.
    theme: str = ""
    # The headline names the event (not only the first sentence).
    titled: bool = False
    jobs: str = ""


# --- Score and reason --------------------------------------------------------------------------
def _importance(
    article: ArticleInput,
    *,
    title: str,
    text: str,
    title_tokens: list[str],
    sentences: Sequence[_Sentence],
    companies: list[CompanyMention],
    published_at: datetime,
    now: datetime,
) -> tuple[int, str, Stakes]:
    """1-10 from additive signals, the reason, and the stakes (for the analysis). Calibrated
    on the demo feeds: a routine single-source story lands at 3-5, a fresh multi-source deal
    at 7-9, a short stale item at 1-2."""
    points = 2.0
    found = _events(title_tokens, sentences)
    if found:
        points += min(2.5, found[0].weight + 0.25 * (len(found) - 1))
    # The figures that make a story big are in its first paragraphs; a long transcript's
    # tail would only cost time.
    full_text = f"{title}\n{text[:FIGURE_CHARS]}"
    money, money_written = _largest_sum(full_text)
    change, change_written, change_said = _largest_change(full_text)
    # Job cuts count when the story is about them, not when it recalls someone else's.
    jobs = _jobs_cut(" ".join([title, *(s.text for s in sentences[:LEAD_JOBS])]))
    if money or change or _FIGURE.search(full_text):
        points += 1.0  # figures: the story reports something measured
    sizes = sorted(
        (
            2.0 if money >= 1e11 else 1.5 if money >= 1e10 else 1.0 if money >= 1e9
            else 0.5 if money >= 1e8 else 0.0,
            1.0 if change >= 25 else 0.75 if change >= 10 else 0.5 if change >= 5
            else 0.0,
            1.0 if jobs >= 1000 else 0.5 if jobs >= 100 else 0.0,
        ),
        reverse=True,
    )  # fmt: skip
    points += min(2.0, sizes[0] + 0.5 * sizes[1])
    if change_written and change_written in title:
        points += 0.25  # the headline leads on the number

    # What happened and how big, for the reason: the main event (priced when the sentence
    # naming it gives a sum), then the largest sum, job cuts and change not yet said.
    what: list[str] = []
    event = next((e for e in found if e.weight >= 1.0), None)
    stakes = Stakes()
    if jobs >= 100:
        what.append(f"{jobs:,} job cuts")
        stakes.jobs = what[-1]
        if event and event.theme == "job cuts":
            event = next((e for e in found if e.weight >= 1.0 and e is not event), None)
    if event:
        price, price_written = 0.0, ""
        if event.theme in events.PRICED_THEMES:
            price, price_written = _event_sum(event, title, title_tokens, sentences)
        noun = _event_noun(event)
        what.insert(0, _a(f"{price_written} {noun}" if price >= 1e6 else noun))
        # The reading names the story's own event only (headline or first sentence), and
        # reports market moves itself.
        if event.prominent and event.theme != "sharp market moves":
            stakes.event, stakes.theme = what[0], event.theme
            stakes.titled = event.word.split()[0] in title_tokens
        if price:
            money = 0.0  # said already
    if money >= 1e8:
        what.append(f"sums of up to {money_written}")
    if change >= 10:
        what.append(change_said)

    trust = min(max(article.source_trust, 0.0), 1.0)
    points += (trust - 0.5) * 2
    coverage = max(article.coverage_sources, 1)
    if coverage > 1:
        points += min(3.0, 1.25 * math.log2(coverage))
        reach = f"reported by {coverage} sources"
    elif trust >= 0.75:
        reach = "from one trusted source"
    elif trust <= 0.3:
        reach = "from one low-trust source"
    else:
        reach = "from one source"
    if companies:
        points += 0.5

    notes: list[str] = []
    length = len(text.strip())
    if length < SHORT_TEXT_CHARS:
        points -= 1.0
        notes.append("a short item")
    elif length > 2500:
        points += 0.5
    hours, age = _age(published_at, now)
    if hours <= 6:
        points += 1.0
    elif hours <= 24:
        points += 0.5
    elif hours > 24 * 30:
        points -= 1.0
    elif hours > 24 * 7:
        points -= 0.75
    elif hours > 72:
        points -= 0.25
    notes.append(age)

    if points > _KNEE:
        points = _KNEE + (points - _KNEE) / 3
    score = min(max(int(points + 0.5), 1), 10)
    lead = f"{what[0] if what else 'a routine item'} {reach}"
    if companies and coverage > 1:
        lead += f", naming {_join([c.name for c in companies[:2]])}"
    parts = [lead, _join(what[1:3]), *notes]
    reason = "; ".join(p for p in parts if p)
    return score, _clip(reason[:1].upper() + reason[1:], 200), stakes


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
