"""The page offers exactly the vocabulary's sandbox actions, each form in the vocabulary's terms."""

from __future__ import annotations

import json
from dataclasses import replace

from django.utils import translation

from architect.sandbox.fragments import Renderer
from architect.sandbox.live import LiveStatus
from architect.sandbox.protocol import parse
from architect.sim import commands as c
from architect.sim.actions import PAGE_ACTIONS, SANDBOX_ACTIONS, fields
from architect.sim.model import presets
from architect.sim.simulation import Simulation

from helpers.page_forms import ws_forms


def every_control() -> str:
    """The sandbox page, whole, in every state that shows a different control: one server
    (add a load balancer, a CDN, a queue; move the data), a grown architecture with a
    failed node and a failed data center, one with a cache, and sharded data whose reads
    ask every shard (denormalise; a hot key may get a shard of its own), each running and
    paused."""
    start = Simulation(presets.single_server(100), seed=1)
    cached = Simulation(presets.single_server(100), seed=1)
    cached.apply(c.SeparateDatabase())
    cached.apply(c.AddCache())
    joined = presets.single_server(100)
    joined = replace(joined, traffic=replace(joined.traffic, cross_shard_ratio=0.5))
    sharded = Simulation(joined, seed=1)
    sharded.apply(c.SeparateDatabase())
    sharded.apply(c.AddShard())
    grown = Simulation(presets.single_server(100), seed=1)
    for command in (
        c.SeparateDatabase(),
        c.AddWebServer(),
        c.AddLoadBalancer(),
        c.AddCdn(),
        c.AddMessageQueue(),
        c.AddDataCenter("", "asia"),
        c.FailDataCenter("asia"),
        c.FailNode("web-1"),
    ):
        grown.apply(command)
    pages = []
    with translation.override("en"):
        for sim in (start, grown, cached, sharded):
            for paused in (False, True):
                status = LiveStatus(paused=paused, speed=1, ratio=1.0)
                pages.append(Renderer().render(sim.advance(1), status, error="", full=True))
    return "".join(pages)


def test_the_controls_are_exactly_the_sandbox_actions():
    forms = ws_forms(every_control())
    # page_hidden and page_shown come from the page's script (static/js/connection.js)
    assert {sent["action"] for sent, _names in forms} == set(SANDBOX_ACTIONS) - set(PAGE_ACTIONS)


def test_each_form_has_only_fields_the_vocabulary_reads():
    for sent, names in ws_forms(every_control()):
        action = sent["action"]
        assert names - {"action"} <= set(fields(action, form=True)), (action, names)


def test_each_form_as_drawn_is_a_message_the_vocabulary_reads():
    for sent, _names in ws_forms(every_control()):
        message = json.dumps({**sent, "HEADERS": {"HX-Request": "true"}})
        with translation.override("en"):
            assert parse(message), sent  # no ProtocolError: names, values and limits agree
