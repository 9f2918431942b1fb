"""Topology and plan files never crash their loaders (issue #9.2).

Hypothesis mutates the shipped examples (``docs/examples``, the test plan): values
replaced by hostile ones (lone surrogates, ``10**4200``, ``1e308``, nesting thousands
deep, wrong types), keys added and dropped, YAML tricks spliced in (aliases, merge keys,
tags, NUL bytes), characters flipped, files cut short. Every case must load or raise the
loader's own error, which lists the problems: ``TopologyError`` (plain data),
``YamlProblem`` (YAML text), ``PlanError`` (a plan). 2,000 of each kind per run.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings

from architect.sim.loader import load_topology
from architect.sim.model.problems import TopologyError
from architect.yamlmarks import YamlProblem, parse_with_lines
from lessons.format import PlanError, load_plan

from helpers.fuzz import topologies, yaml_documents

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "docs" / "examples").glob("*.yaml"))
TOPOLOGY_TEXTS = tuple(path.read_text(encoding="utf-8") for path in EXAMPLES)
TOPOLOGY_DATA = (
    *(yaml.safe_load(text) for text in TOPOLOGY_TEXTS),
    json.loads((ROOT / "docs" / "examples" / "mm1.json").read_text(encoding="utf-8")),
)
PLAN_TEXTS = ((ROOT / "tests" / "lessons" / "fixtures" / "tiny.yaml").read_text(encoding="utf-8"),)
CASES = 2_000
FUZZ = settings(
    max_examples=CASES,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(data=topologies(TOPOLOGY_DATA))
def test_a_topology_loads_or_lists_its_problems(data):
    try:
        load_topology(data)
    except TopologyError as error:
        assert error.problems


@FUZZ
@given(text=yaml_documents(TOPOLOGY_TEXTS))
def test_a_topology_file_loads_or_lists_its_problems(text):
    try:
        data, _lines = parse_with_lines(text)
        load_topology(data)
    except TopologyError as error:
        assert error.problems
    except YamlProblem as problem:
        assert problem.message


@FUZZ
@given(text=yaml_documents(PLAN_TEXTS))
def test_a_plan_loads_or_lists_its_problems(text):
    try:
        load_plan(text, source="fuzzed.yaml")
    except PlanError as error:
        assert error.problems
