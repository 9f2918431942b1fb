"""Where logged-in users' sessions live when each web server keeps its own.

A user whose request lands on a server that does not hold their session has
to log in again: that session is *lost*. It happens when the load balancer is
not sticky, and when the server that held it failed (its memory is gone).
"""

from __future__ import annotations

from architect.sim.engine.stations import Station


class LocalSessions:
    """Which server (and which life of it) holds each user's session."""

    def __init__(self) -> None:
        self.lost = 0
        self._held: dict[int, tuple[Station, int]] = {}

    def visit(self, station: Station, user: int) -> None:
        """A request of ``user`` served by ``station``."""
        life = (station, station.epoch)
        held = self._held.get(user)
        if held != life:
            if held is not None:
                self.lost += 1
            self._held[user] = life
