"""What keeps a live socket alive whatever its client sends (issue #9.1).

The consumers call these and nothing else for it: ``clean`` and ``nesting`` for what
comes in (``protocol.decode``), ``sendable`` for what goes out, ``Failures`` around every
receive, step and send, and ``stop`` for the tick task when the connection ends, however
it ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from typing import Any

# Lone surrogates cannot be encoded (daphne would fail the send); control characters
# (but tab and newline) have no business in a form's fields.
SURROGATE = re.compile("[\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """``text`` without control characters, each lone surrogate replaced by U+FFFD."""
    return CONTROL.sub("", SURROGATE.sub(REPLACEMENT, text))


def clean(data: Any) -> Any:
    """Decoded JSON with every string (keys too) cleaned; its depth is already bounded."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, list):
        return [clean(item) for item in data]
    if isinstance(data, dict):
        return {clean_text(key): clean(value) for key, value in data.items()}
    return data


def nesting(text: str) -> int:
    """How deep JSON text nests arrays and objects (brackets inside strings not counted),
    found without parsing it: the parser recurses once per level."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def sendable(text: str) -> str:
    """``text`` as daphne can send it (UTF-8): a lone surrogate becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE.sub(REPLACEMENT, text)
    return text


class Failures:
    """Unexpected errors of one connection: each kind logged once, with its traceback
    (it is a bug), then only counted; ``close`` logs how often each came back."""

    def __init__(self, logger: logging.Logger, name: str) -> None:
        self.logger = logger
        self.name = name
        self.counts: Counter[tuple[str, str]] = Counter()

    def guard(self, where: str) -> Guarded:
        """For a ``with`` block: an exception (not a cancellation) is noted, not raised."""
        return Guarded(self, where)

    def noted(self, where: str, error: Exception) -> None:
        key = (where, type(error).__name__)
        self.counts[key] += 1
        if self.counts[key] == 1:
            self.logger.error("%s: %s failed", self.name, where, exc_info=error)

    def close(self) -> None:
        for (where, kind), count in sorted(self.counts.items()):
            if count > 1:
                self.logger.warning(
                    "%s: %s failed %d times in all (%s)", self.name, where, count, kind
                )
        self.counts.clear()


class Guarded:
    """``Failures.guard``'s context manager (a class: its ``__exit__`` says it may
    swallow the exception, which type checkers read)."""

    def __init__(self, failures: Failures, where: str) -> None:
        self.failures, self.where = failures, where

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _tb: Any
    ) -> bool:
        if isinstance(error, Exception):
            self.failures.noted(self.where, error)
            return True
        return False


async def stop(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` and wait until it has ended."""
    if task is None or task.done():
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
