"""A stage's live sandbox: the sandbox consumer, started from the stage and judged by its goal.

Transport only, like ``SandboxConsumer``: a stage's socket accepts the vocabulary's
``LESSON_ACTIONS``, and ``Experiment`` carries them out (the lesson's own, the session's
controls, the engine's commands) or refuses those the stage does not offer. A prediction
is saved, and so is the stage once its goal is met, for the logged-in user, else for the
page's session, which is created at the first save when the guest has none
(``lessons.guests``, through the
socket's ``Keeper``, which also keeps the stage's live state: ``lessons.keeping``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.utils import translation

from architect.sandbox import keeping as sandbox_keeping
from architect.sandbox import workers
from architect.sandbox.charts import goal_levels, topic_chart
from architect.sandbox.consumers import SandboxConsumer
from architect.sandbox.fragments import Renderer
from architect.sim.actions import LESSON_ACTIONS, Action
from architect.sim.commands import Predict
from architect.sim.model.topology import Topology
from architect.sim.snapshot import Snapshot
from lessons import fragments, keeping, selectors, services
from lessons.experiment import Experiment, NewSession, Phase, noting_traffic
from lessons.goals import OPERATORS
from lessons.models import Progress, Stage

learner = sandbox_keeping.learner


def remote_sessions() -> NewSession | None:
    """How a stage's sessions are built in a worker (``SIM_WORKERS``), or None: here."""
    pool = workers.configured_pool()
    if pool is None:
        return None

    def new(topology: Topology, seed: int, on_traffic: Callable[[dict[str, float]], None]) -> Any:
        return workers.RemoteSession(pool, topology, seed, after_apply=noting_traffic(on_traffic))

    return new


