"""A fake Anthropic API at the HTTP layer: the real SDK builds and sends every request, and
this transport answers it. Tests queue replies and read back what was sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anthropic
import httpx2

Reply = Callable[[httpx2.Request], httpx2.Response]


def proposal(**overrides: Any) -> dict[str, Any]:
    """A valid EnrichmentResult as the model would send it."""
    value = {
        "summary": "Helios Semiconductor agreed to buy Lumen Optics for $4.2 billion.",
        "analysis": "Why it matters: the deal adds optical chips.\n\nWhat to watch: approval.",
        "key_takeaways": [
            "Helios will pay $4.2 billion.",
            "Lumen shareholders get cash.",
            "Regulators must approve the deal.",
        ],
        "sentiment": "bullish",
        "importance": 8,
        "importance_reason": "Large confirmed acquisition in chips.",
        "category": "Technology",
        "companies": [
            {"name": "Helios Semiconductor", "ticker": "HLSM", "sentiment": "neutral"},
            {"name": "Lumen Optics", "ticker": None, "sentiment": "bullish"},
        ],
    }
    value.update(overrides)
    return value


def message(
    text: str | dict[str, Any],
    *,
    stop_reason: str = "end_turn",
    input_tokens: int = 900,
    output_tokens: int = 350,
    cache_write: int = 0,
    cache_read: int = 3200,
    model: str = "claude-haiku-5-5",
) -> dict[str, Any]:
    if isinstance(text, dict):
        text = json.dumps(text)
    return {
        "id": "msg_test",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_write,
            "cache_read_input_tokens": cache_read,
        },
    }


def ok(body: dict[str, Any]) -> Reply:
    return lambda request: httpx2.Response(200, json=body)


def error(status: int, kind: str, *, retry_after: str | None = None) -> Reply:
    headers = {"retry-after": retry_after} if retry_after else {}
    body = {"type": "error", "error": {"type": kind, "message": f"{kind} (test)"}}
    return lambda request: httpx2.Response(status, json=body, headers=headers)


def timeout() -> Reply:
    def raise_timeout(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("timed out (test)", request=request)

    return raise_timeout


@dataclass
class FakeAnthropic:
    replies: list[Reply] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    batch_results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    @property
    def message_calls(self) -> list[dict[str, Any]]:
        return [body for method, path, body in self.requests if path == "/v1/messages"]

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content) if request.content else {}
        path = request.url.path
        self.requests.append((request.method, path, body))
        if path == "/v1/messages/batches" and request.method == "POST":
            batch_id = f"msgbatch_{len(self.batches) + 1}"
            self.batches[batch_id] = self._batch(
                batch_id, len(body["requests"]), ended=False
            )
            return httpx2.Response(200, json=self.batches[batch_id])
        if path.startswith("/v1/messages/batches/") and path.endswith("/results"):
            batch_id = path.split("/")[4]
            lines = "\n".join(json.dumps(line) for line in self.batch_results[batch_id])
            return httpx2.Response(200, content=lines.encode())
        if path.startswith("/v1/messages/batches/"):
            return httpx2.Response(200, json=self.batches[path.split("/")[4]])
        if not self.replies:
            raise AssertionError(f"unexpected call to the Anthropic API: {path}")
        return self.replies.pop(0)(request)

    def finish_batch(self, batch_id: str, results: list[dict[str, Any]]) -> None:
        self.batches[batch_id] = self._batch(batch_id, len(results), ended=True)
        self.batch_results[batch_id] = results

    @staticmethod
    def _batch(batch_id: str, count: int, *, ended: bool) -> dict[str, Any]:
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": count if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-11-27T10:00:00Z",
            "expires_at": "2026-11-28T10:00:00Z",
            "ended_at": "2026-11-27T10:30:00Z" if ended else None,
            "results_url": f"https://api.test/v1/messages/batches/{batch_id}/results"
            if ended
            else None,
            "archived_at": None,
            "cancel_initiated_at": None,
        }

    def client(self) -> anthropic.Anthropic:
        return anthropic.Anthropic(
            api_key="sk-test",
            base_url="https://api.test",
            max_retries=0,
            http_client=httpx2.Client(transport=httpx2.MockTransport(self.handle)),
        )
