"""TUI benchmark: start-up to first rows painted, keystroke-to-list p95, memory while scrolling.

    .venv/bin/python benchmarks/bench_tui.py              # 200k and 1M papers
    .venv/bin/python benchmarks/bench_tui.py --sizes 200000
    .venv/bin/python benchmarks/bench_tui.py --startup-only --compare main   # before/after

Databases are generated once (raw sqlite3 executemany into the schema that
open_database creates, then an FTS5 'rebuild') and cached in benchmarks/out/.
Start-up runs the real command, a bare `python -m tracker` (what the `tracker`
script runs; TRACKER_CONFIG names the database), on a pseudo-terminal (120x36):
the clock starts just before the process is spawned and stops when the title of
the newest paper, the list's first row, arrives on the terminal. Nothing in the
app is patched or hooked; the bytes on the terminal are what the user sees.
--compare REF also starts the tracker of git revision REF (exported to
benchmarks/out/rev-REF, run on the same database), alternating with this
checkout's runs, so that a change's before and after come from the same run.
tracker's modules are compiled to bytecode first, as an install (or any earlier
run) leaves them: this machine sets PYTHONDONTWRITEBYTECODE=1, under which every
start would compile them again (~50 ms).
Keystrokes and scrolling run in-process with App.run_test (headless), two ways:

- "key -> painted": the key event goes to the driver as a terminal's would; the
  clock stops at the first screen refresh after the list shows the typed text.
- "pilot": Pilot.press + Pilot.pause, as the first version of this script did.
  Each of those waits for the whole process to idle (>= 20 ms each, three times
  per key, longer while any worker thread runs), so it over-states latency; it
  is kept to compare with earlier figures.

Scrolling moves the cursor to the last row, page after page (as holding j
would); it reports the time per page (cursor at the end -> the next page
painted) and the RSS every 25 pages.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import fcntl
import os
import pty
import random
import sqlite3
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

WORDS = (
    "attention transformer language model vision graph neural network diffusion "
    "reinforcement learning policy gradient contrastive self supervised benchmark dataset "
    "retrieval augmented generation speech recognition translation summarization robust "
    "adversarial federated privacy efficient sparse mixture experts quantization pruning "
    "distillation alignment reasoning chain thought agent planning embedding token "
    "segmentation detection convolutional recurrent optimization stochastic bayesian "
    "kernel causal inference multimodal audio video image text protein molecule physics"
).split()
CATEGORIES = ["cs.CL", "cs.LG", "cs.CV", "cs.AI", "stat.ML", "cs.RO", "eess.AS", "cs.IR"]


def _vocab(rng: random.Random) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "ve", "zo", "qui", "dra", "fen", "sol"]
    made = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(6000)}
    return WORDS * 20 + sorted(made)


def generate(n: int) -> Path:
    """A papers database with n papers (cached)."""
    from tracker.db.engine import open_database

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"papers-{n}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp.db")
    tmp.unlink(missing_ok=True)
    open_database(f"sqlite:///{tmp}").dispose()
    rng = random.Random(n)
    vocab = _vocab(rng)
    started = time.monotonic()
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    base = datetime(2015, 1, 1, tzinfo=UTC)
    step = (datetime(2026, 11, 1, tzinfo=UTC) - base) / n
    chunk = 50_000
    for start in range(0, n, chunk):
        papers, cats, links = [], [], []
        for i in range(start, min(start + chunk, n)):
            pid = i + 1
            when = (base + step * i + timedelta(seconds=rng.randint(0, 59))).strftime(
                "%Y-%m-%d %H:%M:%S.000000"
            )
            title = " ".join(rng.choice(vocab) for _ in range(rng.randint(6, 14))).capitalize()
            abstract = " ".join(rng.choice(vocab) for _ in range(rng.randint(60, 110))) + "."
            authors = ", ".join(
                f"{rng.choice(vocab).capitalize()} {rng.choice(vocab).capitalize()}"
                for _ in range(rng.randint(1, 6))
            )
            cat = rng.choice(CATEGORIES)
            papers.append(
                (
                    pid,
                    f"{15 + i // 1_000_000:02d}{(i // 100_000) % 10:02d}.{i % 100_000:05d}",
                    1,
                    title,
                    abstract,
                    authors,
                    cat,
                    when,
                    when,
                    0,
                    rng.choice((0, 0, 0, 1, 5, 40)),
                    0,
                    when,
                    when,
                )
            )
            cats.append((pid, cat))
            if rng.random() < 0.3:
                cats.append((pid, rng.choice([c for c in CATEGORIES if c != cat])))
            if rng.random() < 0.2:
                links.append((pid, f"https://github.com/example/repo{pid}", "comment"))
        conn.executemany(
            "INSERT INTO papers (id, arxiv_id, version, title, abstract, authors, primary_category,"
            " published, updated, withdrawn, upvotes, is_stub, first_seen, last_synced)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            papers,
        )
        conn.executemany("INSERT INTO paper_categories (paper_id, category) VALUES (?, ?)", cats)
        conn.executemany("INSERT INTO code_links (paper_id, url, source) VALUES (?, ?, ?)", links)
        conn.commit()
        print(f"  {min(start + chunk, n):,} papers written", file=sys.stderr)
    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    tmp.rename(path)
    print(f"generated {path.name} in {time.monotonic() - started:.0f} s", file=sys.stderr)
    return path


def config_file(db: Path) -> Path:
    """A private config (the repository's config.toml may be mid-edit), offline endpoints."""
    path = OUT / "bench-config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n'
        '[arxiv]\napi_url = "http://127.0.0.1:9/api/query"\n'
        '[hub]\nendpoint = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    return path


def first_row_text(db: Path) -> bytes:
    """The start of the newest paper's title: what the first row of the list shows."""
    from tracker.db.paper_list import newest_page
    from tracker.tui.formatting import one_line

    page = newest_page(db, limit=1)
    if page is None:
        raise RuntimeError(f"{db} holds no papers")
    # Titles are clipped to the column (at least 16 cells): 14 characters always show.
    return one_line(page.rows[0].title)[:14].encode()


def export_revision(rev: str) -> Path:
    """The tracker package of git revision rev, exported (and compiled) under OUT."""
    where = OUT / f"rev-{rev.replace('/', '-')}"
    if not (where / "tracker").is_dir():
        where.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", rev, "tracker"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    compileall.compile_dir(where / "tracker", quiet=1)
    return where


def startup_ms(db: Path, checkout: Path = ROOT) -> float:
    """Process spawn -> the first row on a 120x36 pseudo-terminal, for a bare `tracker`
    (that of checkout: `python -m tracker` imports the package of its working directory)."""
    wanted = first_row_text(db)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
    env = dict(
        os.environ,
        TERM="xterm-256color",
        COLUMNS="120",
        LINES="36",
        TRACKER_CONFIG=str(config_file(db)),
    )
    seen = threading.Event()
    painted_at: list[float] = []

    def drain() -> None:
        tail = b""
        try:
            while chunk := os.read(master, 65536):
                if not painted_at:
                    tail += chunk
                    if wanted in tail:
                        painted_at.append(time.time())
                        seen.set()
                    tail = tail[-len(wanted) :]
        except OSError:
            pass
        seen.set()

    threading.Thread(target=drain, daemon=True).start()
    started = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=checkout,
        close_fds=True,
    )
    try:
        seen.wait(timeout=60)
        os.write(master, b"q")  # quit as a user would, so runs do not overlap
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    finally:
        os.close(slave)
        os.close(master)
    if not painted_at:
        raise RuntimeError(f"the first row never reached the terminal (exit {proc.returncode})")
    return (painted_at[0] - started) * 1000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


