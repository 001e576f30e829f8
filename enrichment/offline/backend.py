"""The offline backend itself: ``OfflineBackend`` assembles sentences, tone, companies, importance
and category into an ``EnrichmentResult`` and templates the analysis. The analysis is three
fixed paragraphs (why it matters, context, what to watch) filled only with what the other
modules detected and with verbatim forward-looking sentences, so it never states a fact the
article does not contain. Keeping the assembly here leaves every other module with one concern
that can be read and tested on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from ..data import lexicon
from ..schema import ArticleInput, CompanyMention, EnrichmentResult, Sentiment
from .categories import _category
from .companies import _companies
from .importance import _FIGURE, _JOB_CUTS, _importance, _strong_words
from .sentences import (
    _CLOSERS,
    _SENTENCE_END,
    TAKEAWAY_CHARS,
    _clip,
    _is_usable,
    _score_sentences,
    _Sentence,
    _summary,
    _takeaways,
    _tokens,
    split_sentences,
)
from .tone import _Tone, _tone

# Texts beyond this are podcast transcripts or whole newsletters; the lead is what counts.
MAX_TEXT_CHARS = 40_000

_FUTURE_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_COUNT_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip


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

        summary, summary_ids = _summary(sentences, title=title, text=text)
        takeaways = _takeaways(
            sentences, summary_ids, title=title, source_name=article.source_name
        )

        # Sentiment: the headline sets the tone, so it counts twice.
        tone = _Tone()
        tone.add(_tone(title_tokens), weight=2)
        for sentence in sentences:
            tone.add(_tone(sentence.tokens))
        strong = _strong_words([title_tokens, *(s.tokens for s in sentences)])
        # Counted like words, the headline twice.
        job_cuts = 2 * bool(_JOB_CUTS.search(title)) + bool(_JOB_CUTS.search(text))
        if job_cuts:
            if "job cuts" not in strong.values():
                strong["job cuts"] = "job cuts"
            tone.negative += job_cuts
            tone.negative_terms.append("job cuts")
        sentiment = tone.label(margin=2, smoothing=3)

        companies = _companies(article, title, title_tokens, sentences)
        figures = list(
            dict.fromkeys(m.group().rstrip(".,") for m in _FIGURE.finditer(text))
        )
        importance, reason = _importance(
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

    # --- analysis -----------------------------------------------------------------------------
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
