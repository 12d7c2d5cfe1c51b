#!/usr/bin/env bash
# Drive the real TUI in tmux against the demo database and print captured panes.
#
#   scripts/tui_tmux.sh            # captures into benchmarks/out/tmux/*.txt and prints them
#
# Needs tmux (apt-get install -y tmux). Uses a private config and database in a
# temporary folder, so your own database is never touched. Exits non-zero when a
# pane does not show what it should.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="$ROOT/benchmarks/out/tmux"
WORK="$(mktemp -d)"
SESSION="tracker-tui-$$"
mkdir -p "$OUT"
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$WORK"' EXIT

cat >"$WORK/config.toml" <<TOML
[database]
url = "sqlite:///$WORK/tracker.db"
demo_url = "sqlite:///$WORK/demo.db"
[arxiv]
api_url = "http://127.0.0.1:9/api/query"
[hub]
endpoint = "http://127.0.0.1:9"
TOML

# Load the demo data without opening the TUI, then open the TUI on it.
TRACKER_CONFIG="$WORK/config.toml" "$PY" -m tracker demo --no-tui >/dev/null 2>&1

tmux new-session -d -s "$SESSION" -x 120 -y 36 \
  "cd '$ROOT' && TRACKER_CONFIG='$WORK/config.toml' TERM=xterm-256color '$PY' -m tracker --demo"

tmux set -s escape-time 0  # or tmux holds esc and sends esc+next key as alt+key

capture() { tmux capture-pane -p -t "$SESSION" >"$OUT/$1.txt"; }
wait_for() {  # wait_for TEXT [SECONDS]
  local deadline=$((SECONDS + ${2:-15}))
  until tmux capture-pane -p -t "$SESSION" | grep -qF -- "$1"; do
    if ((SECONDS > deadline)); then
      echo "FAIL: '$1' never appeared; the pane shows:" >&2
      tmux capture-pane -p -t "$SESSION" >&2
      exit 1
    fi
    sleep 0.2
  done
}
keys() { tmux send-keys -t "$SESSION" "$@"; sleep 0.3; }

wait_for "of 43 papers"
capture 01-papers
keys / ; keys -l "attention" ; wait_for "matches"
capture 02-search
keys Escape ; keys Enter ; wait_for "Back"
capture 03-paper
keys Escape ; keys f ; wait_for "Filter and sort papers"
capture 04-filters
keys Escape ; keys Escape ; keys 2 ; wait_for "license"
capture 05-models
keys 3 ; wait_for "Datasets (enter opens the leaderboard)"
capture 06-tasks
keys "?" ; wait_for "Everywhere"
capture 07-help
keys Escape ; keys 1 ; keys q
sleep 1

for f in "$OUT"/*.txt; do
  echo "===== $(basename "$f" .txt)"
  cat "$f"
done
echo "OK: panes captured in $OUT"
