"""A room's own messages, beside the simulation's vocabulary (``architect.sim.actions``).

A frame is decoded as the sandbox's are (``architect.sandbox.protocol.decode``: size,
JSON, an object). Its ``action`` is either one of the room's own (``ROOM_ACTIONS``: the
instructor's moves, a student's own stage) read here into a small frozen value, or one of
the simulation's, read by the vocabulary for the actions the socket ``accepts``. Every
problem is a ``ProtocolError`` with a translated sentence (call inside the user's
language). These values are plain data on the channel layer too (``as_data``/``read``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any, cast

from django.utils.translation import gettext as _
from typing_extensions import TypeIs

from architect.sandbox.protocol import ProtocolError, parse_data
from architect.sim.actions import SANDBOX_ACTIONS, Action

NAME_LENGTH = 40


@dataclass(frozen=True)
class GoToStage:
    stage: int


@dataclass(frozen=True)
class Lock:
    locked: bool


@dataclass(frozen=True)
class PollOpen:
    pass


@dataclass(frozen=True)
class PollClose:
    pass


@dataclass(frozen=True)
class PollReveal:
    pass


@dataclass(frozen=True)
class PollRevote:
    pass


@dataclass(frozen=True)
class TryStart:
    pass


@dataclass(frozen=True)
class TryStop:
    pass


@dataclass(frozen=True)
class Spotlight:
    participant: int | None  # None: take the design off the projector


@dataclass(frozen=True)
class EndRoom:
    pass


@dataclass(frozen=True)
class RemoveParticipant:
    participant: int


@dataclass(frozen=True)
class RenameParticipant:
    participant: int
    name: str


@dataclass(frozen=True)
class MyStage:
    """A student moves to another stage's text (when the room is not locked)."""

    stage: int


RoomCommand = (
    GoToStage
    | Lock
    | PollOpen
    | PollClose
    | PollReveal
    | PollRevote
    | TryStart
    | TryStop
    | Spotlight
    | EndRoom
    | RemoveParticipant
    | RenameParticipant
    | MyStage
)
_COMMANDS: dict[str, type[RoomCommand]] = {
    "room_stage": GoToStage,
    "room_lock": Lock,
    "poll_open": PollOpen,
    "poll_close": PollClose,
    "poll_reveal": PollReveal,
    "poll_revote": PollRevote,
    "try_start": TryStart,
    "try_stop": TryStop,
    "spotlight": Spotlight,
    "room_end": EndRoom,
    "remove": RemoveParticipant,
    "rename": RenameParticipant,
    "my_stage": MyStage,
}
_NAMES = {kind: name for name, kind in _COMMANDS.items()}
ROOM_ACTIONS = tuple(_COMMANDS)
# Who may send which: the instructors drive; a student moves only themself.
INSTRUCTOR_ROOM_ACTIONS = tuple(name for name in ROOM_ACTIONS if name != "my_stage")
STUDENT_ROOM_ACTIONS = ("my_stage",)
# The simulation's actions an instructor's console sends: every sandbox control and the
# stage's scripted run; a student's copy: the same plus a hint.
CONSOLE_ACTIONS = (*SANDBOX_ACTIONS, "run")
COPY_ACTIONS = (*SANDBOX_ACTIONS, "run", "hint")


def is_room(command: object) -> TypeIs[RoomCommand]:
    """Whether ``command`` is one of the room's own (not the simulation's)."""
    return type(command) in _NAMES


def as_data(command: RoomCommand) -> dict[str, Any]:
    return {"action": _NAMES[type(command)], **asdict(command)}


def read(
    data: dict[str, Any], *, room: Collection[str], simulation: Collection[str]
) -> RoomCommand | Action:
    """The command a decoded frame holds, if its action is in ``room`` or ``simulation``."""
    name = data.get("action")
    if isinstance(name, str) and name in room and name in _COMMANDS:
        return _room_command(name, data)
    return parse_data(data, accepts=simulation)


def _room_command(name: str, data: dict[str, Any]) -> RoomCommand:
    kind = _COMMANDS[name]
    fields = {key: value for key, value in data.items() if key != "action"}
    if kind is GoToStage or kind is MyStage:
        return kind(stage=_whole(fields, "stage"))
    if kind is Lock:
        return Lock(locked=_flag(fields.get("locked")))
    if kind is Spotlight:
        empty = fields.get("participant") in (None, "")
        return Spotlight(participant=None if empty else _whole(fields, "participant"))
    if kind is RemoveParticipant:
        return RemoveParticipant(participant=_whole(fields, "participant"))
    if kind is RenameParticipant:
        return RenameParticipant(participant=_whole(fields, "participant"), name=_name(fields))
    return cast("type[PollOpen]", kind)()  # the commands without fields


def _whole(fields: dict[str, Any], key: str) -> int:
    value = fields.get(key)
    if value is None or value == "":
        raise ProtocolError(
            "missing_field", _("The field “%(field)s” is missing.") % {"field": key}
        )
    if isinstance(value, bool):
        value = "x"
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0 or number > 1_000_000_000:
        raise ProtocolError(
            "not_whole", _("The field “%(field)s” must be a whole number.") % {"field": key}
        )
    return number


def _flag(value: object) -> bool:
    if value in (True, "on", "true", "1", 1):
        return True
    if value in (None, False, "", "off", "false", "0", 0):
        return False
    raise ProtocolError(
        "not_a_checkbox", _("The field “%(field)s” must be on or off.") % {"field": "locked"}
    )


def _name(fields: dict[str, Any]) -> str:
    name = clean_name(fields.get("name"))
    if not name:
        raise ProtocolError("bad_name", name_problem())
    return name


def clean_name(value: object) -> str:
    """A display name: printable characters with single spaces, at most NAME_LENGTH;
    "" when nothing is left."""
    if not isinstance(value, str):
        return ""
    text = " ".join("".join(ch for ch in value if ch.isprintable()).split())
    return text if len(text) <= NAME_LENGTH else ""


def name_problem() -> str:
    return _("A name has 1 to %(limit)d characters.") % {"limit": NAME_LENGTH}


def read_plain(data: dict[str, Any]) -> RoomCommand:
    """A room command as ``as_data`` wrote it (from the channel layer)."""
    name = data.get("action")
    if not isinstance(name, str) or name not in _COMMANDS:
        raise ProtocolError("unknown_action", _("Unknown action “%(action)s”.") % {"action": name})
    return _room_command(name, data)
