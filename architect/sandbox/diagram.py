"""Lay out the architecture diagram: one column per tier, stacked nodes.

Columns, left to right: Users | DNS | CDN | load balancer | web servers | a side
column (cache, session store, message queue) | a data column (each shard's primary,
then its replicas; the worker pool). Each column is as wide as its own longest text.
The side and data columns share one grid of rows: the cache sits one row above the
databases, the session store and the message queue below them, so the links to each
database pass between them, and the worker pool sits right of the queue that feeds it.
The CDN sits off the DNS → origin line, so that line never crosses it. When several web
servers reach several nodes, their links meet on a vertical bus instead of crossing each
other. Many web servers (two or more inside a data center's band) stand in two lanes,
zig-zag, each half a row below the last: the column is about half as tall, and the line
to a server in the far lane passes between two servers of the near one, so the links
into and out of the lanes meet on buses. The template draws the result as SVG; no
JavaScript is involved.

With several data centers, DNS and the CDN stay in front and each center is a
labelled band, one above the other, holding its own columns; a failed center's
band is greyed and its label says so in words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from architect.sandbox.diagram_load import (
    bottleneck,
    flow_step,
    link_traffic,
    load_step,
    queue_step,
    working,
)
from architect.sandbox.diagram_shapes import Band, Box, Diagram, Line, fit, text_width
from architect.sandbox.diagram_shapes import svg_number as svg_number
from architect.sandbox.diagram_text import centers, describe, summary
from architect.sandbox.names import region_name
from architect.sim.blocks import OUTSIDE_CENTERS, TIERS  # TIERS: the node table's order too
from architect.sim.snapshot import NodeKind, NodeSnapshot, NodeStatus, Snapshot

USERS = "users"
BOX_W = 80.0  # a box's width, unless a label needs more (then its column widens alike)
USERS_W = 72.8
TEXT_PAD = 4.0  # room between a box's text and its edges
COLUMN_GAP = 30.0
MARGIN = 20.0
MARGIN_Y = 12.0  # above and below: the bottleneck's halo needs 7
ROW_GAP = 0.25  # room between two stacked boxes, in box heights
LANES_FROM = 5  # web servers from which they stand in two lanes (inside a band: 2)
LANE_GAP = 12.0  # between the two lanes: room for the bottleneck's halo (5 each side)
LANES_TIGHT_TO = 8  # web servers in lanes in two-line boxes; more: one line each
LINE_ROOM = 5.0  # above and below the line that passes between two boxes of a lane
MIN_HEIGHT = 160.0
FRONT = (NodeKind.DNS, NodeKind.CDN, NodeKind.LOAD_BALANCER, NodeKind.WEB_SERVER)
SIDE = (NodeKind.CACHE, NodeKind.SESSION_STORE, NodeKind.MESSAGE_QUEUE)
GLOBAL = OUTSIDE_CENTERS  # outside every data center
BAND_LABEL_H = 26.0  # room for a data center's name above its nodes
BAND_PAD = 12.0
BAND_GAP = 16.0
CDN_ROWS = 3  # the CDN takes the row above (or below) the DNS → origin line
MAX_CACHED = 256  # architectures whose summary is kept
_LAYOUTS: dict[tuple[object, ...], Diagram] = {}  # geometry by shape and language
ROLES = {  # a database's role, as its box says it
    "primary": lambda: pgettext("database role", "primary"),
    "replica": lambda: pgettext("database role", "replica"),
}


def tone(node: NodeSnapshot) -> str:
    """Colour class: down, or by utilisation (<60 % low, <85 % mid, else high)."""
    if node.status == NodeStatus.DOWN:
        return "down"
    if node.utilization < 0.60:
        return "low"
    if node.utilization < 0.85:
        return "mid"
    return "high"


def _row_height(count: int, dense: bool = False, lanes: int = 1) -> float:
    """A box's height in a column of ``count`` rows: two lines of text (smaller from four
    rows on, or in a data center's band: ``dense``), then one line from 17 (from 9 in two
    lanes); short enough that stage 13's five rows, and ten web servers in lanes, fit a
    one-screen frame at 1280×720 (sandbox.css) with readable labels."""
    if lanes == 2:
        return 34.0 if count <= LANES_TIGHT_TO else 26.0
    return 56.0 if count <= 3 and not dense else 34.0 if count <= 16 else 26.0


def tier_order(node: NodeSnapshot) -> tuple[int, int, bool]:
    """Sort key: by tier, databases by shard, each shard's primary before its replicas."""
    return TIERS.index(node.kind), node.shard, node.role == "replica"


