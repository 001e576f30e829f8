"""Key terms: one event's figures, vocabulary and word forms read alike, whatever the
outlet's style."""

from __future__ import annotations

import pytest

from stories.terms import (
    _stem,
    concept_terms,
    figures_disagree,
    key_names,
    key_terms,
    names_disagree,
)


def figures(text: str) -> set[str]:
    return {t for t in key_terms("", f"x {text}") if t.startswith("#")}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("$4.2 billion", "$4.2bn"),
        ("$4.2bn", "$4,200 million"),
        ("3.75 billion dollars", "$3.75B"),
        ("231,000", "231K"),
        ("27%", "27 per cent"),
        ("2,800 jobs", "2,800 factory jobs"),
    ],
)
def test_one_figure_written_two_ways_is_one_term(one: str, other: str) -> None:
    assert figures(one) and figures(one) == figures(other)


def test_figures_of_different_kinds_are_different_terms() -> None:
    assert figures("27%") != figures("$27") != figures("27 workers")


@pytest.mark.parametrize("text", ["at 9:40 am", "in 2027", "3 plants"])
def test_times_years_and_lone_digits_are_not_figures(text: str) -> None:
    assert figures(text) == set()


def test_figures_disagree_only_when_both_state_that_kind() -> None:
    deal = key_terms("Helios to buy Lumen for $4.2 billion", "")
    other_deal = key_terms("Helios to buy Lumen for $3.1 billion", "")
    accident = key_terms(
        "Blast at Dunmore plant at 9:40", "The plant makes 2,400 tons."
    )
    report = key_terms("Blast at Dunmore plant", "Some 310 workers were evacuated.")
    assert figures_disagree(deal, other_deal)
    assert not figures_disagree(accident, report)  # capacity vs people: no conflict
    assert not figures_disagree(deal, key_terms("Helios buys Lumen", ""))


@pytest.mark.parametrize(
    ("phrase", "concept"),
    [
        ("Aster to cut 3,500 jobs", "~jobcuts"),
        ("Insurer sheds staff", "~jobcuts"),
        ("Bank cuts its headcount", "~jobcuts"),
        ("hundreds face redundancy", "~jobcuts"),
        ("layoffs hit the plant", "~jobcuts"),
        ("Helios snaps up Lumen", "~acquisition"),
        ("agreed to acquire the lender", "~acquisition"),
        ("Monetary Board trims rates again", "~ratecut"),
        ("petrol costs climb", "~fuelprice"),
        ("fuel prices climb", "~fuelprice"),
        ("machinists walk out", "~strike"),
        ("workers down tools", "~strike"),
        ("Cobalt Cloud goes dark", "~outage"),
        ("Town plunged into darkness", "~outage"),
        ("Power cut hits 260,000 homes", "~outage"),
        ("INFERNO at the refinery", "~fire"),
        ("blast and fire wake residents", "~fire"),
        ("pulls cereal from shelves", "~recall"),
        ("bank slapped with penalty", "~fine"),
        ("a market debut in New York", "~listing"),
    ],
)
def test_newsroom_vocabulary_names_one_concept_whatever_the_words(
    phrase: str, concept: str
) -> None:
    assert concept in concept_terms(phrase)


def test_an_unrelated_sentence_states_no_concept() -> None:
    assert concept_terms("The museum opens a new wing for modern art") == set()


@pytest.mark.parametrize(
    "forms",
    [
        ("closes", "closed", "closing", "close"),
        ("fuselage", "fuselages"),
        ("company", "companies"),
        ("layoff", "layoffs"),
    ],
)
def test_word_forms_share_one_stem(forms: tuple[str, ...]) -> None:
    assert len({_stem(word) for word in forms}) == 1


def test_a_short_word_or_double_s_is_left_alone() -> None:
    assert _stem("loss") == "loss"
    assert _stem("gas") == "gas"


def test_a_rounded_figure_from_another_outlet_is_the_same_figure() -> None:
    assert figures("£28.4m") == figures("£28M")


def test_a_model_number_is_a_name_not_a_figure() -> None:
    terms = key_terms("Orrin delivers 31 OR-90 jets", "")
    assert "or-90" in terms
    assert not any(t.endswith(":90") for t in terms)


def test_a_passing_mention_late_in_the_lead_weighs_less_than_the_opening() -> None:
    opening = "Castellan machinists walked out at the Dunmore plant on Tuesday. "
    background = "The plant builds fuselages for several jet makers in the region. " * 6
    early = key_terms("Strike", opening + background)
    late = key_terms("Strike", background + opening)
    assert early["castellan"] > late["castellan"]


def test_names_are_capitalised_words_inside_sentences_not_shouting() -> None:
    names, in_title = key_names(
        "Halden Pharma to cut 1,200 jobs",
        "The drugmaker Halden Pharma will close its Kent plant. Shares fell.",
    )
    assert {"pharma", "halden", "kent"} <= set(names)
    assert "shar" not in names  # opens a sentence
    assert in_title == ["pharma"]  # the title's first word opens it
    _, shouted = key_names("BARGAIN GIANT SWALLOWED by Orbis!", "")
    assert shouted == ["orbi"]


def test_two_headlines_naming_two_companies_disagree_one_naming_nobody_does_not() -> (
    None
):
    halden = key_names("Drugmaker Halden to cut 1,200 jobs", "Halden will cut jobs.")
    corvel = key_names("Retailer Corvel to cut 1,200 jobs", "Corvel will cut jobs.")
    unnamed = key_names("Drugmaker axes 1,200 jobs", "The drugmaker Halden said...")
    assert names_disagree(halden, corvel)
    assert not names_disagree(halden, unnamed)


def test_a_figure_rounds_to_two_significant_figures_written_plainly() -> None:
    assert figures("612 jobs") == {"#p:610"}
    assert figures("$999m") == figures("$1bn")


def test_words_of_any_script_are_words() -> None:
    assert {"société", "général"} <= set(key_terms("Société Générale cuts jobs", ""))


def test_a_name_opening_one_headline_is_still_a_name_the_other_shares() -> None:
    """'Boeing chief Ortberg to step down' and 'Planemaker's boss quits as Boeing reels'
    name the same company: not a disagreement."""
    one = key_names("Boeing chief Ortberg to step down", "Boeing said on Monday...")
    other = key_names(
        "Planemaker's boss quits as Boeing reels", "The planemaker said..."
    )
    assert not names_disagree(one, other)
