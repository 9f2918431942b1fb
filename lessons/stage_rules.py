"""Read what a stage fixes for its run (``fixed``) and the shortcuts it allows
(``shortcuts``): see ``lessons.fixed`` and ``lessons.shortcuts``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from architect.sim.text import N_
from architect.yamlmarks import join
from lessons.fixed import FIXABLE, fixed_by
from lessons.shortcuts import GENERIC

if TYPE_CHECKING:
    from lessons.format import _Reader

MAX_REASON = 300


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
