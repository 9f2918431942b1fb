"""Hostile frames never end a session, leak a tick task or log a traceback (issue #9.1).

Hypothesis draws batches of frames (lone surrogates, control characters, nesting a
thousand deep, ``1e400`` and 4,200-digit numbers, binary frames, frames over the
size limit, every action with wrong fields) and ``helpers.fuzz.drive`` sends each
batch over both consumers, each frame answered. Every batch must leave no logged error,
no closed socket, no frame without an answer, a valid message still answered, and no
tick task after the disconnect. 2 × 100 batches of 50 frames: 10,000 frames per run.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import services

from helpers.fuzz import drive, frames
from helpers.plans import plan, stage
from helpers.websocket import ManualTicks

BATCH = 50
BATCHES = 100  # per consumer
FUZZ = settings(
    max_examples=BATCHES,
    deadline=None,
    database=None,  # nothing written into the checkout
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # ticks: one fake clock for every batch
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
BATCHES_OF_FRAMES = st.lists(frames(), min_size=BATCH, max_size=BATCH)

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("ticks"),
]


@pytest.fixture(autouse=True)
def close_connections():
    yield
    connections.close_all()


@FUZZ
@given(batch=BATCHES_OF_FRAMES)
async def test_the_sandbox_survives_any_frame(ticks: ManualTicks, batch):
    outcome = await drive("/ws/sandbox/", batch, ticks)
    assert outcome.failures == 0, outcome


@pytest.fixture
def lab_plan(transactional_db) -> None:
    services.plan_load(plan=replace(plan(), stages=(stage("lab"), stage("after"))))


@FUZZ
@given(batch=BATCHES_OF_FRAMES)
async def test_a_stage_survives_any_frame(ticks: ManualTicks, lab_plan, batch):
    outcome = await drive("/ws/lessons/demo/lab/?lang=ko", batch, ticks, valid='{"action": "hint"}')
    assert outcome.failures == 0, outcome


def test_the_batches_add_up_to_ten_thousand_frames():
    assert 2 * BATCHES * BATCH >= 10_000
