"""Categories: the site category an article belongs to, by keyword rules. Each category name maps
(through aliases) to the shipped keywords and phrases that speak for it, or to its own words
when it has none, so a site can add "Real Estate" without code; headline hits weigh three times
body hits, and with no hit at all the story falls back to "Business" or the first category.
Rules are derived once per category name (``lru_cache``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from ..data import lexicon
from .sentences import _WORD


# --- Keyword rules ----------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _category_rule(name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(single words, phrases) that speak for a site category name."""
    key = name.strip().casefold()
    key = lexicon.CATEGORY_ALIASES.get(key, key)
    keywords = lexicon.CATEGORY_KEYWORDS.get(key)
    if keywords is None:  # a category without rules speaks for itself: "Real Estate"
        keywords = (key, *(w for w in _WORD.findall(key) if len(w) > 3))
    words = frozenset(k for k in keywords if _WORD.fullmatch(k))
    phrases = tuple(k for k in keywords if not _WORD.fullmatch(k))
    return words, phrases


def _category(
    categories: Sequence[str],
    title_counts: Counter[str],
    body_counts: Counter[str],
    lowered: str,
) -> str:
    best, best_score = "", 0
    for name in categories:
        words, phrases = _category_rule(name)
        score = sum(
            3 * min(title_counts[w], 2) for w in words.intersection(title_counts)
        )
        score += sum(min(body_counts[w], 3) for w in words.intersection(body_counts))
        score += sum(min(lowered.count(p), 3) for p in phrases)
        if score > best_score:
            best, best_score = name, score
    if best:
        return best
    return next((c for c in categories if c.casefold() == "business"), categories[0])
