"""Messages from the page (htmx ``ws-send`` JSON) to typed commands.

``parse`` returns a frozen command, or raises ``ProtocolError`` with a stable
``code`` and a translated, specific ``message``. Call it inside the user's
``translation.override``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Union

from django.utils.translation import gettext as _

from architect.sandbox.live import SPEEDS, Control, Pause, Reset, Resume, SetSpeed
from architect.sim import commands as sim
from architect.sim.commands import MAX_RPS
from architect.sim.sizes import SIZES

MIN_TRAFFIC = 1
MAX_TRAFFIC = int(MAX_RPS)
SIZE_NAMES = tuple(SIZES)
NODE_ID = re.compile(r"^[a-z0-9-]{1,32}$")

Message = Union[sim.Command, Control]


class ProtocolError(Exception):
    """A message the sandbox cannot understand; nothing was changed."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse(text: str | bytes, *, max_bytes: int | None = None) -> Message:
    """Turn one WebSocket frame into a command."""
    raw = text.encode() if isinstance(text, str) else text
    if max_bytes is not None and len(raw) > max_bytes:
        raise ProtocolError(
            "too_large",
            _("The message is too large (%(size)d bytes; the limit is %(limit)d).")
            % {"size": len(raw), "limit": max_bytes},
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("not_json", _("The message is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ProtocolError("not_object", _("The message must be a JSON object."))
    action = data.get("action")
    if not action:
        raise ProtocolError("missing_action", _("The message has no action."))
    builder = _BUILDERS.get(action) if isinstance(action, str) else None
    if builder is None:
        raise ProtocolError(
            "unknown_action", _("Unknown action “%(action)s”.") % {"action": str(action)[:40]}
        )
    return builder(data)


def _field(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    if value is None or value == "":
        raise ProtocolError(
            "missing_field", _("The field “%(field)s” is missing.") % {"field": name}
        )
    return value


def _number(data: dict[str, Any], name: str, low: float, high: float) -> float:
    value = _field(data, name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ProtocolError(
            "not_a_number", _("The field “%(field)s” must be a number.") % {"field": name}
        )
    if not low <= number <= high:
        raise ProtocolError(
            "out_of_range",
            _("The field “%(field)s” must be between %(low)s and %(high)s.")
            % {"field": name, "low": f"{low:g}", "high": f"{high:g}"},
        )
    return number


def _node(data: dict[str, Any], *, required: bool = True) -> str:
    if not required and not data.get("node"):
        return ""
    value = _field(data, "node")
    if not isinstance(value, str) or not NODE_ID.match(value):
        raise ProtocolError(
            "bad_node",
            _("“%(node)s” is not a node id (lowercase letters, digits and dashes).")
            % {"node": str(value)[:40]},
        )
    return value


def _size(data: dict[str, Any]) -> str:
    value = _field(data, "size")
    if value not in SIZE_NAMES:
        raise ProtocolError(
            "bad_size",
            _("The size must be one of %(sizes)s.") % {"sizes": ", ".join(SIZE_NAMES)},
        )
    return str(value)


def _speed(data: dict[str, Any]) -> SetSpeed:
    speed = _number(data, "speed", min(SPEEDS), max(SPEEDS))
    if speed not in SPEEDS:
        raise ProtocolError(
            "out_of_range",
            _("The speed must be one of %(speeds)s.")
            % {"speeds": ", ".join(str(s) for s in SPEEDS)},
        )
    return SetSpeed(int(speed))


_BUILDERS: dict[str, Any] = {
    "set_traffic": lambda d: sim.SetTraffic(_number(d, "rps", MIN_TRAFFIC, MAX_TRAFFIC)),
    "add_web_server": lambda d: sim.AddWebServer(),
    "remove_web_server": lambda d: sim.RemoveWebServer(_node(d, required=False)),
    "add_load_balancer": lambda d: sim.AddLoadBalancer(),
    "separate_database": lambda d: sim.SeparateDatabase(),
    "add_cache": lambda d: sim.AddCache(),
    "add_replica": lambda d: sim.AddReplica(),
    "add_cdn": lambda d: sim.AddCdn(),
    "purge_cdn": lambda d: sim.PurgeCdn(),
    "version_assets": lambda d: sim.VersionAssets(),
    "resize": lambda d: sim.ResizeNode(_node(d), _size(d)),
    "fail": lambda d: sim.FailNode(_node(d)),
    "restore": lambda d: sim.RestoreNode(_node(d)),
    "pause": lambda d: Pause(),
    "resume": lambda d: Resume(),
    "speed": _speed,
    "reset": lambda d: Reset(),
}
