"""Condensing: a sentence as a brief would print it, made only by leaving words out.

Always left out: a dateline, a ticker or other aside in brackets, the weekday and other
times relative to the day of publication ("on Tuesday", "earlier this week"), who said it
when the clause stands on its own ("..., the company said", "according to ..."), openers
such as "Under the terms of the agreement," a clause set between a subject and its verb
("The plant, which employs 2,100 people, builds ...") and the middle of a list of five or
more items. While the sentence is over its word budget: asides at clause boundaries, last
first ("..., citing weaker demand"), and the middle of a list of four. The one rewrite is
"Acme said it would cut" → "Acme will cut" (and "had agreed" → "agreed", "its drug" →
"Acme's drug"), made only when the speaker is an organisation and so the "it" of its own
statement. No word or figure is ever added, so what the sentence states stays the article's
own; a cut that would leave a fragment (no verb, too few words, an unclosed quote, a
sentence ending on "of") is not made.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..data import editing

_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ON_DAY = (
    rf"(?:late |early )?on {_WEEKDAY}(?: morning| afternoon| evening| night)?"
    rf"(?:,? {_MONTH} \d{{1,2}}(?:,? \d{{4}})?)?"
)
_SETTING = (
    rf"(?:{_ON_DAY}|today|yesterday|this week|last week|in an? (?:emailed |written )?"
    r"(?:statement|filing|regulatory filing|press release|release|blog post|interview"
    r"|note|report|letter|post|video)(?: on \w+)?)"
)
_SAID = r"(?:said|says|announced|reported|confirmed|disclosed|stated)"
_CLOSERS = "\"'”’)]»"
_END = re.compile(r"[.!?][\"'”’)\]»]*$")

# "WASHINGTON (Reuters) - ", "LONDON, Nov 3 — ", "(AP) — ": only at the start of a text.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}(?:, [A-Z][\w.]*(?: \d{1,2})?)?"
    r"(?: ?\([^()]{1,30}\))?|\([A-Z][\w .&]{1,30}\))\s?[-–—]{1,2}\s+"
)
# Not after "only", "until" ...: "learned of it only on Tuesday" needs its day.

# Times relative to the day of publication, which the page shows next to the copy.
_RELATIVE_TIME = (
    r"(?:today|yesterday|tonight|last night|this (?:morning|afternoon|evening|week)"
    r"|(?:earlier|later) (?:today|this (?:week|month|year))|last week)"
)
_NEEDS_ITS_TIME = (
    r"(?<!\bonly)(?<!\buntil)(?<!\bsince)(?<!\bbefore)(?<!\bafter)(?<!\bfrom)"
    r"(?<!\bthan)(?<!\bexcept)"
)
_ON_WEEKDAY = re.compile(rf"{_NEEDS_ITS_TIME} {_ON_DAY}(?=[ ,.;:!?])")
_WHEN = re.compile(rf"(?<=\w){_NEEDS_ITS_TIME} {_RELATIVE_TIME}(?=[,.;:!?])")
_LEAD_WHEN = re.compile(
    rf"^(?:{_RELATIVE_TIME}|{_ON_DAY.replace('on ', '(?:on )?', 1)}|Last (?:week|month))"
    r", ",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"(?P<before>\w*) \((?:[^()]{1,80})\)(?!\w)")
# Words without which no time rule can match, nor an attribution rule.
_TIME_HINT = re.compile(r"day|night|week|month|morning|afternoon|evening")
_SAYING = re.compile(
    r"\b(?:said|says|told|added|noted|wrote|estimated|confirmed|announced|reported"
    r"|disclosed|stated|according)\b"
)
# "Carden Mills (CRDN) said ...": a name with a ticker after it is a listed company.
_LISTED = re.compile(
    r"^(?P<name>[A-Z][^,;:()\"“”]{1,60}?) \((?:[A-Z][A-Za-z]*: ?)?(?P<ticker>[A-Z]{1,5})"
    r"(?:\.[A-Z]{1,2})?\)"
)
# The second clause of "Acme said it would ... and that ...", which needs its "said".
_SECOND_REPORTED = re.compile(r",? and (?:that|said) .*$", re.DOTALL)
# Punctuation left doubled by a cut: "Virginia, , lawmakers", "NSURL ,", "Virginia,."
_DOUBLED = re.compile(r"\s+(?=[,;.](?:\s|$))|(?<=,)\s*,+|,(?=[.!?;:])")
_LEAD_ATTRIBUTION = re.compile(
    rf"^(?P<speaker>[A-Z][^,;:\"“”()]{{1,70}}?) {_SAID}(?: {_SETTING})*(?P<that> that)? "
    r"(?P<rest>.+)$",
    re.DOTALL,
)
_TRAIL_ATTRIBUTION = re.compile(
    r", (?:(?:the|its|their|a|an) [\w'’ -]{1,40}?|[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,4}"
    r"|he|she|they|it|(?:[a-z]+ )?(?:officials|lawmakers|police|authorities|analysts"
    r"|experts|sources|people|residents|witnesses|economists|investors))"
    r" (?:said|says|told [^,.;\"“”]{1,40}?"
    rf"|added|noted|wrote|estimated|confirmed|announced)(?: {_SETTING})*"
    r"(?: (?:when|as|after) (?:it|he|she|they) [^,.;\"“”]{1,50})?(?=[.!?][\"'”’)\]»]*$)"
)
_TRAIL_ACCORDING = re.compile(r", according to [^;\"“”]{3,120}?(?=[.!?][\"'”’)\]»]*$)")
_LEAD_INTRO = re.compile(
    r"^(?:Under the terms of the (?:agreement|deal|transaction|offer|plan)"
    r"|In (?:a|its|their|the) (?:statement|filing|regulatory filing|press release|release"
    r"|blog post|report|letter|note to clients|announcement)"
    r"|According to [^,;\"“”]{3,60}|Separately|Meanwhile|In addition|Additionally"
    r"|However|Still|Also|Overall|As a result|That said|In other news|Elsewhere), "
)
_ASIDE = re.compile(
    r", (?:which|who|(?:the|a|an) [\w'’-]+) (?:[^,;:()\"“”]|,(?=\d)){3,100}, "
    r"(?=(?P<next>[a-z]+)\b)"
)
# The same aside when it holds a list ("Marrowick, which insures homes, cars and small
# businesses, said ..."): it runs to the comma before the sentence's verb.
_SUBJECT_ASIDE = re.compile(
    r", (?:which|who|(?:the|a|an) [\w'’-]+) [^;:()\"“”]{3,120}?, (?=(?:"
    + "|".join(sorted(editing.COMMON_VERBS))
    + r"|[a-z]{3,}ed)\b)"
)
_CUT = re.compile(
    r"(?:; |, (?:"
    + "|".join(re.escape(opener) for opener in editing.ASIDE_OPENERS)
    + r")\b)"
)
# Openers of phrases set into a clause rather than ending it; cut only when nothing follows.
_INSERT = re.compile(
    r", (?:including|such as|e\.g|i\.e|for example|for instance|known as|based in|based on"
    r"|led by)\b"
)
# An aside that runs into the next clause: "..., adding $5bn to its value, after ...".
_NEXT_CLAUSE = re.compile(r", (?!\d)")
_PARTICIPLE = re.compile(r", (?P<word>[a-z]{3,}ing) (?P<next>[\w$€£]+)")
_IT_CLAUSE = re.compile(r"^(?P<who>it|they) (?P<verb>[a-z]+)\b(?P<rest>.*)$", re.DOTALL)
_WORD = re.compile(r"[\w'’-]+")
_HAS_DIGIT = re.compile(r"\d")
_LIST_AND = re.compile(r"^(?:and|or|und|oder|et|ou|e|y|o|и|или) ")
# After "it"/"they" in "Acme said it ...": what the auxiliary becomes once "said" is gone.
_PRESENT = {
    "would": "will",
    "could": "can",
    "has": "has",
    "have": "have",
    "will": "will",
    "is": "is",
    "are": "are",
    "can": "can",
    "may": "may",
    "plans": "plans",
}


# --- Helpers -----------------------------------------------------------------------------------
def word_count(text: str) -> int:
    """Words as a reader counts them: "$4.2 billion" is two."""
    return len(text.split())


def _has_verb(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    return any(
        w in editing.COMMON_VERBS or (len(w) > 4 and w.endswith("ed"))
        for w in words[1:]
    ) or any(w.endswith("s") and len(w) > 3 for w in words[1:4])


def _quotes_balanced(text: str) -> bool:
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0


def _finish(text: str, ending: str) -> str:
    """``text`` capitalised, with the sentence's own final mark put back after a cut."""
    text = text.strip().rstrip(",;:–—- ")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if not _END.search(text):
        text += ending
    return text


