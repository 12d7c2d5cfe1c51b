#!/usr/bin/env bash
# Stop the local PostgreSQL that start_postgres.sh started (CI leaves no server behind).
set -euo pipefail
command -v pg_ctlcluster >/dev/null 2>&1 || exit 0
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_ctlcluster "$version" main stop
