"""Load a planned model into a transformers pipeline and run inputs through it.

`load(plan)` fetches the files the plan allows (safetensors, configs, tokenizer; .py only
with trust_remote_code) pinned to the plan's revision, then builds the pipeline on the
chosen device and dtype. `LoadedModel.run()` batches text with dynamic padding
(tracker.trial.batching). Out of memory becomes a TrialError with the numbers, and the
model is released first. Only trial code imports this module.
"""

from __future__ import annotations

import gc
import logging
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import GatedModelError, SourceUnavailableError, TrialError, UsageError
from tracker.trial import batching, hardware
from tracker.trial.checks import PICKLE_SUFFIXES, SUPPORT_PATTERNS, gib
from tracker.trial.plan import TrialPlan
from tracker.trial.resolve import _hub_errors

log = logging.getLogger(__name__)

# Tasks transformers 5 has no pipeline for (tracker.trial.own_pipelines).
OWN_PIPELINE_TASKS = {"question-answering", "summarization", "translation"}
# Tasks whose text inputs are length-sorted and batched through the pipeline.
TEXT_PIPELINE_TASKS = {
    "text-classification",
    "token-classification",
    "fill-mask",
    "summarization",
    "translation",
    "text-generation",
}
GENERATION_DEFAULTS = {"text-generation": {"max_new_tokens": 50}}
CALL_DEFAULTS: dict[str, dict[str, Any]] = {
    "text-classification": {"top_k": None},
    "fill-mask": {"top_k": 5},
}
INIT_DEFAULTS: dict[str, dict[str, Any]] = {
    "token-classification": {"aggregation_strategy": "simple"}
}


@dataclass
class RunResult:
    outputs: list[Any]
    seconds: float
    per_input_ms: float
    peak_memory_bytes: int | None


def allow_patterns(plan: TrialPlan) -> list[str]:
    weights = (
        ["*" + s for s in PICKLE_SUFFIXES] if plan.weight_format == "pickle" else ["*.safetensors"]
    )
    support = [p for p in SUPPORT_PATTERNS if p != "*.py" or plan.trust_remote_code]
    return weights + support


def fetch(plan: TrialPlan, tqdm_class: Any = None) -> Path:
    """The folder holding the model's files, downloading (with progress) when needed."""
    source = plan.source
    if source.path is not None:
        return source.path
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import GatedRepoError, HfHubHTTPError, RepositoryNotFoundError

    hub_unreachable: tuple[type[BaseException], ...] = (HfHubHTTPError, *_hub_errors())
    try:
        folder = snapshot_download(
            source.repo_id,
            revision=source.revision,
            allow_patterns=allow_patterns(plan),
            endpoint=plan.endpoint,
            tqdm_class=tqdm_class,
        )
    except GatedRepoError as exc:
        raise GatedModelError.for_model(source.repo_id, plan.endpoint) from exc
    except RepositoryNotFoundError as exc:
        raise GatedModelError.for_model(source.repo_id, plan.endpoint, private=True) from exc
    except hub_unreachable as exc:
        raise SourceUnavailableError(
            f"downloading {source.repo_id}@{source.revision[:12]} failed: {exc}".splitlines()[0],
            hint="Run the same command again: finished files are kept in the Hugging Face cache.",
        ) from exc
    source.path = Path(folder)
    return source.path


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0][:400]


