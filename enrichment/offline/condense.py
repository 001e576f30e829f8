"""Condensing: a sentence as a brief would print it, made only by leaving out words that carry
no fact and by plain wording, never by changing what the sentence says.

Left out of every sentence: a dateline, a ticker in brackets ("(HLSM)"), a time relative to
the day of publication when it opens the sentence ("On Tuesday, ...") or stands right after
"said" ("Acme said on Tuesday it would ..."), and the emphasis and wordiness ``tighten``
removes. Left out of a summary's sentences too (``drop_asides``, ``shorten_list``): asides
that only describe — a restated share, a rank, a comment ("a move that ..."), a "which"
clause that describes, what kind of organisation a name is, when something was announced,
where something was said, a comparison with an earlier figure — and the tail of a long list
("A, B and more").

Never left out or rewritten: who said something ("..., the company said", "according to ...",
"X expects"), a verb's tense or modality ("would pay", "could not"), an object, a reason, a
condition, anything that undoes or qualifies the news ("a deal regulators later blocked"), a
short list, or a time phrase that another word leans on ("the plan announced on Wednesday").
Leaving an aside out loses its detail and changes nothing else. An earlier version cut
clauses, dropped attributions and merged sentences to copy less of the text; it changed facts
("said it would pay" became "will pay") and left fragments, and copying a sentence whole is
better than either.
"""

from __future__ import annotations

import functools
import re

from ..data import editing, lexicon

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
    r"(?P<before>\b\w*) \((?:[A-Z][A-Za-z]*: ?)?[A-Z]{1,5}(?:\.[A-Z]{1,2})?\)(?!\w)"
)
# "Acme said on Tuesday it would ...": the day goes, "said" and all it says stay.
_SAID_ON_DAY = re.compile(
    rf"(?P<said>\b(?:said|says)) (?:{_ON_DAY}|{_RELATIVE_TIME})"
    r"(?= (?:that|it|its|he|his|she|her|they|their|the|[A-Z])\b)"
)
# Words without which no time rule can match.
_TIME_HINT = re.compile(r"day|night|week|month|morning|afternoon|evening")
_WORD = re.compile(r"[\w'’-]+")
_TERM = re.compile(r"[$€£]?\w[\w.,%]*")
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


def _finish(text: str, ending: str, original: str) -> str:
    """``text`` with the sentence's own final mark put back after a cut, and capitalised when
    a cut left a small letter first: not "eBay", "iOS" or "macOS", nor a sentence that began
    in small letters as written ("defaults write com.apple.dock ...")."""
    text = text.strip().rstrip(",;:–—- ")
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if first.islower() and not original.lstrip().startswith(first):
        text = text[0].upper() + text[1:]
    if not _END.search(text):
        text += ending
    return text


def _dateline(match: re.Match[str]) -> str:
    """A dateline goes when it is one by its form ("LONDON, Nov 3 —", "WASHINGTON (Reuters)
    -"); capitals alone before a dash may be the sentence's subject ("IBM — once the world's
    biggest computer company — said", "OPEC - Russia talks", "AI — not crypto — is") and
    stay."""
    return "" if re.search(r"[(,]", match.group()) else match.group()


def _lead_when(match: re.Match[str]) -> str:
    """An opening time goes ("On Tuesday, Acme ..."), unless it is the subject ("Monday,
    Tuesday and Wednesday were", "Monday, March 3, was the day")."""
    rest = match.string[match.end() :].split(" ", 1)[0].lower().strip(",")
    if (
        rest in editing.COMMON_VERBS
        or re.fullmatch(_WEEKDAY.lower(), rest)
        or rest in ("and", "or", "nor", "not", "but")
    ):
        return match.group()
    return ""


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


