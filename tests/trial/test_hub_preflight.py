"""Pre-flight against the Hub API on a local server: the verdict comes before any download."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import FakeServer, Reply

SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture(autouse=True)
def online_loopback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """These tests talk to 127.0.0.1 through HfApi, so the Hub may not be offline here."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))


def model_info(repo_id: str, files: dict[str, int], **extra: Any) -> Reply:
    body = {
        "id": repo_id,
        "modelId": repo_id,
        "sha": SHA,
        "private": False,
        "gated": False,
        "tags": ["transformers"],
        "pipeline_tag": "text-generation",
        "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"},
        "siblings": [{"rfilename": n, "size": s} for n, s in files.items()],
        **extra,
    }
    return Reply(body=json.dumps(body).encode(), content_type="application/json")


def test_a_model_too_big_is_refused_with_numbers_before_any_download(
    server: FakeServer, cli: Any
) -> None:
    files = {
        "config.json": 700,
        "model-00001-of-00002.safetensors": 70 * 10**9,
        "model-00002-of-00002.safetensors": 70 * 10**9,
        "pytorch_model.bin": 140 * 10**9,
    }
    server.add(
        "/api/models/acme/huge",
        model_info(
            "acme/huge",
            files,
            safetensors={"parameters": {"BF16": 70 * 10**9}, "total": 70 * 10**9},
        ),
        params={"blobs": "true"},
    )
    result = cli("try", "acme/huge", "Once upon a time", "--device", "cpu")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0].startswith(
        f"acme/huge@{SHA[:12]} (text-generation): 70,000,000,000 parameters, 130.39 GiB of "
        "safetensors weights, 130.39 GiB to download; needs ~313.17 GiB as float32 on cpu, "
    )
    assert lines[0].endswith("available RAM: does NOT fit.")
    assert lines[1].startswith(
        "Error: model acme/huge needs ~313.17 GiB as float32 on cpu (70,000,000,000 parameters), "
        "but only "
    )
    assert lines[2] == "  Ways out: --yes to try anyway."
    # Only the metadata was asked for: no weight file was fetched.
    assert server.requests == ["/api/models/acme/huge?blobs=true"]


def test_a_pickle_only_hub_model_is_refused_before_download(server: FakeServer, cli: Any) -> None:
    server.add(
        "/api/models/acme/old",
        model_info("acme/old", {"config.json": 500, "pytorch_model.bin": 400_000_000}),
        params={"blobs": "true"},
    )
    result = cli("try", "acme/old", "hello")
    assert result.code == 1
    assert "Error: model acme/old has only pickle weights (pytorch_model.bin)" in result.err
    assert server.requests == ["/api/models/acme/old?blobs=true"]


def test_remote_code_on_the_hub_is_refused(server: FakeServer, cli: Any) -> None:
    server.add(
        "/api/models/acme/custom",
        model_info(
            "acme/custom",
            {"config.json": 500, "model.safetensors": 1000, "modeling_x.py": 100},
            tags=["transformers", "custom_code"],
        ),
        params={"blobs": "true"},
    )
    result = cli("try", "acme/custom", "hello")
    assert result.code == 1
    assert "Error: model acme/custom needs code from its repository" in result.err


def test_a_gated_model_gets_one_line_on_logging_in(server: FakeServer, cli: Any) -> None:
    server.add(
        "/api/models/acme/llama",
        model_info("acme/llama", {"model.safetensors": 1000}, gated="manual"),
        params={"blobs": "true"},
    )
    result = cli("try", "acme/llama", "hello")
    assert result.code == 1
    assert result.err.splitlines() == [
        "Error: model acme/llama is gated: its files need a logged-in Hub account.",
        f"  Run `hf auth login` (or set HF_TOKEN), then accept its licence at {server.url}/acme/llama.",
    ]


def test_a_gated_answer_from_the_hub_becomes_the_same_message(server: FakeServer, cli: Any) -> None:
    server.add(
        "/api/models/acme/locked",
        Reply(
            status=403,
            body=b'{"error": "Access to model acme/locked is restricted."}',
            content_type="application/json",
            headers={"X-Error-Code": "GatedRepo", "X-Error-Message": "restricted"},
        ),
        params={"blobs": "true"},
    )
    result = cli("try", "acme/locked", "hello")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "Error: model acme/locked is gated: its files need a logged-in Hub account."
    )


def test_an_unreachable_hub_and_an_empty_cache_say_so(cli: Any) -> None:
    # The test config points the Hub at a closed port on 127.0.0.1.
    result = cli("try", "acme/anything", "hello")
    assert result.code == 1
    assert result.err.splitlines() == [
        "Error: the Hub at http://127.0.0.1:9 cannot be reached to describe acme/anything, "
        "and it is not in the local cache.",
        "  Check the network (or [hub] endpoint), or try a local folder.",
    ]
