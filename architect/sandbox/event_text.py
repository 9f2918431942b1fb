"""Plain-words sentences for what the simulation reports: one per kind of event."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from architect.sandbox.error_text import error_text
from architect.sandbox.names import algorithm_name, region_name, strategy_name
from architect.sim.commands import CommandError
from architect.sim.snapshot import Event, EventKind


def _failed(e: Event) -> str:
    return _("%(node)s failed at %(t)s s.") % {"node": e.node, "t": _t(e.t)}


def _restored(e: Event) -> str:
    return _("%(node)s was restored at %(t)s s.") % {"node": e.node, "t": _t(e.t)}


def _backend_removed(e: Event) -> str:
    params = {
        "lb": e.node,
        "node": e.peer,
        "t": _t(e.t),
        "delay": _t(e.t - e.since),
        "count": e.count,
    }
    return (
        ngettext(
            "%(lb)s stopped sending to %(node)s at %(t)s s, %(delay)s s after it failed; "
            "%(count)d request failed meanwhile.",
            "%(lb)s stopped sending to %(node)s at %(t)s s, %(delay)s s after it failed; "
            "%(count)d requests failed meanwhile.",
            e.count,
        )
        % params
    )


def _backend_added(e: Event) -> str:
    return _("%(lb)s sends to %(node)s again from %(t)s s.") % {
        "lb": e.node,
        "node": e.peer,
        "t": _t(e.t),
    }


def _added(e: Event) -> str:
    return _("%(node)s was added at %(t)s s.") % {"node": e.node, "t": _t(e.t)}


def _removed(e: Event) -> str:
    return _("%(node)s was removed at %(t)s s.") % {"node": e.node, "t": _t(e.t)}


def _resized(e: Event) -> str:
    return _("%(node)s was resized to %(size)s at %(t)s s.") % {
        "node": e.node,
        "size": e.text.upper(),
        "t": _t(e.t),
    }


def _traffic(e: Event) -> str:
    return _("Traffic set to %(rps)s requests per second at %(t)s s.") % {
        "rps": number_format(round(e.value), 0, force_grouping=True),
        "t": _t(e.t),
    }


def _no_traffic(e: Event) -> str:
    if e.peer:
        return _(
            "%(node)s receives no traffic: DNS points at %(peer)s only. "
            "Add a load balancer to spread requests."
        ) % {"node": e.node, "peer": e.peer}
    return _(
        "%(node)s receives no traffic: DNS points at one server only. "
        "Add a load balancer to spread requests."
    ) % {"node": e.node}


def _site_down(e: Event) -> str:
    return _("The site is down: %(node)s failed and nothing else can answer.") % {"node": e.node}


def _separated(e: Event) -> str:
    return _("The data moved to its own database server, %(node)s, at %(t)s s.") % {
        "node": e.node,
        "t": _t(e.t),
    }


def _promoted(e: Event) -> str:
    params = {
        "node": e.node,
        "peer": e.peer,
        "t": _t(e.t),
        "delay": _t(e.t - e.since),
        "count": e.count,
    }
    if not e.count:
        return (
            _(
                "%(node)s was promoted to primary at %(t)s s, %(delay)s s after %(peer)s failed; "
                "every write had reached the replicas, so none was lost."
            )
            % params
        )
    return (
        ngettext(
            "%(node)s was promoted to primary at %(t)s s, %(delay)s s after %(peer)s failed; "
            "%(count)d write that had not reached the replicas was lost.",
            "%(node)s was promoted to primary at %(t)s s, %(delay)s s after %(peer)s failed; "
            "%(count)d writes that had not reached the replicas were lost.",
            e.count,
        )
        % params
    )


def _purged(e: Event) -> str:
    return _(
        "The CDN's copies were purged at %(t)s s: the next requests for each asset go to "
        "the origin."
    ) % {"node": e.node, "t": _t(e.t)}


def _versioned(e: Event) -> str:
    return _(
        "Assets now have new URLs (version %(version)d) at %(t)s s: the CDN fetches each one "
        "from the origin once."
    ) % {"version": e.count, "t": _t(e.t)}


def _denormalised(e: Event) -> str:
    return _(
        "The data each query joins is kept in one shard from %(t)s s: the %(share)s %% of "
        "reads that asked every shard now ask one."
    ) % {"t": _t(e.t), "share": _percent(e.value)}


def _mix(e: Event) -> str:
    return _(
        "The traffic mix changed at %(t)s s: %(static)s %% static assets; of the rest, "
        "%(reads)s %% reads and %(writes)s %% writes; key skew %(s)s."
    ) % {
        "t": _t(e.t),
        "static": _percent(e.since),
        "reads": _percent(e.value),
        "writes": _percent(1 - e.value),
        "s": e.text,
    }


def _repaired(e: Event) -> str:
    params = {"node": e.node, "t": _t(e.t), "delay": _duration(e.t - e.since)}
    if e.text == "automated":
        return (
            _(
                "A script replaced %(node)s at %(t)s s, %(delay)s after it failed: automation "
                "noticed and repaired it."
            )
            % params
        )
    if e.text == "manual":
        return (
            _(
                "An engineer repaired %(node)s at %(t)s s, %(delay)s after it failed: monitoring "
                "paged them."
            )
            % params
        )
    return (
        _(
            "%(node)s came back at %(t)s s, %(delay)s after it failed: without monitoring, "
            "nobody noticed until users complained."
        )
        % params
    )


def _operations(e: Event) -> str:
    if e.text == "automation":
        return _(
            "Monitoring and automation are on from %(t)s s: a script replaces a failed node "
            "within seconds."
        ) % {"t": _t(e.t)}
    if e.text == "monitoring":
        return _("Monitoring is on from %(t)s s: an engineer is paged as soon as a node fails.") % {
            "t": _t(e.t)
        }
    return _("Monitoring is off from %(t)s s: a failed node stays down until users complain.") % {
        "t": _t(e.t)
    }


def _balancing(e: Event) -> str:
    return _("%(lb)s balances by %(algorithm)s from %(t)s s.") % {
        "lb": e.node,
        "algorithm": algorithm_name(e.text),
        "t": _t(e.t),
    }


def _sessions_shared(e: Event) -> str:
    return _("Sessions are kept in %(node)s from %(t)s s: any web server can serve any user.") % {
        "node": e.node,
        "t": _t(e.t),
    }


def _scaled_out(e: Event) -> str:
    return ngettext(
        "Autoscaling added %(count)d web server (%(ids)s) at %(t)s s: the web tier was "
        "%(util)s %% busy. It takes traffic after warming up.",
        "Autoscaling added %(count)d web servers (%(ids)s) at %(t)s s: the web tier was "
        "%(util)s %% busy. They take traffic after warming up.",
        e.count,
    ) % {
        "count": e.count,
        "ids": ", ".join(i for i in e.text.split(",") if i),
        "t": _t(e.t),
        "util": _percent(e.value),
    }


def _scaled_in(e: Event) -> str:
    return _("Autoscaling removed %(node)s at %(t)s s: the web tier was only %(util)s %% busy.") % {
        "node": e.node,
        "t": _t(e.t),
        "util": _percent(e.value),
    }


def _autoscaling(e: Event) -> str:
    if e.text == "on":
        return _("Autoscaling is on from %(t)s s: between %(min)d and %(max)d web servers.") % {
            "t": _t(e.t),
            "min": e.count,
            "max": round(e.value),
        }
    return _("Autoscaling is off from %(t)s s.") % {"t": _t(e.t)}


def _queue_added(e: Event) -> str:
    return _(
        "From %(t)s s, writes hand their background jobs to the message queue %(node)s; "
        "the worker pool %(peer)s runs them."
    ) % {"node": e.node, "peer": e.peer, "t": _t(e.t)}


def _workers_set(e: Event) -> str:
    return ngettext(
        "%(node)s has %(count)d worker from %(t)s s.",
        "%(node)s has %(count)d workers from %(t)s s.",
        e.count,
    ) % {"node": e.node, "count": e.count, "t": _t(e.t)}


def _shard_added(e: Event) -> str:
    return _(
        "The data is split over %(count)d shards by %(strategy)s from %(t)s s; %(node)s "
        "holds the new shard and %(moved)s %% of keys had to move."
    ) % {
        "count": e.count,
        "strategy": strategy_name(e.text),
        "t": _t(e.t),
        "node": e.node,
        "moved": _percent(e.value),
    }


def _hot_key_isolated(e: Event) -> str:
    return _(
        "From %(t)s s the key ranked %(rank)s by popularity, %(share)s %% of the requests, "
        "has a shard of its own on %(node)s; no other key moved."
    ) % {"t": _t(e.t), "rank": e.count, "share": _percent(e.value), "node": e.node}


def _keys_copied(e: Event) -> str:
    """The copy of the keys a split moved: sent one after another from ``since`` to ``t``
    (migration.py spreads them over the copy's time; a single key goes at once)."""
    params = {"count": number_format(e.count, 0, force_grouping=True), "since": _t(e.since)}
    params["t"] = _t(e.t)
    if not e.count:
        return _("At %(t)s s the new shard rule moved no key: there was nothing to copy.") % params
    if params["since"] == params["t"]:
        return (
            ngettext(
                "At %(t)s s the key the new shard rule moved was copied at once: a read on its "
                "old shard and a write on its new one, while the traffic went on.",
                "At %(t)s s the %(count)s keys the new shard rule moved were copied at once, "
                "each a read on its old shard and a write on its new one, while the traffic "
                "went on.",
                e.count,
            )
            % params
        )
    return (
        ngettext(
            "The key the new shard rule moved was copied from %(since)s s to %(t)s s: a read on "
            "its old shard and a write on its new one, while the traffic went on.",
            "The %(count)s keys the new shard rule moved were copied from %(since)s s to %(t)s s, "
            "each a read on its old shard and a write on its new one while the traffic went on.",
            e.count,
        )
        % params
    )


def _center_failed(e: Event) -> str:
    params = {"center": region_name(e.text), "t": _t(e.t), "n": e.count}
    went = _(
        "Data center %(center)s went dark at %(t)s s: every node in it failed. geoDNS sends "
        "its users to another center, a longer way."
    )
    if not e.count:
        return went % params
    lost = ngettext(
        "%(n)s write made there had not reached another center: lost.",
        "%(n)s writes made there had not reached another center: lost.",
        e.count,
    )
    return f"{went} {lost}" % params


def _center_restored(e: Event) -> str:
    return _("Data center %(center)s is back at %(t)s s: its users are served nearby again.") % {
        "center": region_name(e.text),
        "t": _t(e.t),
    }


def _center_added(e: Event) -> str:
    return ngettext(
        "Data center %(center)s opened at %(t)s s, a copy of %(source)s (%(n)d node). geoDNS "
        "sends each region's users to the nearest center; writes reach the other centers a "
        "moment later.",
        "Data center %(center)s opened at %(t)s s, a copy of %(source)s (%(n)d nodes). geoDNS "
        "sends each region's users to the nearest center; writes reach the other centers a "
        "moment later.",
        e.count,
    ) % {"center": region_name(e.text), "source": region_name(e.peer), "n": e.count, "t": _t(e.t)}


def _refused(e: Event) -> str:
    """A scripted event the engine refused: the reason from the error's code when known."""
    reason = error_text(CommandError(e.text, "", node=e.node, center=e.node))
    params = {"action": e.peer, "t": _t(e.t), "reason": reason}
    if not reason:
        return _("The scripted %(action)s at %(t)s s could not be carried out.") % params
    return _("The scripted %(action)s at %(t)s s could not be carried out: %(reason)s") % params


def _cache_set(e: Event) -> str:
    return _("%(node)s keeps copies %(ttl)s s and evicts by %(eviction)s from %(t)s s.") % {
        "node": e.node,
        "ttl": f"{e.value:g}",
        "eviction": e.text.upper(),
        "t": _t(e.t),
    }


def _cdn_set(e: Event) -> str:
    return _(
        "From %(t)s s %(node)s serves the most requested %(share)s %% of the assets; the "
        "page links the others straight to the origin."
    ) % {"node": e.node, "share": f"{e.value * 100:g}", "t": _t(e.t)}


def _sync_set(e: Event) -> str:
    params = {"t": _t(e.t), "lag": f"{e.value:g}"}
    if e.text == "none":
        return (
            _(
                "From %(t)s s each write stays in the data center that made it: the others "
                "never get it."
            )
            % params
        )
    if e.text == "sync":
        return (
            _(
                "From %(t)s s each write waits until the other data centers have it "
                "(synchronous replication): it is slower by the round trip between them."
            )
            % params
        )
    return (
        _(
            "From %(t)s s each write reaches the other data centers %(lag)s ms later "
            "(asynchronous replication)."
        )
        % params
    )


SENTENCES: dict[EventKind, Callable[[Event], str]] = {
    EventKind.NODE_FAILED: _failed,
    EventKind.NODE_RESTORED: _restored,
    EventKind.BACKEND_REMOVED: _backend_removed,
    EventKind.BACKEND_ADDED: _backend_added,
    EventKind.NODE_ADDED: _added,
    EventKind.NODE_REMOVED: _removed,
    EventKind.NODE_RESIZED: _resized,
    EventKind.TRAFFIC_CHANGED: _traffic,
    EventKind.NO_TRAFFIC: _no_traffic,
    EventKind.SITE_DOWN: _site_down,
    EventKind.DATABASE_SEPARATED: _separated,
    EventKind.PRIMARY_PROMOTED: _promoted,
    EventKind.CDN_PURGED: _purged,
    EventKind.ASSETS_VERSIONED: _versioned,
    EventKind.TRAFFIC_MIX_CHANGED: _mix,
    EventKind.NODE_REPAIRED: _repaired,
    EventKind.OPERATIONS_CHANGED: _operations,
    EventKind.BALANCING_CHANGED: _balancing,
    EventKind.CACHE_SET: _cache_set,
    EventKind.CDN_SET: _cdn_set,
    EventKind.SYNC_SET: _sync_set,
    EventKind.SESSIONS_SHARED: _sessions_shared,
    EventKind.SCALED_OUT: _scaled_out,
    EventKind.SCALED_IN: _scaled_in,
    EventKind.AUTOSCALING_CHANGED: _autoscaling,
    EventKind.QUEUE_ADDED: _queue_added,
    EventKind.WORKERS_SET: _workers_set,
    EventKind.SHARD_ADDED: _shard_added,
    EventKind.DENORMALISED: _denormalised,
    EventKind.KEYS_COPIED: _keys_copied,
    EventKind.HOT_KEY_ISOLATED: _hot_key_isolated,
    EventKind.CENTER_FAILED: _center_failed,
    EventKind.CENTER_RESTORED: _center_restored,
    EventKind.EVENT_REFUSED: _refused,
    EventKind.CENTER_ADDED: _center_added,
}


def event_text(event: Event) -> str:
    """One translated sentence for an event."""
    return SENTENCES[event.kind](event)


def _t(seconds: float) -> str:
    return f"{seconds:.1f}"


def _percent(ratio: float) -> str:
    return number_format(round(ratio * 100), 0)


def _duration(seconds: float) -> str:
    """“12.0 s” for short waits, “30 min” for long ones."""
    if seconds < 120:
        return _("%(s)s s") % {"s": _t(seconds)}
    return _("%(m)s min") % {"m": number_format(round(seconds / 60), 0)}
