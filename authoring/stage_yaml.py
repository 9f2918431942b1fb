"""One stage of a plan's YAML, read as plain data and written back in place.

The stage forms edit a stage's mapping; ``replace_stage`` swaps that stage's lines in the
draft for the new mapping dumped as block YAML, leaving every other line (and comment) of
the file as it was. Comments inside the edited stage are not kept.
"""

from __future__ import annotations

from typing import Any

import yaml

from architect.yamlmarks import YamlProblem, parse_with_lines


class _Dumper(yaml.SafeDumper):
    """Block style; texts of several lines as ``|`` blocks, as people write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


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
    dumped = yaml.dump(
        stage, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    ).rstrip("\n")
    pad = " " * column
    body = [
        (pad + "- " + row) if n == 0 else (pad + "  " + row if row else "")
        for n, row in enumerate(dumped.split("\n"))
    ]
    return "\n".join(lines[:start] + body + lines[end:])
