"""The options every command that runs a model takes (`try`, `verify`): where, in what
dtype, in batches of how many, and which revision."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from tracker.trial.hardware import DEVICES, DTYPES

F = TypeVar("F", bound=Callable[..., object])


def run_options(*, batch_size: int, unit: str) -> Callable[[F], F]:
    """--device, --dtype, --batch-size (default batch_size; help counts `unit`) and
    --revision, in that order."""

    def decorate(command: F) -> F:
        for option in reversed(
            (
                click.option(
                    "--device",
                    type=click.Choice(DEVICES),
                    help="Where to run (default: [trial] device).",
                ),
                click.option(
                    "--dtype",
                    type=click.Choice(DTYPES),
                    help="Weights dtype (default: [trial] dtype).",
                ),
                click.option(
                    "--batch-size",
                    type=click.IntRange(1, 4096),
                    default=batch_size,
                    show_default=True,
                    help=f"{unit} per batch (sorted by length, padded per batch).",
                ),
                click.option(
                    "--revision",
                    help="The model's branch, tag or commit sha on the Hub (pinned to its sha).",
                ),
            )
        ):
            command = option(command)
        return command

    return decorate
