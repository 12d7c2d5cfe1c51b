"""The trial screen: try a model on this machine, from a model's Try action.

Input fields fit the task; the pre-flight verdict (weights size, memory needed against
what is free, safety) shows before any download; download and load progress feed a
ProgressBar through the runner's tqdm_class hook; outputs are rendered for people; esc
cancels. Everything blocking runs in "trial" thread workers, which are the only place
torch and transformers are imported. Each run is recorded in the trial ledger.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
    TextArea,
)
from textual.worker import Worker, WorkerState

from tracker.config import Config
from tracker.errors import TrackerError
from tracker.trial.checks import gib
from tracker.trial.hardware import DEVICES, DTYPES
from tracker.trial.tasks import SUPPORTED_TASKS, parse_input
from tracker.tui.navigation import TrackerScreen
from tracker.tui.trial_render import (
    TrialCancelledError,
    preflight_text,
    progress_class,
    render_result,
    timing_text,
)

if TYPE_CHECKING:
    from tracker.trial.plan import TrialPlan
    from tracker.trial.runner import LoadedModel, RunResult

BATCH_SIZE = 8

# (field id, label, example) per kind of input (tracker.trial.tasks.SUPPORTED_TASKS).
# The example is typed into the field, so that Run works as it stands; it is also the
# field's placeholder, marked "e.g.", for when the field is cleared. File paths cannot
# be pre-filled: their fields start empty, with a hint.
FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "text": [("trial-text", "Text", "I loved this film: the plot was clever and the cast superb.")],
    "qa": [
        ("trial-question", "Question", "Who wrote the paper?"),
        ("trial-context", "Context", "The paper was written by Ada in Paris."),
    ],
    "zero-shot": [
        ("trial-text", "Text", "The GPU ran out of memory"),
        ("trial-labels", "Labels", "hardware, cooking, sports"),
    ],
    "similarity": [
        ("trial-source", "Sentence", "A cat sits on the mat"),
        ("trial-sentences", "Compare", "A kitten rests on a rug\nStock markets fell sharply today"),
    ],
    "file": [("trial-path", "File", "")],
}
# Examples for tasks of the "text" kind that want another kind of text.
TEXT_EXAMPLES = {
    "token-classification": "Ada Lovelace worked with Charles Babbage in London.",
    "fill-mask": "Paris is the [MASK] of France.",
    "summarization": (
        "The tower is 324 metres tall, about the same height as an 81-storey building, and "
        "the tallest structure in Paris. It was the tallest man-made structure in the world "
        "for 41 years, until the Chrysler Building in New York was finished in 1930."
    ),
    "translation": "The weather is lovely today.",
    "text-generation": "Once upon a time, in a quiet village,",
    "feature-extraction": "A cat sits on the mat.",
}
# Hints for the file fields (they stay empty until the user types a path).
FILE_HINTS = {
    "image-classification": "type the path of an image file (.jpg, .png)",
    "automatic-speech-recognition": "type the path of an audio file (.wav)",
}


def field_example(task: str, field_id: str, example: str) -> tuple[str, str]:
    """(value, placeholder) of a field: a runnable example, or a hint for a file path."""
    if field_id == "trial-path":
        return "", FILE_HINTS.get(task, "type the path of a file")
    if field_id == "trial-text":
        example = TEXT_EXAMPLES.get(task, example)
    return example, "e.g. " + example.replace("\n", " / ")


class TrialScreen(TrackerScreen):
    """Try repo_id for task: inputs, device/dtype, pre-flight, progress, output, cancel."""

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel_or_back", "Cancel / back"),
        Binding("ctrl+r", "run_trial", "Run"),
    ]

    class Planned(Message):
        def __init__(self, plan: TrialPlan) -> None:
            super().__init__()
            self.plan = plan

    class Refused(Message):
        def __init__(self, message: str, hint: str | None) -> None:
            super().__init__()
            self.message, self.hint = message, hint

    class Progressed(Message):
        def __init__(
            self, stage: str, done: float | None = None, total: float | None = None
        ) -> None:
            super().__init__()
            self.stage, self.done, self.total = stage, done, total

    class Finished(Message):
        def __init__(
            self,
            plan: TrialPlan,
            items: list[Any],
            result: RunResult,
            load_seconds: float,
            trial: int,
        ) -> None:
            super().__init__()
            self.plan, self.items, self.result = plan, items, result
            self.load_seconds, self.trial = load_seconds, trial

    class Cancelled(Message):
        pass

    def __init__(self, repo_id: str, task: str, config: Config) -> None:
        super().__init__()
        self.repo_id = repo_id
        self.task_id = task if task in SUPPORTED_TASKS else ""
        self.requested_task = task
        self._config = config
        self.state = "checking"  # checking | ready | refused | running | done | cancelled | failed
        self.plan: TrialPlan | None = None
        self.outputs: list[Any] = []
        self._stop = threading.Event()
        self._loaded: LoadedModel | None = None
        self._leaving = False
        self.fields_task = ""
        self._asked: tuple[str, str] | None = None  # the device and dtype last checked

    @property
    def config(self) -> Config:
        return self._config

    # --- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text.assemble(("Try ", "bold"), (self.repo_id, "bold cyan")), id="trial-title")
        with Horizontal(id="trial-top"):
            with Vertical(id="trial-form"):
                yield Grid(id="trial-fields")
                with Horizontal(id="trial-options"):
                    yield Label("Device")
                    yield Select(
                        [(d, d) for d in DEVICES],
                        value=self.config.trial.device,
                        allow_blank=False,
                        id="trial-device",
                        compact=True,
                    )
                    yield Label("Dtype")
                    yield Select(
                        [(d, d) for d in DTYPES],
                        value=self.config.trial.dtype,
                        allow_blank=False,
                        id="trial-dtype",
                        compact=True,
                    )
                with Horizontal(id="trial-buttons"):
                    yield Button(
                        "Run", variant="primary", id="trial-run", disabled=True, compact=True
                    )
                    yield Button("Cancel", id="trial-cancel", disabled=True, compact=True)
            yield Static("Checking the model: nothing is downloaded yet…", id="trial-preflight")
        with Horizontal(id="trial-progress-row"):
            yield ProgressBar(total=None, show_eta=False, id="trial-progress")
            yield Static("", id="trial-stage")
        with VerticalScroll(id="trial-output"):
            yield Static("", id="trial-result")
            yield Static("", id="trial-stats")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"try {self.repo_id}"
        self.query_one("#trial-preflight").border_title = "Pre-flight (before any download)"
        self.query_one("#trial-output").border_title = "Output"
        self._show_fields(self.task_id)
        self._asked = (self.config.trial.device, self.config.trial.dtype)
        self.check(*self._asked)

    def _show_fields(self, task: str) -> None:
        grid = self.query_one("#trial-fields", Grid)
        grid.remove_children()
        grid.set_class(not task, "-empty")
        self.fields_task = task
        if not task:
            return
        kind = SUPPORTED_TASKS[task]
        widgets: list[Any] = []
        for field_id, label, example in FIELDS[kind]:
            widgets.append(Label(label))
            value, hint = field_example(task, field_id, example)
            if field_id == "trial-sentences":
                widgets.append(TextArea(value, id=field_id, soft_wrap=True, placeholder=hint))
            else:
                widgets.append(Input(value, placeholder=hint, id=field_id, compact=True))
        grid.mount(*widgets)

    def _set_state(self, state: str, stage: str | None = None) -> None:
        self.state = state
        running = state == "running"
        self.query_one("#trial-run", Button).disabled = running or state in ("checking", "refused")
        self.query_one("#trial-cancel", Button).disabled = not running
        for select in self.query(Select):
            select.disabled = running
        if stage is not None:
            self.query_one("#trial-stage", Static).update(stage)

    # --- pre-flight ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="trial")
    def check(self, device: str, dtype: str) -> None:
        """Plan the trial (resolve, gates, sizes): the verdict, before any download."""
        from tracker.trial.plan import catalog_record, plan_trial

        catalog = None
        if self.tracker.engine is not None:
            with self.tracker.engine.connect() as conn:
                catalog = catalog_record(conn, self.repo_id)
        try:
            plan = plan_trial(
                self.repo_id,
                self.config,
                task=self.requested_task or None,
                device=device,
                dtype=dtype,
                catalog=catalog,
            )
        except TrackerError as exc:
            self.post_message(self.Refused(exc.message, exc.hint))
            return
        self.post_message(self.Planned(plan))

    def on_trial_screen_planned(self, message: Planned) -> None:
        self.plan = message.plan
        panel = self.query_one("#trial-preflight", Static)
        panel.update(preflight_text(message.plan))
        panel.set_class(not message.plan.preflight.fits, "-warning")
        panel.remove_class("-refused")
        if message.plan.task != self.fields_task:
            self._show_fields(message.plan.task)
        run = self.query_one("#trial-run", Button)
        run.label = "Run" if message.plan.preflight.fits else "Run anyway"
        self._set_state("ready", "Ready: enter or ctrl+r runs the model.")
        self.query_one(ProgressBar).update(total=1, progress=0)
        first = self.query("#trial-fields Input, #trial-fields TextArea")
        if first:
            first.first().focus()

    def on_trial_screen_refused(self, message: Refused) -> None:
        self.plan = None
        text = Text.assemble(("✗ Refused: ", "bold red"), message.message)
        if message.hint:
            text.append(f"\n{message.hint}", style="yellow")
        panel = self.query_one("#trial-preflight", Static)
        panel.update(text)
        panel.add_class("-refused")
        self._set_state("refused", "Nothing was downloaded or loaded.")
        self.query_one(ProgressBar).update(total=1, progress=0)

    @on(Select.Changed)
    def _device_changed(self, event: Select.Changed) -> None:
        if self.state == "running" or not self.is_mounted:
            return
        device, dtype = (
            str(self.query_one(f"#trial-{n}", Select).value) for n in ("device", "dtype")
        )
        if (device, dtype) != self._asked:  # Select posts Changed on mount too
            self._asked = (device, dtype)
            self._set_state("checking", "Checking again…")
            self.check(device, dtype)

    # --- running ------------------------------------------------------------------------
    def _inputs(self, task: str) -> list[Any]:
        """The fields' values, parsed for task; raises UsageError."""

        def value(field_id: str) -> str:
            found = self.query(f"#{field_id}")
            if not found:
                return ""
            widget = found.first()
            return widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]

        kind = SUPPORTED_TASKS[task]
        if kind == "qa":
            raw: Any = {"question": value("trial-question"), "context": value("trial-context")}
        elif kind == "zero-shot":
            raw = {"text": value("trial-text"), "candidate_labels": value("trial-labels")}
        elif kind == "similarity":
            others = [s.strip() for s in value("trial-sentences").splitlines() if s.strip()]
            raw = {"source_sentence": value("trial-source").strip(), "sentences": others}
        else:
            raw = value("trial-path" if kind == "file" else "trial-text")
        return [parse_input(task, raw)]

    def action_run_trial(self) -> None:
        if self.state in ("running", "checking", "refused") or self.plan is None:
            return
        try:
            items = self._inputs(self.plan.task)
        except TrackerError as exc:
            self.notify(exc.message + (f"\n{exc.hint}" if exc.hint else ""), severity="error")
            return
        self._stop = threading.Event()
        self.query_one("#trial-result", Static).update("")
        self.query_one("#trial-stats", Static).update("")
        self.query_one(ProgressBar).update(total=None, progress=0)
        self._set_state("running", "Starting…")
        self.run_trial(self.plan, items, self._stop)

    @on(Button.Pressed, "#trial-run")
    def _run_pressed(self) -> None:
        self.action_run_trial()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_run_trial()

    @on(Button.Pressed, "#trial-cancel")
    def action_cancel(self) -> None:
        if self.state == "running":
            self._stop.set()
            self.query_one("#trial-stage", Static).update("Cancelling…")

    def action_cancel_or_back(self) -> None:
        if self.state == "running":
            self.action_cancel()
        else:
            self.app.pop_screen()

    def _progress(self, desc: str, done: float, total: float | None, unit: str) -> None:
        """From the download hook (any thread): bytes fill the bar; the file count is the stage."""
        if unit == "B" and not desc.startswith("Downloading bytes") and total:
            stage = f"Downloading: {gib(done)} of {gib(total)}"
            if done >= total:
                stage = "Loading the model…"
            self.post_message(self.Progressed(stage, done, total))

    @work(thread=True, exclusive=True, exit_on_error=False, group="trial")
    def run_trial(self, plan: TrialPlan, items: list[Any], stop: threading.Event) -> None:
        from tracker.trial import runner
        from tracker.trial.batching import CancelledError
        from tracker.trial.ledger import TrialRecord, summarize_outputs

        record = TrialRecord(
            model_repo=plan.source.repo_id,
            revision=plan.source.revision,
            task=plan.task,
            device=plan.device,
            dtype=plan.dtype,
            batch_size=BATCH_SIZE,
            inputs=len(items),
        )
        loaded = self._loaded
        if loaded is not None and loaded.plan is not plan:
            loaded.close()
            loaded = self._loaded = None
        try:
            if loaded is None:
                from tracker.trial.runner import quiet_transformers

                quiet_transformers()
                where = f"on {plan.device} as {plan.dtype}"
                stage = (
                    f"Loading the model {where}…"
                    if plan.source.is_local
                    else f"Fetching the files, then loading {where}…"
                )
                self.post_message(self.Progressed(stage))
                loaded = runner.load(plan, tqdm_class=progress_class(self._progress, stop))
                self._loaded = loaded
            if stop.is_set():
                raise TrialCancelledError()
            self.post_message(self.Progressed(f"Running {len(items)} input(s)…"))
            result = loaded.run(items, batch_size=BATCH_SIZE, should_stop=stop.is_set)
        except (TrialCancelledError, CancelledError):
            self._release()
            self.post_message(self.Cancelled())
            return
        except Exception as exc:
            message = (
                exc.message if isinstance(exc, TrackerError) else f"{type(exc).__name__}: {exc}"
            )
            record.ok, record.error = False, (message.strip().splitlines() or [""])[0][:500]
            self._record(record)
            self._release()
            raise
        record.load_seconds, record.seconds = loaded.load_seconds, result.seconds
        record.per_input_ms, record.peak_memory_bytes = (
            result.per_input_ms,
            result.peak_memory_bytes,
        )
        record.output_summary = summarize_outputs(result.outputs)
        trial = self._record(record)
        if self._leaving:
            self._release()
        self.post_message(self.Finished(plan, items, result, loaded.load_seconds, trial))

    def _record(self, record: Any) -> int:
        from tracker.trial.ledger import record_trial

        engine = self.tracker.engine
        if engine is None:
            return 0
        try:
            return record_trial(engine, record)
        except TrackerError as exc:
            self.app.call_from_thread(
                self.notify, f"The trial was not recorded: {exc.message}", severity="warning"
            )
            return 0

    def _release(self) -> None:
        loaded, self._loaded = self._loaded, None
        if loaded is not None:
            loaded.close()

    def on_trial_screen_progressed(self, message: Progressed) -> None:
        self.query_one("#trial-stage", Static).update(message.stage)
        if message.total:
            self.query_one(ProgressBar).update(total=message.total, progress=message.done or 0)

    def on_trial_screen_finished(self, message: Finished) -> None:
        self.outputs = message.result.outputs
        task = message.plan.task
        shown = [
            render_result(task, item, out)
            for item, out in zip(message.items, self.outputs, strict=True)
        ]
        self.query_one("#trial-result", Static).update(Text("\n\n").join(shown))
        stats = timing_text(
            message.plan.device,
            message.plan.dtype,
            message.load_seconds,
            message.result,
            message.trial,
        )
        self.query_one("#trial-stats", Static).update(stats)
        self.query_one(ProgressBar).update(total=1, progress=1)
        self._set_state("done", "Done: change the input and run again (the model stays loaded).")

    def on_trial_screen_cancelled(self, message: Cancelled) -> None:
        self.query_one(ProgressBar).update(total=1, progress=0)
        self._set_state("cancelled", "Cancelled: the model was released.")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "trial" and event.state == WorkerState.ERROR and self.is_mounted:
            self.query_one(ProgressBar).update(total=1, progress=0)
            self._set_state("failed" if self.plan else "refused", "Failed: see the message.")
        super().on_worker_state_changed(event)

    def on_unmount(self) -> None:
        self._leaving = True
        self._stop.set()
        running = any(w.group == "trial" and w.is_running for w in self.workers)
        if self._loaded is not None and not running:  # else the worker releases it as it ends
            self.app.run_worker(
                self._release, thread=True, group="trial-release", exit_on_error=False
            )
