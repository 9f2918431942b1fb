"""Limits on plain data (parsed JSON or YAML), checked before any of it is read.

``plain_problems(data)`` walks the data without recursion and lists what no reader
should have to convert: nesting deeper than ``MAX_DEPTH``, more than ``MAX_VALUES``
values, text longer than ``MAX_TEXT`` characters or holding a lone surrogate, keys
that are not text, whole numbers beyond ``MAX_WHOLE`` (a float cannot hold them;
``10**400`` overflows ``math.isfinite``), floats that are not finite, and values of any
other type (dates, bytes, sets). The walk stops after ``MAX_PROBLEMS``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from architect.sim.model.problems import A_NUMBER, Problem
from architect.sim.text import N_

MAX_DEPTH = 32
MAX_VALUES = 100_000
MAX_TEXT = 10_000
MAX_WHOLE = 2**53  # every whole number up to this is exact as a float
MAX_PROBLEMS = 20
SURROGATE = re.compile("[\ud800-\udfff]")

TOO_DEEP = N_("nested more than %(limit)s levels deep")
TOO_MANY = N_("more than %(limit)s values")
TOO_LONG = N_("text longer than %(limit)s characters")
LONE_SURROGATE = N_("text with a lone surrogate is not allowed")
KEY_TEXT = N_("keys must be text")
TOO_LARGE = N_("a number larger than %(limit)s")
NOT_PLAIN = N_("must be text, a number, true or false, a list or a mapping")


def plain_problems(data: object, path: str = "") -> list[Problem]:
    """Every limit ``data`` breaks (at most ``MAX_PROBLEMS``), each with its path."""
    problems: list[Problem] = []
    stack: list[tuple[object, str, int]] = [(data, path, 1)]
    values = 0
    while stack and len(problems) < MAX_PROBLEMS:
        value, where, depth = stack.pop()
        values += 1
        if values > MAX_VALUES:
            problems.append(Problem(path or "(top)", TOO_MANY, {"limit": MAX_VALUES}))
            break
        if isinstance(value, (Mapping, list, tuple)) and depth > MAX_DEPTH:
            problems.append(Problem(where or "(top)", TOO_DEEP, {"limit": MAX_DEPTH}))
            continue
        problem = _scalar_problem(value, where or "(top)")
        if problem is not None:
            problems.append(problem)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if not isinstance(key, str) or _text_problem(key, where) is not None:
                    problems.append(Problem(where or "(top)", KEY_TEXT))
                    continue
                stack.append((item, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(value, (list, tuple)):
            stack.extend((item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
    return problems


def _scalar_problem(value: object, where: str) -> Problem | None:
    if value is None or isinstance(value, (bool, Mapping, list, tuple)):
        return None
    if isinstance(value, int):
        return None if -MAX_WHOLE <= value <= MAX_WHOLE else _too_large(where)
    if isinstance(value, float):
        return None if math.isfinite(value) else Problem(where, A_NUMBER)
    if isinstance(value, str):
        return _text_problem(value, where)
    return Problem(where, NOT_PLAIN)


def _too_large(where: str) -> Problem:
    return Problem(where, TOO_LARGE, {"limit": MAX_WHOLE})


def _text_problem(text: str, where: str) -> Problem | None:
    if len(text) > MAX_TEXT:
        return Problem(where or "(top)", TOO_LONG, {"limit": MAX_TEXT})
    if SURROGATE.search(text):
        return Problem(where or "(top)", LONE_SURROGATE)
    return None