def _drop_brackets(match: re.Match[str]) -> str:
    """ " (HLSM)", " (about $5bn)": an aside in brackets, unless the sentence needs it to
    go on ("software for (Windows)")."""
    before = match.group("before")
    if before.lower() in editing.OPEN_ENDED:
        return match.group()
    return before


def _is_organisation(speaker: str, organisations: frozenset[str]) -> bool:
    words = [w.lower().strip(".") for w in _WORD.findall(speaker)]
    if not words or editing.PERSON_WORDS.intersection(words):
        return False
    name = re.sub(r"^(?:The|the) ", "", speaker).strip()
    if words[-1] in editing.ORGANISATION_WORDS:
        return True
    return any(n == name or n.startswith(name + " ") for n in organisations)


def _possessive(name: str, apostrophe: str) -> str:
    return f"{name}{apostrophe}" if name.endswith("s") else f"{name}{apostrophe}s"


# --- Tightening --------------------------------------------------------------------------------
_PLAIN = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(p) for p in sorted(editing.PLAIN_PHRASES, key=len, reverse=True)
    )
    + r")\b",
    re.IGNORECASE,
)
_PERCENT_WORD = re.compile(r"(?<=\d) ?(?:percent|per cent)\b")
_FILLER = re.compile(
    r"(?<=\w) (?:" + "|".join(sorted(editing.FILLER_WORDS)) + r")(?= [a-z$€£\d])"
)
_THAT = re.compile(
    r"\b(?P<verb>" + "|".join(sorted(editing.THAT_VERBS)) + r")(?P<object> [a-z]+)?"
    r" that (?=(?P<next>[A-Za-z]+)\b)"
)
_OPENING = re.compile(
    r"^(?:(?:Earlier|Later) this (?:year|month|week)|Recently|Currently|Today|Now|So|Well"
    r"|Of course|In fact|Indeed|Interestingly|Notably|Importantly|Unsurprisingly"
    r"|As expected|As (?:previously )?announced|As a reminder|For example|For instance"
    r"|In this (?:post|article|episode|video|issue|update|release))(?:, | (?=(?:we|I)\b))",
)
_FRONTED = re.compile(
    r"^(?P<opener>[A-Z][a-z]+) (?P<clause>[^,;:\"“”]{8,120}), (?P<main>[^;:\"“”]+?)"
    r"(?P<end>[.!?]?)$"
)
_WORDS_ONLY = re.compile(r"\w+")
_BOUNDARY = re.compile(r"(?:,|;|(?<!\d) [–—]) (?!\d)")  # not "11 – 199"
COPY_LIMIT = 0.8  # a brief repeating this share of a sentence unbroken copies it
MERGED_WORDS = 40
_PUFFERY = re.compile(
    r"\b(?P<article>[Aa]n?|[Tt]he|[Ii]ts|[Oo]ur|[Tt]heir|[Tt]his|[Tt]hese|[Ss]ome) "
    r"(?:(?:really|very|truly|incredibly|extremely|super) )?(?:"
    + "|".join(re.escape(w) for w in sorted(editing.PUFFERY))
    + r")(?:,? and (?:"
    + "|".join(re.escape(w) for w in sorted(editing.PUFFERY))
    + r"))? (?=(?P<next>[\w-]+))"
)
_QUOTATION = re.compile(r"[\"“”]|(?:^|\s)‘")


