"""event_text: one plain sentence per event kind, and per refused command."""

from __future__ import annotations

import pytest
from django.utils import translation

from architect.sandbox.event_text import ERRORS, SENTENCES, error_text, event_text
from architect.sim.commands import CommandError
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
        (Event(5.0, EventKind.TRAFFIC_CHANGED, value=2500), "Traffic set to 2,500 requests "
         "per second at 5.0 s."),
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
            Event(9.0, EventKind.ASSETS_VERSIONED, node="cdn", count=2),
            "Assets now have new URLs (version 2) at 9.0 s: the CDN fetches each one from "
            "the origin once.",
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

    source = Path(changes.__file__).read_text()
    codes = set(re.findall(r'CommandError\(\s*"([a-z_]+)"', source)) - {"unknown_command"}
    assert codes <= set(ERRORS)
