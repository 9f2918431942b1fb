"""A stage's verdict does not depend on which mode measures it (issue #8 point 8).

Above 20,000 requests a second the simulation switches to aggregate mode (flows in
1 ms steps instead of every request). A learner who pushes a stage's traffic across
that line must be judged alike, so each stage here runs as ``check_lessons`` runs it,
once with every request simulated and once in aggregate mode, without and with its
solution: the verdicts must be the same. The stages chosen are ones whose conditions
aggregate mode measures (latency, errors, throughput, hit ratios; see docs/topology.md
for what it leaves out) and cheap enough to run twice: a failure behind a load balancer
(stage 4) and the CDN (stage 7).
"""

from __future__ import annotations

import functools

import pytest

from architect.sim.flows.aggregate import AGGREGATE, PER_REQUEST
from architect.sim.simulation import Simulation
from lessons import checker
from lessons.format import load_plan
from lessons.plans import plan_files


def _stage(slug: str):
    (path,) = [p for p in plan_files() if p.stem == "scale-from-zero"]
    return load_plan(path.read_text(encoding="utf-8"), source=path.name).stage(slug)


@pytest.mark.parametrize("slug", ["load-balancer", "cdn"])
def test_the_verdict_is_the_same_in_both_modes(slug: str, monkeypatch: pytest.MonkeyPatch):
    stage = _stage(slug)
    verdicts = {}
    for mode in (PER_REQUEST, AGGREGATE):
        monkeypatch.setattr(checker, "Simulation", functools.partial(Simulation, mode=mode))
        verdicts[mode] = [
            checker.run_stage(stage, seed=1, solved=solved).status.met for solved in (False, True)
        ]
    assert verdicts[PER_REQUEST] == [False, True]  # the stage's own check, per request
    assert verdicts[AGGREGATE] == verdicts[PER_REQUEST]
