#!/usr/bin/env bash
# PostgreSQL 15 from Debian's package: installs it if missing, starts cluster 15/main, creates role and database.
# Usage: scripts/stack/postgres.sh start|stop|status|psql
# Env: PGHOST (127.0.0.1) PGPORT (5432) PGUSER (ksef) PGPASSWORD (ksef) PGDATABASE (ksef_bridge)
set -euo pipefail
PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-ksef}" PGPASSWORD="${PGPASSWORD:-ksef}" PGDATABASE="${PGDATABASE:-ksef_bridge}"
VERSION=15
say() { printf '[postgres] %s\n' "$*"; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

install() {
  if [ -x /usr/lib/postgresql/$VERSION/bin/postgres ]; then return; fi
  say "installing postgresql-$VERSION"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-$VERSION >/dev/null
}

can_login() { PGPASSWORD="$PGPASSWORD" psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE" -tAc 'select 1' >/dev/null 2>&1; }

start() {
  install
  if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$VERSION/main"; then
    say "creating cluster $VERSION/main"; pg_createcluster "$VERSION" main --port "$PGPORT" >/dev/null
  fi
  if ! pg_lsclusters -h | awk '$1=='"$VERSION"' && $2=="main" {print $4}' | grep -q online; then
    # Tests create many throwaway databases and connections; synchronous_commit stays on.
    pg_conftool "$VERSION" main set max_connections 300 >/dev/null 2>&1 || true
    say "starting cluster $VERSION/main"; pg_ctlcluster "$VERSION" main start
  fi
  for _ in $(seq 1 60); do as_pg psql -p "$PGPORT" -tAc 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
  as_pg psql -p "$PGPORT" -v ON_ERROR_STOP=1 -q <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER') THEN
    CREATE ROLE "$PGUSER" LOGIN CREATEDB PASSWORD '$PGPASSWORD';
  ELSE
    ALTER ROLE "$PGUSER" LOGIN CREATEDB PASSWORD '$PGPASSWORD';
  END IF;
END \$\$;
-- Tests drop their throwaway databases WITH (FORCE); an autovacuum worker busy in one is not the role's own process,
-- and without this the drop fails ("must be a member of ... pg_signal_backend"). Local test clusters only.
SET client_min_messages = warning;
GRANT pg_signal_backend TO "$PGUSER";
SQL
  if ! as_pg psql -p "$PGPORT" -tAc "select 1 from pg_database where datname='$PGDATABASE'" | grep -q 1; then
    as_pg createdb -p "$PGPORT" -O "$PGUSER" "$PGDATABASE"
  fi
  for _ in $(seq 1 20); do can_login && { say "ready on $PGHOST:$PGPORT (db $PGDATABASE, role $PGUSER)"; return; }; sleep 0.5; done
  say "cannot log in as $PGUSER over TCP"; exit 1
}

case "${1:-status}" in
  start) start ;;
  stop) pg_ctlcluster "$VERSION" main stop 2>/dev/null || true; say "stopped" ;;
  status) if can_login; then say "running on $PGHOST:$PGPORT"; else say "not reachable"; exit 3; fi ;;
  psql) shift; PGPASSWORD="$PGPASSWORD" exec psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE" "$@" ;;
  *) echo "usage: $0 start|stop|status|psql" >&2; exit 2 ;;
esac
