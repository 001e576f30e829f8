"""Condensing: a sentence as a brief would print it, made only by leaving out words that carry
no fact and by plain wording, never by changing what the sentence says.

Left out: a dateline, a ticker in brackets ("(HLSM)"), a time relative to the day of
publication when it opens the sentence ("On Tuesday, ...") or stands right after "said"
("Acme said on Tuesday it would ..."), and the emphasis and wordiness ``tighten`` removes.
Never left out or rewritten: who said something ("..., the company said", "according to ...",
"X expects"), a verb's tense or modality ("would pay", "could not"), a clause, an object, a
list item, or a time phrase that another word leans on ("the plan announced on Wednesday").
An earlier version cut clauses, dropped attributions and merged sentences to copy less of
the text; it changed facts ("said it would pay" became "will pay") and left fragments, and
copying a sentence whole is better than either.
"""

from __future__ import annotations

import re

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
_END = re.compile(r"[.!?][\"'”’)\]»]*$")

# "WASHINGTON (Reuters) - ", "LONDON, Nov 3 — ", "(AP) — ": only at the start of a text.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}(?:, [A-Z][\w.]*(?: \d{1,2})?)?"
    r"(?: ?\([^()]{1,30}\))?|\([A-Z][\w .&]{1,30}\))\s?[-–—]{1,2}\s+"
)
# Times relative to the day of publication, which the page shows next to the copy.
_RELATIVE_TIME = (
    r"(?:today|yesterday|tonight|last night|this (?:morning|afternoon|evening|week)"
    r"|(?:earlier|later) (?:today|this (?:week|month|year))|last week)"
)
_LEAD_WHEN = re.compile(
    rf"^(?:{_RELATIVE_TIME}|{_ON_DAY.replace('on ', '(?:on )?', 1)}|Last (?:week|month))"
    r", ",
    re.IGNORECASE,
)
# A ticker in brackets, "(HLSM)" or "(Nasdaq: HLSM)"; any other aside in brackets stays.
_BRACKETED = re.compile(
    r"(?P<before>\w*) \((?:[A-Z][A-Za-z]*: ?)?[A-Z]{1,5}(?:\.[A-Z]{1,2})?\)(?!\w)"
)
# "Acme said on Tuesday it would ...": the day goes, "said" and all it says stay.
_SAID_ON_DAY = re.compile(
    rf"(?P<said>\b(?:said|says)) (?:{_ON_DAY}|{_RELATIVE_TIME})"
    r"(?= (?:that|it|he|she|they|the|[A-Z])\b)"
)
# Words without which no time rule can match.
_TIME_HINT = re.compile(r"day|night|week|month|morning|afternoon|evening")
_WORD = re.compile(r"[\w'’-]+")
# Punctuation left doubled by a cut: "Virginia, , lawmakers", "NSURL ,", "Virginia,."
_DOUBLED = re.compile(r"\s+(?=[,;.](?:\s|$))|(?<=,)\s*,+|,(?=[.!?;:])")


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
    """ " (HLSM)": a ticker, unless it is a short name the text uses later ("(EU)") or the
    sentence needs it to go on ("software for (Windows)")."""
    before = match.group("before")
    inside = match.group()[len(before) :].strip(" ()").split(":")[-1].strip()
    if before.lower() in editing.OPEN_ENDED or inside in editing.NOT_TICKERS:
        return match.group()
    return before


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


