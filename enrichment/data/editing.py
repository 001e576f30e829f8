"""Word lists of the offline copy: condensing a sentence the way a news brief does (who may be
the "it" of "Acme said it would", which clauses a brief drops, what makes a clause a fragment)
and choosing the analysis sentences (who is affected, what gives context). Everything is
lowercase but the capitals that are not tickers.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- Condensing -------------------------------------------------------------------------------
# "The carmaker said it would ..." → "The carmaker will ...": the rewrite needs the speaker to
# be the "it" of the reported clause, so it is done only when the speaker's last word names an
# organisation (or the speaker is a company the story names) and no word marks a person.
ORGANISATION_WORDS: frozenset[str] = _words(
    """
    company companies firm firms group groups bank banks lender lenders insurer insurers
    carmaker carmakers automaker automakers chipmaker chipmakers maker makers manufacturer
    manufacturers retailer retailers airline airlines utility utilities operator operators
    producer producers supplier suppliers provider providers developer developers miner
    miners startup startups platform business businesses corporation conglomerate
    government governments ministry ministries department agency agencies authority
    authorities commission regulator regulators board council court union unions
    association federation institute university office service exchange fund network
    studio publisher broadcaster railway railroad club team party police
    inc corp corporation ltd plc llc co ag sa nv se spa gmbh bancorp holdings partners
    technologies systems pharmaceuticals therapeutics biotech motors energy logistics
    semiconductor optics telecom airways aerospace mining steel foods retail payments
    """
)
PERSON_WORDS: frozenset[str] = _words(
    """
    executive chief ceo cfo coo cto officer officers spokesman spokeswoman spokesperson
    chair chairman chairwoman president minister secretary director directors analyst
    analysts economist economists founder co-founder head manager governor senator mayor
    he she i we you professor researcher researchers scientist scientists lawyer lawyers
    attorney spokesmen
    """
)
# Words that open a clause after a comma which a brief may leave out ("..., citing weaker
# demand."), most readily dropped first. Clauses opened by "after", "up", "down" or "from"
# carry the news ("shares fell 8%, after ...", ", up 27% from a year earlier") and stay.
ASIDE_OPENERS: tuple[str, ...] = (
    "citing", "saying", "adding", "noting", "arguing", "according to", "a move that",
    "a move which", "a step that", "a decision that", "a sign that", "a deal that",
    "in an attempt to", "in a bid to", "in an effort to", "in a move", "in what",
    "as part of", "which", "who", "where", "meaning", "making it", "marking",
    "bringing", "as well as", "amid", "driven by", "led by", "subject to", "pending",
    "including", "even as", "even though", "although", "though", "while", "whereas",
    "with", "as", "but", "and that", "and it", "and they", "and he", "and she", "so", "because",
    "since", "known as", "based in", "based on", "the company's", "the firm's", "e.g",
    "i.e", "such as", "for example", "for instance",
)  # fmt: skip
# After a comma, "-ing" opens a participle clause ("..., citing weaker demand") when one of
# these follows it; "..., coding sequences" is a noun in a list.
PARTICIPLE_FOLLOWERS: frozenset[str] = _words(
    """
    the a an its their his her our that this these those about up some more to in on from
    with for it them him us out down over into as at by what how whether nearly almost
    roughly around
    """
)

# An aside that runs on into a clause opened by one of these keeps that clause ("..., adding
# $5bn to its value, after the trial succeeded" → "..., after the trial succeeded").
KEEP_OPENERS: frozenset[str] = _words(
    "after following before despite when up down from compared until"
)
# After a relative clause in a clause that has its verb, these keep their comma: "revenue for
# the quarter, which ended October 31, up 27%" → "revenue for the quarter, up 27%".
COMMA_AFTER_ASIDE: frozenset[str] = _words(
    "up down ahead from after before compared while with"
)
# A cut right after one of these would leave a dangling phrase ("recover most, but not all,
# of the costs"), and one of these after the next comma shows an interruption, not a clause.
OPEN_ENDED: frozenset[str] = _words(
    """
    a an the of to for with and or but than as most all some many more less its their his
    her our by from in on at into per about
    """
)
CONTINUATIONS: frozenset[str] = _words("of to for in on at by with than")
# Capitals in brackets after a name that are not its ticker: "Dana Whitlow (CEO)".
NOT_TICKERS: frozenset[str] = _words(
    "CEO CFO COO CTO CIO AI EU UK US USA UN UAE EV IT HR PR PhD MP"
)
# Words that open a clause rather than a list item ("..., which ...", "..., e.g. ...").
CLAUSE_OPENERS: frozenset[str] = _words(
    "that which who whom whose where when while but including such e i e.g i.e because"
)
# "-ing" words after a comma that are nouns rather than the start of a participle clause.
ING_NOUNS: frozenset[str] = _words(
    """
    during morning evening spring nothing something anything everything thing things king
    ring wing string ceiling building buildings housing funding pricing trading spending
    earnings banking shipping clothing financing marketing manufacturing training planning
    being boeing beijing reading
    """
)
# Where an aside between commas really ends ("..., which ended May 31, up 27%"), and not at a
# comma of a list inside it: the words that carry the sentence on after it. PREPOSITIONS
# (below); words after which a sentence goes on; and the words after a verb in -ing that make
# it a clause ("sending the mark lower") rather than a list item ("hiking boots"):
# CLAUSE_OBJECTS.
GOES_ON: frozenset[str] = _words(
    """
    up down ahead compared as after before while when because despite amid following
    citing saying adding according
    """
)
# Words after which what follows an aside may describe the aside itself ("closing at $18.25,
# a level not seen since 2009", "falling to $18.25, well below the offer"): it stays.
DESCRIBING_STARTS: frozenset[str] = _words(
    "the a an its their his her our it them this that these those some about more "
    "well far nearly almost roughly just"
)
CLAUSE_OBJECTS: frozenset[str] = _words(
    "the a an its their his her our it them this that these those some about more shares up "
    "down"
)
# A clause with none of these (and no word in -ed) is taken for a fragment, not a sentence.
COMMON_VERBS: frozenset[str] = _words(
    """
    is are was were be been has have had will would can could may might must shall should
    do does did said says rose fell grew cut cuts won lost made makes took takes gave gives
    sold sells bought buys paid pays hit hits set sets led leads met meets kept keeps held
    holds left leaves began begins brought brings built builds spent spends told tells
    became becomes saw sees found finds came comes went goes got gets ran runs put puts
    wants plans expects aims needs seeks offers includes remains stands shows rises falls
    jumps climbs slips drops ends opens closes owns employs
    """
)
# "Acme said it had found" → "Acme found" (the participle is also the simple past); "Acme
# said it had taken" → "Acme has taken".
PAST_PARTICIPLES: frozenset[str] = _words(
    """
    made paid sold bought won lost held kept led left met put set told found brought built
    cut hit spent sent sought struck raised
    """
)
OTHER_PARTICIPLES: frozenset[str] = _words(
    """
    been taken given begun done seen gone grown risen fallen become written chosen driven
    shown known thrown drawn
    """
)

# --- Analysis ---------------------------------------------------------------------------------
# Sentence roles the analysis looks for, beyond the summary and takeaways. Who is affected:
IMPACT_WORDS: frozenset[str] = _words(
    """
    customers customer consumers consumer households household homes residents patients
    workers employees staff jobs employs users drivers passengers travellers travelers
    shoppers buyers tenants borrowers savers depositors investors shareholders taxpayers
    farmers students families communities businesses suppliers competitors rivals bills
    prices price largest biggest smallest first only record
    """
)
# Earlier figures, trends and how markets or others reacted:
CONTEXT_WORDS: frozenset[str] = _words(
    """
    shares stock stocks investors analysts analyst market markets previous previously
    earlier since compared consecutive trend last ago prior history historically average
    rivals competitors critics welcomed criticised criticized opposed contest dissented
    expected estimate estimates consensus forecast
    """
)

# --- Tightening -------------------------------------------------------------------------------
# Wordy phrases and the plain words a copy editor puts in their place (matched whole and
# case-insensitively, never inside a quotation). The plain side only ever names what the
# wordy side says, so no fact is added. An attack took out those that changed one: "at a cost
# of 3,000 jobs" is not "for 3,000 jobs", "whether or not the union agrees" is not "whether",
# "announced plans to" in 2019 is not "plans to", an announced launch has not happened, "has
# been able to" is not "could", "is set to be" is not "will be"; and a second attack those
# that were not the same words or broke the sentence: "died in an attempt to reach" is not
# "died to reach", "won the majority of seats" is not "most seats", "at a price of $10" is a
# strike price, "is in the process of bankruptcy" is not "is bankruptcy".
PLAIN_PHRASES: dict[str, str] = {
    "in order to": "to",
    "so as to": "to",
    "a total of": "",
    "in excess of": "over",
    "approximately": "about",
    "due to the fact that": "because",
    "owing to the fact that": "because",
    "despite the fact that": "although",
    "in spite of the fact that": "although",
    "in the event that": "if",
    "at this point in time": "now",
    "at the present time": "now",
    "prior to": "before",
    "subsequent to": "after",
    "in the wake of": "after",
    "as a result of": "because of",
    "a large number of": "many",
    "a significant number of": "many",
    "is able to": "can",
    "are able to": "can",
    "has the ability to": "can",
    "have the ability to": "can",
    "with regard to": "on",
    "with respect to": "on",
    "in regard to": "on",
    "for the purpose of": "for",
    "on a daily basis": "daily",
    "on a weekly basis": "weekly",
    "on a monthly basis": "monthly",
    "in the course of": "during",
    "during the course of": "during",
    "in close proximity to": "near",
    "each and every": "every",
    "until such time as": "until",
    "by means of": "by",
    "reached an agreement to": "agreed to",
    "entered into an agreement to": "agreed to",
    "came to an agreement to": "agreed to",
    "made the decision to": "decided to",
    "took the decision to": "decided to",
}
# The only words tightening writes that the article need not contain ("an" and "a" follow
# the next word once praise is left out).
PLAIN_WORDS: frozenset[str] = frozenset(
    word for plain in PLAIN_PHRASES.values() for word in plain.split()
) | frozenset({"a", "an"})
# Praise a brief leaves to the reader: "a powerful new feature" → "a new feature". Not a size
# ("a huge response", "a massive recall"): that is a fact of the story; nor "great" ("a great
# deal of") or "ultimate" ("its ultimate parent" is another company), "powerful" (an
# earthquake), "unique" (a serial number), "cool" (weather) or "outstanding" (shares).
PUFFERY: frozenset[str] = _words(
    """
    amazing awesome exciting incredible innovative fantastic wonderful
    excellent impressive revolutionary groundbreaking cutting-edge
    state-of-the-art world-class best-in-class stunning remarkable brilliant fabulous
    terrific beautiful gorgeous epic spectacular superb lovely nice
    handy neat fun
    """
)
# Adverbs in -ly that carry a fact, which a brief keeps ("rose only 2%", "partly offset").
FACT_ADVERBS: frozenset[str] = _words(
    """
    only nearly roughly partly mostly largely mainly fully jointly publicly privately
    early likely unlikely daily weekly monthly quarterly yearly annually initially
    previously formerly temporarily permanently directly indirectly reportedly allegedly
    sharply slightly narrowly widely poorly badly
    """
)
# A clause cut off after a sentence opened by one of these would leave only the opening.
PREPOSITIONS: frozenset[str] = _words(
    "in on at for with by during under over from into through about against between to as "
    "if unless"
)
# Reporting verbs after which "that" may go when a subject follows ("said that the plant"
# → "said the plant"); not before "would" ("said that would lift"), where it is the subject.
THAT_VERBS: frozenset[str] = _words(
    """
    said says announced reported noted added believes believe expects expect expected found
    showed shows warned argued estimated confirmed revealed stated told tells thinks think
    """
)
SUBJECT_STARTS: frozenset[str] = _words(
    "the a an its their his her it they he she we i there some many most all this these"
)
# Capitalised first words that are not a name to merge on ("The", "In", "A").
NOT_NAMES: frozenset[str] = _words(
    "The A An In On At For By From With As After Before When While Since This That These "
    "Those There It Its They Their He She His Her We Our I"
)
# Nouns that stand in for a company named earlier ("the company said ..."): ambiguous in a
# sentence read on its own once the article names more than one company.
REFERRING_NOUNS: frozenset[str] = _words(
    """
    company firm group business bank lender insurer carmaker automaker chipmaker maker
    manufacturer retailer airline utility operator producer supplier provider developer
    miner startup corporation conglomerate buyer seller acquirer target
    """
)
