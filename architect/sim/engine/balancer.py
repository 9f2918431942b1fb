"""Load balancing: which backend gets the next request, and which are in rotation.

A backend is in rotation until a health check finds it failed, and back in
once a check finds it healthy again; between a failure and the next check
the balancer keeps sending to it and those requests fail.
"""

from __future__ import annotations

from architect.sim.engine.stations import Request, Sink, Station


class Balancer:
    """Round robin, least connections or sticky (by user) over the backends in rotation."""

    def __init__(self, algorithm: str, on_error: Sink) -> None:
        self.algorithm = algorithm
        self.on_error = on_error
        self.backends: list[Station] = []
        self.in_rotation: list[Station] = []
        self._next = 0

    def set_backends(self, backends: list[Station]) -> None:
        """Adopt a new backend list; new ones start in rotation."""
        known = set(map(id, self.backends))
        kept = [b for b in self.in_rotation if b in backends]
        added = [b for b in backends if id(b) not in known]
        self.backends = list(backends)
        self.in_rotation = [b for b in backends if b in kept or b in added]

    def route(self, request: Request) -> None:
        rotation = self.in_rotation
        if not rotation:
            self.on_error(request)
            return
        if self.algorithm == "least_connections":
            backend = min(rotation, key=_load)
        elif self.algorithm == "sticky":
            # A user keeps their server while it is in rotation; only its users move.
            spread = request.user * 2654435761 & 0xFFFFFFFF
            backend = self.backends[spread % len(self.backends)]
            if backend not in rotation:
                backend = rotation[spread % len(rotation)]
        else:
            self._next = (self._next + 1) % len(rotation)
            backend = rotation[self._next]
        backend.arrive(request)

    def check(self) -> tuple[list[Station], list[Station]]:
        """One health check: returns (taken out, put back) backends."""
        removed = [b for b in self.in_rotation if b.failed]
        restored = [b for b in self.backends if not b.failed and b not in self.in_rotation]
        if removed or restored:
            self.in_rotation = [b for b in self.backends if not b.failed]
        return removed, restored


def _load(station: Station) -> int:
    return station.busy + len(station.queue)
