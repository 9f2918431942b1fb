"""Parse YAML safely and remember the line of every field.

``parse_with_lines(text)`` returns the plain data and a ``{path: line}``
mapping (``stages[3].goal.conditions[0].metric`` → 42, 1-based), built from
the composed node tree. Limits apply while the tree is composed, before any value
is converted: anchors and aliases are refused (they would let a small file expand
into a huge one), and so are nesting deeper than ``MAX_DEPTH``, more than
``MAX_NODES`` values, numbers written with more than ``MAX_NUMBER_CHARACTERS``
characters, lone surrogates, types beyond plain data (``!!timestamp``, ``!!binary``,
``!!set``, ``!!omap``…) and duplicate keys. Every problem is a ``YamlProblem``.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from architect.sim.text import N_, Params, render

MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_NUMBER_CHARACTERS = 32
_CORE = "tag:yaml.org,2002:"
# merge keys (<<) pass here; the walk refuses them with its own sentence
PLAIN_TAGS = frozenset(
    _CORE + name for name in ("str", "int", "float", "bool", "null", "seq", "map", "merge")
)
_NUMBER_TAGS = (_CORE + "int", _CORE + "float")
_TYPED = (*_NUMBER_TAGS, _CORE + "bool")


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


class _Loader(Composer, CParser, SafeConstructor, Resolver):
    """PyYAML's safe loader with libyaml's parser (about 6 times faster than PyYAML's own)
    and PyYAML's composer, which refuses what ``parse_with_lines`` refuses as it composes."""

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        Composer.__init__(self)
        self.depth = 0
        self.count = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        mark = getattr(event, "start_mark", None)
        line = mark.line + 1 if mark is not None else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlProblem(line, N_("anchors and aliases (& and *) are not allowed"))
        self.depth += 1
        self.count += 1
        if self.depth > MAX_DEPTH:
            raise YamlProblem(
                line, N_("nested more than %(limit)s levels deep"), {"limit": MAX_DEPTH}
            )
        if self.count > MAX_NODES:
            raise YamlProblem(line, N_("more than %(limit)s values"), {"limit": MAX_NODES})
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if node is not None:
            _check(node, line)
            tag = node.tag
            if tag in _TYPED and self.resolve(yaml.ScalarNode, node.value, (True, False)) != tag:  # type: ignore[no-untyped-call]
                # an explicit tag on what is not that type (``!!float x``) would not convert
                raise YamlProblem(line, N_("values of type %(tag)s are not allowed"), {"tag": tag})
        return node


def _check(node: yaml.Node, line: int) -> None:
    """A plain value: core types only, short numbers, text without lone surrogates."""
    if node.tag not in PLAIN_TAGS:
        raise YamlProblem(line, N_("values of type %(tag)s are not allowed"), {"tag": node.tag})
    if not isinstance(node, yaml.ScalarNode):
        return
    if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARACTERS:
        raise YamlProblem(
            line,
            N_("a number may have at most %(limit)s characters"),
            {"limit": MAX_NUMBER_CHARACTERS},
        )
    if any("\ud800" <= char <= "\udfff" for char in node.value):
        raise YamlProblem(line, N_("text with a lone surrogate is not allowed"))


def parse_with_lines(text: str) -> tuple[Any, dict[str, int]]:
    """Plain data and each field's line; raises ``YamlProblem``."""
    try:
        loader = _Loader(text)
    except (yaml.YAMLError, UnicodeEncodeError) as error:  # NUL, a lone surrogate…
        raise YamlProblem(0, N_("not valid YAML: %(detail)s"), {"detail": str(error)}) from None
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
