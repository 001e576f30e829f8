"""Key terms of an article, and how alike two sets of them are (pure functions).

An article is described by its *key terms* — names (capitalised words), figures and the
significant words of its title and lead — weighted by where they occur. Two articles are
compared by the cosine of their TF-IDF vectors over key terms.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from operator import itemgetter

# Letters of any script: "Société Générale" is two words, not "soci" and "t".
_WORD = re.compile(r"[^\W\d_][^\W\d_'’&-]*[^\W\d_]|[^\W\d_]")
_NUMBER = re.compile(r"(?<![\w.])(?<![A-Za-z]-)\d[\d,]*(?:\.\d+)?")
# Model and part numbers ("OR-90", "F-35") are names, not figures.
_CODE = re.compile(r"\b[A-Za-z]{1,4}-\d{1,5}\b")
_STOPWORDS = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers him his how i if in into
is it its itself just me more most my new no nor not now of off on once only or
other our out over own same she should so some such than that the their them then
there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your said says say year years
week weeks day days today yesterday tomorrow monday tuesday wednesday thursday
friday saturday sunday january february march april may june july august september
october november december jan feb mar apr jun jul aug sep sept oct nov dec percent
per cent company companies firm firms group inc corp ltd plc co llc million billion
bn m mn share shares stock stocks market markets people report reports reported
according news update live first last next one two three four five six seven eight
nine ten us mr ms mrs dr chief executive officer ceo cfo analyst analysts quarter
"""
_STOP = frozenset(_STOPWORDS.split())
_TITLE_WEIGHT, _NAME_WEIGHT, _LEAD_WEIGHT = 1.6, 1.3, 0.8
_CONCEPT_WEIGHT = 1.0
LEAD_CHARS = 700
# The first sentences state the event; later ones give background and passing mentions of
# other news ("...before the strike that began on Tuesday"), which weigh less.
OPENING_CHARS = 300
_LATER_WEIGHT = 0.5
MAX_TERMS = 24


def _stem(word: str) -> str:
    """A light stemmer: "closes", "closed", "closing" and "close" are one term, as are
    "fuselage" and "fuselages"."""
    for suffix, keep in (
        ("ings", 4),
        ("ing", 4),
        ("ers", 4),
        ("ied", 4),
        ("ies", 4),
        ("ed", 4),
        ("es", 4),
        ("s", 4),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix in ("ied", "ies"):
                return word[: -len(suffix)] + "i"  # "companies", "company": compani
            if suffix == "es" and not word.endswith(
                ("sses", "xes", "ches", "shes", "zes")
            ):
                word = word[:-1]  # "fuselages" -> "fuselage": only the s
            elif suffix == "s" and word.endswith("ss"):
                return word  # "loss", "press"
            else:
                word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith(("e", "y")):
        return word[:-1] + ("i" if word.endswith("y") else "")
    return word


_SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "tn": 1e12,
    "trillion": 1e12,
}
_SCALE_AFTER = re.compile(r"\s?(" + "|".join(_SCALES) + r")\b", re.IGNORECASE)
_UNIT_AFTER = re.compile(
    r"\s?(?:(?P<pct>%|per ?cent\b|percent\b|pc\b|percentage points?\b)"
    r"|(?P<bp>bps?\b|basis points?\b)"
    r"|(?P<money>(?:us )?dollars?\b|euros?\b|pounds?\b|usd\b|eur\b|gbp\b)"
    r"|(?:[a-z-]+ )?(?P<people>jobs?|workers?|staff|employees|positions|roles|people|"
    r"machinists|miners|nurses|drivers|passengers|residents|customers|homes)\b)",
    re.IGNORECASE,
)
_KIND_PREFIX = {"money": "$", "pct": "%", "bp": "bp", "people": "p"}
# A percentage turns up in unrelated stories of the same day (inflation at 3.1%, a share
# up 3.1%) more often than an amount of money, of people or a count does.
_FIGURE_WEIGHTS = {"$": 1.8, "p": 1.8, "%": 1.2, "bp": 1.8, "n": 1.8}


