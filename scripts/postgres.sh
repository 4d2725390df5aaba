#!/usr/bin/env bash
# Makes sure a local PostgreSQL answers on 127.0.0.1:5432 with the `test` database.
# Usage: scripts/postgres.sh start|status
set -euo pipefail
command=${1:-start}
ready() { pg_isready -q -h 127.0.0.1 -p 5432; }
case "$command" in
  status)
    if ready; then echo "postgres: up on 127.0.0.1:5432"; else echo "postgres: down"; exit 1; fi ;;
  start)
    if ready; then echo "postgres: already up on 127.0.0.1:5432"; exit 0; fi
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    fi
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 60); do ready && break; sleep 1; done
    ready || { echo "postgres: did not come up on 127.0.0.1:5432" >&2; exit 1; }
    psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
      || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
    echo "postgres: up on 127.0.0.1:5432" ;;
  *) echo "usage: $0 start|status" >&2; exit 2 ;;
esac
