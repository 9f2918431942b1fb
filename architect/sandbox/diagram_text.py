"""The diagram in words, for screen readers: the architecture's summary (the SVG's
title) and one or two sentences per node (its description). Both are cached, since
they say the same thing tick after tick."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from architect.sandbox.names import region_name
from architect.sim.blocks import OUTSIDE_CENTERS
from architect.sim.snapshot import NodeKind, NodeSnapshot, NodeStatus, Snapshot

GLOBAL = OUTSIDE_CENTERS  # outside every data center
MAX_CACHED = 256  # architectures whose summary is kept
_SUMMARIES: dict[tuple[object, ...], str] = {}
_DESCRIPTIONS: dict[tuple[object, ...], str] = {}


def centers(snapshot: Snapshot) -> list[str]:
    """The data centers in the order of their first node; [] with one unnamed center.

    One named center is listed too: a site placed in ``us-east`` shows where it stands
    (and can fail as a whole) before it opens a second one."""
    return list(dict.fromkeys(n.dc for n in snapshot.nodes if n.kind not in GLOBAL and n.dc))


def summary(snapshot: Snapshot) -> str:
    """One sentence naming the tiers, e.g. "Users → DNS → 3 web servers → database";
    cached by the architecture's shape and the language: it is the same tick after tick."""
    key = (get_language(), tuple((n.kind, n.role, n.shard, n.dc) for n in snapshot.nodes))
    text = _SUMMARIES.get(key)
    if text is None:
        if len(_SUMMARIES) >= MAX_CACHED:
            _SUMMARIES.clear()
        text = _SUMMARIES[key] = _summary(snapshot)
    return text


def name(snapshot: Snapshot) -> str:
    """The architecture named by the tiers a request passes, e.g. "DNS → 3 web servers →
    database" (the summary's, without the users): what an exported or shared design is
    called, whatever preset or stage it started from."""
    return " → ".join(_tiers(snapshot)[1:])


def _tiers(snapshot: Snapshot) -> list[str]:
    count = {kind: sum(n.kind == kind for n in snapshot.nodes) for kind in NodeKind}
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
    if count[NodeKind.DATABASE]:
        parts.append(_databases(snapshot))
    else:
        parts[-1] = _("%(tier)s (holding the data)") % {"tier": parts[-1]}
    return parts


def _summary(snapshot: Snapshot) -> str:
    count = {kind: sum(n.kind == kind for n in snapshot.nodes) for kind in NodeKind}
    sentences = [_("Architecture: %(tiers)s.") % {"tiers": " → ".join(_tiers(snapshot))}]
    if count[NodeKind.SESSION_STORE]:
        sentences.append(_("Sessions are kept in a shared store."))
    if count[NodeKind.MESSAGE_QUEUE]:
        sentences.append(_("Background jobs go through a message queue to a worker pool."))
    names = centers(snapshot)
    if names:
        sentences.append(
            ngettext(
                "It runs in %(n)d data center: %(centers)s.",
                "It runs in %(n)d data centers, each a copy of the others: %(centers)s.",
                len(names),
            )
            % {"n": len(names), "centers": ", ".join(region_name(c) for c in names)}
        )
    return " ".join(sentences)


def _databases(snapshot: Snapshot) -> str:
    replicas = sum(n.role == "replica" for n in snapshot.nodes)
    shards = len({n.shard for n in snapshot.nodes if n.kind == NodeKind.DATABASE and n.shard >= 0})
    if shards > 1:
        split = ngettext("database in %(n)d shard", "database in %(n)d shards", shards) % {
            "n": shards
        }
        if not replicas:
            return split
        return ngettext(
            "%(split)s with %(n)d read replica", "%(split)s with %(n)d read replicas", replicas
        ) % {"split": split, "n": replicas}
    if replicas:
        return ngettext(
            "database with %(n)d read replica", "database with %(n)d read replicas", replicas
        ) % {"n": replicas}
    return _("database")


def describe(node: NodeSnapshot, live: bool = True, language: str | None = None) -> str:
    """The description's sentences about ``node``, cached by what they say (the busy
    figure as displayed): most nodes say the same as at the last tick (``language``: the
    active one, when the caller has it already)."""
    key = (
        language or get_language(),
        live,
        node.id,
        node.kind,
        node.status,
        node.in_rotation,
        node.role,
        node.shard,
        f"{node.utilization:.0%}",
    )
    text = _DESCRIPTIONS.get(key)
    if text is None:
        if len(_DESCRIPTIONS) >= 16 * MAX_CACHED:
            _DESCRIPTIONS.clear()
        text = _DESCRIPTIONS[key] = _sentences(node, live)
    return text


def _sentences(node: NodeSnapshot, live: bool) -> str:
    if not live:
        text = f"{node.id}."
    elif node.status == NodeStatus.DOWN:
        text = _("%(node)s is down.") % {"node": node.id}
    else:
        util = f"{node.utilization:.0%}"
        text = _("%(node)s is %(util)s busy.") % {"node": node.id, "util": util}
        if not node.in_rotation:
            text += " " + _("It receives no traffic.")
    sentence = _KIND_SENTENCES.get(node.kind)
    if sentence is not None:
        text += sentence(node)
    return text


def _database_sentence(node: NodeSnapshot) -> str:
    if node.role == "primary" and node.shard >= 0:
        return " " + _(
            "It is the primary of shard %(n)d: every write to that shard's keys goes to it."
        ) % {"n": node.shard}
    if node.role == "primary":
        return " " + _("It is the primary database: every write goes to it.")
    if node.role == "replica":
        return " " + _("It is a read replica.")
    return ""


_KIND_SENTENCES: dict[NodeKind, Callable[[NodeSnapshot], str]] = {
    NodeKind.DATABASE: _database_sentence,
    NodeKind.SESSION_STORE: lambda n: " " + _("It holds every user's session."),
    NodeKind.MESSAGE_QUEUE: lambda n: (
        " " + _("It keeps background jobs until a worker takes them.")
    ),
    NodeKind.WORKER_POOL: lambda n: " " + _("It runs background jobs."),
}
