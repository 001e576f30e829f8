"""Key terms of an article, and how alike two sets of them are (pure functions).

An article is described by its *key terms* — names (capitalised words), figures and the
significant words of its title and lead — weighted by where they occur. Two articles are
compared by the cosine of their TF-IDF vectors over key terms.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from operator import itemgetter

_WORD = re.compile(r"[A-Za-z][A-Za-z'’&-]*[A-Za-z]|[A-Za-z]")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
_STOPWORDS = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers him his how i if in into
is it its itself just me more most my new no nor not now of off on once only or
other our out over own same she should so some such than that the their them then
there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your said says say year years
week weeks day days today yesterday tomorrow monday tuesday wednesday thursday
friday saturday sunday january february march april may june july august september
october november december jan feb mar apr jun jul aug sep sept oct nov dec percent
per cent company companies firm firms group inc corp ltd plc co llc million billion
bn m mn share shares stock stocks market markets people report reports reported
according news update live first last next one two three four five six seven eight
nine ten us mr ms mrs dr chief executive officer ceo cfo analyst analysts quarter
"""
_STOP = frozenset(_STOPWORDS.split())
_TITLE_WEIGHT, _NAME_WEIGHT, _NUMBER_WEIGHT, _LEAD_WEIGHT = 1.6, 1.3, 1.8, 0.8
LEAD_CHARS = 700
MAX_TERMS = 24


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ers", "ied", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _number_term(raw: str) -> str | None:
    value = raw.replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    # Single digits and years say little about which event this is.
    if len(value.replace(".", "")) < 2 or (
        len(value) == 4 and value.startswith(("19", "20"))
    ):
        return None
    return f"#{value}"


def key_terms(title: str, text: str) -> dict[str, float]:
    """Weighted key terms of an article: figures, names and significant words, the title
    counting more than the lead."""
    # Float weights: typeshed's Counter is int-valued, so a float defaultdict and
    # the same top-N selection Counter.most_common() performs.
    weights: defaultdict[str, float] = defaultdict(float)
    for part, factor in ((title, _TITLE_WEIGHT), (text[:LEAD_CHARS], _LEAD_WEIGHT)):
        for match in _NUMBER.finditer(part):
            term = _number_term(match.group(0))
            if term:
                weights[term] += _NUMBER_WEIGHT * factor
        for match in _WORD.finditer(part):
            word = match.group(0).strip("'’-&")
            lower = word.lower().replace("’", "'").removesuffix("'s")
            if len(lower) < 3 or lower in _STOP:
                continue
            weight = factor
            if word[0].isupper() and match.start() > 0:
                weight *= _NAME_WEIGHT
            weights[_stem(lower)[:60]] += weight
    return dict(heapq.nlargest(MAX_TERMS, weights.items(), key=itemgetter(1)))


def figure_terms(terms: dict[str, float]) -> set[str]:
    return {t for t in terms if t.startswith("#")}


def title_words(title: str) -> list[str]:
    return sorted(
        {
            _stem(w.lower())
            for w in _WORD.findall(title)
            if w.lower() not in _STOP and len(w) > 2
        }
    )


def cosine(a: dict[str, float], b: dict[str, float], idf: dict[str, float]) -> float:
    """Cosine similarity of two term vectors under the given IDF weights."""
    if not a or not b:
        return 0.0
    dot = sum(a[t] * b[t] * idf.get(t, 1.0) ** 2 for t in a.keys() & b.keys())
    if not dot:
        return 0.0
    norm_a = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in a.items()))
    norm_b = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in b.items()))
    return dot / (norm_a * norm_b)
