"""Plain-words reasons that can be translated later, without Django.

A reason is an English template with named placeholders, marked with ``N_`` so
that ``manage.py makemessages`` (which adds ``--keyword=N_``) collects it:
``Problem(path, N_("must be between %(low)s and %(high)s"), {"low": 1, "high": 16})``.
``render`` gives the English text; ``architect.problem_text`` the user's language.
A parameter is text, a number (written with ``.15g``), or something with a
``message`` of its own (a nested ``Text``, an engine ``CommandError``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

Params = Mapping[str, object]


def N_(message: str) -> str:
    """Mark ``message`` for translation; returns it unchanged."""
    return message


def english(value: object) -> str:
    """One parameter as the English text shows it."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return format(value, ".15g")
    message = getattr(value, "message", None)
    return message if isinstance(message, str) else str(value)


def render(reason: str, params: Params) -> str:
    """The English text of a reason: its placeholders filled (none: the template as it is)."""
    if not params:
        return reason
    return reason % {name: english(value) for name, value in params.items()}


@dataclass(frozen=True, slots=True)
class Text:
    """A phrase inside a reason (``shard %(shard)s``), translated with it."""

    reason: str
    params: Params = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        return render(self.reason, self.params)

    def __str__(self) -> str:
        return self.message