def _plain(match: re.Match[str]) -> str:
    written = match.group()
    plain = editing.PLAIN_PHRASES[written.lower()]
    return plain.capitalize() if written[:1].isupper() and plain else plain


def _drop_puffery(match: re.Match[str]) -> str:
    """ "an amazing platform" → "a platform": the praise goes and the article follows the
    next word."""
    article, following = match.group("article"), match.group("next")
    if article.lower() in ("a", "an"):
        vowel = following[:1].lower() in "aeiou" and not following.lower().startswith(
            ("uni", "use", "usu", "one", "eu")
        )
        article = article[0] + ("n" if vowel else "")
    return f"{article} "


def _drop_that(match: re.Match[str]) -> str:
    following = match.group("next")
    if following.lower() in editing.SUBJECT_STARTS or (
        following[:1].isupper() and following != "That"
    ):
        return f"{match.group('verb')}{match.group('object') or ''} "
    return match.group()


def _news_first(sentence: str) -> str:
    """ "Although costs rose 9%, Acme kept its forecast." → "Acme kept its forecast
    although costs rose 9%.": the main clause first, unless it leans on what comes
    before it ("..., it said")."""
    match = _FRONTED.match(sentence)
    if not match or match.group("opener").lower() not in editing.FRONTED_OPENERS:
        return sentence
    main = match.group("main")
    first = main.split(" ", 1)[0].lower()
    if (
        first in editing.LEANING_WORDS
        or word_count(main) < 5
        or not _has_verb(main)
        or not _has_verb(f"x {match.group('clause')}")
    ):
        return sentence
    opener = match.group("opener").lower()
    comma = "," if opener in editing.CONTRASTING_OPENERS else ""
    clause = f"{opener} {match.group('clause')}"
    return f"{main[0].upper()}{main[1:]}{comma} {clause}{match.group('end')}"


