"""Run a loaded model over dataset rows and return its predictions, one per row.

Text classification and token classification go straight to the model through the
trial runner's batching (sorted by token length, padded per batch): no pipeline
post-processing per example, which is most of a pipeline's cost on small models.
Sentence similarity uses the runner's masked pooling; question answering,
summarization and translation the runner's own pipelines; images and audio the
transformers pipeline. `tick(n)` reports n more examples done.
Imported by tracker.verify.run when a verification runs (torch is imported inside functions).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from tracker.errors import UsageError
from tracker.trial import batching
from tracker.trial.runner import LoadedModel

Tick = Callable[[int], None]
StopCheck = Callable[[], bool] | None


class _Ticking:
    """A should_stop for the runner that also reports the batch before it as done."""

    def __init__(self, tick: Tick, batch_size: int, total: int, stop: StopCheck) -> None:
        self.tick, self.batch_size, self.total, self.stop = tick, batch_size, total, stop
        self.done = 0
        self.asked = 0

    def __call__(self) -> bool:
        if self.asked:
            self._report(min(self.batch_size, self.total - self.done))
        self.asked += 1
        return bool(self.stop and self.stop())

    def _report(self, n: int) -> None:
        self.done += n
        self.tick(n)

    def finish(self) -> None:
        self._report(self.total - self.done)


def classify(
    loaded: LoadedModel,
    texts: list[str],
    pairs: list[str] | None,
    *,
    batch_size: int,
    tick: Tick,
    stop: StopCheck = None,
) -> list[int]:
    """The model's class id for each text (or text pair)."""
    import torch

    model, tokenizer = loaded.pipe.model, loaded.pipe.tokenizer
    limit = batching.max_length(tokenizer, model)
    encoded = tokenizer(texts, pairs, truncation=True, max_length=limit)
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
    rows = [{k: encoded[k][i] for k in keys} for i in range(len(texts))]

    def forward(batch: list[dict[str, Any]]) -> list[int]:
        padded = tokenizer.pad(batch, padding="longest", return_tensors="pt")
        with torch.inference_mode():
            logits = model(**{k: v.to(model.device) for k, v in padded.items()}).logits
        tick(len(batch))
        return [int(i) for i in logits.argmax(dim=-1).tolist()]

    lengths = [len(r["input_ids"]) for r in rows]
    return batching.run_in_batches(rows, lengths, batch_size, forward, stop)


def tag_words(
    loaded: LoadedModel, words: list[list[str]], *, batch_size: int, tick: Tick, stop: StopCheck
) -> list[list[int]]:
    """The model's tag id for each word: the tag of its first sub-word token."""
    import torch

    model, tokenizer = loaded.pipe.model, loaded.pipe.tokenizer
    limit = batching.max_length(tokenizer, model)
    encoded = tokenizer(words, is_split_into_words=True, truncation=True, max_length=limit)
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
    items = [
        ({k: encoded[k][i] for k in keys}, encoded.word_ids(i), len(words[i]))
        for i in range(len(words))
    ]

    def forward(batch: list[tuple[dict[str, Any], list[int | None], int]]) -> list[list[int]]:
        padded = tokenizer.pad([b[0] for b in batch], padding="longest", return_tensors="pt")
        with torch.inference_mode():
            logits = model(**{k: v.to(model.device) for k, v in padded.items()}).logits
        ids = logits.argmax(dim=-1).tolist()
        tick(len(batch))
        return [
            _first_subword(row, word_ids, n)
            for row, (_, word_ids, n) in zip(ids, batch, strict=True)
        ]

    lengths = [len(item[0]["input_ids"]) for item in items]
    return batching.run_in_batches(items, lengths, batch_size, forward, stop)


def _first_subword(token_tags: list[int], word_ids: list[int | None], words: int) -> list[int]:
    """Words cut off by truncation get -1 (no tag)."""
    tags = [-1] * words
    for position, word in enumerate(word_ids):
        if word is not None and tags[word] == -1:
            tags[word] = int(token_tags[position])
    return tags


def similarities(
    loaded: LoadedModel,
    first: list[str],
    second: list[str],
    *,
    batch_size: int,
    tick: Tick,
    stop: StopCheck,
) -> list[float]:
    """Cosine similarity of each sentence pair's embeddings (the model's own pooling)."""
    import torch

    sentences = sorted(set(first) | set(second))
    check = _Ticking(lambda n: None, batch_size, len(sentences), stop)
    vectors = batching.embed(
        loaded.pipe.model,
        loaded.pipe.tokenizer,
        sentences,
        batch_size=batch_size,
        pooling=loaded.pooling,
        should_stop=check,
    )
    vectors = torch.nn.functional.normalize(vectors, dim=1)
    index = {s: i for i, s in enumerate(sentences)}
    tick(len(first))
    return [
        float(vectors[index[a]] @ vectors[index[b]]) for a, b in zip(first, second, strict=True)
    ]


def through_runner(
    loaded: LoadedModel,
    inputs: list[Any],
    key: str,
    *,
    batch_size: int,
    tick: Tick,
    stop: StopCheck,
) -> list[str]:
    """Question answering, summarization, translation: the runner's pipelines, one text each."""
    check = _Ticking(tick, batch_size, len(inputs), stop)
    outputs = loaded.run(inputs, batch_size=batch_size, should_stop=check).outputs
    check.finish()
    return [str(o.get(key, "")) for o in outputs]


