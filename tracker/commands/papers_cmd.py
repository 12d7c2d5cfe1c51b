"""`tracker search` and `tracker show`, and the user's own marks on papers."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli import AppContext, parse_date, pass_app
from tracker.db.engine import read_connection, write_transaction
from tracker.errors import UsageError
from tracker.output import emit_json, table


@click.command()
@click.argument("query", required=False, default="")
@click.option("--category", help="Only papers in this category, e.g. cs.CL.")
@click.option("--author", help="Only papers with an author whose name contains this.")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Published before this date (YYYY-MM-DD).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date", "hot"]),
    default="relevance",
    show_default=True,
    help="hot: Hub upvotes and model downloads, decayed by age.",
)
@click.option(
    "--mode",
    type=click.Choice(["keyword", "semantic", "hybrid"]),
    help="keyword (bm25), semantic (by meaning; needs `tracker embed`) or hybrid (both, "
    "fused by rank). Default: [search] mode.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@pass_app
def search(
    app: AppContext,
    query: str,
    category: str | None,
    author: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    sort: str,
    mode: str | None,
    as_json: bool,
) -> None:
    """Full-text search over titles, abstracts and authors, or by meaning.

    QUERY words must all appear; "a phrase", word*, -word, a OR b, title:word,
    author:name work too. With no QUERY, lists the newest papers. --mode semantic
    finds papers by what QUERY means, in words the abstracts need not use.
    """
    from tracker.db.search import SearchFilters, search_papers

    filters = SearchFilters(
        category=category,
        author=author,
        since=parse_date(since, "--since"),
        until=parse_date(until, "--until"),
    )
    mode = mode or app.config.search.mode
    if mode != "keyword" and query.strip():
        if sort != "relevance":
            raise UsageError(
                f"--sort {sort} works with --mode keyword only.",
                hint="Drop --sort, or use --mode keyword.",
            )
        _print_hits(_meaning_hits(app, mode, query, filters, limit), as_json)
        return
    with read_connection(app.engine()) as conn:
        if sort == "hot":
            from tracker.follow.hot import hot_search

            hits = hot_search(
                conn, query, filters=filters, limit=limit, candidates=app.config.search.candidates
            )
        else:
            hits = search_papers(
                conn,
                query,
                filters=filters,
                sort=sort,  # type: ignore[arg-type]
                limit=limit,
                candidates=app.config.search.candidates,
            )
    _print_hits([{**h, "mode": "keyword"} for h in hits], as_json)


HIT_KEYS = ("arxiv_id", "title", "published", "primary_category", "authors", "score", "mode")


def _meaning_hits(
    app: AppContext, mode: str, query: str, filters: Any, limit: int
) -> list[dict[str, Any]]:
    """Semantic or hybrid hits; the embedding model loads for the query (torch here)."""
    from tracker.embed.semantic import hybrid_search, model_encoder, open_index, semantic_search

    engine = app.engine()
    find = semantic_search if mode == "semantic" else hybrid_search
    open_index(engine, app.config)  # no vectors yet: say so before loading a model
    encode, close = model_encoder(app.config)
    try:
        return find(engine, app.config, query, encode, filters=filters, limit=limit)
    finally:
        close()


def _print_hits(hits: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        emit_json([{k: h.get(k) for k in HIT_KEYS} for h in hits])
        return
    if not hits:
        click.echo("No papers match.", err=True)
        return
    table(
        [
            ((h["published"] or "")[:10], h["arxiv_id"], h["primary_category"], h["title"])
            for h in hits
        ],
        ["date", "id", "category", "title"],
    )


def _print_hub_page(p: dict[str, Any]) -> None:
    """The Hub page's linked counts, TLDR (labelled machine-written), keywords and Spaces."""
    from tracker.db.paper_hub import hub_counts_line

    line = hub_counts_line(p.get("hub_counts"))
    if line:
        click.echo(line)
    if p.get("summary"):
        click.echo("")
        click.echo(click.style(p["summary_label"], dim=True))
        click.echo(click.wrap_text(p["summary"], width=100))
    if p.get("keywords"):
        click.echo("Keywords: " + ", ".join(p["keywords"]))
    if p.get("spaces"):
        click.echo("Spaces: " + ", ".join(p["spaces"]))


