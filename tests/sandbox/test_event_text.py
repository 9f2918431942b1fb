"""event_text: one plain sentence per event kind, and per refused command."""

from __future__ import annotations

import pytest
from django.utils import translation

from architect.sandbox.error_text import ERRORS, error_text
from architect.sandbox.event_text import SENTENCES, event_text
from architect.sim.commands import (
    AddDataCenter,
    AddLoadBalancer,
    CommandError,
    SeparateDatabase,
)
from architect.sim.model import presets
from architect.sim.simulation import Simulation
from architect.sim.snapshot import Event, EventKind


def test_every_event_kind_has_a_sentence():
    assert set(SENTENCES) == set(EventKind)


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        (Event(12.4, EventKind.NODE_FAILED, node="web-2"), "web-2 failed at 12.4 s."),
        (
            Event(14.4, EventKind.BACKEND_REMOVED, node="lb", peer="web-2", count=37, since=12.4),
            "lb stopped sending to web-2 at 14.4 s, 2.0 s after it failed; "
            "37 requests failed meanwhile.",
        ),
        (
            Event(14.4, EventKind.BACKEND_REMOVED, node="lb", peer="web-2", count=1, since=12.4),
            "lb stopped sending to web-2 at 14.4 s, 2.0 s after it failed; "
            "1 request failed meanwhile.",
        ),
        (
            Event(3.0, EventKind.NO_TRAFFIC, node="web-2", peer="web-1"),
            "web-2 receives no traffic: DNS points at web-1 only. "
            "Add a load balancer to spread requests.",
        ),
        (
            Event(5.0, EventKind.SITE_DOWN, node="web-1"),
            "The site is down: web-1 failed and nothing else can answer.",
        ),
        (
            Event(5.0, EventKind.TRAFFIC_CHANGED, value=2500),
            "Traffic set to 2,500 requests per second at 5.0 s.",
        ),
        (
            Event(5.0, EventKind.NODE_RESIZED, node="db", text="xl"),
            "db was resized to XL at 5.0 s.",
        ),
        (
            Event(30.0, EventKind.PRIMARY_PROMOTED, node="db-r1", peer="db", count=2, since=20.0),
            "db-r1 was promoted to primary at 30.0 s, 10.0 s after db failed; "
            "2 writes that had not reached the replicas were lost.",
        ),
        (
            Event(30.0, EventKind.PRIMARY_PROMOTED, node="db-r1", peer="db", count=1, since=20.0),
            "db-r1 was promoted to primary at 30.0 s, 10.0 s after db failed; "
            "1 write that had not reached the replicas was lost.",
        ),
        (
            Event(30.0, EventKind.PRIMARY_PROMOTED, node="db-r1", peer="db", since=20.0),
            "db-r1 was promoted to primary at 30.0 s, 10.0 s after db failed; "
            "every write had reached the replicas, so none was lost.",
        ),
        (
            Event(8.0, EventKind.CDN_PURGED, node="cdn"),
            "The CDN's copies were purged at 8.0 s: the next requests for each asset go to "
            "the origin.",
        ),
        (
            Event(12.0, EventKind.DENORMALISED, value=0.64),
            "The data each query joins is kept in one shard from 12.0 s: the 64 % of reads "
            "that asked every shard now ask one.",
        ),
        (
            Event(9.0, EventKind.ASSETS_VERSIONED, node="cdn", count=2),
            "Assets now have new URLs (version 2) at 9.0 s: the CDN fetches each one from "
            "the origin once.",
        ),
        (
            Event(30.0, EventKind.EVENT_REFUSED, node="web-9", peer="fail", text="unknown_node"),
            "The scripted fail at 30.0 s could not be carried out: There is no node called web-9.",
        ),
        (
            Event(31.0, EventKind.EVENT_REFUSED, peer="add_cache", text="no_such_code"),
            "The scripted add_cache at 31.0 s could not be carried out.",
        ),
    ],
)
def test_sentences(event, sentence):
    with translation.override("en"):
        assert event_text(event) == sentence


def test_known_command_errors_get_a_translatable_sentence():
    error = CommandError("already_down", '"web-1" is already down', node="web-1")
    assert error_text(error) == "web-1 is already down."


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (
            CommandError("needs_database", "", what="cache"),
            "Move the data to its own database server before adding a cache.",
        ),
        (
            CommandError("needs_database", "", what="replica"),
            "Move the data to its own database server before adding a replica.",
        ),
        (
            CommandError("too_many_replicas", "", limit=8),
            "The sandbox allows at most 8 read replicas.",
        ),
        (CommandError("no_cdn", ""), "There is no CDN yet: add one first."),
    ],
)
def test_building_block_errors_say_what_to_do(error, sentence):
    with translation.override("en"):
        assert error_text(error) == sentence


