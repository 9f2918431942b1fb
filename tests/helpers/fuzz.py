"""Hostile input for the fuzz tests (issue #9): hypothesis strategies and a frame driver.

Each strategy mixes well-formed data (so the readers get past their first check) with
what the issue #9 probe found breaking them: lone surrogates and control characters,
deep nesting, huge numbers (``1e400``, ``10**400``, thousands of digits), binary frames,
frames beyond the size limits, wrong types in every field, and YAML's own tricks
(aliases, merge keys, tags, NUL bytes).

``drive`` sends frames to a consumer over ``WebsocketCommunicator`` (ticks held by the
``ticks`` fixture, the clock moved between frames so the rate limit never drops one) and
counts, per frame: a logged error or traceback, a closed connection, a frame left
unanswered, an answer daphne could not encode. After the frames a valid message must
still be answered, and after the disconnect no tick task may remain.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from hypothesis import strategies as st

from architect.sim.actions import LESSON_ACTIONS

from helpers.websocket import ORIGIN, ManualTicks, error_of

if TYPE_CHECKING:
    from channels.testing import WebsocketCommunicator

# --- values ------------------------------------------------------------------------

FIELDS = (
    "action",
    "node",
    "center",
    "rps",
    "speed",
    "size",
    "choice",
    "workers",
    "algorithm",
    "strategy",
    "region",
    "enabled",
    "min",
    "max",
    "read_percent",
    "static_percent",
    "target_percent",
    "zipf_s",
    "monitoring",
    "automation",
    "HEADERS",
)
HOSTILE_TEXT = ("\ud800", "\udfff", "a\ud83d", "\x00", "\x1b[31m", "\u202e", "<script>", "\x7f")
HUGE_NUMBERS = (1e308, -1e308, 2.0**1023, 1e-320, -0.0)


@functools.cache
def texts() -> st.SearchStrategy[str]:
    """Text with lone surrogates, control characters and the odd hostile sequence."""
    return st.one_of(
        st.text(st.characters(codec=None, exclude_categories=()), max_size=30),
        st.sampled_from(HOSTILE_TEXT),
        st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE_TEXT), st.text(max_size=8)),
    )


@functools.cache
def numbers() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.integers(),
        st.sampled_from(HUGE_NUMBERS),
        # 2**63 … 10**4200 and their negatives, drawn as exponents (a short repr)
        st.integers(min_value=19, max_value=4200).map(lambda digits: 10**digits),
        st.integers(min_value=19, max_value=400).map(lambda digits: -(10**digits) - 1),
        st.floats(allow_nan=True, allow_infinity=True),
    )


@functools.cache
def scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), numbers(), texts())


def nested(depth: int) -> Any:
    """A list nested ``depth`` deep (built without recursion)."""
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@functools.cache
def plain(max_leaves: int = 12, deepest: int = 3000) -> st.SearchStrategy[Any]:
    """Any JSON-ish value, nested a little, or up to ``deepest`` levels."""
    return st.one_of(
        st.recursive(
            scalars(),
            lambda inner: st.one_of(
                st.lists(inner, max_size=4), st.dictionaries(texts(), inner, max_size=4)
            ),
            max_leaves=max_leaves,
        ),
        st.integers(min_value=9, max_value=deepest).map(nested),
    )


# --- WebSocket frames ----------------------------------------------------------------


def _dumps(data: object) -> str:
    """JSON text; data nested too deep for ``json.dumps`` becomes deep nesting as text."""
    try:
        return json.dumps(data, allow_nan=True)
    except RecursionError:
        return "[" * 3000 + "]" * 3000


@functools.cache
def action_messages() -> st.SearchStrategy[dict[str, Any]]:
    """An action of the vocabulary (or not) with fields of every kind."""
    action = st.one_of(st.sampled_from(LESSON_ACTIONS), texts(), scalars())
    return st.builds(
        lambda name, fields: {"action": name, **fields},
        action,
        st.dictionaries(st.one_of(st.sampled_from(FIELDS), texts()), plain(6, 60), max_size=4),
    )


@functools.cache
def raw_frames() -> st.SearchStrategy[str]:
    """Text that is not a JSON object: deep nesting, huge numbers, broken JSON."""
    return st.one_of(
        st.integers(min_value=900, max_value=2040).map(lambda n: "[" * n + "]" * n),
        st.integers(min_value=500, max_value=2000).map(lambda n: '{"a":' * n + "1" + "}" * n),
        st.integers(min_value=300, max_value=4090).map(
            lambda n: '{"action":"set_traffic","rps":' + "9" * n + "}"
        ),
        st.sampled_from(
            [
                '{"action":"set_traffic","rps":1e400}',
                '{"action":"speed","speed":-1e400}',
                '{"action":"set_traffic","rps":NaN}',
                '{"action":"set_traffic","rps":Infinity}',
                '{"action":"\\ud800"}',
                '{"action":"fail","node":"\\udfff"}',
                '{"\\ud800":1,"action":"pause"}',
                '{"action":"predict","choice":' + "9" * 400 + "}",
                "",
                "null",
                "[]",
                '"text"',
                "{",
                '{"action":"pause"',
            ]
        ),
        st.builds(_dumps, plain(deepest=60)),  # deeper is too large (raw_frames nests deep)
        texts(),
    )


def _long(piece: str, size: int) -> str:
    return (piece * (size // len(piece) + 1))[:size]


@functools.cache
def frames() -> st.SearchStrategy[tuple[str, str | bytes]]:
    """One WebSocket frame as ``("text", str)`` or ``("bytes", bytes)``."""
    # Long frames repeat a short drawn piece: drawing 70,000 characters one by one would
    # take hypothesis most of the test's time.
    too_large = st.builds(_long, texts().filter(bool), st.integers(4097, 70_000))
    text = st.one_of(action_messages().map(_dumps), raw_frames(), too_large)
    binary = st.one_of(
        st.binary(max_size=300),
        action_messages().map(lambda data: _dumps(data).encode("utf-8", "surrogatepass")),
        st.integers(min_value=4097, max_value=70_000).map(lambda n: b"\x00" * n),
    )
    return st.one_of(text.map(lambda t: ("text", t)), binary.map(lambda b: ("bytes", b)))


# --- topologies and plans --------------------------------------------------------------

NODE_KEYS = (
    "id",
    "kind",
    "size",
    "workers",
    "service_ms",
    "queue_limit",
    "health_check_s",
    "capacity_keys",
    "ttl_s",
    "replication_lag_ms",
    "failover_s",
    "shard",
    "service_dist",
    "algorithm",
    "eviction",
    "role",
    "dc",
    "geo_routing",
)


def mutate(data: Any, draw: st.DrawFn, budget: int = 3) -> Any:
    """``data`` with a few values replaced by hostile ones, or keys added or dropped."""
    for _ in range(draw(st.integers(0, budget))):
        data = _mutate_once(data, draw)
    return data


def _mutate_once(data: Any, draw: st.DrawFn) -> Any:
    """One change, most often deep inside (a field of a node, an event's time)."""
    if isinstance(data, dict) and data and draw(st.integers(0, 5)):
        key = draw(st.sampled_from(sorted(data, key=str)))
        choice = draw(st.integers(0, 5))
        copy = dict(data)
        if choice == 0 or (choice >= 3 and not isinstance(copy[key], (dict, list))):
            copy[key] = draw(st.one_of(scalars(), plain()))
        elif choice == 1:
            del copy[key]
        elif choice == 2:
            copy[draw(st.one_of(st.sampled_from(NODE_KEYS), texts()))] = draw(plain())
        else:
            copy[key] = _mutate_once(copy[key], draw)
        return copy
    if isinstance(data, list) and data and draw(st.integers(0, 5)):
        index = draw(st.integers(0, len(data) - 1))
        copy_list = list(data)
        copy_list[index] = (
            _mutate_once(copy_list[index], draw) if draw(st.integers(0, 3)) else draw(plain())
        )
        return copy_list
    return draw(st.one_of(scalars(), plain()))


@st.composite
def topologies(draw: st.DrawFn, examples: tuple[dict[str, Any], ...]) -> Any:
    """A mutated copy of one of ``examples``, as plain data."""
    base = draw(st.sampled_from(examples))
    return mutate(base, draw)


@functools.cache
def yaml_tricks() -> st.SearchStrategy[str]:
    """YAML text that a plain mutation of data cannot produce."""
    return st.sampled_from(
        [
            "a: &x [1, 2]\nb: *x\n",
            "base: &b {version: 1}\nother:\n  <<: *b\n",
            "x: !!python/object:os.system ls\n",
            "x: !!binary aGVsbG8=\n",
            "x: !!set {a, b}\n",
            "x: !!omap [a: 1]\n",
            "x: !!float .inf\n",
            "x: " + "9" * 5000 + "\n",
            "x: 0x" + "f" * 5000 + "\n",
            "x: 1e400\n",
            "x: \x00\n",
            "x: '\x07'\n",
            '"\\ud800": 1\n',
            "x: [" * 5000 + "]" * 5000 + "\n",
            "- " * 3000 + "x\n",
            "? [a, b]\n: 1\n",
            "? {a: 1}\n: 1\n",
            "--- 1\n--- 2\n",
            "x: 2001-12-14t21:59:43.10-05:00\n",
            "x: 1_000_000\n",
            "x: 0b101\n",
            "x: 1:20:30\n",
            "%YAML 1.1\n---\nx: 1\n",
            "&a [*a]\n",
        ]
    )


@functools.cache
def _parsed(text: str) -> Any:
    """An example's data, parsed once (``mutate`` copies what it changes)."""
    return yaml.load(text, Loader=yaml.CSafeLoader)


@st.composite
def yaml_documents(draw: st.DrawFn, examples: tuple[str, ...]) -> str:
    """A plan's or topology's YAML text, broken in one of several ways."""
    kind = draw(st.integers(0, 5))
    text = draw(st.sampled_from(examples))
    if kind == 0:  # the data, mutated, dumped again
        data = mutate(_parsed(text), draw, budget=4)
        try:
            return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True)
        except (yaml.YAMLError, ValueError, RecursionError):
            return text
    if kind == 1:  # a trick spliced in at a line
        lines = text.splitlines(keepends=True)
        at = draw(st.integers(0, len(lines)))
        return "".join(lines[:at]) + draw(yaml_tricks()) + "".join(lines[at:])
    if kind == 2:  # one line's value replaced
        lines = text.splitlines(keepends=True)
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        line = lines[at] if lines else ""
        head = line.split(":", 1)[0] if ":" in line else line.rstrip("\n")
        value = draw(st.one_of(texts(), st.sampled_from(["&x 1", "*x", "[1, *x]", "!!str", "~"])))
        lines[at : at + 1] = [f"{head}: {value}\n"]
        return "".join(lines)
    if kind == 3:  # characters flipped
        chars = list(text)
        for _ in range(draw(st.integers(1, 5))):
            if chars:
                chars[draw(st.integers(0, len(chars) - 1))] = draw(
                    st.sampled_from([*string.punctuation, "\x00", "\t", "\ud800", "\n"])
                )
        return "".join(chars)
    if kind == 4:
        return draw(yaml_tricks())
    return text[: draw(st.integers(0, len(text)))]  # cut short


