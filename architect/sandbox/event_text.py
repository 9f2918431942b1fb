"""Plain-words sentences for what the simulation reports: events and refused commands."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    return ngettext(
        "%(lb)s stopped sending to %(node)s at %(t)s s, %(delay)s s after it failed; "
        "%(count)d request failed meanwhile.",
        "%(lb)s stopped sending to %(node)s at %(t)s s, %(delay)s s after it failed; "
        "%(count)d requests failed meanwhile.",
        e.count,
    ) % params


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
    return _("The site is down: %(node)s failed and nothing else can answer.") % {
        "node": e.node
    }


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
        return _(
            "%(node)s was promoted to primary at %(t)s s, %(delay)s s after %(peer)s failed; "
            "every write had reached the replicas, so none was lost."
        ) % params
    return ngettext(
        "%(node)s was promoted to primary at %(t)s s, %(delay)s s after %(peer)s failed; "
        "%(count)d write that had not reached the replicas was lost.",
        "%(node)s was promoted to primary at %(t)s s, %(delay)s s after %(peer)s failed; "
        "%(count)d writes that had not reached the replicas were lost.",
        e.count,
    ) % params


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
}


def event_text(event: Event) -> str:
    """One translated sentence for an event."""
    return SENTENCES[event.kind](event)


def _t(seconds: float) -> str:
    return f"{seconds:.1f}"


def error_text(error: CommandError) -> str:
    """A translated sentence for a command the engine refused.

    Known codes get their own sentence (chosen by the error's parameters where they
    matter); others fall back to the engine's message.
    """
    params = {k: str(v) for k, v in error.params.items()}
    template = ERRORS.get(error.code)
    if template is None:
        return error.message
    try:
        return template(params) % params
    except (KeyError, ValueError, TypeError):
        return error.message


ERRORS: dict[str, Callable[[dict[str, str]], str]] = {
    "rps_out_of_range": lambda p: _(
        "Traffic must be between %(low)s and %(high)s requests per second."
    ),
    "too_many_web_servers": lambda p: _("The sandbox allows at most %(limit)s web servers."),
    "not_a_web_server": lambda p: _("%(node)s is not a web server."),
    "last_web_server": lambda p: _("The last web server cannot be removed."),
    "data_on_web_server": lambda p: _(
        "Move the data to a database server of its own first: a second web server could "
        "not see the data stored inside %(node)s."
    ),
    "load_balancer_exists": lambda p: _("There is already a load balancer."),
    "database_exists": lambda p: _("The data already has a server of its own."),
    "unknown_node": lambda p: _("There is no node called %(node)s."),
    "not_resizable": lambda p: _("%(node)s has no sizes to choose from."),
    "unknown_size": lambda p: _("“%(size)s” is not a size: choose S, M, L or XL."),
    "already_down": lambda p: _("%(node)s is already down."),
    "already_up": lambda p: _("%(node)s is already up."),
    "needs_database": lambda p: _needs_database(p.get("what", "")),
    "cache_exists": lambda p: _("There is already a cache."),
    "too_many_replicas": lambda p: _("The sandbox allows at most %(limit)s read replicas."),
    "cdn_exists": lambda p: _("There is already a CDN."),
    "no_cdn": lambda p: _("There is no CDN yet: add one first."),
}


def _needs_database(what: str) -> str:
    if what == "cache":
        return _("Move the data to its own database server before adding a cache.")
    if what == "replica":
        return _("Move the data to its own database server before adding a replica.")
    return _("Move the data to its own database server first.")