# --- Asides ------------------------------------------------------------------------------------
# What a brief drops from a lead. Each only adds detail to what the rest of the sentence says
# (leaving it out loses that detail and changes nothing else), and each is recognised by its
# form, never by guessing:
# * a share restating a figure: "3,500 jobs, or roughly 9% of its workforce, and",
#   "2,800 jobs, about 12% of its workforce,";
# * a description of the subject: "Lumen, based in Boulder, Colorado, reported", "Helios,
#   which employs 2,300 people, said" (only a closed set of describing verbs);
# * a rank given to a date or a figure, between commas or at the end: "on Tuesday, its
#   second cut this year,", "$212.60, a record close,", ", the chipmaker's largest
#   acquisition.";
# * a consequence tacked on at the end: ", giving it a market value of $10.9bn.".
# What always stays (an attack found each of these cut once): anything with a verb of its
# own in a rank or description ("the largest fine it has ever imposed", ", a decision the
# board reversed on Friday", ", the lawsuit alleges", ", the jury found"); a reason
# (", citing ..."); "adding that ..."; an alternative or a condition ("$5 in cash, or $6 in
# stock,", "or 3,000 if sales fall"); a list ("the X1, the X2 and the X3", an aside followed
# by "and"/"or"); a place with more parts than "City, Region"; anything in quotation marks
# of any kind; anything across a semicolon.
_CLAUSE = r"(?:[^,;\"“”«»]|,(?=\d{3}))"  # no clause break; "39,000" is one number
_PLACE = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)*"
_ABOUT = r"(?:about |roughly |nearly |almost |some |around |more than |less than )"
_SHARE = (
    rf"{_ABOUT}?(?:\d+(?:\.\d+)?(?:%| percent| per cent)"
    r"|(?:a|one) (?:half|third|quarter|fifth|tenth)) of "
)
_DESCRIBING = (
    r"(?:employs|makes|owns|operates|runs|sells|builds|assembles|produces|supplies|serves"
    r"|ended|began|started|is based|is headquartered|has about|has some|has more than)"
)
_RANK = (
    r"(?:its|their|the|a|an)(?: [\w'’-]+(?:'s|’s))? (?:[a-z-]+est|first|second|third|fourth"
    r"|fifth|sixth|seventh|eighth|ninth|tenth|latest|record|most|best|worst)\b"
)
# After a date or a figure: "on Tuesday, its second cut this year,", "$212.60, a record close,".
_AFTER_FIGURE = r"(?:(?<=day)|(?<=morning)|(?<=afternoon)|(?<=evening)|(?<=\d)|(?<=%))"
_MID_ASIDE = re.compile(
    rf", (?P<aside>(?:or )?{_SHARE}{_CLAUSE}{{2,80}}?)"
    rf",(?P<after> (?:and|but)(?= ))?(?= [a-z])"
    rf"|, (?P<subject>(?:based|headquartered) in {_PLACE}(?:, {_PLACE})?"
    rf"|which {_DESCRIBING} {_CLAUSE}{{2,80}}?),(?= [a-z])(?! and\b| or\b)"
    rf"|{_AFTER_FIGURE}, (?P<rank>{_RANK}{_CLAUSE}{{0,50}}?),(?= [a-z])(?! and\b| or\b)"
)
_END_ASIDE = re.compile(rf", (?P<aside>{_RANK}{_CLAUSE}{{0,80}}?)(?P<end>[.!?])$")
_CONSEQUENCE = re.compile(
    rf", (?P<aside>(?:giving (?!up\b)|expanding |clearing |sending |lifting |bringing "
    rf"|pushing |wiping |erasing ){_CLAUSE}{{3,200}}?)(?P<end>[.!?])$"
)
_ATTRIBUTING = re.compile(
    r"\b(?:said|says|say|told|tells|according|added|adds|adding|announced|reported|reports"
    r"|estimated|estimates|expects|expected|believes|argued|warned|wrote|claimed|claims"
    r"|stated|noted|confirmed|alleges?|alleged|fears?|contends?|denied|denies)\b",
    re.IGNORECASE,
)
# Words that make an aside a clause of its own, which is never dropped.
_CLAUSE_WORDS = re.compile(
    r"\b(?:that|which|who|whom|whose|it|he|she|they|we|is|are|was|were|has|have|had|will"
    r"|would|could|may|might|can|must|should|do|does|did|not|no|never|says?|said|told"
    r"|found|heard|showed|shown|saw|thinks?|thought|fears?|alleges?|contends?|believes?"
    r"|argues?|claims?|denies|denied|insists?|knew|wrote|according|\w+ed)\b",
    re.IGNORECASE,
)
_SUBORDINATE = re.compile(
    r" (?:after|as|before|when|while|because|amid|following|despite|that)\b"
)
# Quotation marks of every kind, straight single quotes opening a word included.
_ANY_QUOTATION = re.compile(r"[\"“”«»‘]|(?:^|[\s(])'")
MIN_LEFT_WORDS = 10