# --- driving a consumer ------------------------------------------------------------------

ANSWER_S = 10.0  # a frame not answered by then was swallowed


@dataclass
class Outcome:
    """What went wrong over some frames; ``failures`` must be 0."""

    frames: int = 0
    tracebacks: list[str] = field(default_factory=list)  # logged errors and tracebacks
    closed: list[str] = field(default_factory=list)  # frames after which the socket closed
    unanswered: int = 0
    unencodable: int = 0  # answers daphne could not send (lone surrogates)
    valid_after: bool = True  # a valid message was still answered afterwards
    leaked_tasks: int = 0  # tick tasks left running after the disconnect

    @property
    def failures(self) -> int:
        return (
            len(self.tracebacks)
            + len(self.closed)
            + self.unanswered
            + self.unencodable
            + (not self.valid_after)
            + self.leaked_tasks
        )

    def add(self, other: Outcome) -> None:
        self.frames += other.frames
        self.tracebacks += other.tracebacks
        self.closed += other.closed
        self.unanswered += other.unanswered
        self.unencodable += other.unencodable
        self.valid_after = self.valid_after and other.valid_after
        self.leaked_tasks += other.leaked_tasks


class Errors(logging.Handler):
    """Records every log record at ERROR or above, or carrying a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)

    def said(self) -> list[str]:
        return [
            f"{r.getMessage()[:60]} {r.exc_info[0].__name__ if r.exc_info and r.exc_info[0] else ''}"
            for r in self.records
        ]


def tick_tasks() -> list[asyncio.Task[Any]]:
    """The consumers' tick tasks still running."""
    return [
        task
        for task in asyncio.all_tasks()
        if not task.done() and task.get_coro().__qualname__.endswith("._tick")  # type: ignore[union-attr]
    ]


