"""slots: a slot-memoised partial writes exactly what a direct render of it writes.

Each test draws many contexts (hypothesis), in both languages, with values that need
escaping, and compares the memoised output with ``render_to_string`` of the same named
partial; the memo is shared across examples, so a structure drawn for one context is
filled in for the next ones, as on a live page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from architect.sandbox import slots
from architect.sandbox.charts import Chart, Line, Mark
from architect.sandbox.diagram import layout
from architect.sandbox.diagram_load import Bottleneck
from architect.sandbox.fragments import CHART_LABELS, chart_item, clock_context, labels
from architect.sandbox.live import LiveStatus
from architect.sim.commands import SPEEDS
from architect.sim.snapshot import NodeKind, NodeStatus

from helpers.snapshots import everything_snapshot, snapshot

EXAMPLES = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LANGUAGES = st.sampled_from(["en", "ko"])
# Text as values may carry it: markup characters, quotes, ampersands, non-Latin letters.
TEXT = st.text(alphabet=st.sampled_from(list("<>&\"'0123456789.,% ·×s한글a")), max_size=12)
SHARE = st.one_of(st.none(), st.floats(min_value=0, max_value=50, allow_nan=False))


def direct(part: str, context: dict[str, Any]) -> str:
    return render_to_string(f"{slots.TEMPLATE}#{part}", context)


@st.composite
def statuses(draw: st.DrawFn) -> LiveStatus:
    return LiveStatus(
        paused=draw(st.booleans()),
        speed=draw(st.sampled_from(SPEEDS)),
        ratio=draw(SHARE),
        engine_share=draw(SHARE),
        capped=draw(st.booleans()),
    )


@EXAMPLES
@given(
    language=LANGUAGES,
    status=statuses(),
    t=st.floats(min_value=0, max_value=1e6, allow_nan=False),
    mode=st.sampled_from(["per_request", "aggregate"]),
    texts=st.one_of(st.none(), st.tuples(TEXT, TEXT, TEXT, TEXT)),
)
def test_the_status_line_is_the_partial(language, status, t, mode, texts):
    with translation.override(language):
        context = clock_context(snapshot(t=t, mode=mode), status)
        if texts is not None:  # any text in the slots, escaped as the template would
            speed, time, ratio, share = texts
            context |= {"clock": {"speed": speed, "time": mark_safe(time)}, "ratio": ratio}
            context["engine_share"] = share
        assert slots.STATUS.render(context) == direct("status", context)


def test_a_value_is_written_as_the_template_writes_it():
    context = {"v": 'a<b & "c"'}
    assert slots.filled(context["v"]) == "a&lt;b &amp; &quot;c&quot;"
    assert slots.filled(mark_safe("<b>")) == "<b>"
    assert slots.filled(1234) == "1234"


NUMBER = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@st.composite
def drawn_charts(draw: st.DrawFn) -> list[Chart]:
    """Three charts of one structure (key, count of lines, kinds of marks) with values of
    their own: the second and third are filled into the structure the first drew."""
    key = draw(st.sampled_from(sorted(CHART_LABELS)))
    lines = draw(st.integers(0, 3))
    kinds = draw(st.lists(st.sampled_from(["failure", "recovery", "change"]), max_size=3))
    return [
        Chart(
            key=key,
            points=draw(TEXT),
            top=draw(st.floats(min_value=1, max_value=1e6)),
            latest=draw(st.one_of(st.none(), NUMBER)),
            marks=tuple(Mark(draw(TEXT), kind) for kind in kinds),
            lines=tuple(
                Line(draw(TEXT), draw(TEXT), draw(st.one_of(st.none(), NUMBER)))
                for _ in range(lines)
            ),
            goal=draw(st.one_of(st.none(), NUMBER)),
            name=draw(st.one_of(st.just(""), TEXT)),
            shift=draw(TEXT),
        )
        for _ in range(3)
    ]


@settings(EXAMPLES, max_examples=50)
@given(language=LANGUAGES, shown=drawn_charts(), caption=TEXT)
def test_the_charts_a_second_sends_are_the_partial(language, shown, caption):
    with translation.override(language):
        items = [chart_item(c) for c in shown]
        items[0] |= {"caption": caption, "aria_label": caption}  # any words, escaped
        for item in items:
            context = {"changed_charts": [item], "label": labels(language)}
            assert slots.SLOTTED["chartitems"](context) == direct("chartitems", context)
        context = {"changed_charts": items, "label": labels(language)}
        assert slots.SLOTTED["chartitems"](context) == direct("chartitems", context)


@EXAMPLES
@given(
    language=LANGUAGES,
    metrics=st.lists(st.tuples(st.sampled_from(["p99", "served", "cost", "jobs_p99"]), TEXT)),
    cells=st.lists(st.tuples(TEXT, TEXT, st.integers(0, 10**9)), max_size=5),
)
def test_metric_values_and_node_cells_are_the_partials(language, metrics, cells):
    with translation.override(language):
        context = {
            "changed_metrics": [{"key": key, "value": value} for key, value in metrics],
            "cells": [{"id": i, "busy": busy, "queued": queued} for i, busy, queued in cells],
        }
        assert slots.SLOTTED["metricvalues"](context) == direct("metricvalues", context)
        assert slots.SLOTTED["nodestats"](context) == direct("nodestats", context)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_diagram_is_the_partial(language):
    """The diagram of several architectures and states, each filled into the one frame."""
    web = {n.id: n for n in everything_snapshot().nodes if n.kind == NodeKind.WEB_SERVER}
    first = next(iter(web))
    shown = [
        snapshot(),
        everything_snapshot(),
        replace(
            everything_snapshot(),
            nodes=tuple(
                replace(n, status=NodeStatus.DOWN, utilization=0.0)
                if n.id == first
                else replace(n, utilization=0.97, queued=500)
                for n in everything_snapshot().nodes
            ),
        ),
    ]
    with translation.override(language):
        for s in shown:
            context = {"diagram": layout(s), "label": labels(language)}
            assert slots.SLOTTED["diagram"](context) == direct("diagram", context)


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_box_is_the_partial(language):
    """Each box of an architecture with figures of its own, then with other figures (filled
    into the structure the first drew), selectable or not, escaped as the template does."""
    with translation.override(language):
        boxes = layout(everything_snapshot()).boxes
        for box in boxes:
            for detail in (box.detail, "replica · 97%", "a<b & 'c'", ""):
                for selectable in (False, True):
                    context = {"box": replace(box, detail=detail), "selectable": selectable}
                    direct_box = render_to_string("sandbox/diagram_svg.html#box", context)
                    assert slots.BOX.render(context) == direct_box


@EXAMPLES
@given(
    language=LANGUAGES,
    neck=st.one_of(st.none(), st.builds(Bottleneck, TEXT, TEXT, st.booleans())),
)
def test_the_diagram_key_is_the_partial(language, neck):
    """The key under the diagram with any bottleneck (or none), its node and percentage
    filled into the structure an earlier one drew, escaped as the template does."""
    with translation.override(language):
        context = {"neck": neck}
        expected = render_to_string("sandbox/diagram_svg.html#key", context)
        assert slots.KEY.render(context) == expected
