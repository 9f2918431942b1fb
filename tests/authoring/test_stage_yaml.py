"""A stage written back into the YAML (authoring.stage_yaml) reads like the shipped plan:
lists of nodes, links, actions and events in block style with each item on one line,
short maps on one line, and it loads back through the plan loader unchanged."""

from __future__ import annotations

from pathlib import Path

import yaml

from architect.sim.commands import AddLoadBalancer, AddWebServer, SeparateDatabase
from architect.sim.loader import dump_topology
from architect.sim.model.presets import single_server
from architect.sim.simulation import Simulation
from authoring import problems, stage_yaml

from helpers.authoring import STARTER_TEXT

PLAN = Path(__file__).resolve().parents[2] / "lessons" / "plans" / "scale-from-zero.yaml"


def _built() -> dict[str, object]:
    sim = Simulation(single_server(), seed=1)
    for command in (SeparateDatabase(), AddLoadBalancer(), AddWebServer()):
        sim.apply(command)
    return {k: v for k, v in dump_topology(sim.current_topology()).items() if k != "events"}


def test_a_captured_stage_is_written_as_the_plan_writes_it_and_loads_back():
    stages = stage_yaml.stages_of(STARTER_TEXT)
    assert stages is not None
    topology = _built()
    solution = [{"action": "add_web_server"}, {"action": "resize", "node": "db", "size": "l"}]
    events = [{"at": 10.0, "action": "fail", "node": "web-1"}]
    stage = {**stages[0], "topology": topology, "solution": solution}
    stage["scenario"] = {**stage["scenario"], "events": events}
    text = stage_yaml.replace_stage(STARTER_TEXT, 0, stage)
    lines = [line.strip() for line in text.splitlines()]
    for node in topology["nodes"]:  # type: ignore[attr-defined]
        assert f"- {stage_yaml.flow(node)}" in lines  # one node a line
    assert "nodes:" in lines and "links:" in lines and "- [dns, lb]" in lines
    assert f"traffic: {stage_yaml.flow(topology['traffic'])}" in lines
    assert "- {action: resize, node: db, size: l}" in lines
    assert "- {at: 10.0, action: fail, node: web-1}" in lines
    assert not any(line.startswith("- id:") for line in lines)  # no node spread over lines
    parsed, found = problems.parse(text)
    assert found == [] and parsed is not None
    written = stage_yaml.stages_of(text)
    assert written is not None and written[0] == stage
    assert list(parsed.stages[0].solution) == solution


def test_what_a_capture_writes_of_each_shipped_stage_reads_back_the_same():
    """The topology, solution and scenario of every stage of the shipped plan (topologies
    of several centers, sharding, autoscaling) survive the dump."""
    stages = stage_yaml.stages_of(PLAN.read_text("utf-8"))
    assert stages
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: ten times faster
    for stage in stages:
        written = {k: stage[k] for k in ("topology", "solution", "scenario") if k in stage}
        assert yaml.load(stage_yaml.dump(written), Loader=loader) == written
