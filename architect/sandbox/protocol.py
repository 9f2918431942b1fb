"""Messages from the page (htmx ``ws-send`` JSON) to typed commands.

``parse`` returns a frozen command, or raises ``ProtocolError`` with a stable
``code`` and a translated, specific ``message``. Call it inside the user's
``translation.override``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.utils.translation import gettext as _

from architect.sandbox.live import SPEEDS, Control, Pause, Reset, Resume, SetSpeed
from architect.sim import commands as sim
from architect.sim.commands import MAX_RPS
from architect.sim.model.limits import (
    BALANCING_ALGORITHMS,
    MAX_POOL_WORKERS,
    MAX_WEB_SERVERS,
    REGIONS,
    SHARDING_STRATEGIES,
)
from architect.sim.model.sizes import SIZES

MIN_TRAFFIC = 1
MAX_TRAFFIC = int(MAX_RPS)
SIZE_NAMES = tuple(SIZES)
NODE_ID = re.compile(r"^[a-z0-9-]{1,32}$")
STRATEGIES = SHARDING_STRATEGIES[1:]  # "none" is where the data starts, not a choice
MAX_ZIPF_S = 3.0
TARGET_PERCENT = (5, 95)
CHECKED = ("on", "true", "1")
UNCHECKED = ("", "off", "false", "0")

Message = sim.Command | Control


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


def _number(
    data: dict[str, Any], name: str, low: float, high: float, *, default: float | None = None
) -> float:
    """A number in [low, high]; ``default`` when the field is absent (None: required)."""
    if default is not None and data.get(name) in (None, ""):
        return default
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
            % {"field": name, "low": f"{low:.15g}", "high": f"{high:.15g}"},
        )
    return number


def _whole(
    data: dict[str, Any], name: str, low: int, high: int, *, default: int | None = None
) -> int:
    number = _number(data, name, low, high, default=default)
    if number != int(number):
        raise ProtocolError(
            "not_whole",
            _("The field “%(field)s” must be a whole number.") % {"field": name},
        )
    return int(number)


def _checkbox(data: dict[str, Any], name: str) -> bool:
    """An HTML checkbox: absent when unticked, "on" when ticked."""
    value = data.get(name)
    text = str(value).lower() if value is not None else ""
    if value is None or value is False or text in UNCHECKED:
        return False
    if value is True or text in CHECKED:
        return True
    raise ProtocolError(
        "not_a_checkbox",
        _("The field “%(field)s” must be on or off.") % {"field": name},
    )


def _choice(data: dict[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = _field(data, name)
    if value not in choices:
        raise ProtocolError(
            f"bad_{name}",
            _("The field “%(field)s” must be one of %(choices)s.")
            % {"field": name, "choices": ", ".join(choices)},
        )
    return str(value)


def _traffic_mix(data: dict[str, Any]) -> sim.SetTrafficMix:
    """Percentages in the form, ratios in the command."""
    return sim.SetTrafficMix(
        read_ratio=_number(data, "read_percent", 0, 100) / 100,
        static_ratio=_number(data, "static_percent", 0, 100) / 100,
        zipf_s=_number(data, "zipf_s", 0, MAX_ZIPF_S),
    )


def _autoscaling(data: dict[str, Any]) -> sim.SetAutoscaling:
    defaults = sim.SetAutoscaling(enabled=False)
    low = _whole(data, "min", 1, MAX_WEB_SERVERS, default=defaults.min)
    high = _whole(data, "max", 1, MAX_WEB_SERVERS, default=defaults.max)
    if low > high:
        raise ProtocolError(
            "min_above_max",
            _("The minimum (%(low)d) must not be above the maximum (%(high)d).")
            % {"low": low, "high": high},
        )
    target = _number(
        data, "target_percent", *TARGET_PERCENT, default=defaults.target_utilization * 100
    )
    return sim.SetAutoscaling(_checkbox(data, "enabled"), low, high, target / 100)


def _operations(data: dict[str, Any]) -> sim.SetOperations:
    return sim.SetOperations(_checkbox(data, "monitoring"), _checkbox(data, "automation"))


def _workers(data: dict[str, Any]) -> sim.SetWorkers:
    return sim.SetWorkers(_node(data), _whole(data, "workers", 1, MAX_POOL_WORKERS))


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


def _center(data: dict[str, Any], *, required: bool = True) -> str:
    """A data center's name; optional ones may be absent ("": the first center)."""
    if not required and not data.get("center"):
        return ""
    value = _field(data, "center")
    if not isinstance(value, str) or not NODE_ID.match(value):
        raise ProtocolError(
            "bad_center",
            _("“%(center)s” is not a data center name (lowercase letters, digits and dashes).")
            % {"center": str(value)[:40]},
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
    "set_traffic_mix": _traffic_mix,
    "add_web_server": lambda d: sim.AddWebServer(),
    "remove_web_server": lambda d: sim.RemoveWebServer(_node(d, required=False)),
    "add_load_balancer": lambda d: sim.AddLoadBalancer(),
    "separate_database": lambda d: sim.SeparateDatabase(),
    "add_cache": lambda d: sim.AddCache(),
    "add_replica": lambda d: sim.AddReplica(),
    "add_cdn": lambda d: sim.AddCdn(),
    "purge_cdn": lambda d: sim.PurgeCdn(),
    "version_assets": lambda d: sim.VersionAssets(),
    "add_session_store": lambda d: sim.AddSessionStore(),
    "set_balancing": lambda d: sim.SetBalancing(_choice(d, "algorithm", BALANCING_ALGORITHMS)),
    "set_autoscaling": _autoscaling,
    "set_operations": _operations,
    "add_shard": lambda d: sim.AddShard(_choice(d, "strategy", STRATEGIES)),
    "add_message_queue": lambda d: sim.AddMessageQueue(),
    "set_workers": _workers,
    "add_data_center": lambda d: sim.AddDataCenter(
        _center(d, required=False), _choice(d, "region", REGIONS)
    ),
    "fail_data_center": lambda d: sim.FailDataCenter(_center(d)),
    "restore_data_center": lambda d: sim.RestoreDataCenter(_center(d)),
    "resize": lambda d: sim.ResizeNode(_node(d), _size(d)),
    "fail": lambda d: sim.FailNode(_node(d)),
    "restore": lambda d: sim.RestoreNode(_node(d)),
    "pause": lambda d: Pause(),
    "resume": lambda d: Resume(),
    "speed": _speed,
    "reset": lambda d: Reset(),
}