def test_unknown_command_errors_fall_back_to_the_engine_message():
    assert error_text(CommandError("new_code", "something new")) == "something new"


def test_every_engine_error_code_is_covered():
    import re
    from pathlib import Path

    import architect.sim.changes as changes

    # The handlers are the modules of the architect.sim.changes package.
    source = "".join(p.read_text() for p in Path(changes.__file__).parent.glob("*.py"))
    codes = set(re.findall(r'CommandError\(\s*"([a-z_]+)"', source)) - {"unknown_command"}
    assert len(codes) > 30
    assert codes <= set(ERRORS)


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        (
            Event(6.0, EventKind.TRAFFIC_MIX_CHANGED, value=0.9, since=0.25, text="1.2"),
            "The traffic mix changed at 6.0 s: 25 % static assets; of the rest, 90 % reads "
            "and 10 % writes; key skew 1.2.",
        ),
        (
            Event(50.0, EventKind.NODE_REPAIRED, node="web-2", since=20.0, text="automated"),
            "A script replaced web-2 at 50.0 s, 30.0 s after it failed: automation noticed "
            "and repaired it.",
        ),
        (
            Event(320.0, EventKind.NODE_REPAIRED, node="db", since=20.0, text="manual"),
            "An engineer repaired db at 320.0 s, 5 min after it failed: monitoring paged them.",
        ),
        (
            Event(1820.0, EventKind.NODE_REPAIRED, node="web-1", since=20.0, text="unmonitored"),
            "web-1 came back at 1820.0 s, 30 min after it failed: without monitoring, nobody "
            "noticed until users complained.",
        ),
        (
            Event(2.0, EventKind.OPERATIONS_CHANGED, text="monitoring"),
            "Monitoring is on from 2.0 s: an engineer is paged as soon as a node fails.",
        ),
        (
            Event(2.0, EventKind.OPERATIONS_CHANGED, text="none"),
            "Monitoring is off from 2.0 s: a failed node stays down until users complain.",
        ),
        (
            Event(3.0, EventKind.BALANCING_CHANGED, node="lb", text="sticky"),
            "lb balances by sticky sessions (each user stays on one server) from 3.0 s.",
        ),
        (
            Event(4.0, EventKind.SESSIONS_SHARED, node="sessions"),
            "Sessions are kept in sessions from 4.0 s: any web server can serve any user.",
        ),
        (
            Event(30.0, EventKind.SCALED_OUT, count=2, value=0.93, text="web-4,web-5"),
            "Autoscaling added 2 web servers (web-4, web-5) at 30.0 s: the web tier was 93 % "
            "busy. They take traffic after warming up.",
        ),
        (
            Event(30.0, EventKind.SCALED_OUT, count=1, value=0.8, text="web-4"),
            "Autoscaling added 1 web server (web-4) at 30.0 s: the web tier was 80 % busy. "
            "It takes traffic after warming up.",
        ),
        (
            Event(90.0, EventKind.SCALED_IN, node="web-5", value=0.21),
            "Autoscaling removed web-5 at 90.0 s: the web tier was only 21 % busy.",
        ),
        (
            Event(1.0, EventKind.AUTOSCALING_CHANGED, count=2, value=10.0, text="on"),
            "Autoscaling is on from 1.0 s: between 2 and 10 web servers.",
        ),
        (
            Event(1.0, EventKind.AUTOSCALING_CHANGED, count=2, value=10.0, text="off"),
            "Autoscaling is off from 1.0 s.",
        ),
        (
            Event(5.0, EventKind.QUEUE_ADDED, node="mq", peer="workers"),
            "From 5.0 s, writes hand their background jobs to the message queue mq; the "
            "worker pool workers runs them.",
        ),
        (
            Event(5.0, EventKind.WORKERS_SET, node="workers", count=16),
            "workers has 16 workers from 5.0 s.",
        ),
        (
            Event(
                7.0,
                EventKind.SHARD_ADDED,
                node="db-s2",
                count=3,
                value=0.32,
                text="consistent_hash",
            ),
            "The data is split over 3 shards by consistent hashing from 7.0 s; db-s2 holds "
            "the new shard and 32 % of keys had to move.",
        ),
        (
            Event(8.0, EventKind.CENTER_FAILED, text="eu"),
            "Data center eu went dark at 8.0 s: every node in it failed. geoDNS sends its "
            "users to another center, a longer way.",
        ),
        (
            Event(9.5, EventKind.CENTER_RESTORED, text="asia"),
            "Data center Asia is back at 9.5 s: its users are served nearby again.",
        ),
        (
            Event(3.0, EventKind.CENTER_ADDED, text="europe", peer="us-east", count=5),
            "Data center Europe opened at 3.0 s, a copy of US East (5 nodes). geoDNS sends each "
            "region's users to the nearest center; writes reach the other centers a moment later.",
        ),
    ],
)
def test_new_building_blocks_get_sentences(event, sentence):
    with translation.override("en"):
        assert event_text(event) == sentence


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (
            CommandError("automation_needs_monitoring", ""),
            "Automation needs monitoring: a script can only repair what monitoring notices. "
            "Turn monitoring on too.",
        ),
        (
            CommandError("bad_autoscaling", "autoscaling.min: needs …"),
            "Autoscaling needs a minimum and a maximum between 1 and 20 web servers, the "
            "minimum not above the maximum, and a target between 5 % and 95 %.",
        ),
        (
            CommandError("unknown_algorithm", "", algorithm="random"),
            "“random” is not a balancing algorithm: choose round robin, least connections or "
            "sticky sessions.",
        ),
        (
            CommandError("workers_out_of_range", "", low=1, high=256),
            "A worker pool has between 1 and 256 workers.",
        ),
        (
            CommandError("mix_out_of_range", "", field="zipf_s", high=3.0),
            "The key skew must be between 0 and 3.",
        ),
        (
            CommandError("mix_out_of_range", "", field="read_ratio", high=1.0),
            "The share of reads must be between 0 % and 100 %.",
        ),
        (
            CommandError("needs_database", "", what="shard"),
            "Move the data to its own database server before splitting it into shards.",
        ),
        (
            CommandError("center_exists", "", center="us-east"),
            "There is already a data center in US East.",
        ),
        (
            CommandError("too_many_centers", "", limit=3),
            "The sandbox allows at most 3 data centers.",
        ),
    ],
)
def test_new_command_errors_say_what_to_do(error, sentence):
    with translation.override("en"):
        assert error_text(error) == sentence


