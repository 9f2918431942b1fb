"""Problems in the user's language: the engine's (``Problem``) and any reason template.

``architect.sim`` writes each reason as an English template marked with ``N_``
(``architect.sim.text``). Here the template goes through gettext in the active
language and its parameters are filled: numbers in the language's way, node
kinds in words, nested phrases and refused commands translated too. In English
the text is exactly the engine's own ``message``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils import formats
from django.utils.translation import get_language, gettext, pgettext

from architect.sandbox.error_text import error_text
from architect.sim.commands import CommandError
from architect.sim.model.problems import Problem
from architect.sim.text import render

SOURCE_LANGUAGE = "en"  # the language the templates are written in
KIND_PARAMS = ("kind", "source_kind", "target_kind")  # parameters that hold a node kind

# A node kind as a problem names it; in English the identifier as it is written in a file.
KINDS: dict[str, Callable[[], str]] = {
    "dns": lambda: pgettext("node kind in a problem", "dns"),
    "cdn": lambda: pgettext("node kind in a problem", "cdn"),
    "load_balancer": lambda: pgettext("node kind in a problem", "load_balancer"),
    "web_server": lambda: pgettext("node kind in a problem", "web_server"),
    "cache": lambda: pgettext("node kind in a problem", "cache"),
    "database": lambda: pgettext("node kind in a problem", "database"),
    "session_store": lambda: pgettext("node kind in a problem", "session_store"),
    "message_queue": lambda: pgettext("node kind in a problem", "message_queue"),
    "worker_pool": lambda: pgettext("node kind in a problem", "worker_pool"),
}


def problem_text(problem: Problem) -> str:
    """``path: reason`` in the active language (``nodes[3].ttl_s: must be a positive number``)."""
    return f"{problem.path}: {reason_text(problem.reason, problem.params)}"


def reason_text(reason: str, params: Mapping[str, object]) -> str:
    """A reason template translated and filled; the English text when nothing is translated."""
    if (get_language() or SOURCE_LANGUAGE).split("-")[0] == SOURCE_LANGUAGE:
        return render(reason, params)
    template = gettext(reason)
    if not params:
        return template
    try:
        return template % {name: _param(name, value) for name, value in params.items()}
    except (KeyError, ValueError, TypeError):  # a broken translation must not hide the problem
        return render(reason, params)


def kind_name(kind: str) -> str:
    """A node kind in the active language; an unknown one as it is."""
    label = KINDS.get(kind)
    return label() if label else kind


def number_text(value: float) -> str:
    """A number as the problems write it (``.15g``), with the language's decimal mark."""
    text = format(value, ".15g")
    mark = str(formats.get_format("DECIMAL_SEPARATOR"))
    return text.replace(".", mark) if "e" not in text else text


def _param(name: str, value: object) -> str:
    if isinstance(value, CommandError):
        return error_text(value)
    reason, params = getattr(value, "reason", None), getattr(value, "params", None)
    if isinstance(reason, str) and isinstance(params, Mapping):
        return reason_text(reason, params)  # a nested phrase (``architect.sim.text.Text``)
    if name in KIND_PARAMS:
        return kind_name(str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number_text(value)
    return str(value)