QUERIES = ["attention", "graph neural", "diffusion model", "speech", "transformer vision"]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max of samples (ms)."""
    ordered = sorted(samples)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return statistics.median(ordered), p95, ordered[-1]


async def painted(app: Any) -> None:
    """Until the screen has refreshed once more."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


def send_key(app: Any, key: str) -> None:
    """A key event straight to the driver, as a terminal sends it."""
    from textual import events

    char = " " if key == "space" else key
    event = events.Key(key, char)
    event.set_sender(app)
    app._driver.send_message(event)


async def interactive(db: Path, scroll_pages: int) -> dict[str, object]:
    from tracker.config import load_config
    from tracker.tui.app import TrackerApp
    from tracker.tui.screens.papers import PapersScreen

    app = TrackerApp(load_config(config_file(db)), f"sqlite:///{db}")
    latencies: list[float] = []
    direct: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        while not (isinstance(app.screen, PapersScreen) and app.screen.shown and app.engine):
            await asyncio.sleep(0.005)
        screen = app.screen
        search = screen.query_one("#search")
        for query in QUERIES:
            search.focus()
            search.value = ""
            await pilot.pause()
            while screen.shown.text != "":
                await asyncio.sleep(0.001)
            await pilot.pause(0.3)  # the detail pane of the unfiltered list
            typed = ""
            for ch in query:
                typed += ch
                t0 = time.perf_counter()
                send_key(app, "space" if ch == " " else ch)
                while screen.shown.text != typed:
                    await asyncio.sleep(0.0005)
                await painted(app)
                direct.append((time.perf_counter() - t0) * 1000)
        for query in QUERIES:
            search.focus()
            search.value = ""
            await pilot.pause()
            while screen.shown.text != "":
                await asyncio.sleep(0.001)
            typed = ""
            for ch in query:
                typed += ch
                t0 = time.perf_counter()
                await pilot.press("space" if ch == " " else ch)
                while screen.shown.text != typed:
                    await asyncio.sleep(0.001)
                await pilot.pause()  # the refresh that paints it
                latencies.append((time.perf_counter() - t0) * 1000)
        search.value = ""
        while screen.shown.text != "":
            await asyncio.sleep(0.001)
        table = screen.query_one("#paper-table")
        table.focus()
        await pilot.pause()
        before = rss_mb()
        samples = []
        pages: list[float] = []
        t0 = time.perf_counter()
        for page in range(scroll_pages):
            # Holding j reaches the last row; the cursor there asks for the next page.
            end = table.first_offset + len(table.rows_shown)
            t1 = time.perf_counter()
            table.move_cursor(row=len(table.rows_shown) - 1)
            while table.waiting or table.first_offset + len(table.rows_shown) == end:
                if not table.waiting and not table.has_more:
                    break
                await asyncio.sleep(0.0005)
            await painted(app)
            pages.append((time.perf_counter() - t1) * 1000)
            if page % 25 == 0:
                samples.append(rss_mb())
        seconds = time.perf_counter() - t0
        rows = table.first_offset + len(table.rows_shown)
    key_p50, key_p95, key_max = percentiles(latencies)
    direct_p50, direct_p95, direct_max = percentiles(direct)
    page_p50, page_p95, _ = percentiles(pages)
    return {
        "keystrokes": len(latencies),
        "key_p50_ms": key_p50,
        "key_p95_ms": key_p95,
        "key_max_ms": key_max,
        "direct_p50_ms": direct_p50,
        "direct_p95_ms": direct_p95,
        "direct_max_ms": direct_max,
        "page_p50_ms": page_p50,
        "page_p95_ms": page_p95,
        "rss_before_scroll_mb": before,
        "rss_samples_mb": [round(s) for s in samples],
        "rss_after_scroll_mb": rss_mb(),
        "rows_scrolled": rows,
        "scroll_seconds": seconds,
    }


