"""validate: every problem at once, each with where it is and why."""

from __future__ import annotations

from dataclasses import replace

import pytest

from architect.sim.model import presets
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import NodeSpec, Topology
from architect.sim.model.validate import validate
from architect.sim.simulation import Simulation
from architect.sim.snapshot import NodeKind


def _load_balanced() -> Topology:
    return Topology(
        name="Load balanced",
        nodes=(
            presets.dns(),
            presets.load_balancer(),
            presets.web_server("web-1", holds_data=False),
            presets.web_server("web-2", holds_data=False),
            presets.database(),
        ),
        links=(("dns", "lb"), ("lb", "web-1"), ("lb", "web-2"), ("web-1", "db"), ("web-2", "db")),
    )


@pytest.mark.parametrize(
    "topology", [presets.single_server(), _load_balanced()], ids=["single", "lb"]
)
def test_sound_topologies_validate_clean(topology: Topology):
    """The presets, and a load-balanced build from preset nodes, have no problems."""
    assert validate(topology) == []


def test_every_problem_is_reported_at_once_with_its_path():
    """One pass lists every fault, each tied to the field it is about."""
    web = presets.web_server("web-1", holds_data=True)
    topology = Topology(
        name="Broken",
        nodes=(
            presets.dns(),
            web,
            replace(web, size="xxl"),  # duplicate id and an unknown size
            NodeSpec(id="web-3", kind=NodeKind.WEB_SERVER, service_ms=0),
        ),
        links=(("dns", "web-1"), ("dns", "web-3"), ("web-1", "ghost"), ("web-1", "web-3")),
    )
    problems = {(p.path, p.message) for p in validate(topology)}
    paths = [path for path, _ in problems]
    assert ("nodes[2].id", '"web-1" is used twice') in problems
    assert "nodes[2].size" in paths
    assert ("nodes[3].service_ms", "must be a positive number") in problems
    assert ("links[2]", 'unknown node "ghost"') in problems
    assert ("links[3]", "a web_server cannot send requests to a web_server") in problems
    assert any(
        path == "links" and m.startswith("DNS must point at exactly one") for path, m in problems
    )
    assert len(problems) == 6


def test_a_topology_needs_one_dns():
    """No DNS, no way in: reported against ``nodes``."""
    topology = Topology(
        name="No DNS", nodes=(presets.web_server("web-1", holds_data=True),), links=()
    )
    assert ("nodes", "needs exactly one node of kind dns") in {
        (p.path, p.message) for p in validate(topology)
    }


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (("db", "web-1"), "a database cannot send requests to a web_server"),
        (("web-1", "lb"), "a web_server cannot send requests to a load_balancer"),
        (("lb", "db"), "a load_balancer cannot send requests to a database"),
    ],
)
def test_requests_only_flow_left_to_right(link: tuple[str, str], message: str):
    """Links go DNS -> load balancer -> web -> database, never backwards or skipping."""
    topology = _load_balanced()
    topology = replace(topology, links=(*topology.links, link))
    assert [str(p) for p in validate(topology)] == [f"links[5]: {message}"]


def test_simulation_refuses_an_unsound_topology():
    """Simulation raises TopologyError carrying the same problems validate finds."""
    topology = replace(presets.single_server(), links=())
    with pytest.raises(TopologyError) as caught:
        Simulation(topology)
    assert caught.value.problems == validate(topology)
    assert "DNS must point at exactly one" in str(caught.value)
