from __future__ import annotations

import pytest

from enrichment import claude

from .fake_anthropic import FakeAnthropic


@pytest.fixture
def fake_api(settings, monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    """The Claude backend, talking to a fake Anthropic API through the real SDK."""
    fake = FakeAnthropic()
    settings.ENRICHMENT_BACKEND = "claude"
    settings.ANTHROPIC_API_KEY = "sk-test"
    settings.ENRICHMENT_DAILY_BUDGET_USD = 5.0
    monkeypatch.setattr(claude, "_default_client", fake.client)
    return fake