class LessonConsumer(SandboxConsumer):
    """A stage's socket, or one of its "try it" experiments' (``.../try/<experiment>/``:
    ``stage`` is then the experiment, read as a stage, and ``row`` the stage it is in)."""

    stage: Stage | None = None
    progress: Progress | None = None
    accepts = LESSON_ACTIONS

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.user, self.session_key = learner(self.scope)
        self.trying = str(kwargs.get("experiment", ""))  # one of the stage's "try it"
        found = await database_sync_to_async(self._load)(kwargs["plan"], kwargs["stage"])
        if not found:
            await self.close(code=4404)
            return
        self.experiment = await asyncio.to_thread(self._experiment)  # a worker may answer
        self.place = (
            keeping.experiment_place(kwargs["plan"], kwargs["stage"], self.trying)
            if self.trying
            else sandbox_keeping.stage_place(kwargs["plan"], kwargs["stage"])
        )
        await super().connect()

    def _load(self, plan_slug: str, stage_slug: str) -> bool:
        try:
            self.row = selectors.stage_get(plan_slug=plan_slug, stage_slug=stage_slug)
            self.stage = self.row.experiment(self.trying) if self.trying else self.row
        except Stage.DoesNotExist:
            return False
        self.progress = selectors.progress_for(
            user=self.user, session_key=self.session_key, plan=self.row.plan
        ).get(self.row.slug)
        progress = self.progress
        if self.trying:
            self.done = progress is not None and self.trying in progress.tried()
            self.prediction = progress.experiment_prediction(self.trying) if progress else None
            self.last, self.next_url = False, self.row.get_absolute_url()
        else:
            self.done = progress is not None and progress.completed
            self.prediction = progress.prediction if progress is not None else None
            following = selectors.stage_neighbours(stage=self.row)[1]
            self.last = following is None
            self.next_url = (
                following.get_absolute_url() if following else self.row.plan.get_finished_url()
            )
        self._lesson_key: tuple[object, ...] | None = None
        self._resumed = 0  # the session's resumptions seen (``workers.RemoteSession``)
        self._finished = False
        return True

    def _experiment(self) -> Experiment:
        assert self.stage is not None
        return Experiment(
            self.stage.data, prediction=self.prediction, new_session=remote_sessions()
        )

    def close_session(self) -> None:
        if hasattr(self, "experiment"):  # also when the socket was refused after the load
            self.experiment.session.close()

    def build_session(self) -> workers.Session:
        return self.experiment.session

    def build_renderer(self) -> Renderer:
        if self.stage is None:
            return Renderer()
        conditions = [
            (c["metric"], float(c[op]))
            for c in self.stage.goal.get("conditions", ())
            for op in OPERATORS
            if op in c
        ]
        data = self.stage.data
        topic = topic_chart(data.get("topology", {}), data.get("solution", ()))
        return Renderer(
            offered=self.stage.offered_controls, goals=goal_levels(conditions), topic=topic
        )

    def restore(self, state: dict[str, Any]) -> None:
        keeping.restore_experiment(self.experiment, state)
        self.session = self.experiment.session

    def state(self) -> dict[str, Any]:
        return keeping.experiment_state(self.experiment)

    def worth(self, state: dict[str, Any]) -> object:
        return keeping.worth(state)

    def apply(self, command: Action) -> None:
        self.experiment.apply(command)
        self.session = self.experiment.session

    async def applied(self, command: Action) -> None:
        """A prediction is remembered (it shows again when the learner comes back)."""
        if isinstance(command, Predict):
            key = await self._keep()
            await database_sync_to_async(self._record)(key, prediction=command.choice)

    def _record(self, key: str, *, prediction: int | None = None, completed: bool = False) -> None:
        """Save a prediction or the goal met: the stage's, or one of its experiments'."""
        owner = {"user": self.user, "session_key": key, "stage": self.row}
        if self.trying:
            self.progress = services.progress_record_experiment(
                **owner, experiment=self.trying, prediction=prediction, completed=completed
            )
        elif prediction is not None:
            self.progress = services.progress_record_prediction(**owner, choice=prediction)
        if completed and not self.trying:
            self.progress = services.progress_complete(**owner)

    async def _keep(self) -> str:
        """The session key to save a guest's progress under, its session created when
        there is none yet (the next render hands the page a token to adopt it)."""
        self.session_key = await self.keeper.guest_key()
        return self.session_key

    def _draw(self, snapshot: Snapshot) -> str:
        resumed = getattr(self.session, "resumed", 0)
        if resumed != self._resumed:  # its worker died: a run begins again (rare; waits)
            self._resumed = resumed
            self.experiment.resumed()
            self.session = self.experiment.session
            snapshot = self.session.snapshot()
        if self.experiment.observe(snapshot):
            self._finished = True
        with translation.override(self.lang):
            html = self.renderer.render(snapshot, self.session.status)
            return html + self._lesson_parts(full=False)

    async def after_tick(self) -> None:
        if not self._finished:
            return
        self._finished = False
        if self.experiment.met and not self.done:
            key = await self._keep()
            await database_sync_to_async(self._record)(key, completed=True)
            self.done = True
        async with self.lock:
            html = self._render()
        await self.send_html(html)

    def _render(self, *, error: object = None, full: bool = False) -> str:
        html = super()._render(error=error, full=full)
        with translation.override(self.lang):
            html += self._lesson_parts(full=full)
        return html

    def _lesson_parts(self, *, full: bool) -> str:
        """The goal panel while a run lasts (or on change), the lesson panel on change."""
        assert self.stage is not None
        tried = self.progress.tried() if self.progress is not None else set()
        context = fragments.lesson_context(
            self.experiment,
            self.stage,
            self.lang,
            done=self.done,
            next_url=self.next_url,
            last=self.last,
            offers=None if self.trying else fragments.tries(self.row, self.lang, tried),
        )
        key = fragments.lesson_key(context)
        parts = []
        if full or key != self._lesson_key:
            parts += ["lesson", "verdict", "goal"]
            self._lesson_key = key
        elif self.experiment.phase == Phase.RUNNING:
            parts.append("goal")
        return fragments.render(parts, context) if parts else ""
