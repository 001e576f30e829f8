"""The enrichment contract: what every backend receives and what it must return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sentiment = Literal["bullish", "bearish", "neutral"]


class CompanyMention(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description="The company's name exactly as the article writes it."
    )
    ticker: str | None = Field(
        default=None,
        description="Stock ticker if the article gives one or it is certain.",
    )
    sentiment: Sentiment = Field(
        description="What the story means for this company: bullish, bearish or neutral."
    )


class EnrichmentResult(BaseModel):
    """The AI proposal for one article. Field descriptions double as instructions."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(
        description="2-3 sentences, plain text, neutral news style, only facts from the article."
    )
    analysis: str = Field(
        description=(
            "2-4 short paragraphs separated by blank lines: why it matters, context, "
            "what to watch."
        )
    )
    key_takeaways: list[str] = Field(
        min_length=3, max_length=5, description="3 to 5 one-sentence takeaways."
    )
    sentiment: Sentiment = Field(description="Overall market sentiment of the story.")
    importance: int = Field(ge=1, le=10, description="1-10 following the rubric.")
    importance_reason: str = Field(
        max_length=300, description="One line explaining the importance score."
    )
    category: str = Field(
        description="Exactly one of the categories listed in the prompt."
    )
    companies: list[CompanyMention] = Field(
        default_factory=list,
        description="Companies the article mentions, as written in the text; empty if none.",
    )


class Proposal(EnrichmentResult):
    """A proposal as the desk holds it: EnrichmentResult's fields, with fewer than three
    takeaways allowed. The offline rules give a text too thin for three (a headline and a
    sentence, a podcast blurb) only the takeaways it supports, where a model would restate
    its few facts in other words; editors may keep any number up to five. The model itself
    is still held to three to five (EnrichmentResult)."""

    key_takeaways: list[str] = Field(
        max_length=5,
        description="Up to 5 one-sentence takeaways: 3 to 5 unless the text is too thin.",
    )


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """What a backend sees of an article (no ORM objects: backends stay pure)."""

    title: str
    text: str
    source_name: str
    published_at: datetime
    url: str = ""
    source_trust: float = 0.5
    # How many distinct sources carry the same story, and how fast they arrived (filled by
    # story clustering; 1 until then).
    coverage_sources: int = 1
    categories: tuple[str, ...] = ()
    known_companies: tuple[
        tuple[str, str, tuple[str, ...]], ...
    ] = ()  # (name, ticker, aliases)
    extra_context: dict[str, str] = field(default_factory=dict)
