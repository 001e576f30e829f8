"""The offline enrichment backend: rules and word lists instead of a model.

Deterministic and pure: no network, no database, nothing but the ``ArticleInput``. The summary
and takeaways are sentences taken verbatim from the text (clipped with "…" when overlong), so
every figure in them is the article's own; the analysis is a template filled only with what
was detected. Every regex and word list is built once, at import or per company set.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from .data import lexicon
from .data.companies import WELL_KNOWN_COMPANIES
from .schema import ArticleInput, CompanyMention, EnrichmentResult, Sentiment

# Texts beyond this are podcast transcripts or whole newsletters; the lead is what counts.
MAX_TEXT_CHARS = 40_000
SHORT_TEXT_CHARS = 200
SUMMARY_MAX_CHARS = 650
SUMMARY_SENTENCE_CHARS = 320
TAKEAWAY_CHARS = 240
MAX_COMPANIES = 8


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
_STRONG: dict[str, str] = {
    form: theme
    for word, theme in lexicon.STRONG_WORDS.items()
    for form in sorted(inflections(word))
}
_STRONG.update(lexicon.STRONG_WORDS)

# --- Regexes ----------------------------------------------------------------------------------
_WORD = re.compile(r"\w+")
# "didn't" → "did not"; "fails to", "unable to" → "not", so negation is one word to look for.
_NEGATION_REWRITE = re.compile(r"n['’]t\b|\b(?:fail(?:s|ed|ing)?|unable) to\b")
_PARAGRAPHS = re.compile(r"\s*\n\s*")
_TERMINATOR = re.compile(r"[.!?…。！？।۔؟]+[\"'”’)\]」』]*")
_CLOSERS = "\"'”’)]」』"
_OPENERS = "\"'“‘([«"
_CJK_STOPS = frozenset("。！？")
_BULLET = re.compile(r"^[•·▪►▸*–—|-]+\s+")
_SENTENCE_END = frozenset(".!?…。！？।۔؟")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?")
_NUMBERED_ABBREVIATIONS = frozenset({"no", "nos", "op", "pp", "vol", "fig", "figs"})
_MONTH_ABBREVIATIONS = frozenset(
    {
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
_BOILERPLATE = re.compile(
    r"^(?:continue reading|read more|read the|read our|see our|see also|click|tap here|"
    r"subscribe|sign up|follow (?:us|@)|related:|share this|advertisement|sponsored|"
    r"image:|photo:|credit:|download|listen|watch|comments?\b)"
    r"|^(?:read|see)\s|^more (?:detail|details|on|coverage|stories)\b"
    r"|appeared first on|all rights reserved|\bcookies?\b.*\bconsent\b",
    re.IGNORECASE,
)
_LEADING_CONNECTOR = re.compile(
    r"^(?:But|And|However|Meanwhile|Still|Also|Yet|Plus),?\s+"
)
_HAS_DIGIT = re.compile(r"\d")
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
_FUTURE_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_COUNT_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip


# --- Sentences --------------------------------------------------------------------------------
@dataclass(slots=True)
class _Sentence:
    text: str
    index: int
    paragraph: int
    tokens: list[str]
    score: float = 0.0
    usable: bool = True


def _tokens(text: str) -> list[str]:
    return _WORD.findall(_NEGATION_REWRITE.sub(" not", text.lower()))


def _is_abbreviation(line: str, dot: int, next_char: str) -> bool:
    """Whether the word ending at ``line[dot] == "."`` is an abbreviation, not a sentence end."""
    start = line.rfind(" ", 0, dot) + 1
    word = line[start:dot].lstrip(_OPENERS + "$€£")
    lowered = word.lower()
    if lowered in _NUMBERED_ABBREVIATIONS or lowered in _MONTH_ABBREVIATIONS:
        return next_char.isdigit()
    if lowered in lexicon.ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    return _DOTTED.fullmatch(word) is not None  # "U.S.", "e.g."


def split_sentences(text: str) -> list[tuple[str, int]]:
    """(sentence, paragraph number) pairs; every sentence is a verbatim slice of ``text``
    (list bullets such as "• " or "- " are left off).

    Lines are never joined. Within a line a sentence ends at . ! ? … (and 。！？ । ۔ ؟)
    followed by a space and a word that is not lowercase, unless the word before the full
    stop is an abbreviation ("Inc.", "Dr.", "U.S."); decimals such as "4.2" and "$1.5bn"
    have no space after the dot. "in April.Previously", a missing space, also ends one.
    """
    found: list[tuple[str, int]] = []
    for paragraph, line in enumerate(p for p in _PARAGRAPHS.split(text) if p):
        start, size = 0, len(line)
        for match in _TERMINATOR.finditer(line):
            end = match.end()
            if end >= size:
                break
            mark = match.group()
            if mark[0] in _CJK_STOPS:
                cut = end
            elif line[end].isspace():
                ahead = end + 1
                while ahead < size and (
                    line[ahead].isspace() or line[ahead] in _OPENERS
                ):
                    ahead += 1
                if ahead < size and line[ahead].islower():
                    continue
                next_char = line[ahead] if ahead < size else ""
                if mark.rstrip(_CLOSERS) == "." and _is_abbreviation(
                    line, match.start(), next_char
                ):
                    continue
                cut = end
            elif (
                mark == "."
                and end + 1 < size
                and line[end].isupper()
                and line[end + 1].islower()
                and line[max(0, match.start() - 3) : match.start()].isalpha()
                and line[max(0, match.start() - 3) : match.start()].islower()
            ):
                cut = end
            else:
                continue
            sentence = _BULLET.sub("", line[start:cut].strip())
            if sentence:
                found.append((sentence, paragraph))
            start = cut
        rest = _BULLET.sub("", line[start:].strip())
        if rest:
            found.append((rest, paragraph))
    return found


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _significant(tokens: Sequence[str]) -> list[str]:
    return list(
        dict.fromkeys(
            _stem(t)
            for t in tokens
            if len(t) > 2 and t not in lexicon.STOPWORDS and not t.isdigit()
        )
    )


def _is_usable(sentence: _Sentence) -> bool:
    text = sentence.text
    if _BOILERPLATE.search(text):
        return False
    if " " not in text:  # scripts written without spaces (CJK) or a lone word
        return len(text) >= 12 and not text.isascii()
    return len(sentence.tokens) >= 4


def _score_sentences(sentences: list[_Sentence], title: str) -> None:
    """Classic extractive scoring: topic words, title overlap, position, length."""
    significant = [_significant(s.tokens) for s in sentences]
    frequency: Counter[str] = Counter()
    for words in significant:
        frequency.update(words)
    title_words = set(_significant(_tokens(title)))
    content = [
        sum(frequency[w] for w in words if frequency[w] > 1)
        / math.sqrt(len(words) or 1)
        for words in significant
    ]
    top_content = max(content, default=0.0) or 1.0
    previous_paragraph = -1
    for sentence, words, weight in zip(sentences, significant, content, strict=True):
        overlap = (
            len(title_words.intersection(words)) / len(title_words)
            if title_words
            else 0
        )
        # The lead carries a news story; later sentences fade fast.
        position = 1.0 / (1.0 + 0.5 * sentence.index)
        score = 0.35 * weight / top_content + 0.25 * min(overlap, 1.0) + 0.4 * position
        if _HAS_DIGIT.search(sentence.text):
            score += 0.08
        if sentence.paragraph != previous_paragraph:
            score += 0.04  # a paragraph's opening sentence tends to carry its point
        previous_paragraph = sentence.paragraph
        count = len(sentence.tokens)
        if count < 6:
            score *= 0.4
        elif count < 10:
            score *= 0.8
        elif count > 60:
            score *= 0.55
        elif count > 40:
            score *= 0.8
        last = sentence.text.rstrip(_CLOSERS)[-1:]
        if last in "?？؟":
            score *= 0.8
        elif last not in _SENTENCE_END:
            score *= 0.7  # a heading, caption or list item rather than a sentence
        if sentence.text[:1] in '“"':
            score *= 0.9  # quotes colour a story; they rarely summarise it
        sentence.score = score


def _clip(text: str, limit: int) -> str:
    """``text`` or a verbatim prefix of it ending in "…", cut at a space where possible."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    if cut < limit // 2:
        cut = limit
    return text[:cut].rstrip(" ,;:–—-") + "…"


