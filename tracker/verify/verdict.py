"""The measurement against the claim: inside the interval, above or below it, or not comparable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.verify.bootstrap import Estimate
from tracker.verify.metrics import Metric


@dataclass(frozen=True)
class Claim:
    value: float
    dataset: str
    metric: str
    config: str = ""
    split: str = ""
    result_id: int | None = None
    source: str = ""
    task: str = ""


@dataclass(frozen=True)
class Verdict:
    scale: float  # 100 when the claim (or the metric's convention) is in percent
    value: float
    low: float
    high: float
    claimed: float | None
    status: str  # inside | above | below | no-claim
    difference: float | None  # measured - claimed, in the scale above
    comparable: bool
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def sentence(self) -> str:
        if self.claimed is None:
            return "no claim to compare with."
        if self.status == "inside":
            text = f"the claim {fmt(self.claimed, self.scale)} lies inside the 95% interval."
        else:
            size = fmt(abs(self.difference or 0.0), self.scale)
            text = f"the measurement is {self.status} the claim {fmt(self.claimed, self.scale)} by {size}."
        if not self.comparable:
            text += " Not comparable: " + "; ".join(self.reasons) + "."
        return text


def fmt(value: float, scale: float = 1.0) -> str:
    """Two decimals in percent (91.30), four as a fraction (0.9130)."""
    return f"{value:.2f}" if scale >= 100 else f"{value:.4f}"


def claim_scale(metric: Metric, claimed: float | None) -> float:
    """Percent when the claim is written in percent (91.3), else the metric's convention."""
    if claimed is not None:
        return 100.0 if abs(claimed) > 1.0 else 1.0
    return 100.0 if metric.percent else 1.0


def judge(
    metric: Metric,
    estimate: Estimate,
    claim: Claim | None,
    *,
    split: str,
    config: str,
    sampled_from: int | None,
) -> Verdict:
    """sampled_from: the split's size when only a sample of it was measured."""
    claimed = claim.value if claim else None
    scale = claim_scale(metric, claimed)
    value, low, high = (x * scale for x in (estimate.value, estimate.low, estimate.high))
    if claim is None or claimed is None:
        return Verdict(scale, value, low, high, None, "no-claim", None, False, ["no claim"])
    reasons = []
    if not claim.split:
        reasons.append("the claim names no split")
    elif claim.split.lower() != split.lower():
        reasons.append(f"the claim is on split '{claim.split}', this run on '{split}'")
    if claim.config and config and claim.config.lower() != config.lower():
        reasons.append(f"the claim is on config '{claim.config}', this run on '{config}'")
    if sampled_from is not None:
        reasons.append(f"a sample of {estimate.n} of {sampled_from} examples")
    status = "inside" if low <= claimed <= high else ("above" if value > claimed else "below")
    return Verdict(scale, value, low, high, claimed, status, value - claimed, not reasons, reasons)
