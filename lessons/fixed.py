"""What a stage's run keeps as the stage set it: the plan's ``fixed: [traffic, repair]``.

``traffic``: the run uses the scenario's traffic; what the learner set while exploring
does not carry over, and changing it during the run is refused. ``repair``: a failed node
or data center is not restored by hand during the run (the stage teaches automatic
recovery). ``Experiment`` and the shortcut search (``lessons.shortcuts``) both ask here.
"""

from __future__ import annotations

from collections.abc import Iterable

from architect.sim.commands import CommandError

# What may be fixed, and the actions each one refuses during a run.
FIXABLE: dict[str, tuple[str, ...]] = {
    "traffic": ("set_traffic", "set_traffic_mix"),
    "repair": ("restore", "restore_data_center"),
}


def fixed_by(fixed: Iterable[str], action: str) -> str:
    """Which of ``fixed`` keeps ``action`` out of a run ("" when none does)."""
    return next((name for name in fixed if action in FIXABLE.get(name, ())), "")


def check_in_run(fixed: Iterable[str], action: str) -> None:
    """Raise ``CommandError`` when a run of a stage fixing ``fixed`` refuses ``action``."""
    name = fixed_by(fixed, action)
    if name == "traffic":
        raise CommandError(
            "fixed_traffic",
            "this stage's run keeps the scenario's traffic: change the architecture instead",
            action=action,
        )
    if name == "repair":
        raise CommandError(
            "fixed_repair",
            "in this stage's run nothing is restored by hand: the architecture must recover "
            "by itself",
            action=action,
        )