@click.command()
@click.argument("paper_id")
@click.option("--json", "as_json", is_flag=True, help="Print the paper as JSON on stdout.")
@pass_app
def show(app: AppContext, paper_id: str, as_json: bool) -> None:
    """Everything about one paper: PAPER_ID like 1706.03762, 1706.03762v5 or hep-th/9901001."""
    from tracker.db.measurements import attach_measurements
    from tracker.db.queries import paper_detail

    with read_connection(app.engine()) as conn:
        paper = paper_detail(conn, paper_id)
        attach_measurements(conn, paper["results"])
    if as_json:
        emit_json(paper)
        return
    _print_paper(paper)


def _claimed(result: dict[str, Any]) -> object:
    """The value, and beside it what `tracker verify` measured here (when it did)."""
    if "measured" not in result:
        return result["value"]
    return f"claimed {result['value']} · {result['measured']['text']}"


def _print_paper(p: dict[str, Any]) -> None:
    echo = click.echo
    echo(click.style(p["title"], bold=True))
    echo(", ".join(p["authors"]))
    marks = [m for m, on in (("★ starred", p["starred"]), ("read", p["read"])) if on]
    echo(
        f"arXiv:{p['arxiv_id']}v{p['version']}  {' '.join(p['categories'])}  "
        f"published {(p['published'] or '')[:10]}  updated {(p['updated'] or '')[:10]}"
        + (f"  {'  '.join(marks)}" if marks else "")
    )
    for label, key in (("Comment", "comment"), ("Journal", "journal_ref"), ("DOI", "doi")):
        if p[key]:
            echo(f"{label}: {p[key]}")
    echo(f"{p['abs_url']}  {p['pdf_url']}")
    _print_hub_page(p)
    echo("")
    echo(click.wrap_text(p["abstract"], width=100))
    if p["code_links"]:
        echo("\nCode:")
        for url in p["code_links"]:
            echo(f"  {url}")
    if p["models"]:
        echo("\nModels:")
        table(
            [(m["repo_id"], m["task"], m["downloads"], m["likes"]) for m in p["models"]],
            ["model", "task", "downloads", "likes"],
            wide=0,
        )
    if p["results"]:
        echo("\nResults:")
        table(
            [
                (r["task"], r["dataset"], r["metric"], _claimed(r), r["model"], r["source"])
                for r in p["results"]
            ],
            ["task", "dataset", "metric", "value", "model", "source"],
            wide=4,
        )
    if p["tags"] or p["note"]:
        echo("")
        if p["tags"]:
            echo("Tags: " + ", ".join(p["tags"]))
        if p["note"]:
            echo("Note: " + p["note"])


@click.command()
@click.argument("paper_id")
@click.option("--off", is_flag=True, help="Remove the star.")
@pass_app
def star(app: AppContext, paper_id: str, off: bool) -> None:
    """Star a paper (your own data: sync never changes it)."""
    from tracker.db.queries import paper_id_for
    from tracker.db.userdata import set_starred

    with write_transaction(app.engine()) as conn:
        set_starred(conn, paper_id_for(conn, paper_id), not off)


@click.command()
@click.argument("paper_id")
@click.argument("tags", nargs=-1, required=True)
@click.option("--remove", is_flag=True, help="Remove these tags instead.")
@pass_app
def tag(app: AppContext, paper_id: str, tags: tuple[str, ...], remove: bool) -> None:
    """Tag a paper with one or more TAGS."""
    from tracker.db.queries import paper_id_for
    from tracker.db.userdata import add_tags, remove_tags

    with write_transaction(app.engine()) as conn:
        pid = paper_id_for(conn, paper_id)
        (remove_tags if remove else add_tags)(conn, pid, list(tags))


@click.command()
@click.argument("paper_id")
@click.argument("text", required=False, default="")
@pass_app
def note(app: AppContext, paper_id: str, text: str) -> None:
    """Write a note on a paper (an empty TEXT clears it)."""
    from tracker.db.queries import paper_id_for
    from tracker.db.userdata import set_note

    with write_transaction(app.engine()) as conn:
        set_note(conn, paper_id_for(conn, paper_id), text)


COMMANDS = [search, show, star, tag, note]
