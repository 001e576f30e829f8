"""Sentences: splitting the text, scoring each sentence, and picking the summary and takeaways. The
backend writes no prose of its own about what happened: the summary and takeaways are the
text's own sentences, condensed (see ``condense``) and never cut mid-sentence, so every name and
figure in them is the article's own. A sentence the feed itself cut short, or one too long to
condense, is passed over for another. Splitting is done by hand because feed text mixes
scripts, abbreviations ("Inc.", "U.S.") and decimals that a naive split on full stops gets
wrong; scoring is the classic extractive mix of topic words, headline overlap, position and
length, which suits news stories that put their point in the lead.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

from ..data import editing, lexicon
from .condense import condense, drop_asides, shorten_list, word_count

SHORT_TEXT_CHARS = 200
SUMMARY_MAX_CHARS = 650  # a short text's summary: its headline and text as given
SUMMARY_WORDS = 70  # otherwise about this many words, as a news brief
# A further summary sentence longer than this is left to the analysis: sentences are never
# cut to length, since a cut sentence says less, or something else, than the article.
DETAIL_WORDS = 32
# How far down the ranking the summary looks for sentences that fit.
SUMMARY_CANDIDATES = 6
TAKEAWAY_WORDS = 26
# A takeaway longer than this once condensed is left out, never cut.
TAKEAWAY_CHARS = 240
# Takeaways and analysis draw on this many of the best sentences.
BRIEF_CANDIDATES = 12
# Within a budget the takeaways are chosen together from this many of the best briefs.
TAKEAWAY_CANDIDATES = 12

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
_WHOLE_END = frozenset(".!?。！？।۔؟")
_PRONOUNS = (
    ["it"],
    ["he"],
    ["she"],
    ["they"],
    ["this"],
    ["that"],
    ["these"],
    ["those"],
)
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
    r"|appeared first on|all rights reserved|\bcookies?\b.*\bconsent\b"
    # A sponsor read: "Use code ATP for 10% off your first order.", "use code atp100",
    # "use code atpbundle for $50 off" (a code in capitals or with a figure, or one that
    # buys a discount; not "developers can use code signing").
    r"|\b(?:use|enter) (?:the )?(?:promo |offer |discount |coupon )?code "
    r"(?:(?-i:[A-Z0-9]{2,}|[a-z]*\d\w*)\b|\w+ (?:for|at) (?:[$€£]\d|\d+%))"
    r"|\bpromo code\b|% off? your first (?:order|purchase|box|month)\b"
    r"|\bfree (?:\d+|seven|fourteen|thirty)[- ]day trial\b",
    re.IGNORECASE,
)
# The line that opens a podcast's or a newsletter's sponsor reads ("Sponsored by:", "This
# episode is brought to you by:", "Thanks to our sponsors:"): what follows is theirs.
_SPONSOR_HEADER = re.compile(
    r"^(?:(?:this (?:episode|show|week'?s? (?:episode|show)) (?:is|was) )?"
    r"(?:sponsored|brought to you|supported|presented) by|(?:our |today'?s |this "
    r"week'?s )?sponsors?|thanks to (?:our )?sponsors?)\b[^.!?]{0,60}:$",
    re.IGNORECASE,
)
# A line of show notes or a sponsor read: a bare web address ("Visit http://…", "YouTube:
# https://…") or a timestamped citation ("(0:13) “Title,” Reuters"). An editor's brief quotes
# neither; the source link is on the page.
_LINK_LINE = re.compile(r"https?://|^\(\d{1,2}:\d{2}(?::\d{2})?\)")
_LEADING_CONNECTOR = re.compile(
    r"^(?:But|And|However|Meanwhile|Still|Also|Yet|Plus),?\s+"
)
_HAS_DIGIT = re.compile(r"\d")
# A sentence that leans on the one before it in the article: read elsewhere (the analysis,
# the takeaways, a summary that skipped the sentence before) its pronoun would point at
# whatever name the reader saw last. "It", "they", "this" open it; "he", "she", "his" come
# before any name in it ("The main constraint, he said, ..."); "that site", "those plants"
# point back; "the company" is ambiguous once the article names more than one company.
_LEANING_START = re.compile(
    r"^(?:it|its|they|their|them|he|she|his|her|him|such|both|the (?:latter|former)"
    r"|all (?:of )?(?:this|that|these|those|of it|of them)"
    r"|[^,;:\"“”]{1,60}, (?:it|its|they|their|he|she|his|her)"
    r"|(?:this|that|these|those)(?! (?:year|week|month|quarter|morning|afternoon|evening"
    r"|spring|summer|autumn|fall|winter|time)\b))\b",
    re.IGNORECASE,
)
_SPEAKER = re.compile(r"\b(?:said|says|told|added|argued|warned|wrote|according)\b")
_BARE_SPEAKER = re.compile(
    r"[,.!?][\"”’'],? (?:he|she|they|it) (?:said|says|added|told)\b"
)
_PERSONAL = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*[a-z0-9][\w'’.-]*")
# "it" as the object of a verb ("Auralis rated it 9.8", "engineers fixed it in March"): the
# thing it stands for is in a sentence the reader has not seen. Not "said it would", where
# "it" is the subject of what follows.
_OBJECT_IT = re.compile(
    r"\b[a-z]+ed it\b(?! (?:would|will|had|has|is|was|could|can|may|might|expects|plans"
    r"|intends|needs|wants|must|should)\b)"
)
_POINTING_BACK = re.compile(
    r"\b(?:at|in|to|from|of|on|for|by|with|into|about|under|near|after) (?:that|this|these"
    r"|those) (?!(?:year|week|month|quarter|morning|afternoon|evening|time)\b)[a-z]"
    r"|\bthe (?:same|latter|former) [a-z]",
    re.IGNORECASE,
)
_ACTOR = re.compile(
    r"(?P<name>[A-Z][\w&.-]+)(?: [A-Z][\w&.-]+)*(?:['’]s)?(?:, [^,;]{3,80},)? (?:said|says"
    r"|told|reported|announced|agreed|expects|expected|plans|planned|cited|signed|forecast"
    r"|confirmed|shares|stock|will|has agreed|had agreed)\b"
)
# "..., chief executive Mara Voss said": whose chief executive the sentence does not say.
_ROLE_ONLY = re.compile(
    r"(?:^|[,\"”] )(?:[Cc]hief (?:executive|financial officer|operating officer)|CEO|CFO"
    r"|[Cc]hair(?:man|woman)?|[Ss]pokes(?:man|woman|person)) [A-Z]"
)
_THE_COMPANY = re.compile(
    r"\bthe (?:" + "|".join(sorted(editing.REFERRING_NOUNS)) + r")\b", re.IGNORECASE
)


def named_subjects(sentences: Sequence[str]) -> int:
    """How many different names speak or act in the text's sentences ("Kaldera said ...",
    "Ferrovia, which ..., said", "Orrin shares rose"): when more than one, "the company"
    could be either. A project or a product ("Sable Flats is designed ...") does not count."""
    names = set()
    for sentence in sentences:
        actor = _ACTOR.match(sentence)
        if actor and actor.group("name") not in editing.NOT_NAMES:
            names.add(actor.group("name"))
    return len(names)


def leans_on_context(text: str, *, companies: int = 1) -> bool:
    """Whether ``text`` needs the sentence before it to say who or what it is about."""
    if text[:1] in _OPENERS[:4]:
        # A quotation leans on nothing when it names its speaker, and on everything when not.
        if not _SPEAKER.search(text) or _BARE_SPEAKER.search(text):
            return True
        return companies > 1 and bool(_ROLE_ONLY.search(text))
    if (
        _LEANING_START.match(text.lstrip(_OPENERS))
        or _POINTING_BACK.search(text)
        or _OBJECT_IT.search(text)
    ):
        return True
    personal = _PERSONAL.search(text)
    if personal:
        names = [
            m.group()
            for m in _NAME.finditer(text, 0, personal.start())
            if m.start() > 0 or m.group() not in editing.NOT_NAMES
        ]
        if not names:
            return True
    return companies > 1 and bool(_THE_COMPANY.search(text) or _ROLE_ONLY.search(text))


# --- Splitting and scoring --------------------------------------------------------------------
@dataclass(slots=True)
class _Sentence:
    text: str
    index: int
    paragraph: int
    tokens: list[str]
    score: float = 0.0
    usable: bool = True


def plain_words(text: str) -> list[str]:
    """``text``'s words, case folded, without quotes or punctuation: what two texts share
    when they say the same words ("Harbour’s expansion: approved." and "Harbour's
    expansion approved")."""
    return _WORD.findall(text.casefold())


def _tokens(text: str) -> list[str]:
    return _WORD.findall(_NEGATION_REWRITE.sub(" not", text.lower()))


_NEXT_WORD = re.compile(r"[A-Za-z]+")


def _is_abbreviation(line: str, dot: int, ahead: int) -> bool:
    """Whether the word ending at ``line[dot] == "."`` is an abbreviation, not a sentence
    end (``ahead``: where the next word starts). An abbreviation that may end a sentence
    ("U.S.", "a.m.", "Inc.") does when the next word opens one ("… to the U.S. The move
    will …": an attacker's text was one sentence, and printed whole)."""
    next_char = line[ahead] if ahead < len(line) else ""
    start = line.rfind(" ", 0, dot) + 1
    word = line[start:dot].lstrip(_OPENERS + "$€£")
    lowered = word.lower()
    if lowered in _NUMBERED_ABBREVIATIONS or lowered in _MONTH_ABBREVIATIONS:
        return next_char.isdigit()
    if len(word) == 1 and word.isupper():  # an initial: "J. Smith"
        return True
    dotted = _DOTTED.fullmatch(word) is not None  # "U.S.", "e.g."
    if not dotted and lowered not in lexicon.ABBREVIATIONS:
        return False
    if dotted or lowered in lexicon.SENTENCE_END_ABBREVIATIONS:
        following = _NEXT_WORD.match(line, ahead)
        if following and following.group().lower() in lexicon.SENTENCE_OPENERS:
            return False
    return True


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
                if mark.rstrip(_CLOSERS) == "." and _is_abbreviation(
                    line, match.start(), ahead
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


# "Om Malik quoted a post by Manuel Moreale:", "As Gruber writes:": the paragraph after such
# a line is someone else's words (a blockquote, flattened to text), not the article's. Taken
# for the summary, "I'm convinced there's no solution" read as the author's view, which his
# next paragraph argues against.
_QUOTING_LINE = re.compile(
    r"\b(?:quot(?:ed|es|ing)|wr(?:ote|ites|iting)|said|says|posted|put it|explain(?:s|ed)"
    r"|according to|tweeted|told)\b[^:]*:$",
    re.IGNORECASE,
)


def quoted_paragraphs(sentences: Sequence[_Sentence]) -> set[int]:
    """The paragraphs that a line of the article introduces as a quotation."""
    last: dict[int, str] = {}
    for sentence in sentences:
        last[sentence.paragraph] = sentence.text
    return {p + 1 for p, text in last.items() if _QUOTING_LINE.search(text.rstrip())}


def sponsor_paragraphs(sentences: Sequence[_Sentence]) -> set[int]:
    """The paragraphs after a line that opens sponsor reads ("Sponsored by:"): show notes
    end with them, and a brief quotes none ("Get a free 30-day trial.")."""
    start = next(
        (s.paragraph for s in sentences if _SPONSOR_HEADER.match(s.text.strip())), None
    )
    if start is None:
        return set()
    return {s.paragraph for s in sentences if s.paragraph > start}


def _is_usable(sentence: _Sentence) -> bool:
    text = sentence.text
    if _BOILERPLATE.search(text) or _LINK_LINE.search(text):
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


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends as a sentence does: . ! ? (or a CJK or Arabic stop), then
    perhaps closing quotes or brackets; an ellipsis marks text cut short."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return stripped[-1:] in _WHOLE_END and not stripped.endswith("...")


def _is_list_item(sentence: _Sentence, sentences: list[_Sentence]) -> bool:
    """A short line without a full stop (a show-notes entry, a heading) is whole as it is;
    a long one, or the text's last line on its own, is more likely cut short by the feed."""
    text = sentence.text.rstrip()
    if text[-1:] in ":,;–—-…" or text.endswith("...") or word_count(text) > 14:
        return False
    if sentence.index < len(sentences) - 1:
        return True
    return sentence.index > 0 and not ends_sentence(sentences[sentence.index - 1].text)


def _brief(
    sentence: _Sentence,
    sentences: list[_Sentence],
) -> str | None:
    """``sentence`` condensed and ending as a sentence, or None when it is cut short in the
    text itself."""
    text = _LEADING_CONNECTOR.sub("", sentence.text)
    text = text[:1].upper() + text[1:]
    brief = condense(text, first=sentence.index == 0)
    if ends_sentence(brief):
        return brief
    if _is_list_item(sentence, sentences) and (
        brief[-1:].isalnum() or brief[-1:] in ")”\"'’"
    ):
        return f"{brief}."
    return None


def _is_quote(sentence: _Sentence) -> bool:
    return sentence.text[:1] in _OPENERS[:4]


def _overlap(words: list[str], others: Sequence[list[str]]) -> float:
    """The largest share of ``words`` found in one of ``others``."""
    mine = set(words)
    if not mine:
        return 1.0
    return max((len(mine.intersection(o)) / len(mine) for o in others), default=0.0)


def _summary(
    sentences: list[_Sentence],
    *,
    title: str,
    text: str,
    companies: int = 1,
    most: int = 3,
) -> tuple[str, set[int]]:
    """Two or three (``most``) of the best sentences, in story order, each condensed: the
    opening one to LEAD_WORDS words, the others to DETAIL_WORDS, about SUMMARY_WORDS words in
    all."""
    # Text made only of fragments (link lists, dialogue) still beats the headline.
    ranked = _ranked(sentences) or _ranked(sentences, usable_only=False)
    if len(text.strip()) < SHORT_TEXT_CHARS or not ranked:
        # Too little text to extract from: what text there is, after the headline only
        # when the text does not read as a sentence of its own (the page's title already
        # says it: "234 - The Boy. This morning we found a boy ..." said it twice).
        usable = [s for s in sentences[:3] if s.usable][:2]
        whole = bool(usable) and ends_sentence(usable[0].text)
        parts: list[str] = [_as_sentence(title)] if title and not whole else []
        body = " ".join(s.text for s in usable or sentences[:2])
        if body and body.casefold() not in title.casefold():
            parts = [
                p for p in parts if p.casefold().rstrip(".") not in body.casefold()
            ]
            parts.append(_clip(body, SUMMARY_MAX_CHARS))
        summary = " ".join(parts) or (_as_sentence(title) if title else "")
        summary = summary or "The feed entry has no headline and no text."
        return summary, {s.index for s in usable or sentences[:2]}
    # Quotes colour a story but rarely summarise it, and a line the feed cut short ends
    # mid-sentence: either is used only when there is nothing else.
    pool = [
        s
        for s in ranked
        if not _is_quote(s) and (ends_sentence(s.text) or _is_list_item(s, sentences))
    ]
    pool = pool or [s for s in ranked if not _is_quote(s)] or ranked
    # A news story puts its point first: the earliest of the three best sentences leads.
    # A third sentence needs half the best score; a second joins in any case.
    lead = min(pool[:3], key=lambda s: s.index)
    floor = 0.5 * pool[0].score
    candidates = [lead] + [s for s in pool[:SUMMARY_CANDIDATES] if s is not lead]
    drafts = [
        (
            sentence,
            # A brief's lead: condensed, without its descriptive asides or a long list.
            shorten_list(
                drop_asides(
                    condense(sentence.text, first=sentence.index == 0), headline=title
                ),
                headline=title,
            ),
        )
        for sentence in candidates
    ]
    chosen: list[tuple[_Sentence, str]] = []
    words = 0
    for sentence, brief in drafts:
        if len(chosen) >= 2 and sentence.score < floor:
            break
        count = word_count(brief)
        if chosen and (words + count > SUMMARY_WORDS or count > DETAIL_WORDS):
            continue
        tokens = _tokens(brief)
        if chosen and _overlap(tokens, [_tokens(b) for _, b in chosen]) > 0.8:
            continue
        chosen.append((sentence, brief))
        words += count
        if len(chosen) == most:
            break
    chosen.sort(key=lambda pair: pair[0].index)
    chosen = _in_context(chosen, companies=companies)
    # Each sentence stands as the article wrote it: two are never joined into one, since
    # "It" or "The company" in the second may not be the first one's subject.
    parts = [brief for _, brief in chosen]
    if len(parts) == 1 and len(parts[0]) > SUMMARY_MAX_CHARS:
        # One endless sentence (a transcript without stops, a hostile feed): a summary
        # is not 40,000 characters; its opening, marked as cut.
        parts = [_clip(parts[0], SUMMARY_MAX_CHARS)]
    # Unpunctuated lines (show notes, headings) would read as one run-on sentence.
    if len(parts) > 1:
        parts = [p if ends_sentence(p) or p[-1:] in ".…" else f"{p}." for p in parts]
    return " ".join(parts), {s.index for s, _ in chosen}


def _in_context(
    chosen: list[tuple[_Sentence, str]], *, companies: int
) -> list[tuple[_Sentence, str]]:
    """``chosen`` (in story order) without the sentences that lean on a sentence the summary
    does not print right before them; the first is kept when nothing else would be."""
    kept: list[tuple[_Sentence, str]] = []
    for sentence, brief in chosen:
        follows = bool(kept) and kept[-1][0].index == sentence.index - 1
        if (
            sentence.index == 0
            or follows
            or not leans_on_context(brief, companies=companies)
        ):
            kept.append((sentence, brief))
    return kept or chosen[:1]


def briefs(
    sentences: list[_Sentence],
    *,
    companies: int = 1,
) -> dict[int, str]:
    """Sentence index → the sentence condensed to TAKEAWAY_WORDS, for the BRIEF_CANDIDATES
    best-ranked sentences that end as sentences and fit TAKEAWAY_CHARS once condensed: what
    takeaways and analysis are made of."""
    found: dict[int, str] = {}
    ranked = [s for s in _ranked(sentences) if len(s.tokens) >= 6 or " " not in s.text]
    for sentence in ranked[:BRIEF_CANDIDATES]:
        brief = _brief(
            sentence,
            sentences,
        )
        # Read out of its place, a sentence must say itself who it is about.
        if (
            brief
            and len(brief) <= TAKEAWAY_CHARS
            and not leans_on_context(brief, companies=companies)
        ):
            found[sentence.index] = brief
    return found


def _fact_bearing(text: str) -> bool:
    """A figure, or a name after the first word: what makes a takeaway worth its words."""
    return bool(_HAS_DIGIT.search(text)) or any(
        m.start() > 0 and m.group() not in editing.NOT_NAMES
        for m in _NAME.finditer(text)
    )


# A brief this short, with neither figure nor name, leads into the sentences after it.
LEAD_IN_WORDS = 8


_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?"
    r"|hundreds?|thousands?|millions?|billions?|half|third|quarter)\b",
    re.IGNORECASE,
)


def _lead_in(text: str) -> bool:
    return (
        word_count(text) < LEAD_IN_WORDS
        and not _fact_bearing(text)
        and not _NUMBER_WORD.search(text)  # "At least six analysts cut their ratings."
    )


def budgeted_takeaways(
    sentences: list[_Sentence],
    used: set[int],
    *,
    briefs: dict[int, str],
    summary: str,
    fits: Callable[[list[_Sentence]], bool] | None,
    count: int = 3,
) -> list[_Sentence] | None:
    """``count`` distinct briefs not in ``used`` that ``fits`` allows together, the best set
    by score, figures and names, and shortness; with ``fits`` None (no set fits the budget),
    the set with the fewest words. None when there are not ``count`` distinct briefs."""

    def preference(sentence: _Sentence) -> float:
        score = sentence.score
        if sentence.tokens[:1] in _PRONOUNS:
            score *= 0.75
        text = briefs[sentence.index]
        if _fact_bearing(text):
            score += 0.1
        return score - 0.004 * word_count(text)

    fresh = [s for s in sentences if s.index in briefs and s.index not in used]
    facts = [s for s in fresh if not _is_quote(s)]
    fresh = facts if len(facts) >= count else fresh
    # A short line with no figure and no name introduces what follows ("Quillon still has
    # hurdles to clear.", "For households, the effect will be modest."): alone, as a
    # takeaway, it says nothing (a stranger's find). Only when nothing else is left.
    stands = [s for s in fresh if not _lead_in(briefs[s.index])]
    fresh = stands if len(stands) >= count else fresh
    fresh.sort(key=lambda s: (-preference(s), s.index))
    pool = fresh[:TAKEAWAY_CANDIDATES]
    summary_tokens = _tokens(summary)
    tokens = {s.index: _tokens(briefs[s.index]) for s in pool}
    # Distinct: not mostly the summary's words, nor mostly another takeaway's.
    pool = [s for s in pool if _overlap(tokens[s.index], [summary_tokens]) <= 0.8]
    best: tuple[float, list[_Sentence]] | None = None
    for group in combinations(pool, count):
        if any(
            _overlap(tokens[a.index], [tokens[b.index]]) > 0.8
            for a in group
            for b in group
            if a is not b
        ):
            continue
        chosen = list(group)
        if fits is not None and not fits(chosen):
            continue
        value = sum(preference(s) for s in chosen)
        if fits is None:
            value = -sum(word_count(briefs[s.index]) for s in chosen) + value / 10
        if best is None or value > best[0]:
            best = (value, chosen)
    if best is None:
        return None
    return sorted(best[1], key=lambda s: s.index)


def _takeaways(
    sentences: list[_Sentence],
    used: set[int],
    *,
    briefs: dict[int, str],
    summary: str,
    most: int = 5,
) -> list[_Sentence]:
    """Up to ``most`` sentences whose ``briefs`` are not in the summary, best first but in
    story order: for a text too thin for three, the ones it has (none for a headline and
    one sentence). Never padding: not the headline again, not the source's name, not "no
    further details", not the summary's own sentences in other cuts."""

    def weight(sentence: _Sentence) -> float:
        if sentence.tokens[:1] in _PRONOUNS:
            return sentence.score * 0.75  # "It ..." needs the sentence before it
        return sentence.score

    fresh = sorted(
        (s for s in sentences if s.index in briefs and s.index not in used),
        key=lambda s: (-weight(s), s.index),
    )
    # A quote belongs in the analysis, with its speaker; here only when facts run out.
    facts = [s for s in fresh if not _is_quote(s)]
    fresh = facts if len(facts) >= 3 else fresh
    picked: list[_Sentence] = []
    if fresh:
        floor = 0.35 * weight(fresh[0])
        picked = [s for s in fresh if weight(s) >= floor][: min(4, most)]
        picked += [s for s in fresh if s not in picked][: 3 - len(picked)]
    picked.sort(key=lambda s: s.index)
    takeaways: list[_Sentence] = []
    seen = [_tokens(summary)]
    for sentence in picked:
        tokens = _tokens(briefs[sentence.index])
        if _overlap(tokens, seen) <= 0.8:
            takeaways.append(sentence)
            seen.append(tokens)
    return takeaways[:most]
