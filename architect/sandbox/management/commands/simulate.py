"""``manage.py simulate FILE``: run a topology file without a browser.

Reads a YAML or JSON topology (docs/topology.md), runs it with
``architect.sim.report.run_report`` and prints a table, or with ``--json``
the whole report. Same file, same seed: the same output, byte for byte.
A file with problems lists them all, in ``--language`` (default: English).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from architect.language_option import add_language_argument
from architect.problem_text import problem_text, reason_text
from architect.sandbox.guard import nesting
from architect.sim.loader import load_topology
from architect.sim.model.plain import MAX_DEPTH
from architect.sim.model.problems import TopologyError
from architect.sim.model.topology import Topology
from architect.sim.report import Report, run_report
from architect.yamlmarks import YamlProblem, parse_with_lines

MAX_FILE_BYTES = 1024 * 1024


def _parse_json(text: str, name: str) -> object:
    if nesting(text) > MAX_DEPTH:  # the parser recurses once per level
        raise CommandError(f"{name}: nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"{name}: line {error.lineno}: {error.msg}") from error
    except ValueError as error:  # a number of more than 4,300 digits
        raise CommandError(f"{name}: {error}") from None


def _parse_yaml(text: str, name: str) -> object:
    """Plain data, read with the plans' limits (no anchors or aliases, bounded depth…)."""
    try:
        return parse_with_lines(text)[0]
    except YamlProblem as problem:
        where = f"line {problem.line}: " if problem.line else ""
        raise CommandError(
            f"{name}: {where}{reason_text(problem.reason, problem.params)}"
        ) from None


PARSERS: dict[str, Callable[[str, str], object]] = {
    ".json": _parse_json,
    ".yaml": _parse_yaml,
    ".yml": _parse_yaml,
}


def read_topology(path: Path) -> Topology:
    """A topology from a file, or ``CommandError`` saying what is wrong with it."""
    parse = PARSERS.get(path.suffix.lower())
    if parse is None:
        raise CommandError(f"{path}: the name must end in .json, .yaml or .yml")
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise CommandError(f"{path}: cannot be read ({error.strerror})") from error
    if len(raw) > MAX_FILE_BYTES:
        raise CommandError(f"{path}: is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandError(f"{path}: is not UTF-8 text") from error
    try:
        return load_topology(parse(text, str(path)))
    except TopologyError as error:
        problems = "\n".join(f"  {problem_text(problem)}" for problem in error.problems)
        header = _("%(path)s: %(count)s problem(s):") % {"path": path, "count": len(error.problems)}
        raise CommandError(f"{header}\n{problems}") from error


class Command(BaseCommand):
    help = "Run a topology file (YAML or JSON, see docs/topology.md) and print its measures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .yaml, .yml or .json topology")
        parser.add_argument(
            "--duration", type=float, default=60.0, help="simulated seconds measured (60)"
        )
        parser.add_argument(
            "--warmup", type=float, default=10.0, help="simulated seconds run unmeasured first (10)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        add_language_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            topology = read_topology(options["file"])
        try:
            report = run_report(
                topology,
                duration_s=options["duration"],
                warmup_s=options["warmup"],
                seed=options["seed"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.to_dict(), indent=2))
        else:
            self.stdout.write(format_table(report))


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_table(report: Report) -> str:
    """The summary, then one line per node."""
    data = report.to_dict()
    lines = [*_summary_lines(report, data), "", *_node_lines(data["nodes"])]
    if data["events"]:
        lines += ["", "events:", *_event_lines(data["events"])]
    return "\n".join(lines)


def _summary_lines(report: Report, data: dict[str, Any]) -> list[str]:
    summary, cache = data["summary"], data["cache"]
    latency = summary["latency_ms"]
    lines = [
        f"{report.name}: seed {report.seed}, {report.warmup_s:g} s warm-up, "
        f"{report.duration_s:g} s measured",
        f"offered {summary['offered_rps']:g} rps, served {summary['throughput_rps']:.1f} rps, "
        f"errors {100 * summary['error_rate']:.2f} %, "
        f"availability {100 * summary['availability']:.3f} %",
        f"latency ms: mean {_number(latency['mean'])}, p50 {_number(latency['p50'])}, "
        f"p95 {_number(latency['p95'])}, p99 {_number(latency['p99'])}",
        f"cost ${summary['cost_per_month']:g} a month",
    ]
    names = {"hit_ratio": "cache hits", "cdn_hit_ratio": "CDN hits"}
    ratios = [f"{names[k]} {100 * v:.1f} %" for k, v in cache.items() if v is not None]
    return [*lines, ", ".join(ratios)] if ratios else lines


def _event_lines(events: list[dict[str, Any]]) -> list[str]:
    """One line per logged event: its time, its kind and the fields it uses."""
    lines = []
    for event in events:
        details = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("t", "kind"))
        lines.append(f"{event['t']:>8.1f} s  {event['kind']}  {details}".rstrip())
    return lines


def _node_lines(nodes: dict[str, dict[str, Any]]) -> list[str]:
    width = max(len("node"), *map(len, nodes)) + 2
    header = f"{'node':<{width}}{'kind':<15}{'busy %':>8}{'rps':>10}{'queue':>9}"
    lines = [f"{header}{'mean ms':>10}{'p99 ms':>10}"]
    for node_id, node in nodes.items():
        latency = node["latency_ms"]
        lines.append(
            f"{node_id:<{width}}{node['kind']:<15}{100 * node['utilization']:>8.1f}"
            f"{node['throughput_rps']:>10.1f}{node['mean_queue']:>9.2f}"
            f"{_number(latency['mean'], 2):>10}{_number(latency['p99'], 2):>10}"
            + (f"  added at {node['added_s']:g} s" if "added_s" in node else "")
        )
    return lines
