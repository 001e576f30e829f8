"""Tone: finance-lexicon sentiment for the whole story and for each company it names. Lexicon
words, expanded once at import into their regular inflections and hyphenated pairs, count as
positive or negative; a word pair ("record low") counts before its words, and a nearby negator
flips the next hit. The counts become bullish or bearish only outside a dead band, so a story
needs a clear lean to be labelled. Counting words rather than asking a model keeps the backend
deterministic and fast, and lets the analysis quote the terms that set the tone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..data import lexicon
from ..schema import Sentiment


# --- Word lists, expanded once ----------------------------------------------------------------
def inflections(word: str) -> set[str]:
    """Regular English inflections of a base form: beat → beats, beating; rally → rallied."""
    forms = {word, word + "s", word + "ed", word + "ing"}
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(word + "es")
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if (
        len(word) >= 3
        and word[-1] in "bdgklmnprt"
        and word[-2] in "aeiou"
        and word[-3] not in "aeiou"
    ):
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def _expand(words: Iterable[str]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Single words with their inflections, and hyphenated entries as word pairs (the
    tokeniser splits "sell-off" into "sell", "off")."""
    singles: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for word in words:
        if "-" in word:
            first, _, second = word.partition("-")
            pairs.add((first, second))
        elif word in lexicon.UNINFLECTED:
            singles.add(word)
        else:
            singles |= inflections(word)
    return frozenset(singles), frozenset(pairs)


_POSITIVE, _POSITIVE_HYPHENATED = _expand(lexicon.POSITIVE_WORDS)
_NEGATIVE, _NEGATIVE_HYPHENATED = _expand(lexicon.NEGATIVE_WORDS)
# A form claimed by both lists (none today) would cancel out; negative wins, as in finance.
_POSITIVE = _POSITIVE - _NEGATIVE
_POSITIVE_PAIRS = lexicon.POSITIVE_PAIRS | _POSITIVE_HYPHENATED
_NEGATIVE_PAIRS = lexicon.NEGATIVE_PAIRS | _NEGATIVE_HYPHENATED
_DIRECTIONS, _ = _expand(lexicon.DIRECTION_WORDS)
_SCORED_PAIRS = _POSITIVE_PAIRS | _NEGATIVE_PAIRS
_MOVERS = lexicon.INVERTED_MOVERS | lexicon.NEUTRAL_MOVERS | lexicon.OWN_MOVERS


def _mover(tokens: Sequence[str], at: int) -> int:
    """How the direction word ``tokens[at]`` counts, by what moved: the nearest mover noun
    up to MOVER_WINDOW words before it, or the one naming it ("jobless rate", "share
    price"). 1: as listed (no mover, or the story's own); -1: the other way ("costs
    climb"); 0: not at all ("yields slide")."""
    for j in range(at - 1, max(-1, at - 1 - lexicon.MOVER_WINDOW), -1):
        if tokens[j] in _MOVERS:
            noun = tokens[j - 1] if j and tokens[j - 1] in _MOVERS else tokens[j]
            if noun in lexicon.INVERTED_MOVERS:
                return -1
            return 0 if noun in lexicon.NEUTRAL_MOVERS else 1
    return 1


# --- Sentiment --------------------------------------------------------------------------------
@dataclass(slots=True)
class _Tone:
    positive: int = 0
    negative: int = 0
    positive_terms: list[str] = field(default_factory=list)
    negative_terms: list[str] = field(default_factory=list)

    def add(self, other: _Tone, weight: int = 1) -> None:
        self.positive += other.positive * weight
        self.negative += other.negative * weight
        self.positive_terms.extend(other.positive_terms)
        self.negative_terms.extend(other.negative_terms)

    def label(self, *, margin: int, smoothing: int, band: float = 0.2) -> Sentiment:
        """bullish / bearish outside a dead band: a clear net count and a clear share."""
        net = self.positive - self.negative
        share = net / (self.positive + self.negative + smoothing)
        if net >= margin and share >= band:
            return "bullish"
        if -net >= margin and -share >= band:
            return "bearish"
        return "neutral"


def _tone(tokens: Sequence[str]) -> _Tone:
    """Positive and negative hits; a word pair ("record low", "beat estimates") counts once
    and before its words. A negator flips the next hit within NEGATION_WINDOW words, once:
    "did not slow cognitive decline" flips "slow", not "decline"."""
    tone = _Tone()
    negated_until = -1
    i, size = 0, len(tokens)
    while i < size:
        token = tokens[i]
        if token in lexicon.NEGATORS:
            if tokens[i : i + 2] != ["not", "only"]:  # "not only ... but"
                negated_until = i + lexicon.NEGATION_WINDOW
            i += 1
            continue
        polarity, term, width = 0, token, 1
        if (
            token in lexicon.PAIR_MODIFIERS
            and tuple(tokens[i + 1 : i + 3]) in _SCORED_PAIRS
        ):
            i += 1  # "net loss narrowed": the pair after it decides
            continue
        if i + 1 < size:
            pair = (token, tokens[i + 1])
            if pair in lexicon.NEUTRAL_PAIRS:
                i += 2
                continue
            if pair in _POSITIVE_PAIRS:
                polarity, term, width = 1, f"{token} {tokens[i + 1]}", 2
            elif pair in _NEGATIVE_PAIRS:
                polarity, term, width = -1, f"{token} {tokens[i + 1]}", 2
        if not polarity:
            if token in _POSITIVE:
                polarity = 1
            elif token in _NEGATIVE:
                polarity = -1
            if polarity and token in _DIRECTIONS:
                polarity *= _mover(tokens, i)
        if polarity:
            if i <= negated_until:
                polarity, term, negated_until = -polarity, f"not {term}", -1
            if polarity > 0:
                tone.positive += 1
                tone.positive_terms.append(term)
            else:
                tone.negative += 1
                tone.negative_terms.append(term)
        i += width
    return tone


def _company_sentiment(passages: Iterable[Sequence[str]]) -> Sentiment:
    """What the story means for one company, from the token lists of the passages naming it
    (a headline mention is listed twice): a looser dead band than the story's own label."""
    tone = _Tone()
    for tokens in passages:
        tone.add(_tone(tokens))
    return tone.label(margin=1, smoothing=2, band=0.25)
