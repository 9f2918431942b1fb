"""A learner's design as the pages that share, export, import and compare see it.

The sandbox's socket keeps what the learner builds (``keeping``: the topology, speed,
pause and seed, per place); these helpers read that kept state for a request and write
a new one (an opened link, an imported file, a comparison's two sides), creating a
guest's session then, since there is something to keep (``architect.guests``' rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from architect import guests
from architect.sandbox import keeping
from architect.sandbox.diagram import layout
from architect.sandbox.diagram_shapes import Diagram
from architect.sandbox.diagram_text import name
from architect.sim.loader import dump_topology, load_topology
from architect.sim.model.presets import single_server
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import Topology
from architect.sim.simulation import Simulation

DEFAULT_SEED = 1


@dataclass(frozen=True)
class Current:
    """The design kept in a place (a single server with seed 1 when none is)."""

    topology: Topology
    data: dict[str, Any]  # the topology in the topology format
    seed: int
    speed: int = 1


def _owner(request: HttpRequest) -> tuple[Any, str]:
    user = request.user if request.user.is_authenticated else None
    return user, request.session.session_key or ""


def current(request: HttpRequest, place: str = keeping.SANDBOX) -> Current:
    """The design this learner keeps in ``place``; reading it creates no session."""
    user, key = _owner(request)
    state = keeping.kept_get(user=user, session_key=key, place=place)
    if state is not None:
        try:
            topology = load_topology(state["topology"])
            seed, speed = state.get("seed", DEFAULT_SEED), state.get("speed", 1)
            if keeping.valid_seed(seed) and isinstance(speed, int):
                return Current(topology, dump_topology(topology), seed, speed)
        except (TopologyError, *keeping.UNREADABLE):
            pass  # an unreadable kept state: start again, as the sandbox does
    topology = single_server()
    return Current(topology, dump_topology(topology), DEFAULT_SEED)


def save(request: HttpRequest, place: str, topology: Topology, seed: int) -> None:
    """Keep ``topology`` with ``seed`` in ``place`` for this learner, from time 0 and
    running; a guest without a session gets one."""
    user, key = _owner(request)
    if user is None and not key:
        request.session[guests.MARK] = True
        request.session.save()
        key = request.session.session_key or ""
    state = {"topology": dump_topology(topology), "speed": 1, "paused": False, "seed": seed}
    keeping.kept_save(user=user, session_key=key, place=place, data=state)


def diagram(topology: Topology, seed: int = DEFAULT_SEED) -> Diagram:
    """The architecture drawn as the plan's evolution draws it (no run, no load)."""
    return layout(Simulation(topology, seed=seed).snapshot(), live=False)


def named(design: Current) -> dict[str, Any]:
    """The design's data (the topology format) named by what it is now, in the learner's
    language (``diagram_text.name``: "DNS → 1 web server → database"), not by the preset or
    stage it started from, whose name survives every change (#14.6)."""
    return {**design.data, "name": name(Simulation(design.topology, seed=design.seed).snapshot())}
