"""Where a message's or a tick's time goes in a web process: a debug trace, off by default.

With ``SANDBOX_TRACE_FILE`` set, the sandbox consumer appends one JSON line per message
it answers and per tick it sends: the moments (``time.monotonic``, the machine's clock,
so comparable across processes: a worker's and a benchmark client's too) at which it
passed each point of its path, in order. ``bench/live_sessions.py --trace`` reads them
back and says which part of a click's way to the screen took the time (bench/README.md).
A message may carry the moment its client sent it (``HEADERS["X-Sent"]``, what the bench
sends), so the wait before the consumer saw it is known too.
"""

from __future__ import annotations

import json
import threading
import time
from typing import IO

_files: dict[str, IO[str]] = {}
_lock = threading.Lock()


class Trace:
    """The marks of one message or tick, written as one line when it is done."""

    def __init__(self, kind: str, sent: float | None = None) -> None:
        self.kind = kind
        self.marks: list[tuple[str, float]] = []
        if sent is not None:
            self.marks.append(("client", sent))

    def mark(self, name: str, at: float | None = None) -> None:
        self.marks.append((name, time.monotonic() if at is None else at))

    def marks_from(self, timing: tuple[tuple[str, float], ...] | None) -> None:
        """Marks made elsewhere (a worker's answer, ``workers.Request.timing``)."""
        self.marks.extend(timing or ())

    def write(self, path: str) -> None:
        line = json.dumps({"kind": self.kind, "marks": self.marks}) + "\n"
        with _lock:
            if path not in _files:
                _files[path] = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
            _files[path].write(line)


def client_sent(text: str | bytes) -> float | None:
    """The moment a message says its client sent it (``HEADERS["X-Sent"]``), if any."""
    try:
        headers = json.loads(text).get("HEADERS") or {}
        return float(headers["X-Sent"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
