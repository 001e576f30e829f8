"""Log lines that say which article or source they are about.

Every Celery task runs inside a *log context* holding the ids its arguments name
(``source_id``, ``article_id``, ``delivery_id``) with the task's name and id; every web
request, from Django's request_started to request_finished, the method and path.
``ContextFilter`` copies the context onto each log record, so the JSON formatter
(``LOG_FORMAT=json``) writes them as fields on every line and the plain one can show them
too — without each call site repeating the ids.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from types import MappingProxyType
from typing import Any

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


# --- Django: one context per request --------------------------------------------------------
# From request_started to request_finished, so that Django's own "Not Found: /x" lines, written
# after the middleware has returned, carry the request too.
_request_token: ContextVar[Token[Mapping[str, Any]] | None] = ContextVar(
    "newsroom_request_log_token", default=None
)


def request_started(environ: dict[str, Any] | None = None, **_: Any) -> None:
    environ = environ or {}
    fields = {
        "method": str(environ.get("REQUEST_METHOD", ""))[:10],
        "path": str(environ.get("PATH_INFO", ""))[:200],
    }
    _request_token.set(_context.set({**_context.get(), **fields}))


def request_finished(**_: Any) -> None:
    token = _request_token.get()
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context (ASGI)
            _context.reset(token)
        _request_token.set(None)