def figure_term(text: str, match: re.Match[str]) -> str | None:
    """A figure as a key term of its kind and value, so that "$4.2 billion", "$4.2bn" and
    "$4,200m" are one term: ``#$:4.2b`` (money), ``#%:27`` (a percentage), ``#bp:25``,
    ``#p:3.5k`` (people: jobs, workers...) or ``#n:231k`` (any other count). Times of day,
    years and lone single digits say little about which event this is: None."""
    start, end = match.span()
    raw = match.group(0).replace(",", "")
    if text[start - 1 : start] == ":" or text[end : end + 1] == ":":
        return None  # 9:40, a time of day
    value = float(raw)
    after = text[end : end + 40]
    scale = _SCALE_AFTER.match(after)
    if scale:
        value *= _SCALES[scale.group(1).lower()]
        after = after[scale.end() :]
    unit = _UNIT_AFTER.match(after)
    kind = unit.lastgroup if unit else None
    if text[max(start - 3, 0) : start].rstrip().endswith(("$", "€", "£")):
        kind = "money"
    if kind is None and scale is None:
        digits = raw.replace(".", "").lstrip("0")
        if len(digits) < 2 or (len(raw) == 4 and raw.startswith(("19", "20"))):
            return None
    prefix = _KIND_PREFIX.get(kind or "", "n")
    # Amounts are rounded in the telling ("£28.4m", "£28m"); a bare count is not (331
    # deliveries and 328 are two months' figures, not one).
    return f"#{prefix}:{_compact(value, figures=3 if prefix == 'n' else 2)}"


def _compact(value: float, figures: int = 2) -> str:
    """``figures`` significant figures with a scale letter - 4200000000 -> 4.2b, 231000 ->
    230k, 999 -> 1k (two) - so that "£28.4m" and "£28m" from two outlets are one figure."""
    if value > 0:
        value = round(value, figures - 1 - math.floor(math.log10(value)))
    for size, letter in ((1e12, "t"), (1e9, "b"), (1e6, "m"), (1e3, "k")):
        if value >= size:
            return f"{_plain(value / size)}{letter}"
    return _plain(value)


