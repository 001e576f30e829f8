"""Quality measures of the offline copy, shared by the enrichment benchmark and the tests.

Two ways the copy fails a reader, each measured on one output:

* a summary that repeats the lead word for word: ``lead_copy_share`` is the longest run of
  consecutive words that the summary shares with one of the text's first three sentences of
  at least ``LEAD_MIN_WORDS`` words, as a share of that sentence's words (the highest over the
  three). A summary "copies the lead" when the share reaches ``COPY_THRESHOLD``. Shorter
  sentences are left out because a datelined heading or a five-word sentence may be quoted
  whole by any brief.
* a takeaway that ends mid-sentence: ``ends_mid_sentence`` is true unless the takeaway ends
  in . ! ? (or their CJK and Arabic forms), optionally followed by closing quotes or
  brackets; an ellipsis counts as mid-sentence, since that is how clipped text ends.
* a takeaway that only pads: ``pads`` is true for the headline said again, the source's
  name ("Reported by …"), a line about the report itself ("The report gave no further
  details.") or five or more of the summary's words in a row and nothing else.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .reading import without_reading
from .sentences import plain_words, split_sentences

COPY_THRESHOLD = 0.8
LEAD_SENTENCES = 3
LEAD_MIN_WORDS = 8

_CLOSERS = "\"'”’)]」』»"
_WHOLE_SENTENCE_END = frozenset(".!?。！？।۔؟")


def lead_sentences(text: str) -> list[list[str]]:
    """The words of the first ``LEAD_SENTENCES`` sentences of ``text`` that have at least
    ``LEAD_MIN_WORDS`` words."""
    lead: list[list[str]] = []
    for sentence, _ in split_sentences(text):
        words = plain_words(sentence)
        if len(words) >= LEAD_MIN_WORDS:
            lead.append(words)
            if len(lead) == LEAD_SENTENCES:
                break
    return lead


def lead_copy_share(summary: str, text: str) -> float:
    """The largest share of a lead sentence's words that ``summary`` repeats as one unbroken
    run of words (0.0 when the text has no lead sentence long enough to measure)."""
    summary_words = plain_words(summary)
    best = 0.0
    for sentence in lead_sentences(text):
        matcher = SequenceMatcher(None, sentence, summary_words, autojunk=False)
        run = matcher.find_longest_match(0, len(sentence), 0, len(summary_words)).size
        best = max(best, run / len(sentence))
    return best


def copies_lead(summary: str, text: str) -> bool:
    """Whether ``summary`` repeats at least ``COPY_THRESHOLD`` of a lead sentence verbatim."""
    return lead_copy_share(summary, text) >= COPY_THRESHOLD


# What offline-7 filled a thin text's takeaways with, besides its headline.
_PADDING = re.compile(
    r"^(?:The report gave no further details|No other details were published with it"
    r"|The original report has no more text|The report did not name its source"
    r"|The report carried no headline|Reported by .+)\.$"
)


def pads(takeaway: str, *, title: str, summary: str) -> bool:
    """Whether ``takeaway`` tells the reader nothing the story page does not already say
    (see the module's docstring)."""
    plain = " ".join(takeaway.split())
    words = plain.rstrip(".!?").split()
    return bool(
        _PADDING.match(plain)
        or (bool(plain_words(title)) and plain_words(plain) == plain_words(title))
        or (len(words) >= 5 and " ".join(words) in " ".join(summary.split()))
    )


def ends_mid_sentence(takeaway: str) -> bool:
    """Whether ``takeaway`` stops before its sentence does (no final . ! ?, or an ellipsis)."""
    stripped = takeaway.rstrip().rstrip(_CLOSERS)
    if stripped.endswith(("…", "...")):
        return True
    return stripped[-1:] not in _WHOLE_SENTENCE_END


# --- How much of the source a story page shows -------------------------------------------------
# The public site shows "our summary, analysis and takeaways, and a link to the original",
# never the publisher's text: these measure how much of it the three fields reprint.
SHOWN_SENTENCE_MIN_WORDS = 6
SHOWN_SENTENCE_PREFIX = 60


def shown_copy(summary: str, analysis: str, takeaways: list[str]) -> str:
    """The three fields of a story page as one text, as the measures read them: the
    analysis without its reading (``reading``: a dozen of our own words around the article's
    names and figures, not copy of it)."""
    return "\n".join([summary, without_reading(analysis), *takeaways])


def source_word_share(shown: str, text: str) -> float:
    """Words in ``shown`` (summary, analysis and takeaways) over words in the source
    ``text``; 0.0 for an empty text."""
    source = len(text.split())
    return len(shown.split()) / source if source else 0.0


def source_sentence_share(shown: str, text: str) -> float:
    """The share of the source's sentences of at least SHOWN_SENTENCE_MIN_WORDS words whose
    first SHOWN_SENTENCE_PREFIX characters appear in ``shown``; 0.0 when it has none."""
    long = [
        sentence
        for sentence, _ in split_sentences(text)
        if len(sentence.split()) >= SHOWN_SENTENCE_MIN_WORDS
    ]
    if not long:
        return 0.0
    return sum(s[:SHOWN_SENTENCE_PREFIX] in shown for s in long) / len(long)
