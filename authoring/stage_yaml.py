"""One stage of a plan's YAML, read as plain data and written back in place.

The stage forms edit a stage's mapping; ``replace_stage`` swaps that stage's lines in the
draft for the new mapping dumped in the shipped plan's style (block mappings and lists,
each short map or list of words and numbers on one line: ``dump``), leaving every other
line (and comment) of the file as it was. Comments inside the edited stage are not kept.
"""

from __future__ import annotations

from typing import Any

import yaml

from architect.yamlmarks import YamlProblem, parse_with_lines

# A short map or list of plain words and numbers is written on one line, as the shipped plan
# writes a node, a link, an action or the traffic; one longer than this in block style (so a
# line stays within the dump's width, 100, where the emitter would break it).
FLOW_MAX = 80


class _Dumper(yaml.SafeDumper):
    """The shipped plan's style: block mappings and lists of collections (a topology, its
    ``nodes`` and ``links``, a solution, events) with each short item on one line; texts of
    several lines as ``|`` blocks, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # a list under a key is indented, as written


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _word(value: object) -> bool:
    """A scalar a one-line item may hold: a number, a flag, nothing, a word (no spaces)."""
    if isinstance(value, str):
        return bool(value) and not any(char.isspace() for char in value)
    return value is None or isinstance(value, bool | int | float)


def _short(value: dict[Any, Any] | list[Any]) -> bool:
    items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
    return all(_word(item) for item in items) and len(flow(value)) <= FLOW_MAX


def _mapping(dumper: yaml.SafeDumper, value: dict[Any, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=_short(value))


def _sequence(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=_short(value))


_Dumper.add_representer(str, _text)
_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(list, _sequence)


def dump(value: object) -> str:
    """``value`` as block YAML in the shipped plan's style (see ``_Dumper``)."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def flow(value: object) -> str:
    """``value`` as one line of YAML flow style."""
    return yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10_000
    ).strip()


def stages_of(text: str) -> list[dict[str, Any]] | None:
    """The raw stage mappings, or None when the text is not YAML with a list of stages."""
    try:
        data, _lines = parse_with_lines(text)
    except YamlProblem:
        return None
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, list) or not all(isinstance(s, dict) for s in stages):
        return None
    return stages


def _span(lines: list[str], start: int) -> tuple[int, int, int]:
    """The stage item starting at line index ``start``: (start, end, dash column)."""
    column = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    last = start
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped and not stripped.startswith("#"):
            if indent < column or (indent == column and stripped.startswith("-")):
                break
            if indent == column:
                break
            last = end
        end += 1
    return start, last + 1, column


def replace_stage(text: str, index: int, stage: dict[str, Any]) -> str:
    """``text`` with stage ``index`` written as ``stage``; raises ``ValueError`` when the
    text has no such stage."""
    try:
        _data, places = parse_with_lines(text)
    except YamlProblem as problem:
        raise ValueError(problem.message) from None
    line = places.get(f"stages[{index}]")
    if line is None:
        raise ValueError(f"no stage {index}")
    lines = text.split("\n")
    start, end, column = _span(lines, line - 1)
    if not lines[start].lstrip().startswith("-"):
        raise ValueError("the stage is not a block list item")
    dumped = dump(stage).rstrip("\n")
    pad = " " * column
    body = [
        (pad + "- " + row) if n == 0 else (pad + "  " + row if row else "")
        for n, row in enumerate(dumped.split("\n"))
    ]
    return "\n".join(lines[:start] + body + lines[end:])