def _print_startup(label: str, times: list[float]) -> None:
    print(
        f"  start-up (bare `tracker`) to the first row on the terminal{f' [{label}]' if label else ''}:"
        f" first {times[0]:.0f} ms, median {statistics.median(times):.0f} ms,"
        f" max {max(times):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per size")
    parser.add_argument("--scroll-pages", type=int, default=300)
    parser.add_argument("--startup-only", action="store_true")
    parser.add_argument(
        "--compare", metavar="REV", help="also time the start-up of git revision REV (before)"
    )
    args = parser.parse_args()
    compileall.compile_dir(ROOT / "tracker", quiet=1)
    before = export_revision(args.compare) if args.compare else None
    for n in args.sizes:
        db = generate(n)
        print(f"\n{n:,} papers ({db.stat().st_size / 1e6:,.0f} MB)")
        times: list[float] = []
        base: list[float] = []
        for _ in range(args.runs):
            if before is not None:
                base.append(startup_ms(db, before))
            times.append(startup_ms(db))
        if before is not None:
            _print_startup(f"{args.compare} (before)", base)
        _print_startup("this checkout" if before is not None else "", times)
        if args.startup_only:
            continue
        stats = asyncio.run(interactive(db, args.scroll_pages))
        print(
            f"  keystroke -> list painted: p50 {stats['direct_p50_ms']:.1f} ms,"
            f" p95 {stats['direct_p95_ms']:.1f} ms, max {stats['direct_max_ms']:.1f} ms"
            f" over {stats['keystrokes']} keys"
        )
        print(
            f"  keystroke (pilot.press + pause): p50 {stats['key_p50_ms']:.1f} ms,"
            f" p95 {stats['key_p95_ms']:.1f} ms, max {stats['key_max_ms']:.1f} ms"
        )
        print(
            f"  scrolling: {stats['page_p50_ms']:.0f} ms per page (p50),"
            f" p95 {stats['page_p95_ms']:.0f} ms"
        )
        print(
            f"  scrolling {stats['rows_scrolled']:,} rows in {stats['scroll_seconds']:.1f} s: RSS "
            f"{stats['rss_before_scroll_mb']:.0f} MB before, {stats['rss_after_scroll_mb']:.0f} MB after "
            f"(every 25 pages: {stats['rss_samples_mb']})"
        )


if __name__ == "__main__":
    main()
