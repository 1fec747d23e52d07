#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback, for the database tests (tests/store.rs).
#
#   eval "$(.ci/postgres.sh start DIR)"   # starts it in DIR (created, empty), prints
#                                          # `export FIRSTKISS_TEST_POSTGRES=postgres://...`
#   .ci/postgres.sh stop DIR               # stops it; DIR can then be removed
#
# Finds initdb and pg_ctl on PATH or under /usr/lib/postgresql/*/bin, and installs
# Debian's postgresql package when they are missing and apt-get can be used (as
# root). PostgreSQL refuses to run as root, so as root it runs as the `postgres`
# user (or a `firstkiss-ci` user made for it). Exits non-zero, saying why, when it
# cannot start one; the caller decides whether that is fatal.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

find_bin() {
    local name=$1 dir
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/$name" ]; then echo "$dir/$name"; return 0; fi
    done
    return 1
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$OWNER" -- "$@"; else "$@"; fi
}

pick_owner() {
    OWNER=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        if id postgres >/dev/null 2>&1; then
            OWNER=postgres
        else
            id firstkiss-ci >/dev/null 2>&1 || useradd --system --no-create-home firstkiss-ci
            OWNER=firstkiss-ci
        fi
    fi
}

start() {
    local dir=$1
    [ -n "$dir" ] || die "start needs a directory"
    if ! find_bin initdb >/dev/null || ! find_bin pg_ctl >/dev/null; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            echo "postgres.sh: installing PostgreSQL (apt-get install postgresql)" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
                || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; } \
                || die "apt-get could not install postgresql"
        fi
    fi
    local initdb pg_ctl
    initdb=$(find_bin initdb) || die "no initdb: install PostgreSQL (apt-get install postgresql)"
    pg_ctl=$(find_bin pg_ctl) || die "no pg_ctl: install PostgreSQL (apt-get install postgresql)"
    pick_owner
    mkdir -p "$dir"
    # Idempotent: a server left running in this folder by an earlier run is stopped.
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir/data"
    [ "$(id -u)" = 0 ] && chown "$OWNER" "$dir"
    as_owner "$initdb" -D "$dir/data" -U firstkiss -A trust --no-sync >"$dir/initdb.log" 2>&1 \
        || die "initdb failed: see $dir/initdb.log"
    local port
    port=$(free_port)
    # Loopback only, the socket in the throwaway folder, no fsync: a test server.
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null \
        || die "PostgreSQL did not start: see $dir/server.log"
    echo "$port" >"$dir/port"
    echo "export FIRSTKISS_TEST_POSTGRES=postgres://firstkiss@127.0.0.1:$port/postgres"
}

stop() {
    local dir=$1 pg_ctl
    [ -f "$dir/data/postmaster.pid" ] || return 0
    pg_ctl=$(find_bin pg_ctl) || die "no pg_ctl to stop the server in $dir"
    pick_owner
    as_owner "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop "${2:-}" ;;
    *) die "usage: $0 start DIR | stop DIR" ;;
esac
