"""Lay out the architecture diagram: one column per tier, stacked nodes.

Columns, left to right: Users | DNS | CDN | load balancer | web servers | cache |
databases (the primary first, then its replicas). The CDN sits off the DNS → origin
line, so that line never crosses it; the cache sits one row above the databases, so
the links to each database pass under it. When several web servers reach several
data nodes, their links meet on a vertical bus instead of crossing each other.
The template draws the result as SVG; no JavaScript is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from architect.sim.snapshot import NodeKind, NodeSnapshot, NodeStatus, Snapshot

USERS = "users"
BOX_W = 120.0
COLUMN_GAP = 60.0
MARGIN = 20.0
MIN_HEIGHT = 160.0
TIERS = (
    NodeKind.DNS,
    NodeKind.CDN,
    NodeKind.LOAD_BALANCER,
    NodeKind.WEB_SERVER,
    NodeKind.CACHE,
    NodeKind.DATABASE,
)
CDN_ROWS = 3  # the CDN takes the row above (or below) the DNS → origin line
ROLES = {  # a database's role, as its box says it
    "primary": lambda: pgettext("database role", "primary"),
    "replica": lambda: pgettext("database role", "replica"),
}


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
    return 56.0 if count <= 5 else 40.0 if count <= 10 else 26.0


def tier_order(node: NodeSnapshot) -> tuple[int, bool]:
    """Sort key: by tier, and the primary database before its replicas."""
    return TIERS.index(node.kind), node.role == "replica"


@dataclass(frozen=True, slots=True)
class _Column:
    nodes: list[NodeSnapshot]
    rows: int  # rows of the stack this column is centred in
    first: int  # the row of its first node


def _columns(snapshot: Snapshot) -> list[_Column]:
    by_kind = {kind: [n for n in snapshot.nodes if n.kind == kind] for kind in TIERS}
    by_kind[NodeKind.DATABASE].sort(key=tier_order)
    cache = 1 if by_kind[NodeKind.CACHE] else 0
    data_rows = len(by_kind[NodeKind.DATABASE]) + cache
    columns = []
    for kind in TIERS:
        nodes = by_kind[kind]
        if not nodes:
            continue
        if kind == NodeKind.CDN:
            below = _origin_is_above_centre(snapshot, nodes[0].id, by_kind)
            columns.append(_Column(nodes, CDN_ROWS, CDN_ROWS - 1 if below else 0))
        elif kind == NodeKind.CACHE:
            columns.append(_Column(nodes, max(data_rows, 1), 0))
        elif kind == NodeKind.DATABASE:
            columns.append(_Column(nodes, data_rows, cache))
        else:
            columns.append(_Column(nodes, len(nodes), 0))
    return columns


def _origin_is_above_centre(
    snapshot: Snapshot, cdn_id: str, by_kind: dict[NodeKind, list[NodeSnapshot]]
) -> bool:
    origin = next((b for a, b in snapshot.links if a == cdn_id), "")
    for nodes in by_kind.values():
        ids = [n.id for n in nodes]
        if origin in ids:
            return 2 * ids.index(origin) < len(ids) - 1
    return False


def layout(snapshot: Snapshot) -> Diagram:
    """Positions for every node and link of ``snapshot``."""
    placed = []  # (node, x, y, h), y measured from the centre line
    x = MARGIN + BOX_W * 0.7 + COLUMN_GAP
    web_right = 0.0
    for column in _columns(snapshot):
        h = _row_height(column.rows)
        step = h + h / 3
        top = -(column.rows * step - h / 3) / 2 + column.first * step
        placed += [(node, x, top + i * step, h) for i, node in enumerate(column.nodes)]
        if column.nodes[0].kind == NodeKind.WEB_SERVER:
            web_right = x + BOX_W
        x += BOX_W + COLUMN_GAP
    low = min([-28.0] + [y for _n, _x, y, _h in placed])  # the users' box is 56 high
    high = max([28.0] + [y + h for _n, _x, y, h in placed])
    height = max(MIN_HEIGHT, high - low + 2 * MARGIN)
    centre = (height - (high - low)) / 2 - low
    boxes = [Box(USERS, USERS, MARGIN, centre - 28, BOX_W * 0.7, 56.0,
                 _("Users"), "", USERS, False)]
    boxes += [_box(node, bx, centre + y, h) for node, bx, y, h in placed]
    return Diagram(
        width=x - COLUMN_GAP + MARGIN,
        height=height,
        boxes=tuple(boxes),
        lines=tuple(_lines(snapshot, {b.id: b for b in boxes}, web_right + COLUMN_GAP / 2)),
        title=summary(snapshot),
        description=" ".join(_describe(n) for n in sorted(snapshot.nodes, key=tier_order)),
    )


def _lines(snapshot: Snapshot, by_id: dict[str, Box], bus_x: float) -> list[Line]:
    """One line per link; web servers' links to several data nodes meet on a bus."""
    down = {n.id for n in snapshot.nodes if n.status == NodeStatus.DOWN or not n.in_rotation}
    entry = next((n.id for n in snapshot.nodes if n.kind == NodeKind.DNS), None)
    pairs = [(a, b) for a, b in snapshot.links if a in by_id and b in by_id]
    if entry:
        pairs.append((USERS, entry))
    webs = {n.id for n in snapshot.nodes if n.kind == NodeKind.WEB_SERVER}
    bused = [(a, b) for a, b in pairs if a in webs]
    sources = list(dict.fromkeys(a for a, _b in bused))
    targets = list(dict.fromkeys(b for _a, b in bused))
    if len(sources) < 2 or len(targets) < 2:
        bused = []
    lines = [_link(by_id[a], by_id[b], a in down or b in down) for a, b in pairs
             if (a, b) not in bused]
    if bused:
        ends = [by_id[i] for i in sources + targets]
        lines.append(Line(bus_x, min(b.cy for b in ends), bus_x, max(b.cy for b in ends), False))
        lines += [Line(by_id[a].x + by_id[a].w, by_id[a].cy, bus_x, by_id[a].cy, a in down)
                  for a in sources]
        lines += [Line(bus_x, by_id[b].cy, by_id[b].x, by_id[b].cy, b in down) for b in targets]
    return lines


