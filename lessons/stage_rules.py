"""Read what a stage fixes for its run (``fixed``), the shortcuts it allows and the
wrong answers it names for the checker to try (``shortcuts``): see ``lessons.fixed``
and ``lessons.shortcuts``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from architect.sim.text import N_
from architect.yamlmarks import join
from lessons.fixed import FIXABLE, fixed_by
from lessons.shortcuts import GENERIC

if TYPE_CHECKING:
    from lessons.format import _Reader

MAX_REASON = 300
MAX_TRIES = 5
_TRY_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
Actions = tuple[dict[str, Any], ...]


def read_fixed(
    r: _Reader, raw: object, path: str, solution: tuple[dict[str, Any], ...]
) -> tuple[str, ...]:
    """``fixed: [traffic, repair]``; the solution may not need what the run fixes."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or any(
        not isinstance(name, str) or name not in FIXABLE for name in raw
    ):
        r.problem(path, N_("must be a list of %(choices)s"), choices=", ".join(FIXABLE))
        return ()
    fixed = tuple(dict.fromkeys(str(n) for n in raw))
    for index, step in enumerate(solution):
        name = fixed_by(fixed, str(step.get("action")))
        if name:
            r.problem(
                join(join(path.rsplit(".", 1)[0], "solution"), index),
                N_("the stage fixes %(fixed)s for its run: its solution cannot change it"),
                fixed=name,
            )
    return fixed


def read_allowed(r: _Reader, raw: object, path: str, steps: int) -> dict[str, str]:
    """``shortcuts: [{allow: every_node_xl, reason: "..."}]``: each with its reason."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        r.problem(path, N_("must be a list like [{allow: every_node_xl, reason: ...}]"))
        return {}
    keys = [k for k in GENERIC if k != "nothing"] + [f"without_step_{i}" for i in range(steps)]
    allowed: dict[str, str] = {}
    for index, item in enumerate(raw):
        where = join(path, index)
        if isinstance(item, Mapping) and "try" in item:
            continue  # a wrong answer to try (``read_tries``)
        data = r.mapping(item, where, ("allow", "reason"), ("allow", "reason"))
        if not isinstance(item, Mapping) or not data:
            continue
        key = data.get("allow")
        if key not in keys:
            r.problem(
                join(where, "allow"), N_("must be one of %(choices)s"), choices=", ".join(keys)
            )
            continue
        reason = r.line_text(data.get("reason"), join(where, "reason"), MAX_REASON)
        if reason:
            allowed[str(key)] = reason
    return allowed


def read_tries(
    r: _Reader, raw: object, path: str, actions: Callable[[object, str], Actions]
) -> tuple[tuple[str, Actions], ...]:
    """``shortcuts: [{try: modulo, actions: [{action: add_shard, strategy: modulo}]}]``:
    a wrong answer the stage names, which the checker tries as a shortcut that must not
    meet the goal (``actions`` reads the list of actions at a path)."""
    if not isinstance(raw, list):
        return ()  # read_allowed says what is wrong
    taken = set(GENERIC)
    tries: list[tuple[str, Actions]] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping) or "try" not in item:
            continue
        where = join(path, index)
        data = r.mapping(item, where, ("try", "actions"), ("try", "actions"))
        name = data.get("try")
        if not isinstance(name, str) or not _TRY_NAME.fullmatch(name) or name in taken:
            r.problem(
                join(where, "try"),
                N_("must be a new name of lowercase letters, digits and _, like modulo_reshard"),
            )
            continue
        if len(tries) == MAX_TRIES:
            r.problem(where, N_("at most %(limit)s wrong answers to try"), limit=MAX_TRIES)
            break
        steps = actions(data.get("actions"), join(where, "actions"))
        if steps:
            taken.add(name)
            tries.append((name, steps))
    return tuple(tries)
