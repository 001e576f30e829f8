"""Companies: which listed companies an article names, found with one cached regex. The site's own
companies (name, ticker, aliases) are merged with the shipped well-known list, the site winning
for the same firm, and every written form goes into a single trie-shaped regex built once per
company set (``lru_cache``), so matching a story costs one regex scan rather than one search per
name. Each company keeps its name as first written and the passages naming it (the headline
twice), from which ``tone`` judges what the story means for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..data.companies import WELL_KNOWN_COMPANIES
from ..schema import ArticleInput, CompanyMention
from .sentences import _Sentence
from .tone import _company_sentiment

MAX_COMPANIES = 8


# --- Matching ---------------------------------------------------------------------------------
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
            symbol = (ticker or "").strip() or tickers.get(name.casefold())
            keys = [f"name:{name.casefold()}"] + (
                [f"ticker:{symbol.upper()}"] if symbol else []
            )
            # The site's own list comes first and wins over the shipped one for the same firm.
            company = next((by_key[k] for k in keys if k in by_key), None) or _Company(
                name, symbol
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


# --- Mentions ---------------------------------------------------------------------------------
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
        result.append(
            CompanyMention(
                name=written,
                ticker=company.ticker,
                sentiment=_company_sentiment(mentions[company]),
            )
        )
    return result
