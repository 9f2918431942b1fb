"""The metrics panel: each figure's value, its words, and a sentence that explains it.

The panel's structure (which metrics, their labels and units) is drawn only when the
set of metrics changes; a tick sends only the values that changed (``values``), so a
learner's focus on a label's explanation button survives every tick. The sentences
(``HELP``) are drawn once with the page, each with a link to the stage that teaches
the metric (the page's view resolves those links from the loaded plan); the charts'
captions, the servers table's headers and a stage's goal open them too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from architect.sandbox.numbers import num
from architect.sim.snapshot import NodeKind, Settings, Snapshot

BLANK = "—"
# key → (label key, unit key, drawn big): in the panel's order. Labels and units are
# ``fragments.LABELS``' keys, translated once per language.
PANEL = {
    "offered": ("offered", "req_s", True),
    "served": ("served", "req_s", True),
    "p99": ("p99", "ms", True),
    "error_rate": ("errors", "%", True),
    "p50": ("p50", "ms", False),
    "p95": ("p95", "ms", False),
    "availability": ("availability", "%", False),
    "cost": ("cost", "", False),
    "cache_hits": ("cache_hits", "%", False),
    "cdn_hits": ("cdn_hits", "%", False),
    "stale_reads": ("stale_reads", "so_far", False),
    "lost_writes": ("lost_writes", "so_far", False),
    "sessions_lost": ("sessions_lost", "so_far", False),
}
JOBS = {
    "jobs_published": ("jobs_published", "jobs_s", False),
    "jobs_done": ("jobs_done", "jobs_s", False),
    "jobs_depth": ("jobs_waiting", "jobs", False),
    "jobs_p99": ("jobs_p99", "ms", False),
    "jobs_failed": ("jobs_failed", "jobs_s", False),
}
HELP = {
    "offered": _(
        "The requests per second your users send on average, whether or not they are served. "
        "They arrive at random, so one second brings more and the next fewer."
    ),
    "served": _(
        "Requests per second answered successfully over the last simulated second. It can "
        "read above what is offered: more requests arrived that second, or some that waited "
        "in a queue were answered."
    ),
    "p99": _(
        "99 % of requests took less than this and 1 % took longer: what the unluckiest users "
        "wait. It climbs first when a server nears its limit."
    ),
    "error_rate": _(
        "The share of requests that failed: refused by a full queue, sent to a failed server, "
        "or with no server to go to."
    ),
    "p50": _("Half the requests took less than this: the typical wait."),
    # xgettext:no-python-format
    "p95": _("95 % of requests took less than this; one in twenty took longer."),
    "availability": _(
        "The share of requests served without an error (100 % minus the error rate). "
        "Spare servers keep it up when one fails."
    ),
    "cost": _(
        "What these servers would cost a month at their sizes: a bigger box and more boxes "
        "have different prices."
    ),
    "cache_hits": _(
        "The share of reads the cache answered without asking the database, over the last "
        "simulated second."
    ),
    "cdn_hits": _(
        "The share of static files (images, scripts, styles) the CDN served from its edge "
        "without asking the web servers."
    ),
    "stale_reads": _(
        "Reads answered with data older than the latest write: by a replica that had not "
        "applied it yet, or from a cache copy kept until it expires. Counted since the start."
    ),
    "lost_writes": _(
        "Writes lost because the primary database failed before it copied them to a replica. "
        "Counted since the start."
    ),
    "sessions_lost": _(
        "Users logged out because their request reached a server that did not hold their "
        "session. Counted since the start."
    ),
    "jobs_published": _("Background jobs the web servers put on the message queue per second."),
    "jobs_done": _("Jobs the workers finished per second."),
    "jobs_depth": _(
        "Jobs waiting in the queue now: it grows while the workers are slower than the "
        "jobs come in."
    ),
    # xgettext:no-python-format
    "jobs_p99": _("99 % of jobs were done within this time of being published."),
    "jobs_failed": _("Jobs per second that could not be published because the queue was down."),
    "utilization": _(
        "The share of a node's time its workers were busy. Near 100 %, requests start to "
        "queue and wait; the chart draws the busiest nodes."
    ),
    "queued": _(
        "Requests waiting for a node's workers, and jobs waiting on the message queue, when "
        "the second closed: a queue that keeps growing means work comes in faster than it "
        "is done; the chart draws the longest queues."
    ),
    "mean": _(
        "The average time a request took: a few very slow requests pull it up, so p99 says "
        "more about what the unluckiest users wait."
    ),
    "workers": _(
        "How many requests a node works on at the same time: each worker takes one and the "
        "others wait in its queue. Each size up doubles the workers."
    ),
    "size": _(
        "The server's size: each step up (S, M, L, XL) doubles its workers and its cost. "
        "XL is the largest: a server cannot grow past it."
    ),
    "node_cost": _(
        "What this node costs a month at its size; the monthly cost metric adds up every node."
    ),
    "state": _(
        "Up: it serves requests. Down: it has failed and serves nothing until it is restored. "
        "Booting or no traffic: it runs, but the load balancer (or DNS) does not send it "
        "requests yet."
    ),
}
# Explained, but shown only as a chart: key → its label key.
CHARTED = {"utilization": "utilization", "queued": "queued"}
# Explained, but shown only as a servers table's header or in a stage's goal (the table's
# Busy and Queue open CHARTED's): key → its label key.
ELSEWHERE = {key: key for key in ("mean", "workers", "size", "node_cost", "state")}
# A stage goal's metric (lessons.goals) → the key of its explanation; a hit ratio's is the
# cache's or the CDN's, by its node (``goal_help``).
GOAL_HELP = {
    "throughput_rps": "served",
    "offered_rps": "offered",
    "error_rate": "error_rate",
    "mean_ms": "mean",
    "p50_ms": "p50",
    "p95_ms": "p95",
    "p99_ms": "p99",
    "cost_per_month": "cost",
    "utilization": "utilization",
    "max_utilization": "utilization",
    "hit_ratio": "cache_hits",
    "lost_writes": "lost_writes",
    "sessions_lost": "sessions_lost",
    "stale_reads": "stale_reads",
    "queue_depth": "jobs_depth",
}


def goal_help(metric: str, node: str = "") -> str:
    """The explanation (``HELP``'s key) of a stage goal's metric; "" for one it lacks."""
    if metric == "hit_ratio" and node.startswith(NodeKind.CDN.value):
        return "cdn_hits"
    return GOAL_HELP.get(metric, "")


def values(s: Snapshot, settings: Settings, language: str | None = None) -> dict[str, str]:
    """Every metric shown now, by key, formatted: the panel's, then the jobs' (with a queue);
    ``language``: the active one, when the caller has it already."""
    language = language or get_language()
    latency = s.latency
    shown = {
        "offered": num(s.offered_rps, 0, language),
        "served": num(s.throughput_rps, 0, language),
        "p99": num(latency.p99_ms, 0, language) if latency else BLANK,
        "error_rate": num(s.error_rate * 100, 1, language),
        "p50": num(latency.p50_ms, 0, language) if latency else BLANK,
        "p95": num(latency.p95_ms, 0, language) if latency else BLANK,
        "availability": num((1 - s.error_rate) * 100, 1, language),
        "cost": num(s.cost_per_month, 0, language),
        **building_blocks(s, language),
        **({"sessions_lost": num(s.sessions_lost, 0, language)} if settings.users else {}),
    }
    if s.jobs is not None:
        jobs, job_latency = s.jobs, s.jobs.latency
        shown |= {
            "jobs_published": num(jobs.published_rps, 1, language),
            "jobs_done": num(jobs.done_rps, 1, language),
            "jobs_depth": num(jobs.depth, 0, language),
            "jobs_p99": num(job_latency.p99_ms, 0, language) if job_latency else BLANK,
        }
        if jobs.failed_rps:
            shown["jobs_failed"] = num(jobs.failed_rps, 1, language)
    return shown


def building_blocks(s: Snapshot, language: str | None = None) -> dict[str, str]:
    """Hit ratios of the cache and the CDN, and replication's losses, where they apply."""
    language = language or get_language()
    ratios = dict(s.hit_ratios)
    shown: dict[str, str] = {}
    for kind, name in ((NodeKind.CACHE, "cache_hits"), (NodeKind.CDN, "cdn_hits")):
        node_id = next((n.id for n in s.nodes if n.kind == kind), None)
        if node_id is not None:
            ratio = ratios.get(node_id)
            shown[name] = BLANK if ratio is None else num(ratio * 100, 0, language)
    if any(n.role == "replica" for n in s.nodes):
        shown["stale_reads"] = num(s.stale_reads, 0, language)
        shown["lost_writes"] = num(s.lost_writes, 0, language)
    return shown


def rows(
    shown: dict[str, str], words: dict[str, str], table: dict[str, tuple[str, str, bool]]
) -> list[dict[str, Any]]:
    """The metrics of ``table`` shown now, in its order, with their words and values."""
    return [
        {
            "key": key,
            "label": words[label],
            "unit": words.get(unit, unit),
            "value": shown[key],
            "big": big,
            "money": key == "cost",
        }
        for key, (label, unit, big) in table.items()
        if key in shown
    ]


def structure(context: dict[str, Any]) -> tuple[object, ...]:
    """Changes exactly when the panel's structure (not its values) must be redrawn."""
    return tuple(context["metrics"])


def panel(context: dict[str, Any]) -> dict[str, Any]:
    """What the panel's structure needs: its rows and the jobs' rows."""
    shown, words = context["metrics"], context["label"]
    return {"metric_rows": rows(shown, words, PANEL), "job_rows": rows(shown, words, JOBS)}


def help_items(words: dict[str, str], links: dict[str, Any]) -> list[dict[str, Any]]:
    """Each metric's label and sentence, with the stage that teaches it when it is loaded."""
    return [
        {"key": key, "label": words[label], "text": HELP[key], "link": links.get(key)}
        for key, label in (
            {k: v[0] for k, v in (PANEL | JOBS).items()} | CHARTED | ELSEWHERE
        ).items()
    ]
