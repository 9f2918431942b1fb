"""Plain-words sentences for commands the engine (or a lesson's experiment) refused."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from architect.sandbox.names import region_name, strategy_name
from architect.sim.commands import CommandError
from architect.sim.model.limits import MAX_WEB_SERVERS


def error_text(error: CommandError) -> str:
    """A translated sentence for a command the engine refused.

    Known codes get their own sentence (chosen by the error's parameters where they
    matter); others fall back to the engine's message.
    """
    params = {"max_web_servers": str(MAX_WEB_SERVERS)}
    params |= {k: _display(k, v) for k, v in error.params.items()}
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
    "no_cache": lambda p: _("There is no cache yet: add one first."),
    "bad_cache_ttl": lambda p: _("A cache's TTL is %(low)s to %(high)s seconds."),
    "unknown_eviction": lambda p: _(
        "“%(eviction)s” is not an eviction policy: choose LRU, LFU or FIFO."
    ),
    "too_many_replicas": lambda p: _("The sandbox allows at most %(limit)s read replicas."),
    "cdn_exists": lambda p: _("There is already a CDN."),
    "no_cdn": lambda p: _("There is no CDN yet: add one first."),
    "bad_cdn_assets": lambda p: _(
        "The CDN serves a share of the assets from %(low)s to %(high)s (0.1 %% to 100 %%)."
    ),
    "one_center": lambda p: _(
        "There is one data center: open another before choosing how writes reach it."
    ),
    "unknown_sync": lambda p: _(
        "“%(mode)s” is not a way to copy writes: choose none, async or sync."
    ),
    "mix_out_of_range": lambda p: _mix_out_of_range(p.get("field", "")),
    "automation_needs_monitoring": lambda p: _(
        "Automation needs monitoring: a script can only repair what monitoring notices. "
        "Turn monitoring on too."
    ),
    "bad_autoscaling": lambda p: _(
        "Autoscaling needs a minimum and a maximum between 1 and %(max_web_servers)s web "
        "servers, the minimum not above the maximum, and a target between 5 %% and 95 %%."
    ),
    "no_load_balancer": lambda p: _("There is no load balancer yet: add one first."),
    "session_store_exists": lambda p: _("Sessions are already kept in a shared store."),
    "too_many_shards": lambda p: _("The sandbox allows at most %(limit)s shards."),
    "hot_key_needs_shards": lambda p: _(
        "The data is in one database: split it into shards before giving a hot key its own."
    ),
    "too_many_hot_keys": lambda p: _("The sandbox gives at most %(limit)s hot keys a shard each."),
    "hot_keys_last": lambda p: _(
        "Hot keys have shards of their own: add shards for the other keys before isolating "
        "hot keys."
    ),
    "not_sharded": lambda p: _(
        "The data is in one database: no query joins across shards. Add a shard first."
    ),
    "no_cross_shard_reads": lambda p: _(
        "No read asks every shard any more: the data is already kept together."
    ),
    "unknown_algorithm": lambda p: _(
        "“%(algorithm)s” is not a balancing algorithm: choose round robin, least "
        "connections or sticky sessions."
    ),
    "unknown_strategy": lambda p: _(
        "“%(strategy)s” is not a sharding strategy: choose modulo or consistent hashing."
    ),
    "queue_exists": lambda p: _("There is already a message queue."),
    "not_a_worker_pool": lambda p: _("%(node)s is not a worker pool."),
    "workers_out_of_range": lambda p: _("A worker pool has between %(low)s and %(high)s workers."),
    "unknown_center": lambda p: _("There is no data center called %(center)s."),
    "center_down": lambda p: _("Data center %(center)s is already down."),
    "center_up": lambda p: _("Data center %(center)s is already up."),
    "too_many_centers": lambda p: _("The sandbox allows at most %(limit)s data centers."),
    "unknown_region": lambda p: _("“%(region)s” is not a region: choose US East, Europe or Asia."),
    "center_exists": lambda p: _("There is already a data center in %(center)s."),
    "center_needs_load_balancer": lambda p: _(
        "Add a load balancer before a second data center: geoDNS sends users to each "
        "center's load balancer."
    ),
    "center_needs_database": lambda p: _(
        "Move the data to its own database server before a second data center: each center "
        "keeps a copy of the data."
    ),
    "too_many_nodes": lambda p: _("The sandbox allows at most %(limit)s nodes."),
    # A lesson stage's own commands (``lessons.experiment.Experiment``).
    "answer_first": lambda p: _("Answer the question first, or skip it."),
    "bad_choice": lambda p: _("Choose one of the %(count)s answers."),
    "bad_estimate": lambda p: _("Estimate a whole number from 0 to %(limit)s."),
    "not_offered": lambda p: _(
        "This stage does not offer “%(action)s”: nothing was changed. Use the controls it shows."
    ),
    "fixed_traffic": lambda p: _(
        "This stage's run keeps the scenario's traffic: change the architecture instead."
    ),
    "fixed_repair": lambda p: _(
        "Nothing is restored by hand in this stage's run: the architecture must recover by itself."
    ),
}


def _display(name: str, value: object) -> str:
    """An error parameter as the sentence shows it: strategies in words, numbers as numbers."""
    if name == "strategy":
        return strategy_name(str(value))
    if name in ("center", "region"):
        return region_name(str(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _mix_out_of_range(field: str) -> str:
    if field == "read_ratio":
        return _("The share of reads must be between 0 %% and 100 %%.")
    if field == "static_ratio":
        return _("The share of static assets must be between 0 %% and 100 %%.")
    return _("The key skew must be between 0 and %(high)s.")


def _needs_database(what: str) -> str:
    if what == "cache":
        return _("Move the data to its own database server before adding a cache.")
    if what == "replica":
        return _("Move the data to its own database server before adding a replica.")
    if what == "shard":
        return _("Move the data to its own database server before splitting it into shards.")
    return _("Move the data to its own database server first.")
