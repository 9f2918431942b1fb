"""architect.yamlmarks refuses, while it composes and before it converts (issue #9.2)."""

from __future__ import annotations

import pytest

from architect.yamlmarks import MAX_DEPTH, MAX_NUMBER_CHARACTERS, YamlProblem, parse_with_lines


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("a: &x [1, 2]\nb: *x\n", 1, "anchors and aliases (& and *) are not allowed"),
        ("a: [" + "[" * 10_000 + "]" * 10_000 + "]\n", 1, "nested more than 32 levels deep"),
        ("- " * 3000 + "x\n", 1, "nested more than 32 levels deep"),
        ("x: " + "9" * 5000 + "\n", 1, "a number may have at most 32 characters"),
        ("x: 0x" + "f" * 5000 + "\n", 1, "a number may have at most 32 characters"),
        ("x: 2001-12-14\n", 1, "values of type tag:yaml.org,2002:timestamp are not allowed"),
        ("x: !!binary aGVsbG8=\n", 1, "values of type tag:yaml.org,2002:binary are not allowed"),
        ("x: !!set {a, b}\n", 1, "values of type tag:yaml.org,2002:set are not allowed"),
        ("a: 1\nx: !!python/object:os.system ls\n", 2, None),
        ('x: "\\ud800"\n', 1, "not valid YAML: found invalid Unicode character escape code"),
        ("x: \x00\n", 0, None),
        ("x: \ud800\n", 0, None),
    ],
)
def test_hostile_yaml_is_a_problem_with_its_line(text, line, reason):
    with pytest.raises(YamlProblem) as caught:
        parse_with_lines(text)
    assert caught.value.line == line
    if reason is not None:
        assert caught.value.message == reason


def test_the_limits_leave_room_for_real_files():
    deep = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"  # the mapping is 1
    value = parse_with_lines(deep)[0]["a"]
    for _ in range(MAX_DEPTH - 2):
        (value,) = value
    assert value == []
    number = "x: " + "1" * MAX_NUMBER_CHARACTERS + "\n"
    assert parse_with_lines(number)[0] == {"x": int("1" * MAX_NUMBER_CHARACTERS)}
    assert parse_with_lines("x: 1.5\ny: true\nz: ~\nw: [a, {b: c}]\n")[0] == {
        "x": 1.5,
        "y": True,
        "z": None,
        "w": ["a", {"b": "c"}],
    }


@pytest.mark.parametrize(
    "text", ["x: !!float .inf\n  - [a, b]\n", "x: !!int abc\n", "x: !!bool maybe\n"]
)
def test_an_explicit_tag_on_a_value_not_of_its_type_is_a_problem(text):
    """Found by the fuzz test: ``!!float`` on text made PyYAML's constructor raise."""
    with pytest.raises(YamlProblem) as caught:
        parse_with_lines(text)
    assert caught.value.line == 1