@dataclass(frozen=True, slots=True)
class _Column:
    nodes: list[NodeSnapshot]
    rows: int  # rows of the stack this column is centred in
    slots: list[int]  # the row of each node
    lanes: int = 1  # 2: zig-zag, each row half a row below the last, in alternate lanes


def _stack(nodes: list[NodeSnapshot], rows: int = 0, first: int = 0, lanes: int = 1) -> _Column:
    return _Column(nodes, rows or len(nodes), [first + i for i in range(len(nodes))], lanes)


def column_key(node: NodeSnapshot) -> str:
    """The column a node stands in: its tier in front, else the side or the data column
    (the boxes of one column share a width, across every data center's band)."""
    if node.kind in FRONT:
        return str(node.kind)
    return "side" if node.kind in SIDE else "data"


def _columns(snapshot: Snapshot, dense: bool = False) -> list[_Column]:
    by_kind = {
        kind: sorted((n for n in snapshot.nodes if n.kind == kind), key=tier_order)
        for kind in TIERS
    }
    columns = []
    for kind in FRONT:
        nodes = by_kind[kind]
        if kind == NodeKind.CDN and nodes:
            below = _origin_is_above_centre(snapshot, nodes[0].id, by_kind)
            columns.append(_stack(nodes, CDN_ROWS, CDN_ROWS - 1 if below else 0))
        elif kind == NodeKind.WEB_SERVER and len(nodes) >= (2 if dense else LANES_FROM):
            columns.append(_stack(nodes, lanes=2))
        elif nodes:
            columns.append(_stack(nodes))
    return columns + _back_columns(by_kind)


def _back_columns(by_kind: dict[NodeKind, list[NodeSnapshot]]) -> list[_Column]:
    """The side and data columns, on one grid of rows (see the module's docstring)."""
    grid: list[tuple[list[NodeSnapshot], list[NodeSnapshot]]] = []  # (side, data) per row
    grid += [([n], []) for n in by_kind[NodeKind.CACHE]]
    grid += [([], [n]) for n in by_kind[NodeKind.DATABASE]]
    grid += [([n], []) for n in by_kind[NodeKind.SESSION_STORE]]
    queues, pools = by_kind[NodeKind.MESSAGE_QUEUE], by_kind[NodeKind.WORKER_POOL]
    for row in range(max(len(queues), len(pools))):
        grid.append((queues[row : row + 1], pools[row : row + 1]))
    columns = []
    for side in (0, 1):
        cells = [(row, cell[side][0]) for row, cell in enumerate(grid) if cell[side]]
        if cells:
            columns.append(_Column([n for _r, n in cells], len(grid), [r for r, _n in cells]))
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


Placed = list[tuple[NodeSnapshot, float, float, float]]  # node, x, y, h (y from a centre line)
Widths = dict[str, float]  # a column's box width by its key (``column_key``); else BOX_W


@dataclass(frozen=True, slots=True)
class _Arranged:
    placed: Placed
    right: float  # the x after the last column
    bands: list[Band]
    laned: frozenset[str]  # the nodes standing in two lanes


