"""Log lines that say which article or source they are about.

Every Celery task runs inside a *log context* holding the ids its arguments name
(``source_id``, ``article_id``, ``delivery_id``) with the task's name and id; every web
request, the request's method and path. ``ContextFilter`` copies the context onto each log
record, so the JSON formatter (``LOG_FORMAT=json``) writes them as fields on every line and
the plain one can show them too — without each call site repeating the ids.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest, HttpResponse

# The ids a task's arguments may name, in the order a line shows them.
IDS = ("source_id", "article_id", "delivery_id")

_context: ContextVar[Mapping[str, Any]] = ContextVar(
    "newsroom_log_context", default=MappingProxyType({})
)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every log line written inside the block."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copy the current log context onto the record; ``context`` holds it as text
    ("article_id=42 task=enrichment.enrich_article") for plain formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context.get()
        for name, value in fields.items():
            setattr(record, name, value)
        record.context = " ".join(f"{k}={v}" for k, v in fields.items())
        return True


# --- Celery: one context per task run --------------------------------------------------------
_task_tokens: dict[str, Token[Mapping[str, Any]]] = {}


def task_started(
    task_id: str, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any], **_: Any
) -> None:
    """``task_prerun``: the task's name and id and the ids its arguments name."""
    fields: dict[str, Any] = {"task": task.name, "task_id": task_id}
    try:
        bound = inspect.signature(task.run).bind_partial(*args, **kwargs).arguments
    except TypeError:
        bound = dict(kwargs)
    fields.update({name: bound[name] for name in IDS if bound.get(name) is not None})
    _task_tokens[task_id] = _context.set({**_context.get(), **fields})


def task_finished(task_id: str, **_: Any) -> None:
    """``task_postrun``: back to the context the task started in."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _context.reset(token)


# --- Django: one context per request ---------------------------------------------------------
def request_context(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: the request's method and path on every line it logs."""

    def middleware(request: HttpRequest) -> HttpResponse:
        with log_context(method=request.method, path=request.path[:200]):
            return get_response(request)

    return middleware
