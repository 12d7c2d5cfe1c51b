"""`tracker models --fits`: models whose weights fit this machine's free memory."""

from __future__ import annotations

from typing import Any

import pytest

from tracker.trial import checks, hardware

GiB = 2**30


def test_fits_keeps_the_models_that_fit_a_small_memory_budget(
    cli: Any, env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.configure(trial={"device": "cpu", "dtype": "auto"})
    monkeypatch.setattr(hardware, "free_memory", lambda device: (GiB, "available RAM"))
    assert cli("demo", "--no-tui").code == 0
    every = cli("--demo", "models", "--limit", "1000", "--json").json()
    result = cli("--demo", "models", "--fits", "--limit", "1000", "--json")
    assert result.code == 0, result.err
    # (1 GiB - 256 MiB for the runtime) / (4 bytes x 1.2) as float32 on the CPU
    assert result.err == (
        "fits this machine: up to 167,772,160 parameters as float32 on cpu (1.00 GiB available "
        "RAM); models of unknown size are left out.\n"
    )
    fitting = [m["repo_id"] for m in result.json()]
    assert fitting == [
        m["repo_id"] for m in every if m["parameters"] and m["parameters"] <= 167_772_160
    ]
    assert "sentence-transformers/all-MiniLM-L6-v2" in fitting
    assert "openai/whisper-small" not in fitting  # 242M parameters
    assert "facebook/detr-resnet-101" not in fitting  # size unknown
    table = cli("--demo", "models", "--fits", "--task", "text-generation")
    assert [line.split()[0] for line in table.out.splitlines()[1:]] == [
        "openai-community/gpt2",
        "distilbert/distilgpt2",
    ]


def test_the_budget_boundary_matches_the_preflight_estimate() -> None:
    budget = checks.FitBudget("cuda", "bfloat16", 16 * GiB, "free GPU memory")
    most = budget.max_parameters
    assert most is not None
    assert checks.memory_needed(most, "bfloat16", "cuda") <= 16 * GiB
    assert checks.memory_needed(most + 1000, "bfloat16", "cuda") > 16 * GiB
    assert budget.fits(most) and not budget.fits(most + 1000) and not budget.fits(None)
    assert checks.FitBudget("cpu", "float32", None, "available RAM").fits(10**12)


def test_fits_on_a_cpu_only_machine_imports_no_torch() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from tracker.trial.checks import fit_budget\n"
        "budget = fit_budget('cpu', 'auto')\n"
        "assert budget.dtype == 'float32' and budget.available_bytes\n"
        "print('torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
