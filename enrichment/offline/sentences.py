"""Sentences: splitting the text, scoring each sentence, and picking the summary and takeaways. The
backend writes no prose of its own about what happened: the summary and takeaways are sentences
cut verbatim from the text (clipped with "…" when overlong), so every name and figure in them is
the article's own. Splitting is done by hand because feed text mixes scripts, abbreviations
("Inc.", "U.S.") and decimals that a naive split on full stops gets wrong; scoring is the
classic extractive mix of topic words, headline overlap, position and length, which suits news
stories that put their point in the lead.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..data import lexicon

SHORT_TEXT_CHARS = 200
SUMMARY_MAX_CHARS = 650
SUMMARY_SENTENCE_CHARS = 320
TAKEAWAY_CHARS = 240

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


# --- Splitting and scoring --------------------------------------------------------------------
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


# --- Summary and takeaways --------------------------------------------------------------------
def _ranked(sentences: list[_Sentence], *, usable_only: bool = True) -> list[_Sentence]:
    """Distinct sentences, best first."""
    seen: set[str] = set()
    ranked = []
    for sentence in sorted(sentences, key=lambda s: (-s.score, s.index)):
        if (sentence.usable or not usable_only) and sentence.text not in seen:
            seen.add(sentence.text)
            ranked.append(sentence)
    return ranked


def _summary(
    sentences: list[_Sentence], *, title: str, text: str
) -> tuple[str, set[int]]:
    # Text made only of fragments (link lists, dialogue) still beats the headline.
    ranked = _ranked(sentences) or _ranked(sentences, usable_only=False)
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
    sentences: list[_Sentence],
    summary_ids: set[int],
    *,
    title: str,
    source_name: str,
) -> list[str]:
    ranked = [s for s in _ranked(sentences) if len(s.tokens) >= 6 or " " not in s.text]
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
        if item not in takeaways and not any(item.rstrip(".") in t for t in takeaways):
            takeaways.append(item)
    return takeaways[:5]