def merge(first: str, second: str) -> str | None:
    """Two sentences about the same subject as one: "Acme will cut 1,200 jobs." + "It will
    close two plants." → "Acme will cut 1,200 jobs and will close two plants." None when
    the second does not open on the first's subject (by name, "It" or "The company") and
    its verb, or when the two would make one sentence too long to read."""
    # A first sentence with a comma may end on an aside ("..., its largest deal"), which
    # an "and" would join to the wrong words.
    if not first.endswith(".") or ", " in first or "; " in first:
        return None
    name = first.split(" ", 1)[0]
    words = second.split(" ")
    if words[0] == "It" or (
        words[0] == "The"
        and words[1:2]
        and words[1].lower() in editing.ORGANISATION_WORDS
    ):
        rest = words[1 if words[0] == "It" else 2 :]
    elif name[:1].isupper() and name not in editing.NOT_NAMES and words[0] == name:
        rest = words[1:]
        while (
            rest and rest[0][:1].isupper()
        ):  # the rest of the name: "Helios Semiconductor"
            rest = rest[1:]
    else:
        return None
    verb = rest[0].lower() if rest else ""
    if not (verb in editing.COMMON_VERBS or (len(verb) > 4 and verb.endswith("ed"))):
        return None
    merged = f"{first[:-1]} and {' '.join(rest)}"
    return merged if word_count(merged) <= MERGED_WORDS else None


_ADVERB = re.compile(
    r"(?:\b(?P<aux>to|is|are|was|were|has|have|had|will|would|can|could|should|must|be"
    r"|been) (?P<word>[a-z]{3,}ly)(?= [a-z]))|(?: (?P<before>[a-z]{3,}ly)(?= [a-z]{3,}ed\b))"
)


def drop_adverbs(sentence: str) -> str:
    """ "urged customers to immediately update" → "urged customers to update": an adverb
    in -ly before a verb, unless it carries the fact ("only", "nearly", "partly")."""
    if _QUOTATION.search(sentence):
        return sentence

    def drop(match: re.Match[str]) -> str:
        if (match.group("word") or match.group("before")) in editing.FACT_ADVERBS:
            return match.group()
        return match.group("aux") or ""

    return _ADVERB.sub(drop, sentence)


def cut_last_clause(sentence: str) -> str | None:
    """ "Brad tries a new phone, Jeff waxes about BioShock, and Ryan goes to a parade." →
    "Brad tries a new phone, Jeff waxes about BioShock.": the sentence up to its last comma,
    dash or semicolon that keeps between 40% and 75% of its words, in any language. None
    when no such boundary leaves a sentence."""
    ending = _END.search(sentence)
    mark = ending.group()[:1] if ending else "."
    total = word_count(sentence)
    if total < 8 or not _quotes_balanced(sentence):
        return None
    for boundary in reversed([*_BOUNDARY.finditer(sentence)]):
        head = sentence[: boundary.start()].rstrip()
        words = word_count(head)
        if words > 0.75 * total:
            continue
        if words < max(5, 0.4 * total):
            return None
        last = head.rsplit(" ", 1)[-1].lower()
        segment = head[head.rfind(", ") + 2 :] if ", " in head else ""
        opener = head.split(" ", 1)[0].lower()
        if (
            segment.split(" ", 1)[0].lower() in editing.CLAUSE_OPENERS
            or (opener in editing.FRONTED_OPENERS | editing.PREPOSITIONS)
            and not _BOUNDARY.search(head)
            or head.isascii()
            and not _has_verb(head)
            or last in editing.OPEN_ENDED
            or not _quotes_balanced(head)
            or head.count("(") != head.count(")")
        ):
            continue
        return _finish(head, mark)
    return None


