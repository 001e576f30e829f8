"""The budget: how much of the source text a story page may reprint, all three fields together.

The public site shows "our summary, analysis and takeaways, and a link to the original",
never the publisher's article. Since offline-4 the copy is made of the article's own
sentences kept whole (rewording changed facts), so the only way to reprint less is to print
fewer of them: the summary, the takeaways and the analysis share one budget of words and one
of sentences, spent in that order, and what does not fit is left to the link.

* MAX_WORD_SHARE, 40% of the source's words: a summary of one or two lead sentences and three
  short takeaways fit in it for a news story of 150 words or more (one sentence averages
  about 20 words, so 4-5 sentences take 80-100 of 200), while the reader still gets more than
  a headline. Well under half leaves most of the article, and the reason to read it, with
  the publisher.
* MAX_SENTENCE_SHARE, half the source's sentences of 6+ words (the ones the measure in
  ``quality`` counts): never a majority of what the article says, whatever the word count.

A very short article (a dozen lines of news, a show-notes entry) cannot give the contract's
three takeaways and a lead inside either limit; only then is the budget exceeded, with the
fewest and shortest sentences that meet the contract (``Budget.exceeded`` says so, and the
demo test bounds how often it happens). Even then the page never prints all of a text of
WHOLE_TEXT_SENTENCES usable sentences or more (``keep_one_back``): an attacker's 23-word,
three-sentence item was reprinted whole as summary and takeaways. A teaser of one or two
sentences, which the publisher's feed offers for syndication, is its own summary.
"""

from __future__ import annotations

from .condense import word_count
from .sentences import _Sentence

MAX_WORD_SHARE = 0.40
MAX_SENTENCE_SHARE = 0.5
# The shape of a page within the budget: the lead sentence(s), three takeaways, and at most
# two sentences of analysis (none when none fits: the analysis is never padded).
SUMMARY_SENTENCES = 2
TAKEAWAYS = 3
ANALYSIS_SENTENCES = 2
# A text of this many usable sentences or more is never printed whole.
WHOLE_TEXT_SENTENCES = 3
# Sentences shorter than this are not counted against the sentence budget (the measure in
# ``quality`` leaves them out too: a five-word line is quoted whole by any brief).
COUNTED_SENTENCE_WORDS = 6


class Budget:
    """Words and sentences of the source still free to print."""

    def __init__(self, sentences: list[_Sentence]) -> None:
        source_words = sum(word_count(s.text) for s in sentences)
        counted = sum(word_count(s.text) >= COUNTED_SENTENCE_WORDS for s in sentences)
        self.max_words = int(MAX_WORD_SHARE * source_words)
        self.max_sentences = int(MAX_SENTENCE_SHARE * counted)
        self.words = 0
        self.sentences = 0

    def _counts(self, sentence: _Sentence) -> int:
        return int(word_count(sentence.text) >= COUNTED_SENTENCE_WORDS)

    def fits(self, sentence: _Sentence, brief: str) -> bool:
        """Whether printing ``brief`` (made of ``sentence``) stays within the budget."""
        return (
            self.words + word_count(brief) <= self.max_words
            and self.sentences + self._counts(sentence) <= self.max_sentences
        )

    def fits_all(self, items: list[tuple[_Sentence, str]]) -> bool:
        """Whether printing every (sentence, brief) of ``items`` stays within the budget."""
        return (
            self.words + sum(word_count(brief) for _, brief in items) <= self.max_words
            and self.sentences + sum(self._counts(s) for s, _ in items)
            <= self.max_sentences
        )

    def spend(self, sentence: _Sentence, brief: str) -> None:
        self.words += word_count(brief)
        self.sentences += self._counts(sentence)

    def spend_text(self, text: str, sentences: list[_Sentence]) -> None:
        """Charge ``text`` (a summary) made of ``sentences``."""
        self.words += word_count(text)
        self.sentences += sum(self._counts(s) for s in sentences)

    @property
    def exceeded(self) -> bool:
        return self.words > self.max_words or self.sentences > self.max_sentences


def keep_one_back(
    sentences: list[_Sentence],
    used: set[int],
    plan: dict[str, list[_Sentence]],
    picked: list[_Sentence],
) -> None:
    """Leave one of the text's usable sentences off the page when summary (in ``used``),
    takeaways (``picked``, also in ``used``) and analysis (``plan``) would print them all:
    the analysis gives up its last sentence first, then the takeaways theirs (both changed in
    place)."""
    usable = {s.index for s in sentences if s.usable}
    if len(usable) < WHOLE_TEXT_SENTENCES:
        return
    while usable <= used | {s.index for group in plan.values() for s in group}:
        roles = [group for group in plan.values() if group]
        if roles:
            roles[-1].pop()
        elif picked:
            used.discard(picked.pop().index)
        else:
            return
