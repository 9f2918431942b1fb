"""A message queue's consumers: a worker pool whose messages outlive failures.

Web servers publish jobs (processing an uploaded photo, say) and answer at
once; the pool works through them at its own pace. The queue is durable: when
the pool fails, the jobs it was working on go back to the front of the queue,
and new ones wait there until it is back.
"""

from __future__ import annotations

from typing import Any

from architect.sim.engine.stations import Request, Station


class DurableWorkerPool(Station):
    """A station whose queue is a durable message queue."""

    _hand_over = False  # every start goes through ``_start``, which notes ``serving``

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.serving: list[Request] = []

    def arrive(self, request: Request) -> None:
        request.hops += 1
        if self.failed:
            self.queue.append(request)  # the broker keeps it until a worker is back
        elif self.busy < self.workers:
            self._start(request)  # not Station's inlined start: it must note ``serving``
        elif len(self.queue) < self.queue_limit:
            self.queue.append(request)
        else:
            self.on_error(request)

    def _start(self, request: Request) -> None:
        self.serving.append(request)
        super()._start(request)

    def _finish(self, request: Request) -> None:
        if request.epoch == self.epoch:
            self.serving.remove(request)
        super()._finish(request)

    def fail(self) -> int:
        """Fail now; unfinished jobs are redelivered later. Returns 0: none is lost."""
        self._account()
        self.queue.extendleft(reversed(self.serving))
        self.serving = []
        self.busy = 0
        self.epoch += 1
        self.failed = True
        self.failed_at = float(self.env.now)
        self.errors_while_down = 0
        return 0

    def restore(self) -> None:
        super().restore()
        self.resize(self.workers)  # start what waited
