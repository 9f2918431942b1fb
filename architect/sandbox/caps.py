"""How much of a server one browser may take: simulations at once, a share of the CPU,
and how long a socket may stay open unused.

Per process, in memory (each daphne process admits its own connections; see
docs/deployment.md): ``Admission`` counts the live simulations per client address and
in all, refusing one over either cap, and counts the running ones (neither paused nor
hidden), whose number sets each one's share of ``SANDBOX_PROCESS_CPU_SHARE``.
``Idle`` tells a connection when to close for want of use. Every limit is a setting,
read when used, so tests can change them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from architect.client_address import counted

PROCESS_FULL = _(
    "This server is running as many simulations as it can. Yours will start as soon as "
    "one ends; this page keeps trying."
)
ADDRESS_FULL = ngettext_lazy(
    "Your network already has %(count)d simulation open, the most one address may have. "
    "Close a tab with a simulation and this one starts; this page keeps trying.",
    "Your network already has %(count)d simulations open, the most one address may have. "
    "Close a tab with a simulation and this one starts; this page keeps trying.",
    "count",
)
CLOSED_HIDDEN = _(
    "This simulation was stopped because the page was hidden for a long time. Your "
    "architecture is kept: reload the page to go on."
)
CLOSED_IDLE = _(
    "This simulation was stopped because nothing was done on the page for a long time. "
    "Your architecture is kept: reload the page to go on."
)
# Close codes: 1013 ("try again later") makes the page's WebSocket reconnect by itself,
# with growing waits; 4408 (ours) does not: the page offers a reload.
TRY_AGAIN_LATER = 1013
CLOSED_UNUSED = 4408


def client_address(scope: dict[str, Any]) -> str:
    """The connection's client address, as the limits count it (``architect.client_address``)."""
    client = scope.get("client") or ("unknown", 0)
    return counted(str(client[0]))


class Admission:
    """The process's live simulations: who may open one, and each one's CPU share."""

    def __init__(self) -> None:
        self.per_address: Counter[str] = Counter()
        self.running: set[int] = set()  # ids of the connections whose time moves

    @property
    def total(self) -> int:
        return sum(self.per_address.values())

    def refusal(self, address: str) -> str | None:
        """Why a new simulation for ``address`` is refused now, or None if it is not."""
        if self.total >= settings.SANDBOX_MAX_SIMULATIONS:
            return str(PROCESS_FULL)
        allowed = settings.SANDBOX_MAX_SIMULATIONS_PER_ADDRESS
        if self.per_address[address] >= allowed:
            return str(ADDRESS_FULL % {"count": allowed})
        return None

    def enter(self, address: str) -> None:
        self.per_address[address] += 1

    def leave(self, address: str, connection: int) -> None:
        self.per_address[address] -= 1
        if self.per_address[address] <= 0:
            del self.per_address[address]
        self.running.discard(connection)

    def set_running(self, connection: int, running: bool) -> None:
        if running:
            self.running.add(connection)
        else:
            self.running.discard(connection)

    def share(self) -> float:
        """CPU seconds per wall second one running simulation may use: an equal part of
        the process's share, never below the floor."""
        parts = max(1, len(self.running))
        return max(settings.SANDBOX_MIN_CPU_SHARE, settings.SANDBOX_PROCESS_CPU_SHARE / parts)


ADMISSION = Admission()  # this process's


@dataclass
class Idle:
    """When a connection last heard from its page, and since when the page is hidden."""

    last_message: float
    hidden_since: float | None = None

    def heard(self, now: float, *, hidden: bool) -> None:
        self.last_message = now
        if not hidden:
            self.hidden_since = None
        elif self.hidden_since is None:
            self.hidden_since = now

    def reason(self, now: float) -> str | None:
        """Why the socket should close now (the message for the page), or None."""
        hidden_for = settings.SANDBOX_HIDDEN_CLOSE_SECONDS
        if self.hidden_since is not None and now - self.hidden_since >= hidden_for:
            return str(CLOSED_HIDDEN)
        if now - self.last_message >= settings.SANDBOX_IDLE_CLOSE_SECONDS:
            return str(CLOSED_IDLE)
        return None