def copied_share(source: str, brief: str) -> float:
    """The longest run of words ``brief`` repeats from ``source`` unbroken, as a share of
    ``source``'s words: 1.0 for a sentence copied whole."""
    words = _WORDS_ONLY.findall(source.casefold())
    if not words:
        return 0.0
    copied = _WORDS_ONLY.findall(brief.casefold())
    matcher = SequenceMatcher(None, words, copied, autojunk=False)
    return matcher.find_longest_match(0, len(words), 0, len(copied)).size / len(words)


def tighten(sentence: str) -> str:
    """``sentence`` as a copy editor would tighten it without losing a fact: wordy phrases
    made plain ("in order to" → "to", "approximately" → "about", "18 percent" → "18%"),
    words of emphasis and openers such as "In this post," left out, "said that the" →
    "said the", and a fronted clause put after the news. A sentence with a quotation is
    left alone: a quote is never reworded."""
    if _QUOTATION.search(sentence):
        return sentence
    ending = _END.search(sentence)
    mark = ending.group()[:1] if ending else ""
    sentence = _OPENING.sub("", sentence)
    sentence = _PERCENT_WORD.sub("%", sentence)
    sentence = _PLAIN.sub(_plain, sentence)
    sentence = _FILLER.sub("", sentence)
    sentence = _PUFFERY.sub(_drop_puffery, sentence)
    sentence = _THAT.sub(_drop_that, sentence)
    sentence = _news_first(re.sub(r"\s{2,}", " ", sentence).strip())
    return _finish(sentence, mark) if mark else sentence


# --- Rules -------------------------------------------------------------------------------------
def _rewrite_attribution(
    sentence: str, organisations: frozenset[str]
) -> tuple[str, bool]:
    """ "Acme said on Monday it had agreed to buy X." → "Acme agreed to buy X."; for any other
    speaker only the weekday or "in a statement" goes: "Officials said the fire ...". The
    flag tells whether "said" went."""
    match = _LEAD_ATTRIBUTION.match(sentence)
    if not match:
        return sentence, False
    speaker, rest = match.group("speaker"), match.group("rest")
    verb = sentence[match.end("speaker") :].split()[0]
    plain = f"{speaker} {verb}{match.group('that') or ''} {rest}"
    if not _is_organisation(speaker, organisations):
        return plain, False
    if rest.startswith("its "):
        apostrophe = "’" if "’" in sentence else "'"
        return f"{_possessive(speaker, apostrophe)} {rest[4:]}", True
    clause = _IT_CLAUSE.match(rest)
    if not clause:
        return plain, False
    who, aux, tail = clause.group("who"), clause.group("verb"), clause.group("rest")
    last = speaker.split()[-1].lower()
    if who == "they" and not (
        last.endswith("s") and last in editing.ORGANISATION_WORDS
    ):
        return plain, False  # "Acme said they ..." speaks of someone else
    following = tail.split()[0].lower().strip(",.") if tail.split() else ""
    if aux == "had" and following.endswith("ed") and len(following) > 4:
        return f"{speaker}{tail}", True  # "had agreed" → "agreed"
    if aux == "had" and following in editing.PAST_PARTICIPLES:
        return f"{speaker}{tail}", True  # "had found" → "found"
    if aux == "had" and following in editing.OTHER_PARTICIPLES:
        return f"{speaker} {'has' if who == 'it' else 'have'}{tail}", True
    if aux in ("was", "were") and following.endswith("ing"):
        return f"{speaker} {'is' if who == 'it' else 'are'}{tail}", True
    if aux in _PRESENT:
        return f"{speaker} {_PRESENT[aux]}{tail}", True
    if (
        aux in ("was", "were")
        or aux.endswith("ed")
        or (who == "it" and aux.endswith("s"))
    ):
        return f"{speaker} {aux}{tail}", True  # "it agreed", "it expects", "it was"
    return plain, False


