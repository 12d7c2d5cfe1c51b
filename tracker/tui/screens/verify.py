"""The verify screen: measure a claimed result on this machine, from a leaderboard row (v).

The pre-flight (model gates and size, the rows to read, the column and label mapping)
shows before any model weights are loaded; enter runs; progress shows examples done,
the rate and the time left; esc cancels (the model is released and only a failed
ledger row is kept). Blocking work runs in "verify" thread workers, the only place
tracker.verify (pyarrow, torch, transformers) is imported.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, ProgressBar, Static
from textual.worker import Worker, WorkerState

from tracker.errors import TrackerError
from tracker.tui.navigation import TrackerScreen

if TYPE_CHECKING:
    from tracker.verify.run import Measurement, VerifyPlan
    from tracker.verify.verdict import Claim

BATCH_SIZE = 32


class VerifyScreen(TrackerScreen):
    """Verify repo_id against claim: pre-flight, run, progress, cancel, the result in place."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel_or_back", "Cancel / back"),
        Binding("enter", "run_verify", "Run"),
    ]

    class Planned(Message):
        def __init__(self, plan: VerifyPlan, preflight: str) -> None:
            super().__init__()
            self.plan, self.preflight = plan, preflight

    class Refused(Message):
        def __init__(self, message: str, hint: str | None) -> None:
            super().__init__()
            self.message, self.hint = message, hint

    class Progressed(Message):
        def __init__(self, done: int, total: int, stage: str) -> None:
            super().__init__()
            self.done, self.total, self.stage = done, total, stage

    class Finished(Message):
        def __init__(self, lines: list[str]) -> None:
            super().__init__()
            self.lines = lines

    class Cancelled(Message):
        pass

    def __init__(self, repo_id: str, claim: Claim, samples: int | None = 500) -> None:
        super().__init__()
        self.repo_id, self.claim, self.samples = repo_id, claim, samples
        self.state = "checking"  # checking | ready | refused | running | done | cancelled | failed
        self.plan: VerifyPlan | None = None
        self.result_lines: list[str] = []
        self._stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield Header()
        where = "/".join(x for x in (self.claim.dataset, self.claim.config, self.claim.split) if x)
        yield Static(
            Text.assemble(
                ("Verify ", "bold"), (self.repo_id, "bold cyan"),
                f" on {where}: claimed {self.claim.metric} {self.claim.value}",
            ),
            id="verify-title",
        )  # fmt: skip
        yield Static(
            "Checking the model and the data: no weights are loaded yet…", id="verify-preflight"
        )
        yield ProgressBar(total=None, show_eta=False, id="verify-progress")
        yield Static("", id="verify-stage")
        yield Static("", id="verify-result")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"verify {self.repo_id}"
        self.check()

    def _stage(self, text: str) -> None:
        self.query_one("#verify-stage", Static).update(text)

    # --- pre-flight ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def check(self) -> None:
        from dataclasses import replace

        from tracker.db.measurements import find_claim_id
        from tracker.verify.report import data_line
        from tracker.verify.run import Request, plan_verify

        claim = self.claim
        if claim.result_id is None:  # link the measurement to the stored claim
            with self.engine.connect() as conn:
                found = find_claim_id(
                    conn, self.repo_id, task=claim.task, dataset=claim.dataset,
                    config=claim.config, split=claim.split, metric=claim.metric,
                )  # fmt: skip
            claim = self.claim = replace(claim, result_id=found)
        request = Request(
            self.repo_id, claim.dataset, config=claim.config or None, split=claim.split or None,
            metric=claim.metric, claim=claim, task=claim.task or None, samples=self.samples,
        )  # fmt: skip
        try:
            plan = plan_verify(request, self.config)
        except TrackerError as exc:
            self._store_failure(exc.message)
            self.post_message(self.Refused(exc.message, exc.hint))
            return
        self.post_message(
            self.Planned(plan, plan.trial.preflight.summary() + "\n" + data_line(plan))
        )

    def on_verify_screen_planned(self, message: Planned) -> None:
        self.plan = message.plan
        fits = message.plan.trial.preflight.fits
        panel = self.query_one("#verify-preflight", Static)
        panel.update(message.preflight)
        panel.set_class(not fits, "-warning")
        self.state = "ready"
        self._stage(
            "Ready: enter runs the model"
            + ("" if fits else " (it may not fit)")
            + "; esc goes back."
        )
        self.query_one(ProgressBar).update(total=1, progress=0)

    def on_verify_screen_refused(self, message: Refused) -> None:
        text = Text.assemble(("✗ Refused: ", "bold red"), message.message)
        if message.hint:
            text.append(f"\n{message.hint}", style="yellow")
        self.query_one("#verify-preflight", Static).update(text)
        self.state = "refused"
        self._stage("Nothing was loaded; a failed ledger row was kept.")
        self.query_one(ProgressBar).update(total=1, progress=0)

    # --- running ------------------------------------------------------------------------
    def action_run_verify(self) -> None:
        if self.state != "ready" or self.plan is None:
            return
        self._stop = threading.Event()
        self.state = "running"
        self._stage("Loading the model…")
        self.query_one(ProgressBar).update(total=len(self.plan.rows.rows), progress=0)
        self.run_verify(self.plan, self._stop)

    def action_cancel_or_back(self) -> None:
        if self.state == "running":
            self._stop.set()
            self._stage("Cancelling…")
        else:
            self.app.pop_screen()

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify")
    def run_verify(self, plan: VerifyPlan, stop: threading.Event) -> None:
        from tracker.trial import runner
        from tracker.trial.batching import CancelledError
        from tracker.verify.run import measure

        runner.quiet_transformers()
        total, done, start = len(plan.rows.rows), [0], time.perf_counter()

        def tick(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.perf_counter() - start, 1e-9)
            left = (total - done[0]) / rate if rate else 0.0
            stage = f"{done[0]}/{total} examples, {rate:.1f}/s, {left:.0f} s left"
            self.post_message(self.Progressed(done[0], total, stage))

        loaded = None
        try:
            loaded = runner.load(plan.trial)
            measurement = measure(plan, loaded, batch_size=BATCH_SIZE, tick=tick, stop=stop.is_set)
        except CancelledError:
            self._store_failure("cancelled")
            self.post_message(self.Cancelled())
            return
        except Exception as exc:
            self._store_failure(
                exc.message if isinstance(exc, TrackerError) else f"{type(exc).__name__}: {exc}"
            )
            raise
        finally:
            if loaded is not None:
                loaded.close()
        self.post_message(self.Finished(self._store(plan, measurement)))

    def _store(self, plan: VerifyPlan, measurement: Measurement) -> list[str]:
        from tracker.db.measurements import record_verification
        from tracker.verify import report

        doc = measurement.to_dict()
        try:
            trial_id, measurement_id = record_verification(
                self.engine,
                report.trial_values(plan, BATCH_SIZE, measurement),
                report.measurement_values(measurement, BATCH_SIZE),
            )
            doc.update(trial_id=trial_id, measurement_id=measurement_id)
        except TrackerError as exc:
            self.app.call_from_thread(self.notify, f"Not stored: {exc.message}", severity="warning")
        return report.report_lines(doc, measurement.verdict)

    def _store_failure(self, message: str) -> None:
        from tracker.db.measurements import record_verification
        from tracker.verify.report import failure_values

        try:
            record_verification(self.engine, failure_values(self.repo_id, message), None)
        except TrackerError:
            pass  # the failure itself is shown; a ledger that cannot be written is not news here

    def on_verify_screen_progressed(self, message: Progressed) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)
        self._stage(message.stage)

    def on_verify_screen_finished(self, message: Finished) -> None:
        self.result_lines = message.lines
        self.query_one("#verify-result", Static).update("\n".join(message.lines))
        self.state = "done"
        self._stage("Done: kept as a measurement; esc goes back.")

    def on_verify_screen_cancelled(self, message: Cancelled) -> None:
        self.state = "cancelled"
        self.query_one(ProgressBar).update(total=1, progress=0)
        self._stage(
            "Cancelled: the model was released; nothing was stored but a failed ledger row."
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "verify" and event.state == WorkerState.ERROR and self.is_mounted:
            self.state = "failed"
            self._stage("Failed: see the message.")
        super().on_worker_state_changed(event)

    def on_unmount(self) -> None:
        self._stop.set()
