"""The offline enrichment backend: rules and word lists instead of a model. Deterministic and pure:
no network, no database, nothing but the ``ArticleInput``. The summary and takeaways are
sentences taken verbatim from the text (clipped with "…" when overlong), so every figure in them
is the article's own; the analysis is a template filled only with what was detected. Every regex
and word list is built once, at import or per company set. The work is split by concern into
``sentences``, ``tone``, ``companies``, ``importance`` and ``categories``, which ``backend``
assembles; callers keep importing from ``articles.enrichment.offline``, which re-exports the
public names below.
"""

from __future__ import annotations

from .backend import MAX_TEXT_CHARS, OfflineBackend
from .companies import MAX_COMPANIES
from .sentences import (
    SHORT_TEXT_CHARS,
    SUMMARY_MAX_CHARS,
    SUMMARY_SENTENCE_CHARS,
    TAKEAWAY_CHARS,
    split_sentences,
)
from .tone import inflections

__all__ = [
    "MAX_COMPANIES",
    "MAX_TEXT_CHARS",
    "SHORT_TEXT_CHARS",
    "SUMMARY_MAX_CHARS",
    "SUMMARY_SENTENCE_CHARS",
    "TAKEAWAY_CHARS",
    "OfflineBackend",
    "inflections",
    "split_sentences",
]