def _drop_lead_attribution(sentence: str, organisations: frozenset[str]) -> str:
    """``_rewrite_attribution``, then what only "said" held together: "Acme said it would
    cut jobs, and that its cash would last" → "Acme will cut jobs"; "can not" → "cannot"."""
    rewritten, unsaid = _rewrite_attribution(sentence, organisations)
    if not unsaid:
        return rewritten
    rewritten = rewritten.replace(" can not ", " cannot ")
    shorter = _SECOND_REPORTED.sub("", rewritten)
    return rewritten if shorter == rewritten else _finish(shorter, ".")


def _drop_aside(match: re.Match[str]) -> str:
    """ ", which employs 2,100 people," goes when it interrupts a subject and its verb ("The
    plant, which ..., builds") or stands before a phrase that keeps its comma; otherwise it
    may run on into a list ("..., which covers interest, taxes and ...") and stays."""
    following = match.group("next")
    head = match.string[: match.start()]
    head = head[max(head.rfind(", "), head.rfind("; "), -1) + 1 :]
    if not _has_verb(f"x {head}"):
        looks_like_verb = following in editing.COMMON_VERBS or (
            len(following) > 4 and following.endswith("ed")
        )
        return " " if looks_like_verb else match.group()
    return ", " if following in editing.COMMA_AFTER_ASIDE else match.group()


def _drop_subject_aside(match: re.Match[str]) -> str:
    """ ", which insures homes, cars and small businesses," goes when it stands between a
    subject and its verb."""
    head = match.string[: match.start()]
    head = head[max(head.rfind(", "), head.rfind("; "), -1) + 1 :]
    return match.group() if _has_verb(f"x {head}") else " "


def _is_item(part: str, limit: int = 8) -> bool:
    """A list item: a few words, no verb, not a clause of its own."""
    words = [w.lower() for w in _WORD.findall(part)]
    return (
        0 < len(words) <= limit
        and editing.COMMON_VERBS.isdisjoint(words)
        and words[0] not in editing.CLAUSE_OPENERS
        and "; " not in part
    )


def _shorten_list(sentence: str, least: int = 5) -> str:
    """ "A, B, C, D and E" → "A, B and E": a list of ``least`` or more short items (no verb,
    twelve words at most, the last opened by "and" or "or") keeps its first two and its last."""
    if sentence.count(", ") < least - 2:
        return sentence
    parts = sentence.split(", ")
    for start in range(len(parts) - 3):
        end = start + 1
        while end < len(parts) and _is_item(parts[end], 12):
            if _LIST_AND.match(parts[end]):
                break
            end += 1
        if end >= len(parts) or not _LIST_AND.match(parts[end]):
            # "A, B, C, D and E": the last part holds the conjunction.
            end -= 1
            if end <= start or not re.search(r" (?:and|or) ", parts[end]):
                continue
            items = end - start + 2
        else:
            items = end - start + 1
        if items < least or not _is_item(parts[end], 12):
            continue
        return ", ".join([*parts[: start + 2], parts[end], *parts[end + 1 :]])
    return sentence


def _cut_points(sentence: str) -> list[tuple[int, int]]:
    """(start, end) spans a brief may drop, from a clause boundary to the end of the sentence
    or, when a clause that carries the news follows ("..., adding $5bn to its value, after the
    trial succeeded"), to that clause."""
    spans = []
    size = len(sentence.rstrip(_CLOSERS + ".!?"))
    matches = [*_CUT.finditer(sentence)] + [
        m
        for m in _PARTICIPLE.finditer(sentence)
        if m.group("word") not in editing.ING_NOUNS
        and (
            m.group("next").lower() in editing.PARTICIPLE_FOLLOWERS
            or not m.group("next")[:1].isalpha()
        )
    ]
    for match in sorted(matches, key=lambda m: m.start()):
        start = match.start()
        head_words = _WORD.findall(sentence[:start])
        if not head_words or head_words[-1].lower() in editing.OPEN_ENDED:
            continue  # "most, but not all, of the costs": an interruption, not a clause
        end = size
        following = _NEXT_CLAUSE.search(sentence, match.end())
        if following and not match.group().startswith(";"):
            after = sentence[following.end() :].lstrip()
            first_word = after.split(" ", 1)[0].lower()
            if first_word in editing.KEEP_OPENERS:
                end = following.start()
            elif (
                first_word in editing.CONTINUATIONS
                or not first_word[:1].isalpha()
                # "users, including data centers, pay ...": an insert, not the last clause
                or _INSERT.match(sentence, match.start())
            ):
                continue
        spans.append((start, end))
    return spans


