#!/usr/bin/env bash
# Install (Debian's package), start and prepare a local PostgreSQL for the tests.
# Prints the database URL on stdout; everything else goes to stderr.
set -euo pipefail
exec 3>&1 1>&2
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
# The server outlives this script, so it must not inherit any of our descriptors: a
# server holding the caller's `$(...)` pipe (fd 3 above) or CI's output pipe open
# keeps the caller waiting for an end of file that never comes (CI once hung 90 minutes).
(
  for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
  exec pg_ctlcluster "$version" main start
) </dev/null >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q" && break
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = 'tracker'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE tracker LOGIN SUPERUSER PASSWORD 'tracker'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname = 'tracker_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O tracker tracker_test"
echo "postgresql+psycopg://tracker:tracker@127.0.0.1:5432/tracker_test" >&3
