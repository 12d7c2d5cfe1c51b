"""`tracker try` on an image and an audio file, with tiny random models saved in the test.

No network (HF_HUB_OFFLINE=1 and sockets refused) and no ffmpeg (PATH emptied): a .wav
file is read with the stdlib `wave` module, a PNG with Pillow.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import wave
from pathlib import Path
from typing import Any

import pytest

LABELS = {0: "cat", 1: "dog", 2: "kitten"}
CHARS = list("abcdefghijklmnopqrstuvwxyz'")


@pytest.fixture
def no_network_no_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    def refuse(self: socket.socket, address: Any) -> None:
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _image_model(folder: Path) -> Path:
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(0)
    config = ViTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        num_labels=len(LABELS),
        id2label=LABELS,
        label2id={v: k for k, v in LABELS.items()},
    )
    ViTForImageClassification(config).eval().save_pretrained(folder, safe_serialization=True)
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(folder)
    return folder


def _speech_model(folder: Path) -> Path:
    import torch
    from transformers import (
        Wav2Vec2Config,
        Wav2Vec2CTCTokenizer,
        Wav2Vec2FeatureExtractor,
        Wav2Vec2ForCTC,
        Wav2Vec2Processor,
    )

    torch.manual_seed(0)
    folder.mkdir(parents=True, exist_ok=True)
    vocab = {"<pad>": 0, "<unk>": 1, "|": 2, **{c: i + 3 for i, c in enumerate(CHARS)}}
    vocab_path = folder / "vocab.json"
    vocab_path.write_text(json.dumps(vocab), encoding="utf-8")
    tokenizer = Wav2Vec2CTCTokenizer(
        str(vocab_path), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
    )
    extractor = Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16000, padding_value=0.0, do_normalize=True
    )
    config = Wav2Vec2Config(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        conv_dim=(16, 16),
        conv_stride=(5, 4),
        conv_kernel=(10, 8),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        do_stable_layer_norm=True,
        feat_extract_norm="layer",
        pad_token_id=0,
    )
    Wav2Vec2ForCTC(config).eval().save_pretrained(folder, safe_serialization=True)
    Wav2Vec2Processor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def _png(path: Path) -> Path:
    from PIL import Image

    image = Image.new("RGB", (40, 24))
    image.putdata(
        [(x * 6 % 256, y * 10 % 256, (x + y) * 3 % 256) for y in range(24) for x in range(40)]
    )
    image.save(path, format="PNG")
    return path


def _wav(path: Path, seconds: float = 0.5, rate: int = 16000, hz: float = 440.0) -> Path:
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * i / rate)))
        for i in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return path


def _check_doc(doc: dict[str, Any], task: str, n: int) -> None:
    assert {"model", "revision", "task", "device", "dtype", "outputs"} <= set(doc)
    assert (doc["task"], doc["revision"]) == (task, "local")
    assert len(doc["outputs"]) == n


@pytest.mark.usefixtures("no_network_no_ffmpeg")
def test_image_classification_on_a_png(cli: Any, tmp_path: Path) -> None:
    folder = _image_model(tmp_path / "vit")
    image = _png(tmp_path / "picture.png")
    # The task comes from the architecture (ViTForImageClassification).
    result = cli("try", str(folder), str(image), "--device", "cpu", "--json")
    assert result.code == 0, result.err
    doc = result.json()
    _check_doc(doc, "image-classification", 1)
    (output,) = doc["outputs"]
    assert isinstance(output, list) and output
    assert {x["label"] for x in output} == set(LABELS.values())
    assert all(set(x) == {"label", "score"} for x in output)
    assert math.isclose(sum(x["score"] for x in output), 1.0, abs_tol=1e-4)


@pytest.mark.usefixtures("no_network_no_ffmpeg")
def test_speech_recognition_on_a_wav_without_ffmpeg(cli: Any, tmp_path: Path) -> None:
    folder = _speech_model(tmp_path / "w2v")
    audio = _wav(tmp_path / "tone.wav")
    # The task comes from the architecture (Wav2Vec2ForCTC).
    result = cli("try", str(folder), str(audio), "--device", "cpu", "--json")
    assert result.code == 0, result.err
    doc = result.json()
    _check_doc(doc, "automatic-speech-recognition", 1)
    (output,) = doc["outputs"]
    assert set(output) == {"text"}
    assert isinstance(output["text"], str)
    assert set(output["text"]) <= set(CHARS) | {" "}
