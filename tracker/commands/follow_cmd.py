"""`tracker watch`, `tracker digest` and `tracker recommend`: following what matters."""

from __future__ import annotations

import click

from tracker.cli import AppContext, parse_date, pass_app
from tracker.db.engine import read_connection, write_transaction
from tracker.output import emit_json, info, table

KIND_HELP = "search, author, category, task, dataset or organisation (org)"


@click.group()
def watch() -> None:
    """Watchlists: saved searches, authors, categories, tasks, datasets, Hub organisations.

    Entries come from config.toml [watch] and from `tracker watch add` (stored in the
    database; sync never touches them). `tracker digest` reports what is new for each.
    """


@watch.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def watch_list(app: AppContext, as_json: bool) -> None:
    """What you follow, from the config file and the database."""
    from tracker.follow.watchlists import all_watches

    with read_connection(app.engine()) as conn:
        items = all_watches(conn, app.config)
    if as_json:
        emit_json([w.as_json() for w in items])
        return
    if not items:
        info("You follow nothing yet: `tracker watch add author Vaswani`, or [watch] in config.")
        return
    table([(w.kind, w.label, w.origin) for w in items], ["kind", "watch", "from"], wide=1)


@watch.command("add")
@click.argument("kind", metavar="KIND")
@click.argument("value")
@click.option("--name", default="", help="A short name for a saved search.")
@click.option("--category", help="A saved search's category filter, e.g. cs.CL.")
@click.option("--author", help="A saved search's author filter.")
@click.option("--json", "as_json", is_flag=True, help="Print the entry as JSON on stdout.")
@pass_app
def watch_add(
    app: AppContext,
    kind: str,
    value: str,
    name: str,
    category: str | None,
    author: str | None,
    as_json: bool,
) -> None:
    """Follow VALUE; KIND is search, author, category, task, dataset or organisation (org).

    Examples: `watch add search '"long context" -survey' --category cs.CL`,
    `watch add author Vaswani`, `watch add task text-classification`, `watch add org google`.
    """
    from tracker.follow.watchlists import add_watch

    with write_transaction(app.engine()) as conn:
        item, added = add_watch(
            conn, app.config, kind, value, name=name, category=category, author=author
        )
    if as_json:
        emit_json(item.as_json() | {"added": added})
        return
    where = "" if item.origin == "database" else f" (in {app.config.source})"
    info(f"{'Now following' if added else 'Already following'} {item.label}{where}.")


@watch.command("remove")
@click.argument("kind", metavar="KIND")
@click.argument("value")
@click.option("--json", "as_json", is_flag=True, help="Print {removed: N} on stdout.")
@pass_app
def watch_remove(app: AppContext, kind: str, value: str, as_json: bool) -> None:
    """Stop following VALUE (a saved search by its query or name)."""
    from tracker.follow.watchlists import canonical_kind, remove_watch

    with write_transaction(app.engine()) as conn:
        removed = remove_watch(conn, app.config, kind, value)
    if as_json:
        emit_json({"removed": removed})
        return
    info(f"Removed {removed} {canonical_kind(kind)} watch{'es' if removed > 1 else ''}.")


@click.command()
@click.option("--since", help="New papers first seen since this date (default: the last digest).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
@click.option("--peek", is_flag=True, help="Show it without marking it as reported.")
@pass_app
def digest(app: AppContext, since: str | None, fmt: str, peek: bool) -> None:
    """What is new since the last digest: papers per watchlist, and news of starred
    papers, followed leaderboards, tasks and organisations.

    Plain text by default, short enough for a mail: in cron, `tracker sync -q &&
    tracker digest` mails it. Each digest marks what it reported (unless --peek), so
    the next one starts after it; with nothing new it prints one line.
    """
    from tracker.follow.digest import run_digest
    from tracker.follow.render import RENDERERS, digest_json

    result = run_digest(app.engine(), app.config, since=parse_date(since, "--since"), mark=not peek)
    if fmt == "json":
        emit_json(digest_json(result))
    else:
        click.echo(RENDERERS[fmt](result))


@click.command()
@click.option(
    "--tag", help="Learn from the papers with this tag (default: all starred and tagged)."
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Recommend papers published in the last N days (default: [recommend] days).",
)
@click.option(
    "--semantic",
    is_flag=True,
    help="Use sentence embeddings ([recommend] embedding_model, run locally) instead of tf-idf.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def recommend(
    app: AppContext, tag: str | None, limit: int, days: int | None, semantic: bool, as_json: bool
) -> None:
    """Recent papers like the ones you starred or tagged, with the reason for each.

    A linear SVM per tag on tf-idf features of titles and abstracts (as in
    arxiv-sanity-lite), trained on this machine; each paper shows the terms that
    weigh most and the nearest paper you marked.
    """
    from tracker.follow.recommend import recommend as run_recommend

    result = run_recommend(
        app.engine(), app.config, tag=tag, limit=limit, days=days, semantic=semantic
    )
    if as_json:
        emit_json(result.as_json())
        return
    if not result.items:
        info(
            f"No unmarked papers from the last {days or app.config.recommend.days} days "
            "to recommend (--days N looks further back)."
        )
        return
    table(
        [(h["score"], h["arxiv_id"], h["title"], h["reason"]) for h in result.items],
        ["score", "id", "title", "why"],
        wide=2,
    )
    info(
        f"recommend: learned from {result.positives} papers, ranked a pool of "
        f"{result.pool:,} in {result.seconds:.1f} s ({result.mode})."
    )


COMMANDS = [watch, digest, recommend]
