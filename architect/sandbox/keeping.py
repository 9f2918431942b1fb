"""A learner's live simulation kept on the server, so a reconnect or a reload loses nothing.

What is kept (``session_state``): the architecture and traffic as they are now
(``Simulation.current_topology()`` in the topology format), the speed, the pause and the
seed; a
stage adds its own run state (``lessons.keeping``). It is kept per place (``SANDBOX``,
or a stage's ``stage_place``) for the logged-in user, else for the guest's session; a
guest without one gets a session only once there is something worth keeping, as for
progress (``architect.guests``): once the learner's own work (``worth``: the architecture
and traffic, not the clock) differs from where the socket started, ``Keeper`` creates
the session, saves, and hands the page a token to adopt it. A socket saves when a
command changed the state and, for changes of its own (the autoscaler, scripted
events), at most every ``SANDBOX_KEEP_SECONDS``; a page's first render and a socket's
first message start from what was kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from architect import guests
from architect.guest_rows import owner
from architect.sandbox.models import KeptSimulation
from architect.sandbox.workers import Session
from architect.sim.commands import SPEEDS
from architect.sim.loader import dump_topology, load_topology

SANDBOX = "sandbox"
MAX_SEED = 2**31 - 1
# What a kept state may fail with when it no longer loads (an older format, say).
UNREADABLE = (LookupError, TypeError, ValueError, OverflowError, RecursionError)


def valid_seed(seed: object) -> bool:
    """A seed a kept or shared state may carry: a whole number in ``0 … MAX_SEED``."""
    return type(seed) is int and 0 <= seed <= MAX_SEED


def stage_place(plan: str, stage: str) -> str:
    return f"stage:{plan}/{stage}"


def session_state(session: Session) -> dict[str, Any]:
    """The session's architecture, traffic and clock as JSON-ready data."""
    return {
        "topology": dump_topology(session.sim.current_topology()),
        "speed": session.speed,
        "paused": session.paused,
        "seed": session.seed,
    }


def restore_session(session: Session, state: object) -> bool:
    """Put a kept state into ``session`` (from time 0); False, changing nothing, when the
    state does not load."""
    try:
        assert isinstance(state, dict)
        topology = load_topology(state["topology"])
        speed, paused = state["speed"], state["paused"]
        seed = state.get("seed", session.seed)  # states kept before seeds were have none
        if speed not in SPEEDS or not isinstance(paused, bool) or not valid_seed(seed):
            return False
    except (AssertionError, *UNREADABLE):
        return False
    session.start_from(topology, seed)
    session.speed, session.paused = int(speed), paused
    return True


def kept_get(*, user: Any, session_key: str, place: str) -> dict[str, Any] | None:
    """The kept state of ``place``, or None (also when there is no learner to look up)."""
    if user is None and not session_key:
        return None
    row = KeptSimulation.objects.filter(place=place, **owner(user, session_key)).first()
    return row.data if row is not None and isinstance(row.data, dict) else None


def kept_save(*, user: Any, session_key: str, place: str, data: dict[str, Any]) -> None:
    KeptSimulation.objects.update_or_create(
        place=place, **owner(user, session_key), defaults={"data": data}
    )


def learner(scope: dict[str, Any]) -> tuple[Any, str]:
    """The logged-in user (or None) and the session key ("" without a session)."""
    user = scope.get("user")
    session = scope.get("session")
    key = getattr(session, "session_key", None) or ""
    return (user if getattr(user, "is_authenticated", False) else None), key


class Keeper:
    """Saves one socket's state for its learner when it changed (see the module)."""

    def __init__(
        self,
        scope: dict[str, Any],
        place: str,
        clock: Callable[[], float],
        worth: Callable[[dict[str, Any]], object] = lambda state: state["topology"],
    ) -> None:
        self.user, self.session_key = learner(scope)
        self.place = place
        self.worth = worth
        self._clock = clock
        self.saved: dict[str, Any] | None = None  # the state last kept (or started from)
        self._last = float("-inf")
        self.token = ""  # for the page to adopt a guest session created here

    def load(self) -> dict[str, Any] | None:
        """The state kept for this learner here (a database read: call it off the loop)."""
        return kept_get(user=self.user, session_key=self.session_key, place=self.place)

    def started(self, state: dict[str, Any]) -> None:
        """The state the socket starts from: nothing to keep until it changes."""
        self.saved = state

    async def guest_key(self) -> str:
        """The session key to keep a guest's things under, its session created when there
        is none (the page gets ``token`` to adopt it); "" for a logged-in user."""
        if self.user is not None:
            return ""
        key, created = await database_sync_to_async(guests.session_for)(self.session_key)
        if created:
            self.token = guests.token(key)
        self.session_key = key
        return key

    def due(self) -> bool:
        """Whether the last save is ``SANDBOX_KEEP_SECONDS`` old (building a state to
        compare costs a little: a tick asks this first)."""
        return self._clock() - self._last >= settings.SANDBOX_KEEP_SECONDS

    async def keep(self, state: dict[str, Any], *, now: bool = False) -> bool:
        """Save ``state`` if it differs from the last one kept, at once (``now``) or when
        the last save is ``SANDBOX_KEEP_SECONDS`` old; True when it saved."""
        if state == self.saved:
            return False
        unowned = self.user is None and not self.session_key
        if unowned and self.saved is not None and self.worth(state) == self.worth(self.saved):
            return False  # only the clock moved: not worth a guest session
        if not now and not self.due():
            return False
        key = await self.guest_key()
        await database_sync_to_async(kept_save)(
            user=self.user, session_key=key, place=self.place, data=state
        )
        self.saved, self._last = state, self._clock()
        return True

    def looked(self) -> None:
        """A tick compared the state and found nothing new: wait a period to look again."""
        self._last = self._clock()
