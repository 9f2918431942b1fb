"""Snapshots as plain data and back, so one process can run a simulation and others draw it.

``snapshot_to_data(s)`` gives JSON-ready values (dicts, lists, strings, numbers,
booleans, None): each dataclass a dict of its fields by name, enums by their value,
tuples as lists, sets of names as sorted lists. ``snapshot_from_data`` reads that
back into an equal ``Snapshot``, checking every value against the field's type and
naming the path of the first one that does not fit (``nodes[2].status``).
Floats survive JSON exactly (Python writes the shortest repr that reads back).
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from architect.sim.snapshot import Snapshot


class SnapshotDataError(ValueError):
    """Data that is not a snapshot; ``path`` says where it first goes wrong."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path or '(top)'}: {problem}")
        self.path = path


def snapshot_to_data(snapshot: Snapshot) -> dict[str, Any]:
    """A snapshot as plain, JSON-ready data."""
    data = _to_data(snapshot)
    assert isinstance(data, dict)
    return data


def snapshot_from_data(data: object) -> Snapshot:
    """The snapshot ``snapshot_to_data`` made this data from; ``SnapshotDataError`` if none."""
    snapshot = _from_data(Snapshot, data, "")
    assert isinstance(snapshot, Snapshot)
    return snapshot


def _to_data(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _to_data(getattr(value, name)) for name, _ in _fields(type(value))}
    if isinstance(value, tuple):
        return [_to_data(item) for item in value]
    if isinstance(value, frozenset):
        return sorted(value)
    return value


@cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, type) of each field of a dataclass, its annotations resolved."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def _from_data(kind: Any, data: object, path: str) -> object:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _from_data(inner, data, path)
    if origin is tuple:
        items = _list(data, path)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_data(args[0], item, f"{path}[{i}]") for i, item in enumerate(items))
        if len(items) != len(args):
            raise SnapshotDataError(path, f"must be a list of {len(args)} values")
        return tuple(
            _from_data(a, item, f"{path}[{i}]")
            for i, (a, item) in enumerate(zip(args, items, strict=True))
        )
    if origin is frozenset:
        return frozenset(
            _from_data(args[0], item, f"{path}[{i}]") for i, item in enumerate(_list(data, path))
        )
    if dataclasses.is_dataclass(kind):
        return _dataclass(kind, data, path)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(data)
        except ValueError:
            raise SnapshotDataError(
                path, f"must be one of {', '.join(str(m.value) for m in kind)}"
            ) from None
    return _scalar(kind, data, path)


def _dataclass(cls: Any, data: object, path: str) -> object:
    if not isinstance(data, Mapping):
        raise SnapshotDataError(path, "must be a mapping")
    fields = _fields(cls)
    unknown = sorted(set(map(str, data)) - {name for name, _ in fields})
    if unknown:
        raise SnapshotDataError(f"{path}.{unknown[0]}".lstrip("."), "is not a field")
    values = {
        name: _from_data(kind, data[name], f"{path}.{name}".lstrip("."))
        for name, kind in fields
        if name in data
    }
    try:
        return cls(**values)
    except TypeError as error:  # a field without a default is missing
        raise SnapshotDataError(path, str(error)) from None


def _list(data: object, path: str) -> list[object]:
    if not isinstance(data, list):
        raise SnapshotDataError(path, "must be a list")
    return data


def _scalar(kind: Any, data: object, path: str) -> object:
    if kind is float and isinstance(data, (int, float)) and not isinstance(data, bool):
        return float(data)
    if kind in (int, str, bool) and type(data) is kind:
        return data
    raise SnapshotDataError(path, f"must be {getattr(kind, '__name__', kind)}")


__all__ = ["SnapshotDataError", "snapshot_from_data", "snapshot_to_data"]
