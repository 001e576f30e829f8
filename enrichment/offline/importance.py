"""Importance: the 1-10 score and its one-line reason, from additive, explainable signals. The
signals are source trust, how many sources carry the story, the companies named, market-moving
words (one per theme, such as "acquisition" or "job cuts"), large sums among the quoted figures,
text length and recency; each adds or removes points and is named in the reason, so an editor
can see why a story ranks where it does. The figure and job-cut regexes live here with the other
signals, although the analysis also quotes the figures and the tone also counts job cuts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import datetime

from ..data import lexicon
from ..schema import ArticleInput, CompanyMention
from .sentences import SHORT_TEXT_CHARS, _clip
from .tone import inflections

_STRONG: dict[str, str] = {
    form: theme
    for word, theme in lexicon.STRONG_WORDS.items()
    for form in sorted(inflections(word))
}
_STRONG.update(lexicon.STRONG_WORDS)

# "cutting 3,500 positions", "will shed about 1,200 jobs": job cuts without the word "layoffs".
_JOB_CUTS = re.compile(
    r"\b(?:cut|cuts|cutting|eliminat\w*|shed\w*|slash\w*|lay(?:ing)? off|ax(?:e|es|ed|ing))"
    r"\s+(?:about |some |roughly |nearly |around |more than |up to |almost )?"
    r"\d[\d,.]*(?: (?:thousand|million))?\s+(?:jobs|positions|roles|workers|employees|staff)\b",
    re.IGNORECASE,
)
# Money and percentages as written: "$4.2 billion", "€900m", "27%", "25 basis points".
_FIGURE = re.compile(
    r"(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:trillion|billion|million|bn|tn|mn|m|k)\b)?"
    r"|\b\d[\d,]*(?:\.\d+)?\s?(?:%|percent\b|per cent\b|basis points\b|bp\b)"
    r"|\b\d[\d,]*(?:\.\d+)?\s(?:trillion|billion|million)\b)"
)
_BIG_MONEY = re.compile(r"trillion|billion|\dbn\b|\dtn\b", re.IGNORECASE)


# --- Signals -----------------------------------------------------------------------------------
def _strong_words(token_lists: Iterable[list[str]]) -> dict[str, str]:
    """Market-moving words as written (lowercased) → theme, in order of appearance; one
    word per theme, so "rate cut" and "policy rate" count once."""
    found: dict[str, str] = {}
    themes: set[str] = set()
    for tokens in token_lists:
        previous = ""
        for token in tokens:
            theme = lexicon.STRONG_PAIRS.get((previous, token))
            word = f"{previous} {token}"
            if not theme:
                word, theme = token, _STRONG.get(token)
            if theme and theme not in themes:
                themes.add(theme)
                found[word] = theme
            previous = token
    return found


def _age(published_at: datetime, now: datetime) -> tuple[float, str]:
    hours = max((now - published_at).total_seconds() / 3600, 0.0)
    if hours < 1:
        return hours, "published under 1 h ago"
    if hours < 48:
        return hours, f"published {int(hours)} h ago"
    if hours < 24 * 365:
        return hours, f"published {int(hours // 24)} days ago"
    return hours, f"published {int(hours // (24 * 365))}+ years ago"


# --- Score and reason --------------------------------------------------------------------------
def _importance(
    article: ArticleInput,
    *,
    companies: list[CompanyMention],
    strong: list[str],
    figures: list[str],
    text_length: int,
    published_at: datetime,
    now: datetime,
) -> tuple[int, str]:
    """1-10 from additive signals. Calibrated on the demo feeds: a routine single-source
    story lands at 3-6, a fresh multi-source deal at 7-9, a short stale item at 1-2."""
    points = 1.5
    signals: list[str] = []
    trust = min(max(article.source_trust, 0.0), 1.0)
    points += (trust - 0.5) * 2
    if trust >= 0.75:
        signals.append(f"trusted source ({trust:.1f})")
    elif trust <= 0.3:
        signals.append(f"low-trust source ({trust:.1f})")
    coverage = max(article.coverage_sources, 1)
    if coverage > 1:
        points += min(3.0, 1.25 * math.log2(coverage))
        signals.append(f"covered by {coverage} sources")
    else:
        signals.append("single source")
    if companies:
        points += 0.5 if len(companies) == 1 else 1.0
        signals.append(
            f"{len(companies)} compan{'y' if len(companies) == 1 else 'ies'}"
        )
    if strong:
        points += min(2.5, 0.75 * len(strong))
        signals.append(f"strong words ({', '.join(strong[:4])})")
    big = [f for f in figures if f[:1] in "$€£¥" and _BIG_MONEY.search(f)]
    if big:
        points += 0.5
        signals.append(f"large sums ({big[0]})")
    if text_length < SHORT_TEXT_CHARS:
        points -= 1.0
        signals.append("short item")
    elif text_length > 2500:
        points += 0.5
        signals.append("in-depth")
    hours, age = _age(published_at, now)
    if hours <= 6:
        points += 1.0
    elif hours <= 24:
        points += 0.5
    elif hours > 24 * 7:
        points -= 1.0
    elif hours > 72:
        points -= 0.5
    signals.append(age)
    score = min(max(int(points + 0.5), 1), 10)
    reason = f"{score}/10: " + ", ".join(signals)
    return score, _clip(reason, 300)