def _as_sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?…" else f"{text}."


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


# --- Companies --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Company:
    name: str
    ticker: str | None


def _trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation shaped as a trie: "Apple" and "Apple Inc." share a prefix, so
    the regex engine tries a handful of branches per position instead of every name."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [
            re.escape(char) + build(node[char]) for char in sorted(node) if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return (
                body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
            )
        return body

    return build(trie)


class _CompanyMatcher:
    def __init__(self, companies: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        self.by_form: dict[str, _Company] = {}
        by_key: dict[str, _Company] = {}
        companies = list(companies)
        # A site entry without a ticker borrows the shipped one for the same name.
        tickers: dict[str, str] = {}
        for name, ticker, _ in companies:
            if name and ticker and ticker.strip():
                tickers.setdefault(name.strip().casefold(), ticker.strip())
        for name, ticker, aliases in companies:
            name = (name or "").strip()
            if not name:
                continue
            ticker = (ticker or "").strip() or tickers.get(name.casefold())
            keys = [f"name:{name.casefold()}"] + (
                [f"ticker:{ticker.upper()}"] if ticker else []
            )
            # The site's own list comes first and wins over the shipped one for the same firm.
            company = next((by_key[k] for k in keys if k in by_key), None) or _Company(
                name, ticker
            )
            for key in keys:
                by_key.setdefault(key, company)
            for form in (name, *aliases):
                form = (form or "").strip()
                if form:
                    self.by_form.setdefault(form, company)
        self.pattern = (
            re.compile(r"(?<!\w)" + _trie_pattern(self.by_form) + r"(?!\w)")
            if self.by_form
            else None
        )

    def find(self, text: str) -> list[tuple[str, _Company]]:
        if self.pattern is None:
            return []
        return [
            (m.group(), self.by_form[m.group()]) for m in self.pattern.finditer(text)
        ]


@lru_cache(maxsize=32)
def _matcher(known: tuple[tuple[str, str, tuple[str, ...]], ...]) -> _CompanyMatcher:
    return _CompanyMatcher([*known, *WELL_KNOWN_COMPANIES])


def _hashable(known: Iterable[tuple[str, str, Iterable[str]]]) -> tuple:
    return tuple((name, ticker, tuple(aliases)) for name, ticker, aliases in known)


# --- Categories -------------------------------------------------------------------------------
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


# --- Small text helpers -----------------------------------------------------------------------
def _count(number: int, noun: str, plural: str | None = None) -> str:
    word = _COUNT_WORDS[number] if number < len(_COUNT_WORDS) else "many"
    return f"{word} {noun if number == 1 else plural or noun + 's'}"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _quoted(terms: Iterable[str], limit: int = 3) -> list[str]:
    # Negated hits ("not slow") read oddly out of context; the plain words make the case.
    plain = (t for t in terms if not t.startswith("not "))
    return [f"“{t}”" for t in list(dict.fromkeys(plain))[:limit]]


def _age(published_at: datetime, now: datetime) -> tuple[float, str]:
    hours = max((now - published_at).total_seconds() / 3600, 0.0)
    if hours < 1:
        return hours, "published under 1 h ago"
    if hours < 48:
        return hours, f"published {int(hours)} h ago"
    if hours < 24 * 365:
        return hours, f"published {int(hours // 24)} days ago"
    return hours, f"published {int(hours // (24 * 365))}+ years ago"


# --- The backend ------------------------------------------------------------------------------
class OfflineBackend:
    """Rule-based enrichment for demos, tests and sites without an API key."""

    name = "offline"
    model = "offline-1"  # shown as the model name; bump when the algorithm changes

    def enrich(
        self, article: ArticleInput, *, now: datetime | None = None
    ) -> EnrichmentResult:
        """An EnrichmentResult built from ``article`` alone; ``now`` only sets recency."""
        now = now or datetime.now(UTC)
        published_at = article.published_at
        if published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        title = " ".join(article.title.split())
        text = article.text[:MAX_TEXT_CHARS]

        sentences = [
            _Sentence(text=s, index=i, paragraph=p, tokens=_tokens(s))
            for i, (s, p) in enumerate(split_sentences(text))
        ]
        for sentence in sentences:
            sentence.usable = _is_usable(sentence)
        _score_sentences(sentences, title)
        title_tokens = _tokens(title)

        summary, summary_ids = self._summary(sentences, title=title, text=text)
        takeaways = self._takeaways(
            sentences, summary_ids, title=title, source_name=article.source_name
        )

        # Sentiment: the headline sets the tone, so it counts twice.
        tone = _Tone()
        tone.add(_tone(title_tokens), weight=2)
        for sentence in sentences:
            tone.add(_tone(sentence.tokens))
        strong = self._strong_words([title_tokens, *(s.tokens for s in sentences)])
        # Counted like words, the headline twice.
        job_cuts = 2 * bool(_JOB_CUTS.search(title)) + bool(_JOB_CUTS.search(text))
        if job_cuts:
            if "job cuts" not in strong.values():
                strong["job cuts"] = "job cuts"
            tone.negative += job_cuts
            tone.negative_terms.append("job cuts")
        sentiment = tone.label(margin=2, smoothing=3)

        companies = self._companies(article, title, title_tokens, sentences)
        figures = list(
            dict.fromkeys(m.group().rstrip(".,") for m in _FIGURE.finditer(text))
        )
        importance, reason = self._importance(
            article,
            companies=companies,
            strong=list(strong),
            figures=figures,
            text_length=len(article.text.strip()),
            published_at=published_at,
            now=now,
        )

        body_counts: Counter[str] = Counter()
        for sentence in sentences:
            body_counts.update(sentence.tokens)
        category = _category(
            article.categories or lexicon.DEFAULT_CATEGORIES,
            Counter(title_tokens),
            body_counts,
            f"{title}\n{text}".lower(),
        )

        analysis = self._analysis(
            sentences,
            summary_ids,
            companies=companies,
            themes=list(dict.fromkeys(strong.values())),
            coverage=article.coverage_sources,
            tone=tone,
            sentiment=sentiment,
            figures=figures,
            published_year=published_at.year,
        )
        return EnrichmentResult(
            summary=summary,
            analysis=analysis,
            key_takeaways=takeaways,
            sentiment=sentiment,
            importance=importance,
            importance_reason=reason,
            category=category,
            companies=companies,
        )

    # --- summary and takeaways ----------------------------------------------------------------
    @staticmethod
    def _ranked(
        sentences: list[_Sentence], *, usable_only: bool = True
    ) -> list[_Sentence]:
        """Distinct sentences, best first."""
        seen: set[str] = set()
        ranked = []
        for sentence in sorted(sentences, key=lambda s: (-s.score, s.index)):
            if (sentence.usable or not usable_only) and sentence.text not in seen:
                seen.add(sentence.text)
                ranked.append(sentence)
        return ranked

    def _summary(
        self, sentences: list[_Sentence], *, title: str, text: str
    ) -> tuple[str, set[int]]:
        # Text made only of fragments (link lists, dialogue) still beats the headline.
        ranked = self._ranked(sentences) or self._ranked(sentences, usable_only=False)
        if len(text.strip()) < SHORT_TEXT_CHARS or not ranked:
            # Too little text to extract from: the headline, then what text there is.
            parts = [_as_sentence(title)] if title else []
            body = " ".join(s.text for s in sentences[:2])
            if body and body.casefold() not in title.casefold():
                parts = [
                    p for p in parts if p.casefold().rstrip(".") not in body.casefold()
                ]
                parts.append(_clip(body, SUMMARY_MAX_CHARS))
            summary = " ".join(parts) or "The feed entry has no headline and no text."
            return summary, {s.index for s in sentences[:2]}
        chosen: list[_Sentence] = []
        length = 0
        for sentence in ranked:
            clipped = len(_clip(sentence.text, SUMMARY_SENTENCE_CHARS))
            if len(chosen) >= 2 and length + clipped > SUMMARY_MAX_CHARS:
                break
            chosen.append(sentence)
            length += clipped + 1
            if len(chosen) == 3:
                break
        chosen.sort(key=lambda s: s.index)
        summary = " ".join(_clip(s.text, SUMMARY_SENTENCE_CHARS) for s in chosen)
        return summary, {s.index for s in chosen}

    def _takeaways(
        self,
        sentences: list[_Sentence],
        summary_ids: set[int],
        *,
        title: str,
        source_name: str,
    ) -> list[str]:
        ranked = [
            s
            for s in self._ranked(sentences)
            if len(s.tokens) >= 6 or " " not in s.text
        ]
        fresh = [s for s in ranked if s.index not in summary_ids]
        picked: list[_Sentence] = []
        if fresh:
            floor = 0.35 * fresh[0].score
            picked = [s for s in fresh if s.score >= floor][:4]
        if len(picked) < 3:  # reuse summary sentences before falling back to filler
            picked += [s for s in ranked if s.index in summary_ids][: 3 - len(picked)]
        picked.sort(key=lambda s: s.index)
        takeaways: list[str] = []
        for sentence in picked:
            item = _LEADING_CONNECTOR.sub("", sentence.text)
            item = item[:1].upper() + item[1:]
            item = _clip(item, TAKEAWAY_CHARS)
            if item not in takeaways:
                takeaways.append(item)
        source = " ".join(source_name.split())
        filler = [
            _as_sentence(_clip(title, TAKEAWAY_CHARS))
            if title
            else "The feed entry carried no headline.",
            f"Reported by {source}." if source else "The feed did not name its source.",
            "No further details were given in the feed.",
        ]
        for item in filler:
            if len(takeaways) >= 3:
                break
            if item not in takeaways and not any(
                item.rstrip(".") in t for t in takeaways
            ):
                takeaways.append(item)
        return takeaways[:5]

    # --- companies, importance, analysis ------------------------------------------------------
    @staticmethod
    def _companies(
        article: ArticleInput,
        title: str,
        title_tokens: list[str],
        sentences: list[_Sentence],
    ) -> list[CompanyMention]:
        try:
            matcher = _matcher(article.known_companies)
        except TypeError:  # aliases given as lists: unhashable, so rebuilt as tuples
            matcher = _matcher(_hashable(article.known_companies))
        # company → its name as first written, and the token lists of passages naming it.
        order: dict[_Company, str] = {}
        mentions: dict[_Company, list[list[str]]] = {}
        passages = [
            (title, title_tokens, 2),
            *((s.text, s.tokens, 1) for s in sentences),
        ]
        for passage, tokens, weight in passages:
            for written, company in matcher.find(passage):
                order.setdefault(company, written)
                found = mentions.setdefault(company, [])
                if not found or found[-1] is not tokens:
                    found.extend([tokens] * weight)
        result = []
        for company, written in list(order.items())[:MAX_COMPANIES]:
            tone = _Tone()
            for tokens in mentions[company]:
                tone.add(_tone(tokens))
            result.append(
                CompanyMention(
                    name=written,
                    ticker=company.ticker,
                    sentiment=tone.label(margin=1, smoothing=2, band=0.25),
                )
            )
        return result

    @staticmethod
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

    @staticmethod
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

    def _analysis(
        self,
        sentences: list[_Sentence],
        summary_ids: set[int],
        *,
        companies: list[CompanyMention],
        themes: list[str],
        coverage: int,
        tone: _Tone,
        sentiment: Sentiment,
        figures: list[str],
        published_year: int,
    ) -> str:
        names = [c.name for c in companies[:4]]
        themes = themes[:4]
        if names and themes:
            why = (
                f"Why it matters: the story names {_join(names)} "
                f"and involves {_join(themes)}."
            )
        elif names:
            why = f"Why it matters: the story concerns {_join(names)}."
        elif themes:
            why = f"Why it matters: the story involves {_join(themes)}."
        else:
            why = (
                "Why it matters: no listed companies or market-moving terms were detected, "
                "so this reads as a routine item."
            )
        if coverage > 1:
            why += f" It was carried by {_count(coverage, 'source')}, a sign of wide interest."

        positive, negative = _quoted(tone.positive_terms), _quoted(tone.negative_terms)
        if sentiment == "bullish":
            context = f"Context: the tone is bullish; terms such as {_join(positive)}"
            context += f" outweigh {_join(negative)}." if negative else " set it."
        elif sentiment == "bearish":
            context = f"Context: the tone is bearish; terms such as {_join(negative)}"
            context += f" outweigh {_join(positive)}." if positive else " set it."
        elif positive or negative:
            context = (
                "Context: the tone is neutral or mixed; "
                f"{_join(positive + negative)} do not tip it either way."
            )
        else:
            context = (
                "Context: the tone is neutral; the text uses no clear market language."
            )
        leaning = [
            f"{c.name} ({c.sentiment})" for c in companies if c.sentiment != "neutral"
        ]
        if leaning:
            context += f" For the companies named it reads: {_join(leaning[:3])}."
        if figures:
            context += f" Figures quoted: {_join(figures[:4])}."

        paragraphs = [why, context]
        ahead = self._forward_sentences(sentences, summary_ids, published_year)
        if ahead:
            paragraphs.append("What to watch: " + " ".join(ahead))
        else:
            paragraphs.append(
                "What to watch: no plans, forecasts or dates were found in the text."
            )
        return "\n\n".join(paragraphs)

    @staticmethod
    def _forward_sentences(
        sentences: list[_Sentence], summary_ids: set[int], published_year: int
    ) -> list[str]:
        """Up to two forward-looking sentences (plans, forecasts, later years), verbatim."""
        forward = []
        for sentence in sentences:
            if (
                not sentence.usable
                or sentence.text.rstrip(_CLOSERS)[-1:] not in _SENTENCE_END
            ):
                continue
            later_year = any(
                int(y) > published_year for y in _FUTURE_YEAR.findall(sentence.text)
            )
            tokens = sentence.tokens
            timed = any(
                token in ("next", "coming", "later")
                and following in lexicon.FORWARD_TIME_WORDS
                for token, following in zip(tokens, tokens[1:], strict=False)
            )
            if later_year or timed or not lexicon.FORWARD_WORDS.isdisjoint(tokens):
                forward.append(sentence)
        # Sentences not already in the summary first, then the best scored.
        forward.sort(key=lambda s: (s.index in summary_ids, -s.score, s.index))
        picked = sorted(forward[:2], key=lambda s: s.index)
        return [_clip(s.text, TAKEAWAY_CHARS) for s in picked]
