"""Tasks transformers 5 removed pipelines for: extractive question answering, summarization
and translation (seq2seq generation). Same call shape as a pipeline: one input -> one
output, a list -> a list. Only trial code imports this module (it imports torch).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

MAX_ANSWER_TOKENS = 30


class _Base:
    task = ""

    def __init__(self, model: Any, tokenizer: Any, device: str) -> None:
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.device = device

    def __call__(self, inputs: Any, batch_size: int | None = None, **kwargs: Any) -> Any:
        if isinstance(inputs, list):
            return self.batch(inputs, **kwargs)
        return self.batch([inputs], **kwargs)[0]

    def batch(self, inputs: list[Any], **kwargs: Any) -> list[Any]:  # pragma: no cover
        raise NotImplementedError


class QuestionAnswering(_Base):
    """Extractive QA: the best context span by start x end probability."""

    task = "question-answering"

    def batch(self, inputs: list[dict[str, str]], **kwargs: Any) -> list[dict[str, Any]]:
        limit = min(int(getattr(self.tokenizer, "model_max_length", 512) or 512), 4096)
        enc = self.tokenizer(
            [i["question"] for i in inputs],
            [i["context"] for i in inputs],
            truncation="only_second",
            max_length=limit,
            padding="longest",
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = enc.pop("offset_mapping")
        sequence_ids = [enc.sequence_ids(i) for i in range(len(inputs))]
        batch = {k: v.to(self.device) for k, v in enc.items()}
        with torch.inference_mode():
            out = self.model(**batch)
        start_logits = out.start_logits.float().cpu()
        end_logits = out.end_logits.float().cpu()
        results = []
        for i, item in enumerate(inputs):
            # Only context tokens can be part of the answer; padding and the question
            # are masked before the softmax, so a batch gives the same scores as one input.
            context = torch.tensor([s == 1 for s in sequence_ids[i]])
            start_p = start_logits[i].masked_fill(~context, float("-inf")).softmax(-1)
            end_p = end_logits[i].masked_fill(~context, float("-inf")).softmax(-1)
            scores = start_p[:, None] * end_p[None, :]
            scores = torch.triu(scores) - torch.triu(scores, diagonal=MAX_ANSWER_TOKENS)
            flat = int(scores.argmax())
            s, e = divmod(flat, scores.shape[1])
            begin, end = int(offsets[i][s][0]), int(offsets[i][e][1])
            results.append(
                {
                    "score": float(scores[s, e]),
                    "start": begin,
                    "end": end,
                    "answer": item["context"][begin:end],
                }
            )
        return results


class Seq2Seq(_Base):
    """Summarization or translation: generate from the encoded text, greedy by default."""

    def __init__(self, model: Any, tokenizer: Any, device: str, task: str) -> None:
        super().__init__(model, tokenizer, device)
        self.task = task
        self.key = "summary_text" if task == "summarization" else "translation_text"

    def batch(self, inputs: list[str], **kwargs: Any) -> list[dict[str, str]]:
        limit = min(int(getattr(self.tokenizer, "model_max_length", 1024) or 1024), 4096)
        enc = self.tokenizer(
            inputs, truncation=True, max_length=limit, padding="longest", return_tensors="pt"
        )
        batch = {k: v.to(self.device) for k, v in enc.items() if k != "token_type_ids"}
        with torch.inference_mode():
            generated = self.model.generate(**batch, **kwargs)
        texts = self.tokenizer.batch_decode(generated, skip_special_tokens=True)
        return [{self.key: t.strip()} for t in texts]


def build(
    task: str,
    folder: Path,
    *,
    device: str,
    dtype: Any,
    trust_remote_code: bool,
    use_safetensors: bool,
) -> _Base:
    from transformers import AutoModelForQuestionAnswering, AutoModelForSeq2SeqLM, AutoTokenizer

    auto = AutoModelForQuestionAnswering if task == "question-answering" else AutoModelForSeq2SeqLM
    model = auto.from_pretrained(
        folder, dtype=dtype, trust_remote_code=trust_remote_code, use_safetensors=use_safetensors
    )
    tokenizer = AutoTokenizer.from_pretrained(folder, trust_remote_code=trust_remote_code)
    if task == "question-answering":
        return QuestionAnswering(model, tokenizer, device)
    return Seq2Seq(model, tokenizer, device, task)
