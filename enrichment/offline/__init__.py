"""The offline enrichment backend: rules and word lists instead of a model. Deterministic and pure:
no network, no database, nothing but the ``ArticleInput``. The summary, takeaways and analysis
are the article's own sentences kept whole (only a dateline, a ticker, a weekday after "said"
and wordy phrases are touched; see ``condense``): rewording by rules changed facts, so every
name, figure and attribution in them is the article's own. Together they stay within a
budget of the source (``budget``: the lead, three short takeaways, an analysis only when
room is left), so a story page never reprints the publisher's article. Every regex and word
list is built once, at import or per company set. The work is split by concern into
``sentences``, ``condense``, ``tone``, ``companies``, ``importance``, ``categories``,
``analysis`` and ``budget``, which ``backend`` assembles; ``quality`` measures the copy for
the benchmark and the tests. Callers import from ``enrichment.offline``, which re-exports
the public names below.
"""

from __future__ import annotations

from .backend import MAX_TEXT_CHARS, OfflineBackend
from .companies import MAX_COMPANIES
from .condense import condense
from .sentences import (
    SHORT_TEXT_CHARS,
    SUMMARY_MAX_CHARS,
    SUMMARY_WORDS,
    TAKEAWAY_CHARS,
    TAKEAWAY_WORDS,
    split_sentences,
)
from .tone import inflections

__all__ = [
    "MAX_COMPANIES",
    "MAX_TEXT_CHARS",
    "SHORT_TEXT_CHARS",
    "SUMMARY_MAX_CHARS",
    "SUMMARY_WORDS",
    "TAKEAWAY_CHARS",
    "TAKEAWAY_WORDS",
    "OfflineBackend",
    "condense",
    "inflections",
    "split_sentences",
]
