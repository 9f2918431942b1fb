"""A node that does work: a multi-server FIFO queue (c workers, a limit).

Requests move by plain calls at set times (``Environment.call_later``), not
by a process each (about four times slower) nor a SimPy event each. A failure bumps ``epoch``,
so completions scheduled before it are recognised and ignored.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from heapq import heappush
from math import log as _log
from typing import Any

from architect.sim.engine.timeline import CALL_PRIORITY, Environment
from architect.sim.snapshot import NodeKind


class Request:
    """One user request on its way through the architecture."""

    __slots__ = (
        "born",
        "checked",
        "epoch",
        "extra_ms",
        "fanout",
        "fill",
        "hops",
        "key",
        "kind",
        "parent",
        "user",
    )

    def __init__(self, born: float, kind: int = 1, key: int = 0, user: int = 0) -> None:
        self.born = born
        self.hops = 0  # links crossed so far
        self.epoch = 0  # the epoch of the station now holding it
        self.kind = kind  # 0 static asset, 1 read, 2 write (see ``journey``)
        self.key = key  # the data key or asset it is about
        self.fill = False  # a cache miss: the database's answer fills the cache
        self.user = user  # who sent it (for sessions and sticky balancing)
        self.checked = False  # its session was looked up in the shared session store
        self.extra_ms = 0.0  # fixed delay on top of the path: a far-away data center
        self.fanout = False  # a read that needs every shard (a cross-shard query)
        self.parent: Any = None  # the fan-out this request is one part of


Sink = Callable[[Request], None]


class Station:
    """A node with ``workers`` parallel servers and a bounded FIFO queue."""

    _hand_over = True  # a finishing worker starts the next waiting request inline (see _finish)

    def __init__(
        self,
        env: Environment,
        node_id: str,
        kind: NodeKind,
        *,
        workers: int,
        service_ms: float,
        service_dist: str,
        queue_limit: int,
        rng: random.Random,
        on_error: Sink,
    ) -> None:
        self.env = env
        self.id = node_id
        self.kind = kind
        self.workers = workers
        self.queue_limit = queue_limit
        self.rng = rng
        self._random = rng.random
        self._calendar: list[Any] = env.calendar
        self._next_id = env.next_id
        self._on_finish = self._finish
        self.on_error = on_error
        self.forward: Sink = on_error  # rewired by the engine
        self.set_service(service_ms, service_dist)
        self.failed = False
        self.epoch = 0
        self.busy = 0
        self.queue: deque[Request] = deque()
        self.completed: float = 0  # fractional when aggregate mode adds flows
        self.errors_while_down = 0  # requests lost since the last failure
        self.failed_at = 0.0
        self._busy_area = 0.0  # integral of busy workers over time
        self._capacity_area = 0.0  # integral of workers over time
        self._last_change = env.now

    def set_service(self, service_ms: float, service_dist: str) -> None:
        self.service_ms = service_ms
        self.service_dist = service_dist
        self._rate = 1000.0 / service_ms
        self._exponential = service_dist == "exponential"

    # -- requests -----------------------------------------------------------

    def arrive(self, request: Request) -> None:
        request.hops += 1
        if self.failed:
            self.errors_while_down += 1
            self.on_error(request)
            return
        busy = self.busy
        if busy >= self.workers:
            if len(self.queue) < self.queue_limit:
                self.queue.append(request)
            else:
                self.on_error(request)
            return
        # The hottest path in the engine: _start(), with _account() and
        # rng.expovariate() inlined (the same arithmetic, so the same results).
        now = self.env._now
        elapsed = now - self._last_change
        if elapsed:
            self._busy_area += busy * elapsed
            self._capacity_area += self.workers * elapsed  # not failed: checked above
            self._last_change = now
        self.busy = busy + 1
        request.epoch = self.epoch
        if self._exponential:
            delay = -_log(1.0 - self._random()) / self._rate
        else:
            delay = self.service_ms / 1000.0
        heappush(
            self._calendar, (now + delay, CALL_PRIORITY, self._next_id(), self._on_finish, request)
        )

    def _start(self, request: Request) -> None:
        """Give a free worker ``request`` now (from the queue, or after a resize);
        off the hottest path, which inlines it in ``arrive`` and ``_finish``."""
        self._account()
        now = self.env.now
        self.busy += 1
        request.epoch = self.epoch
        delay = self._service_delay()
        # env.call_later(delay, self._finish, request), inlined (see ``timeline``).
        heappush(
            self._calendar, (now + delay, CALL_PRIORITY, self._next_id(), self._on_finish, request)
        )

    def _service_delay(self) -> float:
        """One request's service time: exponential, or constant. ``arrive`` and
        ``_finish`` inline this (the hottest path); every other caller uses it."""
        if self._exponential:
            return -_log(1.0 - self._random()) / self._rate
        return self.service_ms / 1000.0

    def _finish(self, request: Request) -> None:
        if request.epoch != self.epoch:
            return  # lost when this station failed; already counted
        now = self.env._now  # _account(), inlined
        busy = self.busy
        elapsed = now - self._last_change
        if elapsed:
            self._busy_area += busy * elapsed
            if not self.failed:
                self._capacity_area += self.workers * elapsed
            self._last_change = now
        self.completed += 1
        queue = self.queue
        if queue and busy <= self.workers and self._hand_over:
            # The freed worker takes the next request at once: _start() inlined
            # (no time has passed since the accounting above, so busy stays as it is).
            waiting = queue.popleft()
            waiting.epoch = self.epoch
            if self._exponential:
                delay = -_log(1.0 - self._random()) / self._rate
            else:
                delay = self.service_ms / 1000.0
            heappush(
                self._calendar,
                (now + delay, CALL_PRIORITY, self._next_id(), self._on_finish, waiting),
            )
        else:
            self.busy = busy - 1
            while queue and self.busy < self.workers:  # a worker pool, which starts via _start
                self._start(queue.popleft())
        self.forward(request)

    # -- control ------------------------------------------------------------

    def fail(self) -> int:
        """Fail now: drop everything held. Returns how many requests were lost."""
        self._account()
        lost = self.busy + len(self.queue)
        for request in self.queue:
            self.on_error(request)
        for _ in range(self.busy):
            self.on_error(Request(self.env.now))
        self.queue.clear()
        self.busy = 0
        self.epoch += 1
        self.failed = True
        self.failed_at = float(self.env.now)
        self.errors_while_down = lost
        return lost

    def restore(self) -> None:
        self._account()
        self.failed = False

    def resize(self, workers: int) -> None:
        self._account()
        self.workers = workers
        while self.queue and self.busy < self.workers:
            self._start(self.queue.popleft())

    # -- measures -----------------------------------------------------------

    def _account(self) -> None:
        now = self.env.now
        elapsed = now - self._last_change
        if elapsed:
            self._busy_area += self.busy * elapsed
            if not self.failed:
                self._capacity_area += self.workers * elapsed
            self._last_change = now

    def add_work(self, completed: float, busy_s: float) -> None:
        """Count work done by aggregate mode's flows: completions and busy worker-seconds."""
        self.completed += completed
        self._busy_area += busy_s

    def areas(self) -> tuple[float, float]:
        """(busy worker-seconds, available worker-seconds) since the start."""
        self._account()
        return self._busy_area, self._capacity_area