def _image(value: Any) -> Any:
    from PIL import Image

    if isinstance(value, dict) and value.get("bytes"):
        return Image.open(io.BytesIO(value["bytes"])).convert("RGB")
    path = value.get("path") if isinstance(value, dict) else value
    if isinstance(path, str):
        return Image.open(path).convert("RGB")
    raise UsageError("an image cell holds neither bytes nor a file path.")


def _audio(value: Any) -> dict[str, Any]:
    import wave

    import numpy as np

    if isinstance(value, dict) and value.get("array") is not None:
        return {
            "raw": np.asarray(value["array"], dtype=np.float32),
            "sampling_rate": value["sampling_rate"],
        }
    data = value.get("bytes") if isinstance(value, dict) else None
    source: Any = (
        io.BytesIO(data) if data else (value.get("path") if isinstance(value, dict) else value)
    )
    try:
        with wave.open(source, "rb") as wav:
            rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError, OSError, TypeError) as exc:
        raise UsageError(
            f"an audio cell is not a PCM WAV file ({exc}); only WAV audio is decoded here.",
            hint="Convert the audio to 16-bit WAV, or use a dataset that stores arrays.",
        ) from exc
    samples = np.frombuffer(frames, dtype={1: np.uint8, 2: np.int16, 4: np.int32}[width])
    audio = samples.astype(np.float32) / float(2 ** (8 * width - 1))
    if channels > 1:
        audio = audio.reshape(-1, channels).mean(axis=1)
    return {"raw": audio, "sampling_rate": rate}


def through_pipeline(
    loaded: LoadedModel,
    cells: list[Any],
    kind: str,
    *,
    batch_size: int,
    tick: Tick,
    stop: StopCheck,
) -> list[Any]:
    """Images (top-5 label names) or audio (transcripts) through the transformers pipeline."""
    outputs: list[Any] = []
    extractor = getattr(loaded.pipe, "feature_extractor", None)
    if kind == "audio" and not getattr(extractor, "return_attention_mask", True):
        # Models trained without an attention mask (wav2vec2-base) hear the padding of a
        # batch as silence and transcribe differently: one clip at a time for them.
        batch_size = 1
    for start in range(0, len(cells), batch_size):
        if stop is not None and stop():
            raise batching.CancelledError()
        chunk = cells[start : start + batch_size]
        if kind == "image":
            results = loaded.pipe([_image(c) for c in chunk], top_k=5, batch_size=len(chunk))
            outputs += [[r["label"] for r in result] for result in results]
        else:
            results = loaded.pipe([_audio(c) for c in chunk], batch_size=len(chunk))
            outputs += [str(r.get("text", "")) for r in results]
        tick(len(chunk))
    return outputs


MAX_ANSWER_TOKENS = 30


def best_span(start: Any, end: Any, context: Any) -> tuple[int, int] | None:
    """The context span with the highest start+end logit, or None when the null answer
    (the first token's start+end logits, as SQuAD v2 models are trained) scores higher."""
    import torch

    masked_start = start.masked_fill(~context, float("-inf"))
    masked_end = end.masked_fill(~context, float("-inf"))
    scores = masked_start[:, None] + masked_end[None, :]
    allowed = torch.ones_like(scores, dtype=torch.bool).triu() & ~torch.ones_like(
        scores, dtype=torch.bool
    ).triu(diagonal=MAX_ANSWER_TOKENS)
    scores = scores.masked_fill(~allowed, float("-inf"))
    flat = int(scores.argmax())
    s, e = divmod(flat, scores.shape[1])
    if float(start[0] + end[0]) > float(scores[s, e]):
        return None
    return s, e


def answer_questions(
    loaded: LoadedModel,
    items: list[dict[str, str]],
    *,
    batch_size: int,
    tick: Tick,
    stop: StopCheck,
) -> list[str]:
    """SQuAD v2: the best span, or "" when the model prefers no answer."""
    import torch

    model, tokenizer = loaded.pipe.model, loaded.pipe.tokenizer
    limit = min(int(getattr(tokenizer, "model_max_length", 512) or 512), 4096)

    def forward(batch: list[dict[str, str]]) -> list[str]:
        enc = tokenizer(
            [i["question"] for i in batch], [i["context"] for i in batch],
            truncation="only_second", max_length=limit, padding="longest",
            return_offsets_mapping=True, return_tensors="pt",
        )  # fmt: skip
        offsets = enc.pop("offset_mapping")
        with torch.inference_mode():
            out = model(**{k: v.to(model.device) for k, v in enc.items()})
        answers = []
        for i, item in enumerate(batch):
            context = torch.tensor([s == 1 for s in enc.sequence_ids(i)])
            span = best_span(
                out.start_logits[i].float().cpu(), out.end_logits[i].float().cpu(), context
            )
            if span is None:
                answers.append("")
            else:
                begin, finish = int(offsets[i][span[0]][0]), int(offsets[i][span[1]][1])
                answers.append(item["context"][begin:finish])
        tick(len(batch))
        return answers

    lengths = batching.token_lengths(tokenizer, [i["question"] + " " + i["context"] for i in items])
    return batching.run_in_batches(items, lengths, batch_size, forward, stop)
