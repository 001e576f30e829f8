"""The offline backend itself: ``OfflineBackend`` assembles sentences, tone, companies, importance,
category and analysis into a ``Proposal`` (an ``EnrichmentResult`` whose takeaways may be
fewer than three when the text is too thin). The order matters: companies come first
(condensing needs to know which speakers are organisations), then the summary takes the best
sentences, the analysis plans what it can spare of the rest by role (why it matters, context,
what to watch), and the takeaways take the best of what remains, so the three parts of a story
page never repeat one another. Keeping the assembly here leaves every other module with
one concern that can be read and tested on its own.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from ..data import lexicon
from ..schema import ArticleInput, Proposal
from .analysis import plan_analysis, write_analysis
from .budget import (
    ANALYSIS_SENTENCES,
    SUMMARY_SENTENCES,
    TAKEAWAYS,
    Budget,
    keep_one_back,
)
from .categories import _category
from .companies import _companies
from .importance import _JOB_CUTS, FIGURE_CHARS, _importance
from .reading import company_sentiments, market_moves, subject_move, write_reading
from .sentences import (
    _is_usable,
    _score_sentences,
    _Sentence,
    _summary,
    _takeaways,
    _tokens,
    briefs,
    budgeted_takeaways,
    named_subjects,
    plain_words,
    quoted_paragraphs,
    split_sentences,
    sponsor_paragraphs,
)
from .tone import _Tone, _tone

# Texts beyond this are podcast transcripts or whole newsletters; the lead is what counts.
MAX_TEXT_CHARS = 40_000


# --- The backend ------------------------------------------------------------------------------
class OfflineBackend:
    """Rule-based enrichment for demos, tests and sites without an API key."""

    name = "offline"
    model = "offline-7"  # shown as the model name; bump when the algorithm changes

    @staticmethod
    def _copy(
        sentences: list[_Sentence],
        candidates: dict[int, str],
        *,
        title: str,
        text: str,
        companies: int,
    ) -> tuple[str, set[int], list[_Sentence] | None, Budget]:
        """The summary, the sentences it uses, the takeaway sentences (None when the text has
        too few) and the budget left for the analysis. The summary takes up to two lead
        sentences, one when two leave no room for three takeaways; when even one does not, the
        article is too short for the budget and the takeaways are the best three regardless
        (``Budget.exceeded`` is then true)."""
        for most in range(SUMMARY_SENTENCES, 0, -1):
            summary, used = _summary(
                sentences, title=title, text=text, companies=companies, most=most
            )
            budget = Budget(sentences)
            budget.spend_text(summary, [s for s in sentences if s.index in used])

            def fits(group: list[_Sentence], budget: Budget = budget) -> bool:
                return budget.fits_all([(s, candidates[s.index]) for s in group])

            picked = budgeted_takeaways(
                sentences,
                used,
                briefs=candidates,
                summary=summary,
                fits=fits,
                count=TAKEAWAYS,
            )
            if picked is not None:
                for sentence in picked:
                    budget.spend(sentence, candidates[sentence.index])
                return summary, used, picked, budget
        picked = budgeted_takeaways(
            sentences,
            used,
            briefs=candidates,
            summary=summary,
            fits=None,
            count=TAKEAWAYS,
        )
        for sentence in picked or ():
            budget.spend(sentence, candidates[sentence.index])
        return summary, used, picked, budget

    def enrich(self, article: ArticleInput, *, now: datetime | None = None) -> Proposal:
        """A proposal built from ``article`` alone; ``now`` only sets recency."""
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
        quoted = quoted_paragraphs(sentences) | sponsor_paragraphs(sentences)
        for sentence in sentences:
            sentence.usable = _is_usable(sentence) and sentence.paragraph not in quoted
        _score_sentences(sentences, title)
        title_tokens = _tokens(title)

        companies = _companies(article, title, title_tokens, sentences)
        organisations = frozenset(c.name for c in companies)
        named = max(len(organisations), named_subjects([s.text for s in sentences]))
        # A sentence that only repeats the headline (feeds often open the text with it)
        # would say the page's title again as a takeaway or in the analysis.
        candidates = {
            index: brief
            for index, brief in briefs(sentences, companies=named).items()
            if plain_words(brief) != plain_words(title)
        }
        summary, used, picked, budget = self._copy(
            sentences, candidates, title=title, text=text, companies=named
        )
        if picked is None:
            # Too few sentences for three takeaways: those the text supports, if any.
            picked = _takeaways(
                sentences, used, briefs=candidates, summary=summary, most=TAKEAWAYS
            )
        used |= {s.index for s in picked}
        # The analysis takes only what is left of the budget, and is empty when nothing fits.
        plan = plan_analysis(
            sentences,
            used,
            briefs=candidates,
            published_year=published_at.year,
            most=ANALYSIS_SENTENCES,
            reserve=0,
            budget=budget,
        )
        keep_one_back(sentences, used, plan, picked)
        takeaways = [candidates[s.index] for s in picked]

        # Sentiment: the headline sets the tone, so it counts twice.
        tone = _Tone()
        tone.add(_tone(title_tokens), weight=2)
        for sentence in sentences:
            tone.add(_tone(sentence.tokens))
        # Job cuts written without the word ("will shed 1,200 jobs"), the headline twice.
        job_cuts = 2 * bool(_JOB_CUTS.search(title)) + bool(
            _JOB_CUTS.search(text, 0, FIGURE_CHARS)
        )
        if job_cuts:
            tone.negative += job_cuts
            tone.negative_terms.append("job cuts")
        sentiment = tone.label(margin=2, smoothing=3)

        importance, reason, stakes = _importance(
            article,
            title=title,
            text=text,
            title_tokens=title_tokens,
            sentences=sentences,
            companies=companies,
            published_at=published_at,
            now=now,
        )

        # The analysis: our reading of what the news means (``reading``), then whatever of the
        # article's own sentences the budget left for it.
        moves = market_moves(text[:FIGURE_CHARS], companies)
        companies = company_sentiments(companies, moves)
        reading = write_reading(
            companies=companies,
            stakes=stakes,
            moves=moves,
            sentiment=sentiment,
            title=title,
            lead=sentences[0].text if sentences else "",
        )
        analysis = "\n\n".join(
            part for part in (reading, write_analysis(plan, candidates)) if part
        )
        # A story whose words lean neither way but whose subject's shares moved is read by
        # the move ("Tamsin Payments jumps 25% in trading debut"); the reading above still
        # sets the move against the words, so it never calls the move its own confirmation.
        moved = subject_move(moves, companies, title)
        if sentiment == "neutral" and moved is not None:
            sentiment = "bullish" if moved.up else "bearish"

        body_counts: Counter[str] = Counter()
        for sentence in sentences:
            body_counts.update(sentence.tokens)
        category = _category(
            article.categories or lexicon.DEFAULT_CATEGORIES,
            Counter(title_tokens),
            body_counts,
            f"{title}\n{text}".lower(),
        )
        return Proposal(
            summary=summary,
            analysis=analysis,
            key_takeaways=takeaways,
            sentiment=sentiment,
            importance=importance,
            importance_reason=reason,
            category=category,
            companies=companies,
        )
