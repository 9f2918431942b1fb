"""A room's state message → HTML, in each screen's language, from named partials.

The owner publishes one JSON text per change (``runner.RoomRunner._payload``); each
process reads it once (``RoomView.read``, cached by room and sequence number) and each
screen draws it: the simulation's parts from the sandbox's own partials
(``sandbox/sandbox.html``: status, metrics, charts, diagram) and the goal panel from
the stage page's (``lessons/stage.html#goal``), the room's parts from
``classrooms/parts.html``. A ``Feed`` renders what changed for all the screens of one
kind and language in a process once per message, so sixty phones cost one render.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from architect.sandbox import fragments as sandbox
from architect.sandbox.diagram import layout
from architect.sandbox.live import LiveStatus
from architect.sandbox.metrics import panel
from architect.sandbox.numbers import num
from architect.sim.loader import load_topology
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Snapshot
from architect.sim.snapshot_data import snapshot_from_data
from classrooms import estimates
from classrooms.state import Control, goal_status_from_data
from lessons import fragments as lesson
from lessons.experiment import DEFAULT_DURATION_S
from lessons.goals import DEFAULT_FROM_S, GoalStatus, judged_seconds
from lessons.markdown import render_markdown
from lessons.models import Stage

PARTS = "classrooms/parts.html"


# What each of the sandbox's live parts shows: the metrics panel whole, with its values
# (one render serves every screen, so it is not split into single values).
def _metric_values(context: dict[str, Any]) -> object:
    return context["metrics"]


TICK_KEYS: dict[str, Callable[[dict[str, Any]], object]] = {
    **sandbox.TICK_KEYS,
    "metrics": _metric_values,
}
# Why the owner refused a room command, by its code (the simulation's own codes are
# said by architect.sandbox.error_text).
ROOM_ERRORS = {
    "no_stage": _("There is no such stage."),
    "no_poll": _("This stage asks no question to poll."),
    "poll_opened": _("The poll was already opened: ask for a revote instead."),
    "poll_not_opened": _("Open the poll first."),
    "no_more_rounds": _("There is one revote at most."),
    "no_design": _("This student has no design to show yet."),
    "bad_message": _("The room could not read that command."),
    "no_owner": _("The room is starting; try again in a moment."),
}


@dataclass(frozen=True)
class RoomView:
    """One state message, read."""

    seq: int
    snapshot: Snapshot
    status: LiveStatus
    control: Control
    run: dict[str, Any]
    poll: dict[str, Any]
    board: list[dict[str, Any]]
    spotlight: dict[str, Any] | None
    roster: int
    room_id: int = 0

    @classmethod
    def read(cls, room_id: int, seq: int, text: str) -> RoomView:
        """The message read, once per process (kept by room, number and text)."""
        key = (room_id, seq, text)
        found = _VIEWS.get(key)
        if found is None:
            data = json.loads(text)
            snapshot = snapshot_from_data(data["snapshot"])
            found = _keep(key, _read(room_id, seq, data, snapshot))
        return found

    @classmethod
    def remember(
        cls, room_id: int, seq: int, text: str, snapshot: Snapshot, payload: dict[str, Any]
    ) -> RoomView:
        """The owner's own message, kept with the ``Snapshot`` and the ``payload`` it was
        made from: the screens in the owner's process neither deserialise nor parse it
        again (the rest of the payload goes through JSON, so that they read what other
        processes read: keys as strings, lists for tuples)."""
        rest = json.loads(json.dumps({k: v for k, v in payload.items() if k != "snapshot"}))
        return _keep((room_id, seq, text), _read(room_id, seq, rest, snapshot))

    @property
    def goal(self) -> GoalStatus | None:
        return goal_status_from_data(self.run.get("goal"))


_VIEWS: OrderedDict[tuple[int, int, str], RoomView] = OrderedDict()
VIEWS_KEPT = 64


def _keep(key: tuple[int, int, str], view: RoomView) -> RoomView:
    _VIEWS[key] = view
    while len(_VIEWS) > VIEWS_KEPT:
        _VIEWS.popitem(last=False)
    return view


def _read(room_id: int, seq: int, data: dict[str, Any], snapshot: Snapshot) -> RoomView:
    status = data["status"]
    return RoomView(
        seq=seq,
        snapshot=snapshot,
        status=LiveStatus(paused=status["paused"], speed=status["speed"], ratio=status["ratio"]),
        control=Control.from_data(data["control"]),
        run=data["run"],
        poll=data["poll"],
        board=data["board"],
        spotlight=data["spotlight"],
        roster=data["roster"],
        room_id=room_id,
    )


def goal_context(view: RoomView, stage: Stage) -> dict[str, Any]:
    """The stage page's goal panel (``lessons/stage.html#goal``) for the room's run."""
    status = view.goal
    run = view.run
    if status is None or not status.conditions:
        conditions = [
            {"label": "", "value": "—", "target": "", "ok": None, "failed_s": 0, **row}
            for row in _planned(stage)
        ]
    else:
        conditions = []
    met = run["phase"] == "done" and status is not None and status.met
    from_s = run.get("from_s")
    goal_data = stage.data.get("goal") or {}
    if status is not None and status.conditions:
        seconds = judged_seconds(
            float(from_s if from_s is not None else goal_data.get("from_s", DEFAULT_FROM_S)),
            float(run.get("duration_s") or DEFAULT_DURATION_S),
        )
        conditions = [lesson.condition_row(c, seconds) for c in status.conditions]
    return {
        "phase": run["phase"],
        "conditions": conditions,
        "t": num(status.t if status else 0, 0),
        "duration": num(run.get("duration_s") or DEFAULT_DURATION_S),
        "checked_s": status.checked_s if status else 0,
        "span_s": status.span_s if status else 0,
        "reasons": [c["sentence"] for c in conditions if c["ok"] is False],
        "sentences": [c["sentence"] for c in conditions if c.get("sentence")],
        "failed_s": status.failed_s if status else 0,
        "failing": bool(status and status.failing),
        "met": met,
        "from_s": num(from_s if from_s is not None else goal_data.get("from_s", DEFAULT_FROM_S)),
    }


def _planned(stage: Stage) -> list[dict[str, Any]]:
    rows = []
    for data in (stage.data.get("goal") or {}).get("conditions", []):
        operator = next(op for op in lesson.OPERATORS if op in data)
        metric, node = str(data["metric"]), str(data.get("node", ""))
        label = lesson.LABELS[metric]
        rows.append(
            {
                "label": str(label) % {"node": node} if node else str(label),
                "target": f"{lesson.OPERATORS[operator]} "
                f"{lesson.amount(metric, float(data[operator]))}",
            }
        )
    return rows


def poll_context(
    view: RoomView, stage: Stage, lang: str, *, mine: int | None = None
) -> dict[str, Any]:
    """The poll: its question and choices (or an estimate's unit), how many answered,
    and (once revealed) the class's answers per round beside each other, with the right
    one (an estimate's tolerance band) marked once the run is over."""
    poll = view.control.poll
    predict = stage.data.get("predict") or {}
    estimate = predict.get("estimate")
    outcome = view.run["phase"] == "done" and poll.revealed
    unit = ""
    if estimate:
        unit = stage.text("predict.estimate.unit", lang)
        found = estimates.bins(estimate)
        labels = [b.label for b in found]
        right = [b.within for b in found]
        answer_text = estimate_text(estimate, unit) if outcome else ""
        mine_text = f"{mine:,} {unit}" if mine is not None else ""
        choices: list[str] = []
    else:
        choices = stage.texts("predict.choices", lang) if predict else []
        labels = choices
        answer = predict.get("answer")
        right = [i == answer for i in range(len(choices))]
        answer_text = ""
        if outcome and isinstance(answer, int) and 0 <= answer < len(choices):
            answer_text = choices[answer]
        mine_text = choices[mine] if mine is not None and 0 <= mine < len(choices) else ""
    answered = view.poll.get("answered") or []
    return {
        "asks": bool(predict) and poll.stage == view.control.stage,
        "question": stage.text("predict.question", lang) if predict else "",
        "estimate": {"unit": unit, "value": mine if mine is not None else ""} if estimate else None,
        "choices": [
            {"index": i, "text": t, "chosen": i == mine, "right": outcome and right[i]}
            for i, t in enumerate(choices)
        ],
        "round": poll.round,
        "open": poll.open,
        "revealed": poll.revealed,
        "answered": answered[-1] if answered else 0,
        "seated": view.poll.get("seated", 0),
        "rounds": _rounds(view.poll.get("counts") or [], labels, right if outcome else []),
        "answer": answer_text,
        "mine": mine_text,
    }


def _rounds(counts: list[list[int]], labels: list[str], right: list[bool]) -> list[dict[str, Any]]:
    """Each round's bars: per choice (or per bin of an estimate), ``right`` marked."""
    rounds = []
    for number, per_bar in enumerate(counts, start=1):
        total = sum(per_bar) or 1
        bars = [
            {
                "count": n,
                "percent": round(100 * n / total),
                "text": labels[i] if i < len(labels) else "",
                "right": i < len(right) and right[i],
            }
            for i, n in enumerate(per_bar)
        ]
        rounds.append({"number": number, "bars": bars})
    return rounds


def estimate_text(estimate: dict[str, Any], unit: str) -> str:
    """The answer as the outcome says it: "4 web servers", "150 jobs (± 25 %)"."""
    text = f"{int(estimate['answer']):,} {unit}"
    tolerance = round(float(estimate["tolerance"]) * 100)
    return f"{text} (± {tolerance} %)" if tolerance else text


def board_context(view: RoomView) -> list[dict[str, Any]]:
    """The try-it-yourselves board: each design by its number, never by name."""
    return [
        {
            "participant": row["participant"],
            "number": row.get("number", 0),
            "met": row.get("met"),
            "phase": row.get("phase", ""),
            "cost": num(row["cost"]) if row.get("cost") is not None else "—",
            "p99": num(row["p99"]) if row.get("p99") is not None else "—",
            "spotlit": view.control.spotlight == row["participant"],
        }
        for row in view.board
    ]


def spotlight_context(view: RoomView) -> dict[str, Any] | None:
    shown = view.spotlight
    if not shown:
        return None
    result = shown.get("result") or {}
    return {
        "number": shown.get("number", 0),
        "diagram": _design_layout(json.dumps(shown["topology"], sort_keys=True), get_language()),
        "met": result.get("met"),
        "cost": num(result["cost"]) if result.get("cost") is not None else "—",
        "p99": num(result["p99"]) if result.get("p99") is not None else "—",
    }


@lru_cache(maxsize=32)
def _design_layout(topology: str, language: str | None) -> Any:
    """A shown design's diagram, in ``language`` (the active one: the key only caches it)."""
    return layout(Simulation(load_topology(json.loads(topology)), seed=1).snapshot(), live=False)


def stage_context(stage: Stage, lang: str, total: int) -> dict[str, Any]:
    return {
        "stage_title": stage.text("title", lang),
        "stage_body": render_markdown(stage.text("body", lang)),
        "goal_text": stage.text("goal.text", lang),
        "stage_number": stage.order + 1,
        "stage_total": total,
        "stage_index": stage.order,
    }


def room_stage_context(room: Any, stage: Stage, lang: str) -> dict[str, Any]:
    """``stage_context`` of a room's pinned stage, made once per process and language
    (its Markdown was rendered again for every message)."""
    key = (room.id, stage.order, lang)
    found = _STAGE_TEXTS.get(key)
    if found is None:
        if len(_STAGE_TEXTS) >= TEXTS_KEPT:
            _STAGE_TEXTS.clear()
        found = _STAGE_TEXTS[key] = stage_context(stage, lang, len(room.stages))
    return found


# The pinned plans' texts, by room, stage and language (rooms come and go: bounded).
TEXTS_KEPT = 1024
# The pinned plans' texts, by room, stage and language (rooms come and go: bounded).
TEXTS_KEPT = 1024
_STAGE_TEXTS: dict[tuple[int, int, str], dict[str, Any]] = {}


def render(parts: list[str] | tuple[str, ...], context: dict[str, Any]) -> str:
    return "".join(render_to_string(f"{PARTS}#{part}", context) for part in parts)


class Parts:
    """Remembers what one screen (or one ``Feed``) has: a part is drawn again only when
    its key changed."""

    def __init__(self) -> None:
        self._sent: dict[str, object] = {}

    def changed(self, part: str, key: object) -> bool:
        if part in self._sent and self._sent[part] == key:
            return False
        self._sent[part] = key
        return True

    def forget(self) -> None:
        self._sent.clear()


# Per room (the most recently drawn rooms first out), its latest state messages' parts:
# by sequence number, then (language, part). A fixed number of drawings in all was too few
# beyond a dozen rooms a process: a room's drawings went before its other screens used them.
_DRAWN: OrderedDict[int, dict[int, dict[tuple[str, str], Any]]] = OrderedDict()
SEQS_KEPT = 4  # a room's latest messages whose parts are kept (screens a message behind)
ROOMS_KEPT = 1000  # rooms whose drawings are kept (a process serves far fewer at once)


def once(view: RoomView, part: str, draw: Callable[[], Any]) -> Any:
    """``draw()`` for one part of one state message in the active language, made once in
    this process whichever screens need it: the phones' and the projector's feeds draw
    the same diagram, status and goal (kept per room for its latest ``SEQS_KEPT``
    messages, by language and part)."""
    room = _DRAWN.get(view.room_id)
    if room is None:
        room = _DRAWN[view.room_id] = {}
        while len(_DRAWN) > ROOMS_KEPT:
            _DRAWN.popitem(last=False)
    drawn = room.get(view.seq)
    if drawn is None:
        if room and view.seq < min(room) and len(room) >= SEQS_KEPT:
            return draw()  # older than every message kept: not worth keeping
        drawn = room[view.seq] = {}
        while len(room) > SEQS_KEPT:
            del room[min(room)]
        _DRAWN.move_to_end(view.room_id)
    key = (get_language() or "", part)
    found = drawn.get(key)
    if found is None:
        found = drawn[key] = draw()
    return found


def _live_context(view: RoomView) -> dict[str, Any]:
    def made() -> dict[str, Any]:
        # no charts: a room's phones and projector do not draw them (the console draws
        # its own, with the sandbox's ``Renderer``)
        context = sandbox.live_context(view.snapshot, view.status, chart_items=[])
        context.update(panel(context))
        return context

    context: dict[str, Any] = once(view, "context", made)
    return context


def simulation_parts(view: RoomView, parts: Parts, names: tuple[str, ...], *, full: bool) -> str:
    """The sandbox's own live partials that changed (all with ``full``)."""
    context = _live_context(view)
    if full:
        parts.forget()
    drawn = [name for name in names if parts.changed(name, TICK_KEYS[name](context))]
    return "".join(
        once(view, name, lambda name=name: sandbox.render([name], context))  # type: ignore[misc]
        for name in drawn
    )


def goal_part(view: RoomView, stage: Stage, parts: Parts, *, full: bool) -> str:
    context = {"goal": goal_context(view, stage)}
    key = (stage.order, repr(context["goal"]))
    if not parts.changed("goal", key) and not full:
        return ""
    return str(once(view, f"goal-{stage.order}", lambda: lesson.render(["goal"], context)))


class Feed:
    """What changed, drawn once per message for every screen of one kind and language in
    this process (``shared(view, parts, full)`` draws it, in ``lang``); ``full`` for a screen that
    missed the message before (it just connected): also drawn once per message.

    The last ``HISTORY`` deltas are kept: on a busy process the screens do not all draw a
    message before the next one arrives, and a screen one message behind the others must
    get its delta, not a whole new drawing (which made the busy process busier still)."""

    HISTORY = 16

    def __init__(self, shared: Any, lang: str) -> None:
        self.shared = shared
        self.lang = lang
        self.parts = Parts()
        self.seq = -1
        self.deltas: dict[int, tuple[int, str]] = {}  # seq → (the seq it follows, HTML)
        self._full: tuple[int, str] = (-1, "")

    def delta(self, view: RoomView) -> tuple[int, str]:
        """(the sequence number it follows, the HTML) for ``view``, drawn at most once;
        (-2, "") when it is too old to be kept."""
        if view.seq > self.seq:
            with translation.override(self.lang):
                html = self.shared(view, self.parts, full=False)
            self.deltas[view.seq] = (self.seq, html)
            self.seq = view.seq
            for old in [seq for seq in self.deltas if seq <= view.seq - self.HISTORY]:
                del self.deltas[old]
        return self.deltas.get(view.seq, (-2, ""))

    def full(self, view: RoomView) -> str:
        if self._full[0] != view.seq:
            with translation.override(self.lang):
                self._full = (view.seq, self.shared(view, Parts(), full=True))
        return self._full[1]


_FEEDS: dict[tuple[int, str, str], Feed] = {}


def feed(room_id: int, kind: str, lang: str, shared: Any) -> Feed:
    key = (room_id, kind, lang)
    found = _FEEDS.get(key)
    if found is None:
        found = _FEEDS[key] = Feed(shared, lang)
    return found