def test_new_sentences_are_translated_to_korean():
    with translation.override("ko"):
        sentence = event_text(
            Event(7.0, EventKind.SHARD_ADDED, node="db-s1", count=2, value=0.5, text="modulo")
        )
    assert "샤드" in sentence and "50%" in sentence and "모듈로" in sentence


def test_every_data_center_refusal_of_the_engine_has_its_own_sentence():
    sim = Simulation(presets.single_server(100), seed=1)
    refused = []
    for command in (
        AddDataCenter("", "asia"),
        AddLoadBalancer(),
        AddDataCenter("", "asia"),
        SeparateDatabase(),
        AddDataCenter("", "mars"),
        AddDataCenter("", "us-east"),
    ):
        try:
            sim.apply(command)
        except CommandError as error:
            refused.append(error)
    assert [e.code for e in refused] == [
        "center_needs_load_balancer",
        "center_needs_database",
        "unknown_region",
        "center_exists",
    ]
    with translation.override("en"):
        assert all(e.code in ERRORS and error_text(e) != e.message for e in refused)


def test_data_center_sentences_are_translated_to_korean():
    with translation.override("ko"):
        opened = event_text(
            Event(3.0, EventKind.CENTER_ADDED, text="asia", peer="us-east", count=5)
        )
        failed = event_text(Event(8.0, EventKind.CENTER_FAILED, text="asia"))
    assert "아시아" in opened and "미국 동부" in opened and "데이터 센터" in opened
    assert "아시아" in failed and "Data center" not in failed


@pytest.mark.parametrize(
    ("event", "sentence"),
    [
        (
            Event(12.0, EventKind.KEYS_COPIED, count=1, value=0.0, since=12.0),
            "At 12.0 s the key the new shard rule moved was copied at once: a read on its old "
            "shard and a write on its new one, while the traffic went on.",
        ),
        (
            Event(20.0, EventKind.KEYS_COPIED, count=1250, value=8.0, since=12.0),
            "The 1,250 keys the new shard rule moved were copied from 12.0 s to 20.0 s, each a "
            "read on its old shard and a write on its new one while the traffic went on.",
        ),
        (
            Event(12.0, EventKind.KEYS_COPIED, count=2, value=0.01, since=11.99),
            "At 12.0 s the 2 keys the new shard rule moved were copied at once, each a read on "
            "its old shard and a write on its new one, while the traffic went on.",
        ),
        (
            Event(12.0, EventKind.KEYS_COPIED, count=0, since=12.0),
            "At 12.0 s the new shard rule moved no key: there was nothing to copy.",
        ),
    ],
)
def test_copied_keys_are_counted_in_the_singular_or_plural_and_an_instant_copy_says_so(
    event, sentence
):
    with translation.override("en"):
        assert event_text(event) == sentence


def test_copied_keys_in_korean_count_the_keys_and_say_when():
    with translation.override("ko"):
        once = event_text(Event(12.0, EventKind.KEYS_COPIED, count=1, since=12.0))
        spread = event_text(Event(20.0, EventKind.KEYS_COPIED, count=1250, since=12.0))
    assert "1개" in once and "12.0초" in once and "부터" not in once
    assert "1,250개" in spread and "12.0초부터 20.0초까지" in spread
