"""`tracker embed` and `tracker similar`: paper embeddings and related papers."""

from __future__ import annotations

import sys
import time

import click

from tracker.cli import AppContext, pass_app
from tracker.output import emit_json, info, table


class EmbedProgressLine:
    """papers/s and the time left, on one stderr line while stderr is a terminal
    (a tracker.progress.EmbeddingProgress)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        seconds = max(time.monotonic() - self.started, 1e-6)
        rate = done / seconds
        left = (total - done) / rate if rate > 0 else 0.0
        click.echo(
            f"\r\033[Kembedded {done:,}/{total:,} papers  {rate:,.0f} papers/s  "
            f"ETA {_duration(left)}",
            nl=False,
            err=True,
        )
        self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r\033[K", nl=False, err=True)


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@click.command()
@click.option(
    "--all", "everything", is_flag=True, help="Embed every paper again, not only new ones."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@pass_app
def embed(app: AppContext, everything: bool, as_json: bool) -> None:
    """Embed new and changed papers (title + abstract) for similar papers and search by meaning.

    Uses [search] embedding_model, locally (the GPU when there is one). Only papers
    without a vector of that model, or with a newer version, are embedded.
    """
    from tracker.embed.pipeline import embed_pending

    line = EmbedProgressLine(sys.stderr.isatty() and not as_json)
    try:
        report = embed_pending(app.engine(), app.config, everything=everything, progress=line)
    finally:
        line.done()
    if as_json:
        emit_json(
            {
                "model": report.model,
                "embedded": report.embedded,
                "seconds": round(report.seconds, 3),
                "papers_per_second": round(report.per_second, 1),
                "device": report.device or None,
            }
        )
        return
    if not report.embedded:
        info(f"embed: every paper has an embedding of {report.model}.")
        return
    info(
        f"embed: {report.embedded:,} papers with {report.model} on {report.device} in "
        f"{report.seconds:.1f} s ({report.per_second:,.0f} papers/s)."
    )


@click.command()
@click.argument("paper_id")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def similar(app: AppContext, paper_id: str, limit: int, as_json: bool) -> None:
    """The papers nearest PAPER_ID by meaning, with their cosine and shared key terms.

    Needs embeddings: run `tracker embed` first (or set [search] embeddings = true).
    """
    from tracker.embed.semantic import similar_papers

    hits = similar_papers(app.engine(), app.config, paper_id, limit=limit)
    if as_json:
        emit_json([{k: v for k, v in h.items() if k != "mode"} for h in hits])
        return
    if not hits:
        info("No similar papers: no other paper has an embedding yet.")
        return
    table(
        [(f"{h['score']:.3f}", h["arxiv_id"], h["title"], h["reason"]) for h in hits],
        ["cosine", "id", "title", "why"],
        wide=2,
    )


COMMANDS = [embed, similar]
