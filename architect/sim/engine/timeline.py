"""A SimPy environment that also runs plain calls at set times, without events.

Every hop of every request used to be a SimPy ``Timeout`` with a callback:
an object, a callbacks list and a generic ``step`` each. ``call_later`` puts
``(time, NORMAL, id, function, argument)`` straight into SimPy's own queue, and
``run`` calls it when its time comes. Processes (health checks, repairs, the
autoscaler) stay ordinary SimPy processes in the same queue, so the order of
everything is exactly what it was with timeouts: by time, then priority, then
the order of scheduling.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT, Event

_NORMAL = int(NORMAL)
_URGENT = int(URGENT)
CALL_PRIORITY = _NORMAL  # a call is ordered as a Timeout scheduled at the same moment would be


class Environment(simpy.Environment):
    """``simpy.Environment`` plus ``call_later``; ``run`` takes a number or nothing.

    A hot path may push ``(time, CALL_PRIORITY, next_id(), function, argument)``
    onto ``calendar`` itself, to save a call.
    """

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        # SimPy types its queue as holding events; calls share it (see the module's docstring).
        self.calendar: list[Any] = self._queue
        self.next_id = self._eid.__next__

    def call_later(self, delay: float, function: Callable[[Any], object], argument: object) -> None:
        """Call ``function(argument)`` ``delay`` simulated seconds from now."""
        heappush(self.calendar, (self._now + delay, _NORMAL, next(self._eid), function, argument))

    def step(self) -> None:
        try:
            entry = heappop(self.calendar)
        except IndexError:
            raise EmptySchedule from None
        if len(entry) == 5:
            self._now = entry[0]
            entry[3](entry[4])
        else:  # still the smallest: SimPy's own step pops it again
            heappush(self.calendar, entry)
            super().step()

    def run(self, until: float | Event | None = None) -> Any:
        """Run until simulated time ``until``, exactly as ``simpy.Environment.run`` does."""
        if until is None or isinstance(until, Event):
            return super().run(until)
        at = float(until)
        if at <= self._now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        # SimPy stops with an URGENT event scheduled now + (at - now): the same time, the
        # same place in the order (entries before it run, entries after it wait).
        stop = self._now + (at - self._now)
        stop_id = next(self._eid)
        queue = self.calendar
        pop = heappop
        while queue:
            entry = pop(queue)
            time = entry[0]
            if time >= stop and (time > stop or (entry[1], entry[2]) > (_URGENT, stop_id)):
                heappush(queue, entry)  # not yet: back where it was (entries are unique)
                break
            self._now = time
            # A call is (time, priority, id, function, argument), a SimPy event has no
            # fifth item. 3.11's ``try`` costs nothing until something is raised, so
            # this is cheaper than checking ``len(entry)``; events are rare.
            try:
                argument = entry[4]
            except IndexError:
                _fire(entry[3])
            else:
                entry[3](argument)
        self._now = stop
        return None


def _fire(event: Event) -> None:
    """What ``simpy.Environment.step`` does with an event it popped."""
    callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
    for callback in callbacks or ():
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        # The event failed and nobody defused it: crash, as SimPy does.
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