def _finite_verb(text: str) -> bool:
    """A verb a reader would see as one ("reported", "will", "said"): not any word in -s,
    which would take "Helios" or "Motors" for one."""
    words = [w.lower() for w in _WORD.findall(text)]
    return any(
        w in editing.COMMON_VERBS or (len(w) > 4 and w.endswith("ed")) for w in words
    )


def drop_asides(sentence: str) -> str:
    """``sentence`` without its descriptive asides (see above), or unchanged when dropping
    them would leave fewer than MIN_LEFT_WORDS words or no verb."""
    if _ANY_QUOTATION.search(sentence):
        return sentence

    def mid(match: re.Match[str]) -> str:
        if match.group("aside") is not None:  # a share restating a figure
            if _ATTRIBUTING.search(match.group("aside")):
                return match.group()
            # "jobs, or 9% of its staff, and close" → "jobs and close"
            return match.group("after") or ","
        rank = match.group("rank")
        if rank is not None and _CLAUSE_WORDS.search(rank.split(" ", 1)[1]):
            return match.group()
        if _SUBORDINATE.match(sentence, match.end()):
            return ""  # "on Wednesday, a record close, after" → "on Wednesday after"
        subject = match.group("subject")
        if subject is not None and (
            subject.startswith(("based", "headquartered"))
            or not _finite_verb(sentence[: match.start()])
        ):
            # "Lumen, based in Boulder, reported": a description of the subject goes with
            # both its commas; after the verb ("bought Lumen, based in Boulder, for") too.
            return ""
        # "quarter, which ended May 31, up 27%", "on Tuesday, its second cut, citing".
        return ","

    shorter = _MID_ASIDE.sub(mid, sentence)
    end = _END_ASIDE.search(shorter)
    if end and not _CLAUSE_WORDS.search(end.group("aside").split(" ", 1)[1]):
        shorter = shorter[: end.start()] + end.group("end")
    end = _CONSEQUENCE.search(shorter)
    if end and not _ATTRIBUTING.search(end.group("aside")):
        shorter = shorter[: end.start()] + end.group("end")
    shorter = _DOUBLED.sub("", re.sub(r"\s{2,}", " ", shorter))
    if (
        shorter == sentence
        or word_count(shorter) < MIN_LEFT_WORDS
        or not _finite_verb(shorter)
    ):
        return sentence
    return shorter


# --- Rules -------------------------------------------------------------------------------------
def condense(
    sentence: str,
    *,
    first: bool = False,
) -> str:
    """``sentence`` with what a brief leaves out left out; ``first`` for the text's opening
    sentence (which may carry a dateline). No rule cuts a sentence to a length: one too long
    for its place is passed over instead. Returns the sentence unchanged when a rule would
    leave less than a sentence."""
    # Runs of white space first: the rules below would scan a long run once per space.
    sentence = original = re.sub(r"\s{2,}", " ", sentence)
    ending = _END.search(sentence)
    mark = ending.group()[:1] if ending else ""
    quoted = sentence[:1] in "\"“‘'"
    if first:
        sentence = _DATELINE.sub("", sentence, count=1)
    if "(" in sentence:
        sentence = _BRACKETED.sub(_drop_brackets, sentence)
    if _TIME_HINT.search(sentence.lower()):
        sentence = _SAID_ON_DAY.sub(r"\g<said>", sentence)
        sentence = _DOUBLED.sub("", _LEAD_WHEN.sub("", sentence))
    if not quoted:
        sentence = tighten(sentence)
    sentence = _finish(_DOUBLED.sub("", re.sub(r"\s{2,}", " ", sentence)), mark)
    if (
        word_count(sentence) < 4
        or not _quotes_balanced(sentence)
        and _quotes_balanced(original)
        or sentence.count("(") != sentence.count(")")
        or not _has_verb(sentence)
        and _has_verb(original)
    ):
        return original
    return sentence