async def _answered(ws: WebsocketCommunicator, outcome: Outcome) -> str | None:
    """The answer to the last frame (a message carrying the error area); None if nothing
    came. Every message must be text daphne can encode (UTF-8, no lone surrogates)."""
    while True:
        try:
            message = await ws.receive_output(timeout=ANSWER_S)
        except TimeoutError:
            return None
        if message["type"] != "websocket.send":
            raise ConnectionAbortedError(str(message))
        text = message.get("text") or ""
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            outcome.unencodable += 1
        if error_of(text) is not None:
            return text


async def _send(ws: WebsocketCommunicator, kind: str, data: str | bytes) -> None:
    """One frame as daphne hands it on (an empty one too, which ``send_to`` refuses)."""
    key = "text" if kind == "text" else "bytes"
    await ws.send_input({"type": "websocket.receive", key: data})


async def drive(
    path: str,
    frames: Sequence[tuple[str, str | bytes]],
    ticks: ManualTicks,
    *,
    headers: Sequence[tuple[bytes, bytes]] = ORIGIN,
    valid: str = '{"action": "pause"}',
) -> Outcome:
    """Open ``path``, send ``frames`` one by one, each answered, then ``valid``; close."""
    from channels.testing import WebsocketCommunicator

    from architect.asgi import application

    errors = Errors()
    root = logging.getLogger()
    root.addHandler(errors)
    outcome = Outcome()
    ws = WebsocketCommunicator(application, path, headers=list(headers))
    try:
        connected, _ = await ws.connect(timeout=ANSWER_S)
        assert connected, path
        await ws.receive_output(timeout=ANSWER_S)  # the whole page
        for kind, data in frames:
            outcome.frames += 1
            ticks.clock.advance(1.0)  # the rate limit refills: every frame is read
            try:
                await _send(ws, kind, data)
                if await _answered(ws, outcome) is None:
                    outcome.unanswered += 1
            except Exception as error:  # the consumer died or closed the socket
                outcome.closed.append(f"{type(error).__name__}: {repr(data)[:80]}")
                outcome.valid_after = False
                break
        else:
            ticks.clock.advance(1.0)
            try:
                await _send(ws, "text", valid)
                answer = await _answered(ws, outcome)
                outcome.valid_after = answer is not None and error_of(answer) == ""
            except Exception:
                outcome.valid_after = False
    finally:
        with contextlib.suppress(Exception):  # the application may have ended with an error
            await ws.disconnect()
        await asyncio.sleep(0)
        leaked = tick_tasks()
        outcome.leaked_tasks = len(leaked)
        for task in leaked:  # do not let a leak break the next example
            task.cancel()
        root.removeHandler(errors)
    outcome.tracebacks = errors.said()
    return outcome