def _is_oom(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    name = type(exc).__name__
    return name == "OutOfMemoryError" or "out of memory" in str(exc).lower()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    return value


def _unwrap(output: Any) -> Any:
    """[{"generated_text": ...}] -> {"generated_text": ...} (one sequence per input)."""
    if isinstance(output, list) and len(output) == 1 and isinstance(output[0], dict):
        if any(k.endswith("_text") for k in output[0]):
            return output[0]
    return output


def read_audio(path: str) -> Any:
    """A .wav file -> {"raw", "sampling_rate"} without ffmpeg; other formats go to the pipeline."""
    if not path.lower().endswith(".wav"):
        return path
    import numpy as np

    with wave.open(path, "rb") as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
        frames = wav.readframes(wav.getnframes())
    kinds = {1: np.uint8, 2: np.int16, 4: np.int32}
    if width not in kinds:
        raise UsageError(f"{path}: {8 * width}-bit WAV is not supported; use 8, 16 or 32-bit PCM.")
    data = np.frombuffer(frames, dtype=kinds[width]).astype(np.float32)
    data = (data - 128.0) / 128.0 if width == 1 else data / float(2 ** (8 * width - 1))
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return {"raw": data, "sampling_rate": rate}


@dataclass
class LoadedModel:
    plan: TrialPlan
    pipe: Any
    load_seconds: float
    pooling: batching.Pooling = field(default_factory=batching.Pooling)

    @property
    def device(self) -> str:
        return self.plan.device

    def close(self) -> None:
        """Release the model and its memory (safe to call twice)."""
        self.pipe = None
        gc.collect()
        if self.plan.device == "cuda":
            torch = hardware.require_torch()
            torch.cuda.empty_cache()

    @contextmanager
    def _guard(self, stage: str) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            if not _is_oom(exc):
                raise
            self.close()
            raise _oom_error(self.plan, stage) from exc

    def run(
        self,
        inputs: list[Any],
        *,
        batch_size: int = 1,
        should_stop: Callable[[], bool] | None = None,
    ) -> RunResult:
        """Outputs in input order; each input already parsed by tasks.parse_input."""
        if self.pipe is None:
            raise TrialError("the model was released; load it again.")
        task = self.plan.task
        start = time.perf_counter()
        with self._guard("running"):
            if task == "feature-extraction":
                vectors = self._embed(inputs, batch_size, should_stop)
                outputs: list[Any] = [{"dims": len(v), "embedding": v.tolist()} for v in vectors]
            elif task == "sentence-similarity":
                outputs = self._similarity(inputs, batch_size, should_stop)
            elif task in TEXT_PIPELINE_TASKS:
                outputs = self._text_pipeline(inputs, batch_size, should_stop)
            elif task == "question-answering":
                outputs = self._pairs(inputs, batch_size, should_stop)
            else:
                outputs = self._one_by_one(inputs, batch_size, should_stop)
        seconds = time.perf_counter() - start
        return RunResult(
            outputs=[_jsonable(_unwrap(o)) for o in outputs],
            seconds=seconds,
            per_input_ms=1000 * seconds / max(1, len(inputs)),
            peak_memory_bytes=hardware.peak_memory(self.plan.device),
        )

    def _embed(
        self, texts: list[str], batch_size: int, should_stop: Callable[[], bool] | None
    ) -> Any:
        return batching.embed(
            self.pipe.model,
            self.pipe.tokenizer,
            texts,
            batch_size=batch_size,
            pooling=self.pooling,
            should_stop=should_stop,
        )

    def _similarity(
        self, items: list[dict[str, Any]], batch_size: int, should_stop: Callable[[], bool] | None
    ) -> list[Any]:
        sentences = sorted(
            {s for item in items for s in [item["source_sentence"], *item["sentences"]]}
        )
        vectors = self._embed(sentences, batch_size, should_stop)
        vectors = hardware.require_torch().nn.functional.normalize(vectors, dim=1)
        index = {s: i for i, s in enumerate(sentences)}
        outputs = []
        for item in items:
            source = vectors[index[item["source_sentence"]]]
            scores = [float(source @ vectors[index[s]]) for s in item["sentences"]]
            outputs.append(
                {
                    "source_sentence": item["source_sentence"],
                    "scores": [
                        {"sentence": s, "score": v}
                        for s, v in zip(item["sentences"], scores, strict=True)
                    ],
                }
            )
        return outputs

    def _call(self, chunk: list[Any], **kwargs: Any) -> list[Any]:
        kwargs = {
            **CALL_DEFAULTS.get(self.plan.task, {}),
            **GENERATION_DEFAULTS.get(self.plan.task, {}),
            **kwargs,
        }
        if len(chunk) == 1:
            return [self.pipe(chunk[0], **kwargs)]
        return list(self.pipe(chunk, batch_size=len(chunk), **kwargs))

    def _text_pipeline(
        self, texts: list[str], batch_size: int, should_stop: Callable[[], bool] | None
    ) -> list[Any]:
        if self.plan.task == "fill-mask":
            mask = self.pipe.tokenizer.mask_token
            for text in texts:
                if mask not in text:
                    raise UsageError(
                        f"fill-mask input {text[:60]!r} has no {mask} token.",
                        hint=f"Write {mask} where a word should be predicted.",
                    )
        lengths = batching.token_lengths(self.pipe.tokenizer, texts)
        return batching.run_in_batches(texts, lengths, batch_size, self._call, should_stop)

    def _pairs(
        self, items: list[dict[str, str]], batch_size: int, should_stop: Callable[[], bool] | None
    ) -> list[Any]:
        lengths = batching.token_lengths(
            self.pipe.tokenizer, [i["question"] + " " + i["context"] for i in items]
        )
        return batching.run_in_batches(items, lengths, batch_size, self._call, should_stop)

    def _one_by_one(
        self, items: list[Any], batch_size: int, should_stop: Callable[[], bool] | None
    ) -> list[Any]:
        outputs = []
        for item in items:
            if should_stop is not None and should_stop():
                raise batching.CancelledError()
            if self.plan.task == "zero-shot-classification":
                outputs.append(
                    self.pipe(
                        item["text"],
                        candidate_labels=item["candidate_labels"],
                        batch_size=batch_size,
                    )
                )
            elif self.plan.task == "automatic-speech-recognition":
                outputs.append(self.pipe(read_audio(item)))
            else:
                outputs.append(self.pipe(item))
        return outputs


def _oom_error(plan: TrialPlan, stage: str) -> TrialError:
    pf = plan.preflight
    return TrialError(
        f"out of memory {stage} {pf.model} on {pf.device} as {pf.dtype}: it needs ~{gib(pf.needed_bytes)}, "
        f"{gib(pf.available_bytes)} was {pf.available_what} before loading. The model was released.",
        hint="Try a smaller --batch-size, --dtype float16 or bfloat16, or --device cpu.",
    )


def _pipeline_task(task: str) -> str:
    return "feature-extraction" if task == "sentence-similarity" else task


def _build(plan: TrialPlan, folder: Path, torch_dtype: Any) -> Any:
    """A transformers pipeline, or our own for the tasks transformers 5 dropped."""
    use_safetensors = plan.weight_format == "safetensors"
    if plan.task in OWN_PIPELINE_TASKS:
        from tracker.trial import own_pipelines

        return own_pipelines.build(
            plan.task,
            folder,
            device=plan.device,
            dtype=torch_dtype,
            trust_remote_code=plan.trust_remote_code,
            use_safetensors=use_safetensors,
        )
    from transformers import pipeline

    # The task is known only at run time: no overload of pipeline() names it.
    return pipeline(  # type: ignore[call-overload]
        _pipeline_task(plan.task),
        model=str(folder),
        device=plan.device,
        dtype=torch_dtype,
        trust_remote_code=plan.trust_remote_code,
        model_kwargs={"use_safetensors": use_safetensors},
        **INIT_DEFAULTS.get(plan.task, {}),
    )


def load(plan: TrialPlan, tqdm_class: Any = None) -> LoadedModel:
    """Fetch (if needed) and load the planned model. Raises TrialError; nothing stays loaded on failure."""
    torch = hardware.require_torch()
    folder = fetch(plan, tqdm_class)
    try:
        import transformers  # noqa: F401
    except ImportError as exc:
        raise TrialError(
            "transformers is not installed.",
            hint="Run `make install` (or pip install transformers).",
        ) from exc
    if plan.device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    pipe = None
    try:
        pipe = _build(plan, folder, getattr(torch, plan.dtype))
    except Exception as exc:
        pipe = None
        gc.collect()
        if plan.device == "cuda":
            torch.cuda.empty_cache()
        if _is_oom(exc):
            raise _oom_error(plan, "loading") from exc
        if isinstance(exc, ImportError):
            raise TrialError(
                _first_line(
                    f"loading {plan.source.repo_id} for {plan.task} needs a missing package: {exc}"
                ),
                hint="Install the package it names (e.g. Pillow for images), then try again.",
            ) from exc
        if isinstance(exc, OSError | ValueError | KeyError | TypeError):
            raise TrialError(
                _first_line(
                    f"transformers could not load {plan.source.repo_id} from {folder}: {exc}"
                ),
                hint="Check the task (--task) and that the folder holds a complete model.",
            ) from exc
        raise
    tokenizer = getattr(pipe, "tokenizer", None)
    if tokenizer is not None and tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    if plan.task == "text-generation" and tokenizer is not None:
        tokenizer.padding_side = "left"
    loaded = LoadedModel(plan=plan, pipe=pipe, load_seconds=time.perf_counter() - start)
    if plan.task in ("feature-extraction", "sentence-similarity"):
        loaded.pooling = batching.read_pooling(folder)
    return loaded


def quiet_transformers() -> None:
    """No transformers logging or progress bars on the user's terminal."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
