"""Lay out the architecture diagram: one column per tier, web servers stacked.

Columns, left to right: Users | DNS | load balancer | web servers | database.
The template draws the result as SVG; no JavaScript is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from architect.sim.snapshot import NodeKind, NodeSnapshot, NodeStatus, Snapshot

USERS = "users"
BOX_W = 120.0
COLUMN_GAP = 60.0
MARGIN = 20.0
MIN_HEIGHT = 160.0
TIERS = (NodeKind.DNS, NodeKind.LOAD_BALANCER, NodeKind.WEB_SERVER, NodeKind.DATABASE)


@dataclass(frozen=True, slots=True)
class Box:
    id: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    label: str
    detail: str  # utilisation, "down", or a role
    tone: str  # css modifier: users, down, low, mid, high
    dashed: bool  # out of rotation

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def compact(self) -> bool:
        return self.h < 40


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    dashed: bool


@dataclass(frozen=True, slots=True)
class Diagram:
    width: float
    height: float
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]
    title: str
    description: str


def tone(node: NodeSnapshot) -> str:
    """Colour class: down, or by utilisation (<60 % low, <85 % mid, else high)."""
    if node.status == NodeStatus.DOWN:
        return "down"
    if node.utilization < 0.60:
        return "low"
    if node.utilization < 0.85:
        return "mid"
    return "high"


def _row_height(count: int) -> float:
    return 56.0 if count <= 5 else 40.0 if count <= 9 else 26.0


def layout(snapshot: Snapshot) -> Diagram:
    """Positions for every node and link of ``snapshot``."""
    columns = [[n for n in snapshot.nodes if n.kind == kind] for kind in TIERS]
    columns = [c for c in columns if c]
    tallest = max((len(c) for c in columns), default=1)
    row_h = _row_height(tallest)
    gap = row_h / 3
    height = max(MIN_HEIGHT, tallest * (row_h + gap) - gap + 2 * MARGIN)
    boxes = [Box(USERS, USERS, MARGIN, (height - 56) / 2, BOX_W * 0.7, 56.0,
                 _("Users"), "", USERS, False)]
    x = MARGIN + BOX_W * 0.7 + COLUMN_GAP
    for column in columns:
        h = row_h if len(column) > 1 else 56.0
        stack = len(column) * (h + gap) - gap
        y = (height - stack) / 2
        for node in column:
            boxes.append(_box(node, x, y, h))
            y += h + gap
        x += BOX_W + COLUMN_GAP
    by_id = {b.id: b for b in boxes}
    down = {n.id for n in snapshot.nodes if n.status == NodeStatus.DOWN or not n.in_rotation}
    entry = next((n.id for n in snapshot.nodes if n.kind == NodeKind.DNS), None)
    pairs = list(snapshot.links) + ([(USERS, entry)] if entry else [])
    lines = [
        Line(by_id[a].x + by_id[a].w, by_id[a].cy, by_id[b].x, by_id[b].cy, b in down or a in down)
        for a, b in pairs
        if a in by_id and b in by_id
    ]
    return Diagram(
        width=x - COLUMN_GAP + MARGIN,
        height=height,
        boxes=tuple(boxes),
        lines=tuple(lines),
        title=summary(snapshot),
        description=" ".join(_describe(n) for n in snapshot.nodes),
    )


def _box(node: NodeSnapshot, x: float, y: float, h: float) -> Box:
    if node.status == NodeStatus.DOWN:
        detail = _("down")
    else:
        detail = f"{node.utilization:.0%}" if node.workers else ""
    return Box(node.id, str(node.kind), x, y, BOX_W, h, node.id, detail, tone(node),
               not node.in_rotation)


def summary(snapshot: Snapshot) -> str:
    """One sentence naming the tiers, e.g. "Users → DNS → 3 web servers → database"."""
    count = {kind: sum(n.kind == kind for n in snapshot.nodes) for kind in TIERS}
    parts = [_("Users")]
    if count[NodeKind.DNS]:
        parts.append(_("DNS"))
    if count[NodeKind.LOAD_BALANCER]:
        parts.append(_("load balancer"))
    webs = count[NodeKind.WEB_SERVER]
    if webs:
        parts.append(ngettext("%(n)d web server", "%(n)d web servers", webs) % {"n": webs})
    if count[NodeKind.DATABASE]:
        parts.append(_("database"))
    else:
        parts[-1] = _("%(tier)s (holding the data)") % {"tier": parts[-1]}
    return _("Architecture: %(tiers)s.") % {"tiers": " → ".join(parts)}


def _describe(node: NodeSnapshot) -> str:
    if node.status == NodeStatus.DOWN:
        return _("%(node)s is down.") % {"node": node.id}
    text = _("%(node)s is %(util)s busy.") % {"node": node.id, "util": f"{node.utilization:.0%}"}
    if not node.in_rotation:
        text += " " + _("It receives no traffic.")
    return text
