"""Grounding checks: is every company and number in a proposal found in the article?

Violations are returned as warnings for the editor; nothing is dropped or corrected here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .schema import EnrichmentResult

# 4.2, 1,200, 18, 2026 ... in "$4.2bn", "18%", "1,200 jobs".
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")


def _numbers(text: str) -> set[str]:
    found = set()
    for match in _NUMBER.finditer(text):
        value = match.group(0).rstrip(".,").replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.add(value)
    return found


def _mentions(name: str, text: str) -> bool:
    if not name.strip():
        return False
    pattern = r"(?<!\w)" + re.escape(name.strip()) + r"(?!\w)"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def check(
    result: EnrichmentResult,
    *,
    title: str,
    text: str,
    aliases: Mapping[str, Iterable[str]] | None = None,
) -> list[dict[str, str]]:
    """Warnings: companies not named in the article (under any known alias) and numbers in the
    summary or takeaways that the article does not contain."""
    source = f"{title}\n{text}"
    aliases = aliases or {}
    warnings: list[dict[str, str]] = []
    for company in result.companies:
        names = [company.name, *aliases.get(company.name, ())]
        if company.ticker:
            names.append(company.ticker)
        if not any(_mentions(name, source) for name in names):
            warnings.append(
                {
                    "kind": "company",
                    "value": company.name,
                    "message": f"company “{company.name}” is not named in the article",
                }
            )
    known = _numbers(source)
    for field_name, texts in (
        ("summary", [result.summary]),
        ("takeaways", result.key_takeaways),
    ):
        for number in sorted(set().union(*(_numbers(t) for t in texts)) - known):
            warnings.append(
                {
                    "kind": "number",
                    "value": number,
                    "field": field_name,
                    "message": f"number {number} in the {field_name} is not in the article",
                }
            )
    return warnings