def tighten(sentence: str) -> str:
    """``sentence`` as a copy editor would tighten it without losing a fact: wordy phrases
    made plain ("in order to" → "to", "approximately" → "about", "18 percent" → "18%"),
    praise and openers such as "In this post," left out, "said that the" → "said the". A
    sentence with a quotation is left alone: a quote is never reworded. Two rules went after
    two attacks: leaving out words of emphasis ("very", "really", "simply", "clearly"), which
    changed what "cannot simply walk away", "almost certainly miss" or "is no longer very
    profitable" say; and putting a fronted clause after the main one, which moved a condition
    onto an attribution ("..., the filing shows when the deal closes") or a pronoun before
    its name."""
    if _QUOTATION.search(sentence):
        return sentence
    original = sentence
    ending = _END.search(sentence)
    mark = ending.group()[:1] if ending else ""
    sentence = _OPENING.sub(_lead_when, sentence)
    sentence = _PERCENT_WORD.sub("%", sentence)
    sentence = _PLAIN.sub(_plain, sentence)
    sentence = _PUFFERY.sub(_drop_puffery, sentence)
    sentence = _THAT.sub(_drop_that, sentence)
    sentence = re.sub(r"\s{2,}", " ", sentence).strip()
    return _finish(sentence, mark, original) if mark else sentence


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
    r"|is based|is headquartered|has about|has some|has more than)"
)
_RANK = (
    r"(?:its|their|the|a|an|one of the)(?: [\w'’-]+(?:'s|’s))? (?:[a-z-]+est|first|second"
    r"|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|latest|record|most|best|worst|top"
    r"|bottom|high|low|upper|lower)\b"
)
# After a date or a figure: "on Tuesday, its second cut this year,", "$212.60, a record close,".
_AFTER_FIGURE = r"(?:(?<=day)|(?<=morning)|(?<=afternoon)|(?<=evening)|(?<=\d)|(?<=%))"
_MID_ASIDE = re.compile(
    rf", (?P<aside>(?:or )?{_SHARE}{_CLAUSE}{{2,80}}?)"
    rf",(?P<after> (?:and|but)(?= ))?(?= [a-z])"
    rf"|, (?P<subject>(?:based|headquartered) in {_PLACE}(?:, {_PLACE})?"
    rf"|which {_DESCRIBING} {_CLAUSE}{{2,80}}?),(?= [a-z])(?! and\b| or\b)"
    # "its third quarter, which ended October 31," (not "a discount, which ended Friday")
    r"|(?:(?<=quarter)|(?<=year)|(?<=half)|(?<=period)|(?<=season)), (?P<period>which"
    rf" (?:ended|began|started) {_CLAUSE}{{2,40}}?),(?= [a-z])(?! and\b| or\b)"
    rf"|{_AFTER_FIGURE}, (?P<rank>{_RANK}{_CLAUSE}{{0,50}}?),(?= [a-z])(?! and\b| or\b)"
    # "trucks from Aster Motors, one of the largest truck orders this year, as": a rank
    # after a name, only in this form.
    rf"|(?<=[A-Za-z]), (?P<one_of>one of the [a-z-]+est\b{_CLAUSE}{{0,60}}?),(?= [a-z])"
    r"(?! and\b| or\b)"
)
_END_ASIDE = re.compile(rf", (?P<aside>{_RANK}{_CLAUSE}{{0,160}}?)(?P<end>[.!?])$")
_CONSEQUENCE = re.compile(
    rf", (?P<aside>(?:giving (?!up\b|back\b)|expanding |clearing (?!(?:him|her|them)\b)|sending "
    rf"|lifting |bringing "
    rf"|pushing |wiping |erasing ){_CLAUSE}{{3,200}}?)(?P<end>[.!?])$"
)
# A comment the writer adds at the end, named by what it calls the news: ", a sign of how
# electricity has become ...", ", the clearest sign yet that ...". Only these nouns, which
# read the event rather than add to it: "a move that gives the chipmaker control of ..." says
# what the deal buys, "a setback that wiped out half its value" what it cost, and "a
# decision the board reversed" undoes it; each stays.
_COMMENT_NOUNS = r"(?:bet|sign|signal|indication|reflection|reminder|test)s?"
_END_COMMENT = re.compile(
    rf", (?P<aside>(?:a|an|another|the|a further) (?:[a-z-]+ ){{0,2}}"
    rf"{_COMMENT_NOUNS}(?: yet)? (?:that|of|to|for|toward|towards|in) {_CLAUSE}{{3,200}}?)"
    rf"(?P<end>[.!?])$"
)
_AND_COMMENT = re.compile(
    rf" and (?:a|an|another) (?:[a-z-]+ ){{0,2}}{_COMMENT_NOUNS}(?: yet)?"
    r" (?:that|of|to|for|toward|towards|in) .*$"
)
# When a plan or a product was made public, between commas: "the deal, announced Monday,
# is", "Version 11.4.7, released Thursday, fixes". Only a day near the page's date, which
# the page shows: "a study, published in March 2019, found" says how old the study is.
_WHEN_MADE = re.compile(
    r", (?:announced|unveiled|released|published|disclosed|signed|filed|launched|introduced)"
    rf" (?:(?:on )?{_WEEKDAY}|{_RELATIVE_TIME}),(?= [a-z])"
    r"(?! and\b| or\b| but\b)"
)
# A "which" clause that describes what it follows: dropped at the end of a sentence, or
# between commas before the sentence goes on. Only in these forms ("which is set to become
# one of the largest ...", "which was the most valuable startup", "which removed sharing"),
# never a clause that can revise, condition or carry the news on: an attack found "which was
# reduced to $200 million on appeal", "which requires approval from regulators", "which has
# since closed", "which will close it next year", "which means" and "where allowed by law"
# each taken for a description.
_WHICH_DESCRIBES = (
    rf"(?:{_DESCRIBING}|is set to become|(?:is|was) (?:one of|among) the"
    r"|(?:is|was) the [a-z-]+est\b|was founded|removed|added|introduced)"
)
_END_WHICH = re.compile(
    rf", (?P<aside>which {_WHICH_DESCRIBES}{_CLAUSE}{{3,200}}?)(?P<end>[.!?])$"
)
_MID_WHICH = re.compile(
    rf", (?P<aside>which {_WHICH_DESCRIBES}{_CLAUSE}{{3,120}}?),"
    r"(?= [a-z])(?! and\b| or\b| but\b)"
)
# What kind of organisation a name is: ", an industry research group." at the end of a
# sentence, or between commas after the name ("Brisling, a research firm, estimated").
_KIND_NOUNS = (
    r"(?:group|company|firm|agency|body|organi[sz]ation|association|institute|bank|lender"
    r"|insurer|maker|manufacturer|retailer|carrier|operator|provider|developer|start-?up"
    r"|publisher|broker|consultancy|think tank|regulator|watchdog|charity|union|fund"
    r"|investor|supplier|chipmaker|carmaker|automaker|airline|utility|producer|miner"
    r"|distributor|platform|network|outlet|newspaper|website|service)"
)
_NAMED = r"(?P<keep>\b[A-Z][\w.&'’-]*)"
_END_KIND = re.compile(
    rf"{_NAMED}, (?P<aside>(?:a|an) (?:[a-z-]+ ){{0,3}}{_KIND_NOUNS})(?P<end>[.!?])$"
)
_MID_KIND = re.compile(
    rf"(?<=[\w.&'’-]), (?P<aside>(?:a|an) (?:[a-z-]+ ){{0,3}}{_KIND_NOUNS}),"
    r"(?= [a-z])(?! and\b| or\b| but\b)"
)
# Where something was said, after "said" at the end of a clause: "..., the company said in a
# filing on Friday." → "..., the company said." Who said it stays, and so does all that was
# said; not before "that", which may start a clause about the document ("said in a statement
# that was later deleted that ...").
_SAID_WHERE = re.compile(
    r"\b(?P<said>said|says) in an? (?:regulatory |securities |stock exchange |exchange "
    r"|written |short )?(?:filing|statement|release|press release|news release|memo"
    r"|letter|blog post|note|post)(?: to (?:[A-Z][\w.&'’-]*(?: [A-Z][\w.&'’-]*){0,3}"
    r"|investors|shareholders|employees|staff|customers|regulators))?"
    rf"(?: {_ON_DAY}| {_RELATIVE_TIME})?(?=[.!?,])(?!, (?:which|that|who)\b)"
)
# When figures or a report came out, before who published them: "figures published on
# Friday by the institute" → "figures published by the institute".
_PUBLISHED_ON = re.compile(
    rf"\b(?P<verb>published|released|issued|compiled|filed) {_ON_DAY}(?= by\b)"
)
# How a thing is described between commas, after what it describes: "the chip, built by
# TSMC in Taiwan, draws", "The Phase 3 study, called SOLACE-2, enrolled". Not who backs,
# funds, owns or runs it ("a study, funded by the tobacco industry, found" says whose claim
# it is), nor "called off".
_MID_PARTICIPLE = re.compile(
    r", (?P<aside>(?:powered|designed|developed|built|made) (?:by|at|in|with|from) "
    rf"{_CLAUSE}{{2,80}}?|(?:called|named|known as|dubbed) (?=[A-Z\"“]){_CLAUSE}{{1,60}}?)"
    r",(?= [a-z])"
    r"(?! and\b| or\b| but\b)"
)
# What a share move did, between commas: "closed 29% higher at $69.40 on Monday, adding
# about $5.8 billion to its market value, after", "lost 41% on Tuesday, falling to $18.25,".
_MID_MOVE = re.compile(
    r", (?P<aside>(?:(?:adding|wiping|erasing|knocking|shaving) (?:about |roughly |nearly "
    r"|almost |more than |some )?[$€£]?\d[\d.,]*(?: ?(?:billion|million|trillion|bn|mn|m))?"
    r" (?:off|from|to) (?:its|the|their) (?:[a-z-]+ ){0,2}value"
    r"|(?:falling|rising|climbing|dropping|sliding|jumping|slipping|gaining|closing) "
    r"(?:to|at) [$€£]?\d[\d.,]*(?: ?(?:billion|million|bn|mn|%|p|cents?))?)),(?= [a-z])"
    r"(?! and\b| or\b| but\b)"
)
# A comparison with an earlier figure at the end: ", from $2.54 billion.", ", up from $4
# billion a year earlier.", ", compared with a loss of $4 million in 2025." A comparison
# with what was expected, budgeted or forecast (", well above the $380 million it had
# budgeted") is often the news, and stays.
_END_COMPARISON = re.compile(
    rf", (?P<aside>(?:compared with|compared to|versus)(?= {_CLAUSE}*\b(?:a year (?:earlier"
    r"|ago|before)|last year|the previous|the prior|the same (?:period|quarter)"
    rf"|in (?:19|20)\d\d)\b) {_CLAUSE}{{2,120}}?)(?P<end>[.!?])$"
)
# "to $3.1 billion, from $2.54 billion": an earlier figure after the figure it changed to
# (not "all sales in the EU, from 2035", a start date, or "children, from 12 years of age").
_END_FROM = re.compile(
    r"(?P<keep>\bto [$€£]?\d[\d.,]*(?: ?(?:billion|million|trillion|bn|mn|m|%|percent"
    r"|cents?|a share|per share))?), (?P<aside>(?:up |down )?from (?:[$€£]\d|\d[\d.,]*%)"
    rf"{_CLAUSE}{{0,120}}?)(?P<end>[.!?])$"
)
# A figure counted in a noun, which a share restates: "3,500 jobs, or roughly 9% of its
# workforce," (not "$40 in cash, or 3% of the combined company,", an alternative).
_COUNTED = re.compile(r"\d[\d,.]*(?: (?!(?:in|of|for|at|to|on)\b)[a-z-]+){1,2}$")
# Words with which an aside would undo or qualify the news: such an aside always stays.
_UNDOING = re.compile(
    r"\b(?:not|no|never|nor|none|without|but|however|although|though|unless|until"
    r"|only|later|instead|rather|yet to|false|falsely|revers\w*|withdr\w*|cancel\w*|scrap\w*"
    r"|abandon\w*|overturn\w*|block\w*|reject\w*|den(?:y|ies|ied)|disput\w*|halt\w*"
    r"|suspend\w*|retract\w*|delay\w*|postpon\w*|fail\w*|alleg\w*|accus\w*"
    r"|unconfirmed|pending|subject|if|whether|n't|wrong|untrue|inaccurate|incorrect"
    r"|mistaken|misleading|hoax|fake|correct\w*|collaps\w*|fell (?:through|apart)"
    r"|terminat\w*|expir\w*|laps\w*|struck down|veto\w*|void\w*|invalid\w*"
    r"|revis\w*|restat\w*|requir\w*|needs?|appeal\w*|back (?:to|until|by|from)|before"
    r"|except\w*"
    r"|possibl\w*|probabl\w*|perhaps|maybe|likely|unlikely|reported(?:ly)?"
    r"|condition\w*|contingent|provided|approv\w*|object\w*|fictitious|sham"
    r"|so-called|bogus|shell|front|purported\w*|unlicensed|unregistered|defunct|bankrupt"
    r"|former|supposed\w*|self-styled|fraudulent|ponzi)\b",
    re.IGNORECASE,
)
_ATTRIBUTING = re.compile(
    r"\b(?:said|says|say|told|tells|according|added|adds|adding|announced|reported|reports"
    r"|estimated|estimates|expects|expected|believes|argued|warned|wrote|claimed|claims"
    r"|stated|noted|confirmed|alleges?|alleged|fears?|contends?|denied|denies)\b",
    re.IGNORECASE,
)
# Verbs that report a finding or a view, besides saying: "industry data show", "analysts think".
_REPORTING = re.compile(
    r"\b(?:show\w*|think\w*|thought|finds?|found|suggest\w*|indicat\w*|believ\w*|reckon\w*"
    r"|estimat\w*|signal\w*|according)\b",
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
MIN_LEFT_WORDS = 8


def _finite_verb(text: str) -> bool:
    """A verb a reader would see as one ("reported", "will", "said"): not any word in -s,
    which would take "Helios" or "Motors" for one."""
    words = [w.lower() for w in _WORD.findall(text)]
    return any(
        w in editing.COMMON_VERBS or (len(w) > 4 and w.endswith("ed")) for w in words
    )


# --- Long lists --------------------------------------------------------------------------------
# A list of four or more short items that ends a sentence keeps its first two: "talks
# about A, B, C, D and E." → "talks about A, B and more." Nothing is reworded and no item is
# changed, and a list the feed cut short ends whole. The rest is not counted ("and three
# more"): a comma inside an item ("Paris, Texas") would make the count wrong. An item with a
# verb or of more than LIST_ITEM_WORDS words ends the list; a list with a quotation, a
# semicolon or joined by "or" is left whole.
LIST_MIN_ITEMS = 4
# The only words condensing writes that the text may not contain: "and more" after a list.
ADDED_WORDS = frozenset({"and", "more"})
LIST_ITEM_WORDS = 6
_PRONOUN_FIRST = re.compile(r"(?:We|I|You|They|He|She|It)\b")
# In a list's last item, words that may qualify every item: "... and Iowa temporarily",
# "... and socks at half price", "... and Maine since March", "... and Iowa in 2027".
_QUALIFIER = re.compile(
    r"\b(?:in|at|on|for|since|from|by|during|per|now|until|till|through|\w{3,}ly)\b"
)
# Words that make a comma-separated part a clause or an aside, not an item.
_LIST_BREAKERS = re.compile(
    r"\b(?:that|which|who|whom|whose|where|when|while|if|because|albeit|although|though"
    r"|however|but|yet|so|then|I|you|we|he|she|it|they|is|are|was|were|be|been|has|have"
    r"|had|will|would|can|could|may|might|must|should|do|does|did|not|with|without|from"
    r"|into|to|by|as|than|and|or|nor|plus|their|its|his|her|our|my|your|well|um|uh|oh"
    r"|anyway|sorry|unless|until|before|after|except|nowhere|none|else|only|respectively"
    r"|no)\b"
    r"|[—–:;()]| - |^[$€£]?\d[\d.,]*%?$"
)
_LIST_CLOSERS = ".!?…\"'”’)]»"
_MORE = re.compile(r"(?:so much|much|a lot|lots|plenty|many|loads) more|more")


def shorten_list(sentence: str, *, headline: str = "") -> str:
    """``sentence`` with a long closing list cut to its first two items (see above), unless
    an item left out is named in the ``headline``."""
    if _ANY_QUOTATION.search(sentence) or ";" in sentence:
        return sentence
    ending = sentence[len(sentence.rstrip(_LIST_CLOSERS)) :]
    # A list the feed cut short ("..., and Kinects in casin", "A, B, C, D…") loses its cut
    # item with the rest, and the brief ends as a sentence.
    cut = not _END.search(sentence)
    chunks = sentence[: len(sentence) - len(ending)].split(", ")
    last = chunks[-1]
    if last.startswith("and "):  # "A, B, C, and D"
        tail = [last[4:]]
    elif last.count(" and ") == 1:  # "A, B, C and D"
        tail = last.split(" and ")
    elif cut:
        tail = [last]
    else:
        return sentence
    more = bool(_MORE.fullmatch(tail[-1]))
    items = [*chunks[:-1], *tail]
    start = len(items) - (1 if more else 0)
    while start > 1 and _list_item(items[start - 1]):
        start -= 1
    # items[start - 1] holds the list's first item at its end ("talks about A"); the items
    # after it must make a list on their own.
    if len(items) - start - (1 if more else 0) < LIST_MIN_ITEMS - 1:
        return sentence
    # Found by an attack on the first version: the list must be what a verb before it takes
    # ("Regulators in Ohio, New Mexico, Utah and Maine oppose the merger" is no list of
    # objects), its last item must carry no qualifier that may cover them all ("... and Iowa
    # temporarily", "... at half price", "... since March"), and an aside is not an item
    # ("the X1, a sedan, the X2").
    if (
        not (_has_verb(head := ", ".join(items[:start])) or _PRONOUN_FIRST.match(head))
        or (not cut and not more and _QUALIFIER.search(items[-1]))
        or items[start].startswith(("a ", "an "))
    ):
        return sentence
    # Words sharing the last item's noun ("cheap, light, strong and recyclable packaging",
    # "share, save, edit and export documents", "the Microsoft, EA and Sony press
    # conferences"): without the last item the others lose what they qualify.
    # Plural nouns are items of their own ("leaves, stems, roots and secondary metabolism").
    listed = items[start:]
    single = listed[:-1]
    if (
        not more
        and all(len(item.split()) == 1 for item in single)
        and not all(item.islower() and item.endswith("s") for item in single)
        and len(listed[-1].split()) > 1
    ):
        return sentence
    if items[start].lower().startswith("more "):  # "more RDR2 adventures and more"
        return sentence
    shorter = f"{', '.join(items[: start + 1])} and more{'.' if cut else ending}"
    if any(shorter.count(a) != shorter.count(b) for a, b in ("()", "[]", "{}")) or (
        _loses_headline(sentence, shorter, headline_terms(headline))
    ):
        return sentence
    return shorter


def _list_item(item: str) -> bool:
    """Whether ``item`` reads as an item of a list: a few words, no verb, no clause."""
    words = item.split()
    return (
        0 < len(words) <= LIST_ITEM_WORDS
        and not _finite_verb(item)
        and not _LIST_BREAKERS.search(item)
        and not (words[0].islower() and len(words[0]) > 4 and words[0].endswith("ing"))
    )


def _following(match: re.Match[str]) -> str:
    """The word after ``match``, in small letters."""
    words = match.string[match.end() : match.end() + 40].split()
    return words[0].lower().strip(",;:") if words else ""


def _ends_cleanly(match: re.Match[str]) -> bool:
    """Whether the comma that closes an aside between commas is really its end, not a comma
    of a list inside it ("Angie's List, which rates doctors, contractors and shops, has";
    "Acme, which sells shoes, canned goods and hats, reported"): the sentence must go on
    with a verb, a preposition or a clause of its own ("sending the mark lower"), and words
    that could finish a list never count as going on."""
    after = match.string[match.end() : match.end() + 300]
    rest = after.split()
    if not rest:
        return True
    # "..., its third cut this year, officials said" or "..., industry data show": who said
    # it may have said the aside.
    clause = after.split(",", 1)[0]
    if word_count(clause) <= 6 and (
        _ATTRIBUTING.search(clause) or _REPORTING.search(clause)
    ):
        return False
    first = rest[0].lower()
    if (
        first in editing.DESCRIBING_STARTS
    ):  # "closing at $18.25, a level not seen since"
        return False
    second = rest[1].lower() if len(rest) > 1 else ""
    if first in editing.COMMON_VERBS or first in ("also", "now", "still", "then"):
        return True
    if first.endswith("ly") and (
        second in editing.COMMON_VERBS or second.endswith("ed")
    ):
        return True  # "recently reported"
    if first in editing.PREPOSITIONS or first in editing.GOES_ON:
        return True
    if len(first) > 4 and first.endswith("ing") and second in editing.CLAUSE_OBJECTS:
        return True  # "sending the mark lower", not "hiking boots"
    # A list's last items are short: "contractors and shops", "canned goods and hats".
    segment = after.split(",", 1)[0].split()
    list_like = any(word in ("and", "or") for word in segment[: LIST_ITEM_WORDS - 2])
    if len(first) > 4 and first.endswith("ed") and not list_like:
        return True  # "voted against", not "canned goods and hats"
    return _finite_verb(
        match.string[max(0, match.start() - 300) : match.start()]
    ) and not (list_like)


def _rejoin(match: re.Match[str]) -> str:
    """What stands where an aside between commas was. Nothing when no verb came before it
    ("Lumen, which employs 2,300 people, reported"), when it sat between a subject and its
    verb ("said its rival Helios, which employs 2,000 people, would close"), or before a
    preposition or a subordinate clause ("settled on Monday, its third settlement this year,
    for $40 million", "on Wednesday, a record close, after"); otherwise the sentence's own
    comma ("quarter, which ended May 31, up 27%" → "quarter, up 27%")."""
    following = _following(match)
    if (
        not _finite_verb(match.string[max(0, match.start() - 300) : match.start()])
        or following in editing.COMMON_VERBS
        or (len(following) > 4 and following.endswith("ed"))
        or following in editing.PREPOSITIONS
        or following
        in ("last", "next", "this", "earlier", "later")  # "the plant last year"
        or _SUBORDINATE.match(match.string, match.end())
    ):
        return ""
    return ","


def _after_name(match: re.Match[str]) -> bool:
    """Whether the aside ``match`` follows a name ("Brisling, a research firm,")."""
    before = match.string[max(0, match.start() - 60) : match.start()].split()
    return bool(before) and before[-1][:1].isupper()


def _describes(aside: str) -> bool:
    """Whether ``aside`` only describes: it neither undoes or qualifies the news nor reports
    what someone said."""
    return not _UNDOING.search(aside) and not _ATTRIBUTING.search(aside)


def _split_comment(aside: str) -> tuple[str, str]:
    """``aside`` cut before a comment joined to it by "and" ("..., and a sign that ...")."""
    match = _AND_COMMENT.search(aside)
    return (aside[: match.start()], match.group()) if match else (aside, "")


# The nouns a comment frames the news with ("a sign that ...") say nothing of their own: a
# headline that "signs" a deal is not about the sign.
_FRAMING = frozenset(
    ("sign", "signs", "signal", "signals", "bet", "bets", "test", "tests")
)


@functools.lru_cache(maxsize=64)  # one headline, asked once per candidate sentence
def headline_terms(text: str) -> frozenset[str]:
    """The words of ``text`` that say something, roughly stemmed ("slower" and "Slow" are
    one), and its figures."""
    terms = set()
    for word in _TERM.findall(text.lower()):
        word = word.strip(".,-")
        if (
            word in lexicon.STOPWORDS
            or word in _FRAMING
            or (len(word) < 3 and not word[:1].isdigit())
        ):
            continue
        for suffix in ("ing", "est", "ed", "er", "s"):
            if len(word) - len(suffix) >= 3 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        terms.add(word)
    return frozenset(terms)


def _loses_headline(original: str, shorter: str, headline: frozenset[str]) -> bool:
    """Whether leaving words of ``original`` out to make ``shorter`` lost a word or figure
    of the headline that nothing left in the sentence repeats: the headline names what the
    story is about ("mark slips", "Slow EV uptake"), so that aside is the news."""
    return bool(
        headline and (headline_terms(original) - headline_terms(shorter)) & headline
    )


def drop_asides(sentence: str, *, headline: str = "") -> str:
    """``sentence`` without its descriptive asides (see above), or unchanged when dropping
    them would leave fewer than MIN_LEFT_WORDS words or no verb, or would lose a word of the
    ``headline``."""
    if _ANY_QUOTATION.search(sentence):
        return sentence

    def mid(match: re.Match[str]) -> str:
        if match.group("aside") is not None:  # a share restating a figure
            if not _describes(match.group("aside")) or not _COUNTED.search(
                match.string[max(0, match.start() - 40) : match.start()]
            ):
                return match.group()
            # "jobs, or 9% of its staff, and close" → "jobs and close"
            return match.group("after") or ","
        rank = match.group("rank") or match.group("one_of")
        if rank is not None and (
            _CLAUSE_WORDS.search(rank.split(" ", 1)[1]) or not _describes(rank)
        ):
            return match.group()
        if _SUBORDINATE.match(match.string, match.end()):
            return ""  # "on Tuesday, its second warning, that" → "on Tuesday that"
        if not _ends_cleanly(match):
            return match.group()
        subject = match.group("subject")
        if subject is not None and subject.startswith(("based", "headquartered")):
            # "Lumen, based in Boulder, reported": a description of the subject goes with
            # both its commas; after the verb ("bought Lumen, based in Boulder, for") too.
            return ""
        return _rejoin(match)

    def between_commas(match: re.Match[str], *, attributing: bool = True) -> str:
        """An aside between commas that only describes goes, and _rejoin says what takes
        its place."""
        aside = match.group("aside")
        if (
            _UNDOING.search(aside)
            or (attributing and _ATTRIBUTING.search(aside))
            or not _ends_cleanly(match)
        ):
            return match.group()
        return _rejoin(match)

    shorter = _SAID_WHERE.sub(r"\g<said>", sentence)
    shorter = _PUBLISHED_ON.sub(r"\g<verb>", shorter)
    shorter = _MID_ASIDE.sub(mid, shorter)
    shorter = _WHEN_MADE.sub("", shorter)
    shorter = _MID_PARTICIPLE.sub(between_commas, shorter)
    # "adding about $5.8 billion to its market value" reports no one's words.
    shorter = _MID_MOVE.sub(lambda m: between_commas(m, attributing=False), shorter)
    shorter = _MID_WHICH.sub(between_commas, shorter)
    shorter = _MID_KIND.sub(
        lambda m: between_commas(m) if _after_name(m) else m.group(), shorter
    )
    for rule in (_END_FROM, _END_COMPARISON, _END_COMMENT, _END_WHICH, _END_KIND):
        # Only the last 300 characters can hold a closing aside: a long dotted or hyphenated
        # token would make a search of the whole sentence quadratic.
        end = rule.search(shorter, max(0, len(shorter) - 300))
        if end and _describes(end.group("aside")):
            cut = end.end("keep") if "keep" in rule.groupindex else end.start()
            shorter = shorter[:cut] + end.group("end")
    end = _END_ASIDE.search(shorter)
    if end:
        # "the largest deal of the year and a sign that lenders see ...": a rank, then a
        # comment on it.
        rank, comment = _split_comment(end.group("aside"))
        if (
            not _CLAUSE_WORDS.search(rank.split(" ", 1)[1])
            and _describes(rank)
            and _describes(comment)
        ):
            shorter = shorter[: end.start()] + end.group("end")
    end = _CONSEQUENCE.search(shorter)
    if end and _describes(end.group("aside")):
        shorter = shorter[: end.start()] + end.group("end")
    shorter = _DOUBLED.sub("", re.sub(r"\s{2,}", " ", shorter))
    if (
        shorter == sentence
        or word_count(shorter) < MIN_LEFT_WORDS
        or not _finite_verb(shorter)
        or shorter.count("(") != shorter.count(")")
        or _loses_headline(sentence, shorter, headline_terms(headline))
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
        sentence = _DATELINE.sub(_dateline, sentence, count=1)
    if "(" in sentence:
        sentence = _BRACKETED.sub(_drop_brackets, sentence)
    if _TIME_HINT.search(sentence.lower()):
        if not _ANY_QUOTATION.search(sentence):  # never inside one: "I said yesterday"
            sentence = _SAID_ON_DAY.sub(r"\g<said>", sentence)
        sentence = _DOUBLED.sub("", _LEAD_WHEN.sub(_lead_when, sentence))
    if not quoted:
        sentence = tighten(sentence)
    sentence = _finish(
        _DOUBLED.sub("", re.sub(r"\s{2,}", " ", sentence)), mark, original
    )
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