def _place(
    columns: list[_Column], x: float, widths: Widths, dense: bool = False
) -> tuple[Placed, float, set[str]]:
    """Stack each column's nodes around y = 0, left to right from ``x``; the x after the
    last, and the nodes in two lanes."""
    placed: Placed = []
    laned: set[str] = set()
    for column in columns:
        w = widths.get(column_key(column.nodes[0]), BOX_W)
        h = _row_height(column.rows, dense, column.lanes)
        if column.lanes == 2:  # a line between two boxes of a lane reaches the other lane
            step = h / 2 + LINE_ROOM
            top = -((column.rows - 1) * step + h) / 2
            placed += [
                (node, x + row % 2 * (w + LANE_GAP), top + row * step, h)
                for node, row in zip(column.nodes, column.slots, strict=True)
            ]
            laned.update(n.id for n in column.nodes)
            x += w + LANE_GAP
        else:
            step = h + h * ROW_GAP
            top = -(column.rows * step - h * ROW_GAP) / 2
            placed += [
                (node, x, top + row * step, h)
                for node, row in zip(column.nodes, column.slots, strict=True)
            ]
        x += w + COLUMN_GAP
    return placed, x, laned


def _text_width(node: NodeSnapshot, h: float, balanced: bool, live: bool) -> float:
    """The widest a box of ``h`` units for ``node`` draws its text, whatever its figures
    (the geometry is kept while they change): 100 %, down, booting."""
    details = [
        _detail(replace(node, status=status, in_rotation=rotation, utilization=1.0), balanced, live)
        for status, rotation in (
            (NodeStatus.UP, True),
            (NodeStatus.UP, False),
            (NodeStatus.DOWN, True),
        )
        if rotation or node.kind == NodeKind.WEB_SERVER  # only web servers wait to boot
    ]
    widest = max(details, key=lambda d: text_width(d, 13))
    name = shown_name(node)
    shape = Box(node.id, "", 0, 0, BOX_W, h, name, widest, "", False)
    if shape.compact:  # one line: “web-12 · 40%”, 12 units, bold
        return text_width(f"{name} · {widest}" if widest else name, 12, bold=True)
    label, detail = (13.0, 12.0) if shape.tight else (15.0, 13.0)
    return max(text_width(name, label, bold=True), text_width(widest, detail))


def shown_name(node: NodeSnapshot) -> str:
    """The name a box shows: its id, less its data center's prefix inside that center's
    band (“asia-web-1” is “web-1” in the band “Data center Asia”)."""
    short = node.id.removeprefix(f"{node.dc}-") if node.dc else node.id
    return short or node.id


