"""The page's messages (htmx ``ws-send`` JSON) through the action vocabulary.

``decode`` is the transport step both consumers share: one WebSocket frame → a JSON
object (size, UTF-8, nesting depth, numbers a float can hold, JSON, "must be an object"),
its text cleaned (``architect.sandbox.guard.clean``), without htmx's ``HEADERS``. ``parse`` reads
that object with ``architect.sim.actions`` as a form sends it, for the actions a use
accepts (``SANDBOX_ACTIONS`` here, ``LESSON_ACTIONS`` on a stage's socket). Every
problem becomes a ``ProtocolError`` with a stable ``code`` and a translated, specific
``message``: call it inside the user's ``translation.override``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection
from typing import Any

from django.utils.translation import gettext as _

from architect.problem_text import number_text, reason_text
from architect.sandbox.guard import clean, nesting
from architect.sim import actions
from architect.sim.actions import SANDBOX_ACTIONS, Action
from architect.sim.model.problems import (
    A_NUMBER,
    A_WHOLE_NUMBER,
    BETWEEN,
    CENTER_TEXT,
    MISSING,
    NODE_ID_TEXT,
    ZERO_OR_MORE,
    Problem,
)

PATH = "message"  # where a message's problems are, as the vocabulary names it
ENVELOPE = "HEADERS"  # what htmx's ws-send adds to the form's fields
MAX_DEPTH = 8  # a form's message is an object holding htmx's HEADERS object: depth 2
MAX_DIGITS = 18  # a number written with more digits is refused before it is converted


class ProtocolError(Exception):
    """A message the sandbox cannot understand; nothing was changed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode(text: str | bytes, *, max_bytes: int | None = None) -> dict[str, Any]:
    """One WebSocket frame as the JSON object it holds, htmx's envelope left out."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if max_bytes is not None and len(raw) > max_bytes:
        raise ProtocolError(
            "too_large",
            _("The message is too large (%(size)d bytes; the limit is %(limit)d).")
            % {"size": len(raw), "limit": max_bytes},
        )
    try:
        source = raw.decode("utf-8")  # lone surrogates' bytes are not UTF-8
    except UnicodeDecodeError:
        raise ProtocolError("not_json", _("The message is not valid JSON.")) from None
    if nesting(source) > MAX_DEPTH:
        raise ProtocolError(
            "too_deep",
            _("The message is nested too deeply (more than %(limit)d levels).")
            % {"limit": MAX_DEPTH},
        )
    try:
        data = json.loads(
            source, parse_int=_whole, parse_float=_real, parse_constant=_not_a_constant
        )
    except ValueError:
        raise ProtocolError("not_json", _("The message is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ProtocolError("not_object", _("The message must be a JSON object."))
    data.pop(ENVELOPE, None)
    return clean(data)


def _too_long() -> ProtocolError:
    return ProtocolError(
        "too_long_number",
        _("The message holds a number that is too large (at most %(limit)d digits).")
        % {"limit": MAX_DIGITS},
    )


def _whole(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_DIGITS:
        raise _too_long()
    return int(literal)


def _real(literal: str) -> float:
    mantissa = literal.lstrip("-").split("e")[0].split("E")[0]
    if len(mantissa) > MAX_DIGITS + 1:  # the point counts too
        raise _too_long()
    value = float(literal)
    if not math.isfinite(value):  # 1e400
        raise _too_long()
    return value


def _not_a_constant(literal: str) -> float:
    """NaN and Infinity are not JSON (Python's reader accepts them)."""
    raise ValueError(literal)


def parse(
    text: str | bytes,
    *,
    accepts: Collection[str] = SANDBOX_ACTIONS,
    max_bytes: int | None = None,
) -> Action:
    """One WebSocket frame as a command of the vocabulary, if ``accepts`` holds its action."""
    return parse_data(decode(text, max_bytes=max_bytes), accepts=accepts)


def parse_data(data: dict[str, Any], *, accepts: Collection[str] = SANDBOX_ACTIONS) -> Action:
    """A decoded frame (``decode``) as a command of the vocabulary, as ``parse`` reads it."""
    problems: list[Problem] = []
    command = actions.read(data, PATH, problems, accepts=accepts, form=True)
    if command is None or problems:
        said = [sentence(problem) for problem in problems]
        raise ProtocolError(said[0][0], " ".join(text for _code, text in said))
    return command


# The sandbox's own sentence for each of the vocabulary's reasons: (code, template).
# The template may use the field's name (``field``), the problem's parameters and, for a
# bad name, the value under the field's name (``node``, ``center``).
SENTENCES: dict[str, tuple[str, Callable[[], str]]] = {
    MISSING: ("missing_field", lambda: _("The field “%(field)s” is missing.")),
    A_NUMBER: ("not_a_number", lambda: _("The field “%(field)s” must be a number.")),
    A_WHOLE_NUMBER: ("not_whole", lambda: _("The field “%(field)s” must be a whole number.")),
    BETWEEN: (
        "out_of_range",
        lambda: _("The field “%(field)s” must be between %(low)s and %(high)s."),
    ),
    ZERO_OR_MORE: ("out_of_range", lambda: _("The field “%(field)s” must be zero or more.")),
    actions.ON_OR_OFF: ("not_a_checkbox", lambda: _("The field “%(field)s” must be on or off.")),
    actions.UNKNOWN_ACTION: ("unknown_action", lambda: _("Unknown action “%(action)s”.")),
    actions.NOT_A_FIELD_OF: (
        "unknown_field",
        lambda: _("The field “%(field)s” is not part of the action %(action)s."),
    ),
    actions.NOT_ABOVE_MAX: (
        "min_above_max",
        lambda: _("The minimum (%(low)s) must not be above the maximum (%(high)s)."),
    ),
    NODE_ID_TEXT: (
        "bad_node",
        lambda: _("“%(node)s” is not a node id (lowercase letters, digits and dashes)."),
    ),
    CENTER_TEXT: (
        "bad_center",
        lambda: _("“%(center)s” is not a data center name (lowercase letters, digits and dashes)."),
    ),
}


def sentence(problem: Problem) -> tuple[str, str]:
    """A problem of the vocabulary as the sandbox says it: its code and its sentence."""
    field = problem.path.rpartition(".")[2]
    params = {"field": field} | {
        name: number_text(value) if isinstance(value, (int, float)) else str(value)
        for name, value in problem.params.items()
    }
    params.setdefault(field, params.get("value", ""))  # a bad node id names the node
    if problem.reason == MISSING and field == "action":
        return "missing_action", _("The message has no action.")
    if "choices" in problem.params:  # architect.sim.problems.one_of
        return f"bad_{field}", _("The field “%(field)s” must be one of %(choices)s.") % params
    known = SENTENCES.get(problem.reason)
    if known is None:
        return "bad_field", f"“{field}”: {reason_text(problem.reason, problem.params)}"
    code, template = known
    return code, template() % params
