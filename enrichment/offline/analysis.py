"""Analysis: at most a few of the article's own sentences, whole, that the summary and the
takeaways do not use, each chosen for the job it does for a reader — and only what the
source budget leaves (``budget``; on a short article, nothing). Why it matters: who is
affected or how large it is (customers, jobs, prices, "the largest", billions). Context:
earlier figures and how markets, analysts or critics reacted, and what the people involved
said, with the speaker named. What to watch: plans, forecasts, deadlines and later dates.

The analysis takes only sentences the summary and the takeaways did not, so the three never
repeat one another. A role with no sentence is left out, and a short article gets no
analysis at all: an empty field reads better than a sentence about the text instead of the
news.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..data import editing, lexicon
from .budget import Budget
from .sentences import _PRONOUNS, _is_quote, _Sentence

MAX_ANALYSIS_SENTENCES = 3
MIN_TAKEAWAYS = 3

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_LARGE = re.compile(
    r"\b(?:billion|trillion|bn|million)\b"
    r"|\d{1,3}(?:,\d{3})+\s+(?:jobs|people|workers|homes|customers|households)",
    re.IGNORECASE,
)
_ATTRIBUTED = re.compile(r"\b(?:said|says|told|added|argued|warned|wrote)\b")
_QUOTE_MARKS = re.compile(r"[\"“”]")


def is_forward(sentence: _Sentence, published_year: int) -> bool:
    """Whether ``sentence`` looks ahead: a plan, forecast or deadline, or a later year."""
    if any(int(year) > published_year for year in _YEAR.findall(sentence.text)):
        return True
    tokens = sentence.tokens
    if any(
        token in ("next", "coming", "later") and following in lexicon.FORWARD_TIME_WORDS
        for token, following in zip(tokens, tokens[1:], strict=False)
    ):
        return True
    return not lexicon.FORWARD_WORDS.isdisjoint(tokens)


def _is_voice(sentence: _Sentence) -> bool:
    """A quotation with its speaker: '"...," the chief executive said.'"""
    return bool(
        _QUOTE_MARKS.search(sentence.text) and _ATTRIBUTED.search(sentence.text)
    )


def plan_analysis(
    sentences: list[_Sentence],
    used: set[int],
    *,
    briefs: dict[int, str],
    published_year: int,
    most: int = MAX_ANALYSIS_SENTENCES,
    reserve: int = MIN_TAKEAWAYS,
    budget: Budget | None = None,
) -> dict[str, list[_Sentence]]:
    """Role ("why", "context", "watch") → the sentences for it, at most ``most``, taken from
    ``briefs`` outside ``used``, leaving ``reserve`` of them for the takeaways and taking only
    sentences that fit in ``budget`` (which is charged for each one taken)."""
    spare = [s for s in sentences if s.index in briefs and s.index not in used]
    # The takeaways come first: four when there are five to spare, never fewer than three.
    quota = min(
        most,
        max(len(spare) - reserve - 1, min(len(spare) - reserve, 1)),
    )
    plan: dict[str, list[_Sentence]] = {"why": [], "context": [], "watch": []}
    taken: set[int] = set()

    def weight(sentence: _Sentence, words: frozenset[str], dated: bool) -> float:
        score = sentence.score + 0.08 * min(len(words.intersection(sentence.tokens)), 3)
        if dated and _YEAR.search(sentence.text):
            score += 0.2  # a date to watch for
        if sentence.tokens[:1] in _PRONOUNS:
            # "It also said ..." leans on a sentence the reader has not seen.
            score *= 0.75
        return score

    def take(
        role: str,
        test: Callable[[_Sentence], bool],
        words: frozenset[str],
        *,
        dated: bool = False,
    ) -> None:
        if len(taken) >= quota:
            return
        found = [
            s
            for s in spare
            if s.index not in taken
            and test(s)
            and (budget is None or budget.fits(s, briefs[s.index]))
        ]
        if found:
            best = max(found, key=lambda s: (weight(s, words, dated), -s.index))
            plan[role].append(best)
            taken.add(best.index)
            if budget is not None:
                budget.spend(best, briefs[best.index])

    # In order of what a reader misses most when there is room for only some of them.
    take(
        "watch",
        lambda s: not _QUOTE_MARKS.search(s.text) and is_forward(s, published_year),
        lexicon.FORWARD_WORDS,
        dated=True,
    )
    take(
        "why",
        lambda s: (
            not _QUOTE_MARKS.search(s.text)
            and (
                not editing.IMPACT_WORDS.isdisjoint(s.tokens)
                or bool(_LARGE.search(s.text))
            )
        ),
        editing.IMPACT_WORDS,
    )
    take(
        "context",
        lambda s: not _is_quote(s) and not editing.CONTEXT_WORDS.isdisjoint(s.tokens),
        editing.CONTEXT_WORDS,
    )
    take("context", _is_voice, frozenset())
    for sentences_for_role in plan.values():
        sentences_for_role.sort(key=lambda s: s.index)
    return plan


def write_analysis(plan: dict[str, list[_Sentence]], briefs: dict[int, str]) -> str:
    """The planned sentences as paragraphs separated by a blank line: why it matters,
    context, what to watch."""
    paragraphs = (plan.get(role, []) for role in ("why", "context", "watch"))
    return "\n\n".join(
        " ".join(briefs[s.index] for s in paragraph)
        for paragraph in paragraphs
        if paragraph
    )