def _cut_trailing(sentence: str, budget: int, keep: frozenset[str]) -> str:
    """Cut asides at clause boundaries, last first, until within ``budget`` words. Asides
    without a figure go first; one with a figure only when the rest of the sentence keeps
    one of its own (the figure is usually the news), and never one with a word of ``keep``
    (the headline's figures)."""
    ending = _END.search(sentence)
    mark = ending.group()[:1] if ending else "."
    while word_count(sentence) > budget:
        shorter = ""
        spans = list(reversed(_cut_points(sentence)))
        spans.sort(
            key=lambda span: bool(_HAS_DIGIT.search(sentence[span[0] : span[1]]))
        )
        for start, end in spans:
            head = sentence[:start]
            candidate = head + sentence[end:]
            if (
                word_count(head) >= 6
                and _has_verb(head)
                and keep.isdisjoint(_WORD.findall(sentence[start:end].lower()))
                and (
                    _HAS_DIGIT.search(head)
                    or not _HAS_DIGIT.search(sentence[start:end])
                )
                and _quotes_balanced(candidate)
                and candidate.count("(") == candidate.count(")")
            ):
                shorter = candidate
                break
        if not shorter:
            return sentence
        sentence = _finish(shorter, mark)
    return sentence


def condense(
    sentence: str,
    *,
    budget: int,
    first: bool = False,
    organisations: frozenset[str] = frozenset(),
    keep: frozenset[str] = frozenset(),
) -> str:
    """``sentence`` with what a brief leaves out left out; ``first`` for the text's opening
    sentence (which may carry a dateline), ``keep`` for words (lowercased) that no cut may
    take, such as the headline's figures. Returns the sentence unchanged when a rule would
    leave less than a sentence."""
    original = sentence
    ending = _END.search(sentence)
    mark = ending.group()[:1] if ending else ""
    quoted = sentence[:1] in "\"“‘'"
    if first:
        sentence = _DATELINE.sub("", sentence, count=1)
    # Each rule runs only when the words it looks for are there: condensing runs on a
    # dozen sentences per article and most rules find nothing.
    lowered = sentence.lower()
    if "(" in sentence:
        listed = _LISTED.match(sentence)
        if listed and listed.group("ticker") not in editing.NOT_TICKERS:
            organisations = organisations | {listed.group("name")}
        sentence = _BRACKETED.sub(_drop_brackets, sentence)
    if _TIME_HINT.search(lowered):
        sentence = _ON_WEEKDAY.sub("", sentence)
        sentence = _WHEN.sub("", sentence)
        sentence = _DOUBLED.sub("", _LEAD_WHEN.sub("", sentence))
    if not quoted and _SAYING.search(lowered):
        sentence = _TRAIL_ACCORDING.sub("", sentence)
        sentence = _TRAIL_ATTRIBUTION.sub("", sentence)
        sentence = _drop_lead_attribution(sentence, organisations)
    if ", " in sentence:
        sentence = _LEAD_INTRO.sub("", sentence)
        before = sentence
        sentence = _SUBJECT_ASIDE.sub(_drop_subject_aside, sentence, count=1)
        sentence = _ASIDE.sub(_drop_aside, sentence)
        if sentence != before and not quoted and _SAYING.search(sentence):
            # "Acme, which ..., said it would" reads as "Acme will" once the aside is gone.
            sentence = _drop_lead_attribution(sentence, organisations)
        sentence = _shorten_list(sentence)
    if word_count(sentence) > budget and not quoted:
        sentence = _cut_trailing(sentence, budget, keep)
        sentence = _TRAIL_ATTRIBUTION.sub("", sentence)
    if word_count(sentence) > budget:
        sentence = _shorten_list(sentence, least=4)
    if not quoted:
        sentence = tighten(sentence)
    sentence = _finish(_DOUBLED.sub("", re.sub(r"\s{2,}", " ", sentence)), mark)
    if (
        word_count(sentence) < 4
        or not _quotes_balanced(sentence)
        and _quotes_balanced(original)
        or sentence.count("(") != sentence.count(")")
    ):
        return original
    return sentence