def _fitting_widths(placed: Placed, balanced: bool, live: bool) -> Widths:
    """Each column's box width: what holds its boxes' texts (at least ``BOX_W``)."""
    widths: Widths = {}
    for node, _x, _y, h in placed:
        key = column_key(node)
        widest = _text_width(node, h, balanced, live) + 2 * TEXT_PAD
        fitting = float(-(-widest // 4) * 4)  # up to a multiple of 4
        widths[key] = max(widths.get(key, BOX_W), fitting)
    return widths


def layout(snapshot: Snapshot, *, live: bool = True) -> Diagram:
    """Positions for every node and link of ``snapshot``; without ``live`` (a plan's
    evolution: architectures, not runs) no node says how busy it is.

    The geometry is cached by the architecture's shape (what moves a box or a line) and
    the language; each call fills in its own figures: tones, details, the description."""
    shape = tuple(
        (n.id, n.kind, n.role, n.shard, n.dc, n.status, n.in_rotation, n.workers)
        for n in snapshot.nodes
    )
    language = get_language()
    key = (language, live, snapshot.links, shape)
    drawn = _LAYOUTS.get(key)
    if drawn is None:
        if len(_LAYOUTS) >= MAX_CACHED:
            _LAYOUTS.clear()
        drawn = _LAYOUTS[key] = _layout(snapshot, live)
    return _with_figures(drawn, snapshot, live, language)


def _with_figures(
    drawn: Diagram, snapshot: Snapshot, live: bool, language: str | None = None
) -> Diagram:
    """``drawn`` with ``snapshot``'s figures: each box's tone, detail, load and queue, each
    line's traffic, the bottleneck, the description."""
    balanced = any(n.kind == NodeKind.LOAD_BALANCER for n in snapshot.nodes)
    nodes = {n.id: n for n in snapshot.nodes}
    neck = bottleneck(snapshot) if live else None
    limiting = neck.node if neck is not None and neck.limiting else ""
    return replace(
        drawn,
        boxes=tuple(
            b if b.id == USERS else _figured(b, nodes[b.id], balanced, live, limiting)
            for b in drawn.boxes
        ),
        lines=_flowing(drawn.lines, link_traffic(snapshot)) if live else drawn.lines,
        description=" ".join(
            describe(n, live, language) for n in sorted(snapshot.nodes, key=tier_order)
        ),
        bottleneck=neck,
    )


def _figured(box: Box, node: NodeSnapshot, balanced: bool, live: bool, limiting: str) -> Box:
    """``box`` with ``node``'s tone, detail, load step and queue (itself when they are the
    same); ``limiting``: the bottleneck's id."""
    shown = live and working(node) and node.workers > 0
    figures = (
        _detail(node, balanced, live),
        tone(node),
        load_step(node.utilization) if shown else -1,
        queue_step(node.queued) if shown else 0,
        box.id == limiting,
    )
    if figures == (box.detail, box.tone, box.load, box.queue, box.limiting):
        return box
    detail, shade, load, queue, neck = figures
    return replace(box, detail=detail, tone=shade, load=load, queue=queue, limiting=neck)


def _flowing(lines: tuple[Line, ...], traffic: dict[tuple[str, str], float]) -> tuple[Line, ...]:
    """``lines`` with their widths by the requests per second they carry."""
    flowing = []
    for line in lines:
        step = flow_step(sum(traffic.get(pair, 0.0) for pair in line.carries))
        flowing.append(line if step == line.flow else replace(line, flow=step))
    return tuple(flowing)


def _layout(snapshot: Snapshot, live: bool) -> Diagram:
    """``layout``'s work."""
    balanced = any(n.kind == NodeKind.LOAD_BALANCER for n in snapshot.nodes)
    widths = _fitting_widths(_arranged(snapshot, {}).placed, balanced, live)
    arranged = _arranged(snapshot, widths)
    placed, x, bands = arranged.placed, arranged.right, arranged.bands
    low = min([-28.0] + [y for _n, _x, y, _h in placed] + [b.y for b in bands])  # users: 56 high
    high = max([28.0] + [y + h for _n, _x, y, h in placed] + [b.y + b.h for b in bands])
    height = max(MIN_HEIGHT, high - low + 2 * MARGIN_Y)
    centre = (height - (high - low)) / 2 - low
    boxes = [Box(USERS, USERS, MARGIN, centre - 28, USERS_W, 56.0, _("Users"), "", USERS, False)]
    boxes += [
        _box(node, bx, centre + y, widths.get(column_key(node), BOX_W), h, balanced, live)
        for node, bx, y, h in placed
    ]
    drawn = Diagram(
        width=x - COLUMN_GAP + MARGIN,
        height=height,
        boxes=tuple(boxes),
        lines=tuple(_lines(snapshot, {b.id: b for b in boxes}, arranged.laned)),
        title=summary(snapshot),
        description="",
        bands=tuple(replace(b, y=b.y + centre) for b in bands),
    )
    return _with_figures(replace(drawn, svg_fit=fit(drawn)), snapshot, live)


def _arranged(snapshot: Snapshot, widths: Widths) -> _Arranged:
    """Every node placed in boxes as wide as ``widths`` says, the x after the last column,
    the bands, the nodes in two lanes."""
    x = MARGIN + USERS_W + COLUMN_GAP
    names = centers(snapshot)
    if names:
        return _banded(snapshot, names, x, widths)
    placed, x, laned = _place(_columns(snapshot), x, widths)
    return _Arranged(placed, x, [], frozenset(laned))


def _banded(snapshot: Snapshot, names: list[str], x: float, widths: Widths) -> _Arranged:
    """DNS and the CDN in front, then one band per data center, stacked downwards; inside
    the bands two-line boxes are tight, and two web servers stand in two lanes."""
    front = replace(snapshot, nodes=tuple(n for n in snapshot.nodes if n.kind in GLOBAL))
    placed, x, laned = _place(_columns(front), x, widths)
    left = x - BAND_PAD
    stacked: Placed = []
    bands: list[Band] = []
    top, right = 0.0, x
    for name in names:
        own = tuple(n for n in snapshot.nodes if n.kind not in GLOBAL and n.dc == name)
        columns = _columns(replace(snapshot, nodes=own), dense=True)
        here, right_here, laned_here = _place(columns, x, widths, dense=True)
        laned |= laned_here
        right = max(right, right_here)
        low = min(y for _n, _x, y, _h in here)
        high = max(y + h for _n, _x, y, h in here)
        shift = top + BAND_LABEL_H - low
        stacked += [(n, bx, y + shift, h) for n, bx, y, h in here]
        down = all(n.status == NodeStatus.DOWN for n in own)
        label = _("Data center %(center)s") % {"center": region_name(name)}
        if down:
            label = _("%(center)s · down") % {"center": label}
        bands.append(Band(name, left, top, 0.0, high - low + BAND_LABEL_H + BAND_PAD, label, down))
        top += bands[-1].h + BAND_GAP
    middle = (top - BAND_GAP) / 2  # centre the bands on the users' line
    stacked = [(n, bx, y - middle, h) for n, bx, y, h in stacked]
    width = right - COLUMN_GAP + BAND_PAD - left  # BAND_PAD past the last box, inside the margin
    bands = [replace(b, y=b.y - middle, w=width) for b in bands]
    placed = _cdn_clear(snapshot, placed, stacked, widths)
    return _Arranged(placed + stacked, right, bands, frozenset(laned))


def _cdn_clear(snapshot: Snapshot, front: Placed, stacked: Placed, widths: Widths) -> Placed:
    """``front`` with the CDN (in the row above DNS) raised, if need be, clear of the lines
    from DNS to the bands above it: to the top band's entry they climb steeply."""
    at = {n.id: (x, y, h, widths.get(column_key(n), BOX_W)) for n, x, y, h in front + stacked}
    dns = next((n.id for n, *_ in front if n.kind == NodeKind.DNS), "")
    if not dns:
        return front
    dx, dy, dh, dw = at[dns]
    x0, y0 = dx + dw, dy + dh / 2  # where DNS's lines start
    ends = [at[b] for a, b in snapshot.links if a == dns and any(n.id == b for n, *_ in stacked)]
    moved: Placed = []
    for node, x, y, h in front:
        if node.kind == NodeKind.CDN:
            w = widths.get(column_key(node), BOX_W)
            for ex, ey, eh, _w in ends:  # the line's height at the CDN's two edges
                heights = [y0 + (ey + eh / 2 - y0) * (cx - x0) / (ex - x0) for cx in (x, x + w)]
                y = min(y, min(heights) - LINE_ROOM - h)
        moved.append((node, x, y, h))
    return moved


def _lines(snapshot: Snapshot, by_id: dict[str, Box], laned: frozenset[str]) -> list[Line]:
    """One line per link; web servers' links to several data nodes meet on a bus (one per
    center), and so do the links into and out of web servers that stand in two lanes."""
    down = {n.id for n in snapshot.nodes if n.status == NodeStatus.DOWN or not n.in_rotation}
    entry = next((n.id for n in snapshot.nodes if n.kind == NodeKind.DNS), None)
    pairs = [(a, b) for a, b in snapshot.links if a in by_id and b in by_id]
    if entry:
        pairs.append((USERS, entry))
    webs = {n.id: n.dc for n in snapshot.nodes if n.kind == NodeKind.WEB_SERVER}
    buses = []
    for center in dict.fromkeys(webs.values()):
        into = [(a, b) for a, b in pairs if webs.get(b) == center and b in laned]
        if into:  # a straight line to the far lane would cross the near one
            buses.append((min(by_id[b].x for _a, b in into) - COLUMN_GAP / 2, into))
        bused = [(a, b) for a, b in pairs if webs.get(a) == center]
        # one target: a straight line from each web server, unless they stand in lanes
        if len({b for _a, b in bused}) >= 2 or any(a in laned for a, _b in bused):
            right = max(by_id[a].x + by_id[a].w for a, _b in bused)
            buses.append((right + COLUMN_GAP / 2, bused))
    on_bus = {pair for _x, bus in buses for pair in bus}
    lines = [
        _link(by_id[a], by_id[b], a in down or b in down) for a, b in pairs if (a, b) not in on_bus
    ]
    for bus_x, bused in buses:
        lines += _bus(bus_x, bused, by_id, down)
    return lines


def _bus(
    bus_x: float, bused: list[tuple[str, str]], by_id: dict[str, Box], down: set[str]
) -> list[Line]:
    """A vertical line at ``bus_x`` joining ``bused``'s links: a stub from each source's
    right edge, one into each target's left edge."""
    sources = list(dict.fromkeys(a for a, _b in bused))
    targets = list(dict.fromkeys(b for _a, b in bused))
    ends = [by_id[i] for i in sources + targets]
    top, bottom = min(b.cy for b in ends), max(b.cy for b in ends)
    lines = [Line(bus_x, top, bus_x, bottom, False, tuple(bused), spine=True)]
    lines += [
        Line(by_id[a].x + by_id[a].w, by_id[a].cy, bus_x, by_id[a].cy, a in down, _from(a, bused))
        for a in sources
    ]
    lines += [
        Line(bus_x, by_id[b].cy, by_id[b].x, by_id[b].cy, b in down, _into(b, bused))
        for b in targets
    ]
    return lines


def _from(source: str, pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(pair for pair in pairs if pair[0] == source)


def _into(target: str, pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(pair for pair in pairs if pair[1] == target)


def _link(a: Box, b: Box, dashed: bool) -> Line:
    return Line(a.x + a.w, a.cy, b.x, b.cy, dashed, ((a.id, b.id),))


def _box(
    node: NodeSnapshot, x: float, y: float, w: float, h: float, balanced: bool, live: bool
) -> Box:
    return Box(
        node.id,
        str(node.kind),
        x,
        y,
        w,
        h,
        shown_name(node),
        _detail(node, balanced, live),
        tone(node),
        not node.in_rotation,
    )


def _detail(node: NodeSnapshot, balanced: bool, live: bool) -> str:
    """A box's second line: its role and how busy it is ("replica · 40%"), or "down"."""
    if not live:
        detail = ""
    elif node.status == NodeStatus.DOWN:
        detail = _("down")
    elif not node.in_rotation:
        detail = _("booting") if balanced else _("no traffic")
    else:
        detail = f"{node.utilization:.0%}" if node.workers else ""
    role = _role(node)
    if role:
        detail = f"{role} · {detail}" if detail else role
    return detail


def _role(node: NodeSnapshot) -> str:
    """“primary”, “replica”, or “shard 2” for a sharded primary."""
    if node.kind != NodeKind.DATABASE or node.role not in ROLES:
        return ""
    if node.shard >= 0 and node.role == "primary":
        return pgettext("database role", "shard %(n)d") % {"n": node.shard}
    return ROLES[node.role]()