def _link(a: Box, b: Box, dashed: bool) -> Line:
    return Line(a.x + a.w, a.cy, b.x, b.cy, dashed)


def _box(node: NodeSnapshot, x: float, y: float, h: float) -> Box:
    if node.status == NodeStatus.DOWN:
        detail = _("down")
    else:
        detail = f"{node.utilization:.0%}" if node.workers else ""
    role = ROLES.get(node.role) if node.kind == NodeKind.DATABASE else None
    if role is not None:
        detail = f"{role()} · {detail}" if detail else role()
    return Box(node.id, str(node.kind), x, y, BOX_W, h, node.id, detail, tone(node),
               not node.in_rotation)



def summary(snapshot: Snapshot) -> str:
    """One sentence naming the tiers, e.g. "Users → DNS → 3 web servers → database"."""
    count = {kind: sum(n.kind == kind for n in snapshot.nodes) for kind in TIERS}
    parts = [_("Users")]
    if count[NodeKind.DNS]:
        parts.append(_("DNS"))
    if count[NodeKind.CDN]:
        parts.append(_("CDN (static assets)"))
    if count[NodeKind.LOAD_BALANCER]:
        parts.append(_("load balancer"))
    webs = count[NodeKind.WEB_SERVER]
    if webs:
        parts.append(ngettext("%(n)d web server", "%(n)d web servers", webs) % {"n": webs})
    if count[NodeKind.CACHE]:
        parts.append(_("cache"))
    replicas = sum(n.role == "replica" for n in snapshot.nodes)
    if replicas:
        parts.append(
            ngettext(
                "database with %(n)d read replica", "database with %(n)d read replicas", replicas
            )
            % {"n": replicas}
        )
    elif count[NodeKind.DATABASE]:
        parts.append(_("database"))
    else:
        parts[-1] = _("%(tier)s (holding the data)") % {"tier": parts[-1]}
    return _("Architecture: %(tiers)s.") % {"tiers": " → ".join(parts)}


def _describe(node: NodeSnapshot) -> str:
    if node.status == NodeStatus.DOWN:
        text = _("%(node)s is down.") % {"node": node.id}
    else:
        util = f"{node.utilization:.0%}"
        text = _("%(node)s is %(util)s busy.") % {"node": node.id, "util": util}
        if not node.in_rotation:
            text += " " + _("It receives no traffic.")
    if node.role == "primary":
        text += " " + _("It is the primary database: every write goes to it.")
    elif node.role == "replica":
        text += " " + _("It is a read replica.")
    return text
