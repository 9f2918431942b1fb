"""A design to share: the architecture, its traffic and the seed, in the link itself.

A share link carries its design (``?design=CODE``): the topology in the topology format
plus the seed, as compact JSON, deflated, in URL-safe base64. No database row: a link
works on any server running the same version, offline, forever, and nothing stored can
fill a disk or be enumerated; the price is the length (a 20-node stage-13 design is
about 1,000 characters), so a code is refused over ``MAX_CODE_CHARS`` (browsers and
proxies take URLs of 8 KB). Reading a code is hostile input: its length, alphabet,
inflated size (a zip bomb stops at ``MAX_JSON_BYTES``), JSON nesting, shape and seed are
checked, then the topology goes through ``load_topology``; every refusal is a
``ShareError`` with a sentence in the learner's language (and the topology's problems).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from architect.problem_text import problem_text
from architect.sandbox.guard import nesting
from architect.sandbox.keeping import valid_seed
from architect.sim.loader import load_topology
from architect.sim.model.plain import MAX_DEPTH
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import Topology

FORMAT = 1
MAX_CODE_CHARS = 6000
MAX_JSON_BYTES = 64 * 1024
_CODE = re.compile(r"[A-Za-z0-9_-]+")

TOO_LONG = _("This link is too long to be a design (at most %(limit)s characters).")
NOT_A_CODE = _("This link does not hold a design: it was cut short or changed.")
TOO_LARGE = _("This link's design is too large (at most %(limit)s KiB once unpacked).")
NOT_A_DESIGN = _("This link's design is not one Architect can read.")
BAD_SEED = _("This link's seed must be a whole number from 0 to 2147483647.")
BAD_TOPOLOGY = _("This link's architecture has problems:")


class ShareError(Exception):
    """Why a code is refused: a sentence, and the topology's problems if those are why."""

    def __init__(self, message: str | Promise, problems: tuple[str, ...] = ()) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.problems = problems


@dataclass(frozen=True)
class Design:
    """A shared design, read and validated."""

    topology: Topology
    seed: int
    data: dict[str, Any]  # the topology in the topology format, as it came


def encode(topology: dict[str, Any], seed: int) -> str:
    """The code for a design: ``topology`` in the topology format and its seed."""
    text = json.dumps(
        {"v": FORMAT, "seed": seed, "topology": topology},
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
    )
    packed = zlib.compress(text.encode("utf-8"), 9)
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(code: str) -> Design:
    """The design in ``code``, or ``ShareError`` saying why not (call it with the learner's
    language active: problems are put in words here)."""
    data = _unpack(code)
    if (
        not isinstance(data, dict)
        or data.get("v") != FORMAT
        or set(data)
        != {
            "v",
            "seed",
            "topology",
        }
    ):
        raise ShareError(NOT_A_DESIGN)
    if not valid_seed(data["seed"]):
        raise ShareError(BAD_SEED)
    try:
        topology = load_topology(data["topology"])
    except TopologyError as error:
        raise ShareError(BAD_TOPOLOGY, tuple(map(problem_text, error.problems))) from None
    return Design(topology, data["seed"], data["topology"])


def _unpack(code: str) -> object:
    """Plain data from a code: its length, alphabet, inflated size and nesting checked."""
    if len(code) > MAX_CODE_CHARS:
        raise ShareError(_format(TOO_LONG, limit=MAX_CODE_CHARS))
    if not _CODE.fullmatch(code):
        raise ShareError(NOT_A_CODE)
    try:
        packed = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_JSON_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise ShareError(NOT_A_CODE) from None
    if len(raw) > MAX_JSON_BYTES or inflater.unconsumed_tail:
        raise ShareError(_format(TOO_LARGE, limit=MAX_JSON_BYTES // 1024))
    if not inflater.eof:
        raise ShareError(NOT_A_CODE)
    try:
        text = raw.decode("utf-8")
        if nesting(text) > MAX_DEPTH:
            raise ShareError(NOT_A_DESIGN)
        return json.loads(text)
    except (UnicodeDecodeError, ValueError):  # JSONDecodeError is a ValueError
        raise ShareError(NOT_A_DESIGN) from None


def _format(message: Promise, **params: object) -> str:
    return str(message) % params
