"""Parse YAML safely and remember the line of every field.

``parse_with_lines(text)`` returns the plain data and a ``{path: line}``
mapping (``stages[3].goal.conditions[0].metric`` → 42, 1-based), built from
the composed node tree. Anchors and aliases are refused (they would let a
small file expand into a huge one) and so are duplicate keys.
"""

from __future__ import annotations

from typing import Any

import yaml

from architect.sim.text import N_, Params, render


class YamlProblem(Exception):
    """The text is not YAML we accept; ``line`` is 1-based (0 when unknown).

    ``reason`` and ``params`` are a translatable template (``architect.sim.text``);
    ``message`` is the English text.
    """

    def __init__(self, line: int, reason: str, params: Params | None = None) -> None:
        self.line = line
        self.reason = reason
        self.params = dict(params or {})
        self.message = render(reason, self.params)
        super().__init__(self.message)


def join(path: str, key: object) -> str:
    """``stages[3]`` + ``goal`` → ``stages[3].goal``; ``stages`` + 3 → ``stages[3]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def parse_with_lines(text: str) -> tuple[Any, dict[str, int]]:
    """Plain data and each field's line; raises ``YamlProblem``."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        lines: dict[str, int] = {}
        _walk(node, "", lines, set())
        return loader.construct_document(node), lines
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlProblem(
            line, N_("not valid YAML: %(detail)s"), {"detail": str(error.problem or error)}
        ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(0, N_("not valid YAML: %(detail)s"), {"detail": str(error)}) from None
    finally:
        loader.dispose()


def _walk(node: yaml.Node, path: str, lines: dict[str, int], seen: set[int]) -> None:
    if id(node) in seen:
        line = lines.get(path, node.start_mark.line + 1)
        raise YamlProblem(line, N_("anchors and aliases (& and *) are not allowed"))
    seen.add(id(node))
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, join(path, index), lines, seen)
    elif isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(
                    key_node.start_mark.line + 1, N_("merge keys (<<) are not allowed")
                )
            key = str(key_node.value)
            if key in keys:
                raise YamlProblem(
                    key_node.start_mark.line + 1,
                    N_('%(path)s: the key "%(key)s" appears twice'),
                    {"path": join(path, key), "key": key},
                )
            keys.add(key)
            child = join(path, key)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines, seen)
