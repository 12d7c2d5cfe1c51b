"""Ground truth: datasets whose answers are the model's own predictions score exactly 1.0."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.verify.datasets_helpers import SST2_CARD, write_jsonl, write_parquet
from tracker.trial import runner
from tracker.verify.run import Request, measure, plan_verify

TEXTS = [
    "a good movie",
    "a terrible movie",
    "the cat sits on the mat",
    "the dog rests on the rug",
    "great paper about attention",
    "bad data",
    "the stock market fell today",
    "the stock market rose today",
    "paris is the capital of france",
    "who wrote the paper",
    "neural language model",
    "the kitten was good",
]


def _measure(env: Any, model: Path | str, dataset: Path, **kwargs: Any) -> Any:
    plan = plan_verify(Request(str(model), str(dataset), seed=1, **kwargs), env.config())
    loaded = runner.load(plan.trial)
    try:
        return measure(plan, loaded, batch_size=4, tick=lambda n: None)
    finally:
        loaded.close()


def _predicted_labels(model: Path) -> list[str]:
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(model))
    return [pipe(t)[0]["label"] for t in TEXTS]


def test_labels_equal_to_the_predictions_give_accuracy_one(
    env: Any, classifier: Path, tmp_path: Path
) -> None:
    model = classifier
    predicted = _predicted_labels(model)
    assert len(set(predicted)) == 2  # both classes occur: a real test of the mapping
    ids = [0 if label == "NEGATIVE" else 1 for label in predicted]
    rows = [
        {"sentence": t, "label": i, "idx": n}
        for n, (t, i) in enumerate(zip(TEXTS, ids, strict=True))
    ]
    write_parquet(tmp_path / "same" / "data" / "validation-00000-of-00001.parquet", rows)
    (tmp_path / "same" / "README.md").write_text(SST2_CARD)
    result = _measure(env, model, tmp_path / "same")
    assert (result.estimate.value, result.estimate.low, result.estimate.high) == (1.0, 1.0, 1.0)
    assert result.estimate.n == len(TEXTS) and not result.plan.rows.sampled
    flipped = [{**r, "label": 1 - r["label"]} for r in rows]
    write_parquet(tmp_path / "flipped" / "data" / "validation-00000-of-00001.parquet", flipped)
    (tmp_path / "flipped" / "README.md").write_text(SST2_CARD)
    assert _measure(env, model, tmp_path / "flipped").estimate.value == 0.0


def test_token_tags_from_the_model_itself_give_entity_f1_one(
    env: Any, tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    model = tiny_model("token-classification")
    network = AutoModelForTokenClassification.from_pretrained(model).eval()
    tokenizer = AutoTokenizer.from_pretrained(model)
    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    sentences = [t.split() for t in TEXTS]
    rows = []
    for words in sentences:
        encoded = tokenizer(words, is_split_into_words=True, return_tensors="pt")
        ids = network(**encoded).logits[0].argmax(-1).tolist()
        tags = [-1] * len(words)
        for position, word in enumerate(encoded.word_ids()):
            if word is not None and tags[word] == -1:
                tags[word] = ids[position]
        rows.append({"tokens": words, "ner_tags": [names[t] for t in tags]})
    assert any(t != "O" for r in rows for t in r["ner_tags"])  # entities to find
    write_jsonl(tmp_path / "conll" / "validation.jsonl", rows)
    result = _measure(env, model, tmp_path / "conll")
    assert result.plan.metric.name == "f1"
    assert (result.estimate.value, result.estimate.low, result.estimate.high) == (1.0, 1.0, 1.0)


def test_answers_from_the_model_itself_give_exact_match_one(
    env: Any, tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    from tracker.trial.plan import plan_trial

    model = tiny_model("question-answering")
    items = [
        {"question": "who wrote the paper", "context": "ada wrote the paper in paris"},
        {"question": "where is the cat", "context": "the cat sits on the mat"},
        {"question": "what fell", "context": "the stock market fell today"},
        {"question": "what is paris", "context": "paris is the capital of france"},
    ]
    loaded = runner.load(plan_trial(str(model), env.config()))
    spans = [o["answer"] for o in loaded.run(items, batch_size=1).outputs]
    loaded.close()
    rows = [
        {"id": str(i), **item, "answers": {"text": [span], "answer_start": [0]}}
        for i, (item, span) in enumerate(zip(items, spans, strict=True))
    ]
    write_jsonl(tmp_path / "squad" / "validation.jsonl", rows)
    result = _measure(env, model, tmp_path / "squad", metric="exact_match")
    assert result.estimate.value == 1.0
    assert result.verdict.scale == 100.0  # SQuAD reports percent
    wrong = [{**r, "answers": {"text": ["kitten"], "answer_start": [0]}} for r in rows]
    write_jsonl(tmp_path / "wrong" / "validation.jsonl", wrong)
    assert _measure(env, model, tmp_path / "wrong", metric="f1").estimate.value == 0.0


def _wordy(folder: Path, target: Path) -> Path:
    """The tiny seq2seq model, unable to emit special tokens: it writes words until max_length."""
    import shutil

    import torch
    from transformers import BartForConditionalGeneration

    model = BartForConditionalGeneration.from_pretrained(folder)
    with torch.no_grad():
        model.final_logits_bias[0, :5] = -1e4
    shutil.copytree(folder, target)
    model.save_pretrained(target)
    return target


def _own_outputs(env: Any, model: Path, task: str, texts: list[str]) -> list[str]:
    from tracker.trial.plan import plan_trial

    loaded = runner.load(plan_trial(str(model), env.config(), task=task))
    key = "summary_text" if task == "summarization" else "translation_text"
    outputs = [o[key] for o in loaded.run(texts, batch_size=2).outputs]
    loaded.close()
    return outputs


def test_summaries_and_translations_equal_to_the_model_s_own_score_one(
    env: Any, tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    model = _wordy(tiny_model("summarization"), tmp_path / "wordy")
    texts = TEXTS[:6]
    outputs = _own_outputs(env, model, "summarization", texts)
    assert any(o.strip() for o in outputs)
    rows = [{"article": t, "highlights": o} for t, o in zip(texts, outputs, strict=True)]
    write_jsonl(tmp_path / "cnn" / "test.jsonl", rows)
    for metric in ("rouge1", "rougeL"):
        result = _measure(env, model, tmp_path / "cnn", metric=metric, task="summarization")
        assert result.estimate.value == 1.0, metric
    pairs = [{"translation": {"en": t, "fr": o}} for t, o in zip(texts, outputs, strict=True)]
    write_jsonl(tmp_path / "wmt" / "en-fr" / "validation.jsonl", pairs)
    bleu = _measure(env, model, tmp_path / "wmt", task="translation", config="en-fr")
    assert bleu.plan.metric.name == "bleu"
    assert bleu.verdict.value == 100.0 and bleu.verdict.scale == 100.0


def _tiny_vit(folder: Path) -> Path:
    import torch
    import transformers as tf

    torch.manual_seed(0)
    classes = ["bird", "cat", "dog", "fish", "frog", "tench"]
    config = tf.ViTConfig(
        image_size=32, patch_size=8, hidden_size=32, num_hidden_layers=1,
        num_attention_heads=2, intermediate_size=37,
        id2label=dict(enumerate(classes)), label2id={c: i for i, c in enumerate(classes)},
    )  # fmt: skip
    tf.ViTForImageClassification(config).eval().save_pretrained(folder)
    tf.ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


def test_an_imagenet_style_folder_labelled_by_the_model_s_top1_gives_accuracy_one(
    env: Any, tmp_path: Path
) -> None:
    from PIL import Image
    from transformers import pipeline

    model = _tiny_vit(tmp_path / "vit")
    pipe = pipeline("image-classification", model=str(model))
    rng = __import__("random").Random(0)
    for i in range(8):
        colour = tuple(rng.randrange(256) for _ in range(3))
        image = Image.new("RGB", (40, 40), colour)
        for x in range(0, 40, 5):
            image.putpixel((x, x), (255 - colour[0], 0, colour[2]))
        top = pipe(image)[0]["label"]
        target = tmp_path / "images" / "validation" / top / f"{i}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target)
    result = _measure(env, model, tmp_path / "images", task="image-classification")
    assert result.plan.metric.name == "accuracy"
    assert (result.estimate.value, result.estimate.n) == (1.0, 8)
    top5 = _measure(env, model, tmp_path / "images", metric="top5_accuracy")
    assert top5.estimate.value == 1.0


def test_best_span_abstains_when_the_null_answer_scores_higher() -> None:
    import torch

    from tracker.trial.evaluate import best_span

    context = torch.tensor([False, False, True, True, True, False])
    start = torch.tensor([0.0, 9.0, 1.0, 5.0, 0.0, 9.0])
    end = torch.tensor([0.0, 9.0, 0.0, 0.0, 4.0, 9.0])
    assert best_span(start, end, context) == (3, 4)  # question and padding tokens never count
    start[0], end[0] = 5.0, 5.0  # null score 10 > best span 9
    assert best_span(start, end, context) is None


def test_squad_v2_rows_without_answers_are_scored_with_the_model_s_abstentions(
    env: Any, tiny_model: Callable[[str], Path], tmp_path: Path
) -> None:
    from tracker.trial.evaluate import answer_questions
    from tracker.trial.plan import plan_trial

    model = tiny_model("question-answering")
    items = [
        {"question": "who wrote the paper", "context": "ada wrote the paper in paris"},
        {"question": "where is the cat", "context": "the cat sits on the mat"},
        {"question": "what fell", "context": "the stock market fell today"},
    ]
    loaded = runner.load(plan_trial(str(model), env.config()))
    own = answer_questions(loaded, items, batch_size=2, tick=lambda n: None, stop=None)
    loaded.close()
    rows = [
        {**item, "answers": {"text": [answer] if answer else [], "answer_start": []}}
        for item, answer in zip(items, own, strict=True)
    ]
    rows.append({**items[0], "answers": {"text": [], "answer_start": []}})
    write_jsonl(tmp_path / "squad_v2" / "validation.jsonl", rows)
    result = _measure(env, model, tmp_path / "squad_v2", metric="exact_match")
    expected = 1.0 if own[0] == "" else 0.75  # the unanswerable copy of row 0
    assert result.estimate.value == expected


def _tiny_wav2vec2(folder: Path) -> Path:
    import json

    import torch
    import transformers as tf

    torch.manual_seed(0)
    folder.mkdir(parents=True)
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, "A": 5, "B": 6, "C": 7, "D": 8}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    processor = tf.Wav2Vec2Processor(
        feature_extractor=tf.Wav2Vec2FeatureExtractor(
            feature_size=1, sampling_rate=16000, padding_value=0.0, return_attention_mask=False
        ),
        tokenizer=tf.Wav2Vec2CTCTokenizer(str(folder / "vocab.json")),
    )
    config = tf.Wav2Vec2Config(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=37, conv_dim=(16, 16), conv_stride=(5, 4), conv_kernel=(10, 8),
        num_feat_extract_layers=2, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2,
        pad_token_id=0,
    )  # fmt: skip
    tf.Wav2Vec2ForCTC(config).eval().save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def _wav(samples: Any) -> bytes:
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def test_speech_transcribed_as_the_model_does_gives_wer_zero(env: Any, tmp_path: Path) -> None:
    import numpy as np
    from transformers import pipeline

    from tracker.trial.evaluate import _audio

    model = _tiny_wav2vec2(tmp_path / "w2v")
    pipe = pipeline("automatic-speech-recognition", model=str(model))
    rng = np.random.RandomState(0)
    rows = []
    for i in range(4):
        data = _wav(np.clip(rng.randn(4000 + 2000 * i) * 0.2, -1, 1))
        text = pipe(_audio({"bytes": data, "path": None}))["text"]
        rows.append(
            {"file": f"{i}.wav", "audio": {"bytes": data, "path": f"{i}.wav"}, "text": text}
        )
    assert all(r["text"] for r in rows)
    write_parquet(tmp_path / "libri" / "validation.parquet", rows)
    result = _measure(env, model, tmp_path / "libri", task="automatic-speech-recognition")
    assert result.plan.metric.name == "wer" and result.plan.roles["audio"] == "audio"
    assert (result.estimate.value, result.estimate.high) == (0.0, 0.0)