def _plain(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def figure_kind(term: str) -> str:
    """``$``, ``%``, ``bp``, ``p`` or ``n`` (see ``figure_term``)."""
    return term[1 : term.index(":")] if ":" in term else "n"


# Newsroom vocabulary: the many ways outlets name one kind of event, as one concept term
# each ("layoffs", "sheds staff", "cuts its headcount", "redundancies": ~jobcuts).
_CONCEPT_PHRASES = [
    (
        "~jobcuts",
        r"\b(?:cut(?:s|ting)?|slash(?:es|ing)?|axe[sd]?|axing|shed(?:s|ding)?|"
        r"eliminat(?:es|ing|e)|trim(?:s|ming)?)\b(?:\s+\S+){0,3}?\s+(?:jobs|staff|"
        r"workers|roles|positions|headcount|workforce|employees)\b|\blay(?:s|ing)? off\b|"
        r"\blaid off\b|\bjob (?:cuts|losses)\b|\bredundanc(?:y|ies)\b|\blay-?offs?\b|"
        r"\bjobs?\s+(?:cut|axed|slashed|to go|lost)\b",
    ),
    (
        "~acquisition",
        r"\b(?:acquir(?:e|es|ed|ing)|acquisition|takeover|take over|buy(?:s|ing)? out|"
        r"snap(?:s|ped|ping)? up|swallow(?:s|ed|ing)?|to buy|buys|bought|"
        r"purchase[sd]?|merger|merge[sd]?)\b",
    ),
    (
        "~ratecut",
        r"\b(?:cut(?:s|ting)?|trim(?:s|med|ming)?|lower(?:s|ed|ing)?|reduc(?:es|ed|ing))"
        r"\b(?:\s+\S+){0,3}?\s+(?:rates?|borrowing costs)\b|\brate cuts?\b|"
        r"\beas(?:es|ed|ing) (?:monetary )?policy\b|"
        r"\brates? (?:cut|trimmed|lowered|reduced)\b",
    ),
    (
        "~ratehike",
        r"\b(?:rais(?:es|ed|ing)|hik(?:es|ed|ing)|lift(?:s|ed|ing))\b(?:\s+\S+){0,3}?\s+"
        r"(?:rates?|borrowing costs)\b|\brate (?:hikes?|rises?|increases?)\b",
    ),
    (
        "~outage",
        r"\b(?:outages?|went dark|goes dark|go dark|went down|goes down|knocked offline|"
        r"offline|blackouts?|disruptions?|service failure|power cuts?|lights out|"
        r"(?:plunged|plunges) into darkness|without power|lost power)\b",
    ),
    (
        "~fire",
        r"\b(?:fires?|blazes?|inferno|fireballs?|explosions?|blasts?|exploded|"
        r"caught fire|on fire)\b",
    ),
    (
        "~recall",
        r"\b(?:recall(?:s|ed|ing)?|(?:pull(?:s|ed|ing)?|withdraw(?:s|n)?)\b"
        r"(?:\s+\S+){0,3}?\s+from (?:shelves|sale|stores))\b",
    ),
    (
        "~strike",
        r"\b(?:strikes?|striking|walk(?:s|ed)? out|walkouts?|downs? tools|downed tools|"
        r"picket(?:s|ing| lines?)?|industrial action)\b",
    ),
    (
        "~fine",
        r"\b(?:fined|fines? of|penalt(?:y|ies)|slapped with|sanction(?:s|ed)|"
        r"settle(?:s|d)? charges)\b",
    ),
    (
        "~listing",
        r"\b(?:ipo|initial public offering|listing|market debut|debut(?:s|ed)?|"
        r"float(?:s|ed|ation)?|goes public|went public|go public)\b",
    ),
    (
        "~fuelprice",
        r"\b(?:fuel|petrol|gasoline|diesel|pump)\s+(?:prices?|costs?|bills?)\b|"
        r"\bprices? at the pump\b",
    ),
    (
        "~closure",
        r"\b(?:clos(?:e|es|ed|ing|ure)|shut(?:s|ting)?(?: down)?|shutter(?:s|ed|ing)?|"
        r"mothball(?:s|ed|ing)?)\b(?:\s+\S+){0,3}?\s+(?:plant|factory|mine|site|mill|"
        r"refinery|branches|stores|fab|works)\b",
    ),
    (
        "~insolvency",
        r"\b(?:bankruptcy|insolven(?:t|cy)|administration|chapter 11|receivership|"
        r"goes bust|went bust|collaps(?:e|es|ed))\b",
    ),
]
_CONCEPTS = [
    (term, re.compile(pattern, re.IGNORECASE)) for term, pattern in _CONCEPT_PHRASES
]


def concept_terms(part: str) -> set[str]:
    """The concepts a title or lead states, whatever the words (``_CONCEPT_PHRASES``)."""
    return {term for term, pattern in _CONCEPTS if pattern.search(part)}


def key_terms(title: str, text: str) -> dict[str, float]:
    """Weighted key terms of an article: figures, names and significant words, the title
    counting more than the lead."""
    # Float weights: typeshed's Counter is int-valued, so a float defaultdict and
    # the same top-N selection Counter.most_common() performs.
    weights: defaultdict[str, float] = defaultdict(float)
    lead = text[:LEAD_CHARS]
    cut = lead.rfind(" ", 0, OPENING_CHARS) if len(lead) > OPENING_CHARS else len(lead)
    cut = cut if cut > 0 else OPENING_CHARS
    parts = (
        (title, _TITLE_WEIGHT),
        (lead[:cut], _LEAD_WEIGHT),
        (lead[cut:], _LATER_WEIGHT),
    )
    for part, factor in parts:
        for match in _CODE.finditer(part):
            weights[match.group(0).lower()] += factor * _NAME_WEIGHT
        for match in _NUMBER.finditer(part):
            term = figure_term(part, match)
            if term:
                weights[term] += _FIGURE_WEIGHTS[figure_kind(term)] * factor
        for term in concept_terms(part):
            weights[term] += _CONCEPT_WEIGHT * factor
        for match in _WORD.finditer(part):
            word = match.group(0).strip("'’-&")
            lower = word.lower().replace("’", "'").removesuffix("'s")
            if len(lower) < 3 or lower in _STOP:
                continue
            weight = factor
            if word[0].isupper() and match.start() > 0:
                weight *= _NAME_WEIGHT
            weights[_stem(lower)[:60]] += weight
    return dict(heapq.nlargest(MAX_TERMS, weights.items(), key=itemgetter(1)))


_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*)['\"‘“(]*$")


def key_names(title: str, text: str) -> Names:
    """The names a report gives - in its title and lead, and in its title alone:
    capitalised words that do not open the title or a sentence, and model numbers;
    stemmed like key terms, without stop words or a shouting headline's words. Two reports of
    one event share one at least; a shared figure and a shared verb do not make "Halden
    Pharma to cut 1,200 jobs" and "Corvel Retail to cut 1,200 jobs" one story."""
    in_title, title_opening = _names(title)
    in_lead, lead_openings = _names(text[:LEAD_CHARS])
    # Whether a report names someone is read generously (a word opening the title or a
    # sentence counts: "Boeing chief to step down" names Boeing); what a headline names,
    # strictly (the first word of "Markets slide as Beijing hits back" is no name).
    return sorted(in_title | in_lead | title_opening | lead_openings), sorted(in_title)


def _names(part: str) -> tuple[set[str], set[str]]:
    """Capitalised words of ``part``: those inside sentences, and those opening one."""
    inside: set[str] = set()
    opening: set[str] = set()
    words = [m for m in _WORD.finditer(part) if len(m.group(0)) > 1]
    # A headline in capitals ("BARGAIN GIANT SWALLOWED!") shouts; its words are not names.
    shouting = sum(m.group(0).isupper() for m in words) >= 3
    for match in words:
        word = match.group(0).strip("'’-&")
        if not word or not word[0].isupper():
            continue
        if word.isupper() and (shouting or len(word) > 5):
            continue
        lower = word.lower().replace("’", "'").removesuffix("'s")
        if len(lower) < 3 or lower in _STOP:
            continue
        starts = _SENTENCE_START.search(part[: match.start()])
        (opening if starts else inside).add(_stem(lower)[:60])
    inside.update(m.group(0).lower() for m in _CODE.finditer(part))
    return inside, opening


# A report's names: in its headline and lead, and in its headline alone (``key_names``).
Names = tuple[list[str], list[str]]


def names_disagree(one: Names, other: Names) -> bool:
    """Both headlines name someone, and neither report names anyone the other's headline
    names: two companies, not one told two ways. (A headline that names nobody - "Chip
    giant axes plant plans" - proves nothing either way.)"""
    names, title_names = one
    other_names, other_title_names = other
    if not (names and other_names and title_names and other_title_names):
        return False
    return not (
        set(title_names) & set(other_names) or set(other_title_names) & set(names)
    )


def figure_terms(terms: dict[str, float]) -> set[str]:
    return {t for t in terms if t.startswith("#")}


def figures_disagree(a: dict[str, float], b: dict[str, float]) -> bool:
    """Both reports state figures of one kind (money, a percentage, basis points, people)
    and none of those agree. Figures of different kinds - the time of an accident and the
    plant's capacity - are not a disagreement, and plain counts are too varied to judge."""
    ours, theirs = figure_terms(a), figure_terms(b)
    kinds = {figure_kind(t) for t in ours} & {figure_kind(t) for t in theirs}
    kinds.discard("n")
    if not kinds:
        return False
    return not any(t in theirs for t in ours if figure_kind(t) in kinds)


def title_words(title: str) -> list[str]:
    return sorted(
        {
            _stem(w.lower())
            for w in _WORD.findall(title)
            if w.lower() not in _STOP and len(w) > 2
        }
    )


def cosine(a: dict[str, float], b: dict[str, float], idf: dict[str, float]) -> float:
    """Cosine similarity of two term vectors under the given IDF weights."""
    if not a or not b:
        return 0.0
    dot = sum(a[t] * b[t] * idf.get(t, 1.0) ** 2 for t in a.keys() & b.keys())
    if not dot:
        return 0.0
    norm_a = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in a.items()))
    norm_b = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in b.items()))
    return dot / (norm_a * norm_b)
