"""The Redis channel layer as architect/settings.py configures it, against a real Redis.

Two layer instances stand for two daphne processes: a group message sent through one
reaches the members on both. The layer's configuration is the one settings.py builds
from ``REDIS_URL`` (read in a fresh interpreter, as tests/test_settings.py does).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.utils.module_loading import import_string

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
HANG_S = 30.0  # only stops a broken layer from hanging the run


def channel_layer_setting(redis_url: str) -> dict[str, Any]:
    """settings.CHANNEL_LAYERS["default"] as settings.py makes it with REDIS_URL set."""
    code = "import json; from architect import settings; print(json.dumps(settings.CHANNEL_LAYERS))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    layers: dict[str, Any] = json.loads(result.stdout)
    return layers["default"]


async def test_a_group_message_reaches_members_on_two_redis_layers(redis_url: str):
    setting = channel_layer_setting(redis_url)
    assert setting["CONFIG"]["hosts"] == [{"address": redis_url, "socket_timeout": None}]
    backend = import_string(setting["BACKEND"])
    here, there = backend(**setting["CONFIG"]), backend(**setting["CONFIG"])
    try:
        mine, theirs = await here.new_channel(), await there.new_channel()
        await here.group_add("room-7", mine)
        await there.group_add("room-7", theirs)
        message = {"type": "room.changed", "text": "web-2 failed", "at": 12.5}
        await there.group_send("room-7", message)
        async with asyncio.timeout(HANG_S):
            assert await here.receive(mine) == message  # across instances
            assert await there.receive(theirs) == message  # and to the sender's own member

        await here.group_discard("room-7", mine)
        await here.group_send("room-7", {"type": "room.changed", "text": "only theirs"})
        await there.send(mine, {"type": "direct", "n": 1})  # sent after the group message
        async with asyncio.timeout(HANG_S):
            assert await there.receive(theirs) == {"type": "room.changed", "text": "only theirs"}
            assert await here.receive(mine) == {"type": "direct", "n": 1}  # it came first: no leak
    finally:
        # The publish/subscribe layer's flush unsubscribes and closes its connections.
        await here.flush()
        await there.flush()
