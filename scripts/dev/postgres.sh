# shellcheck shell=bash
# Sourced by scripts/dev/dev.sh: the project-local PostgreSQL cluster on a unix socket,
# or the server named by PGHOST.

# Use an existing server when the caller sets PGHOST (standard libpq variables).
external_pg() { [ -n "${PGHOST:-}" ]; }

pg_bin() {
    local name=$1 dir
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/$name" ] && { echo "$dir/$name"; return; }
    done
    die "PostgreSQL server binary '$name' not found (install the PostgreSQL 13+ server package)."
}

pg_os_user() {
    if [ "$(id -u)" != 0 ]; then id -un; return; fi
    if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
}

as_pg() {
    local user
    user=$(pg_os_user)
    # from / : the cluster's OS user may not be allowed into the current directory
    if [ "$user" = "$(id -un)" ]; then "$@"; else (cd / && runuser -u "$user" -- "$@"); fi
}

pgdata() {
    local user target
    user=$(pg_os_user)
    mkdir -p "$LOCAL"
    # the real path: the cluster's OS user may not traverse the checkout to follow a link
    if [ -e "$LOCAL/pgdata" ] || [ -L "$LOCAL/pgdata" ]; then readlink -f "$LOCAL/pgdata"; return; fi
    if [ "$user" = "$(id -un)" ] || runuser -u "$user" -- test -x "$LOCAL" 2>/dev/null; then
        mkdir -p "$LOCAL/pgdata"
    else
        target=/var/tmp/aftersales-pg-$HASH
        mkdir -p "$target"
        ln -s "$target" "$LOCAL/pgdata"
    fi
    [ "$user" = "$(id -un)" ] || chown "$user" "$LOCAL/pgdata/"
    chmod 700 "$LOCAL/pgdata/"
    readlink -f "$LOCAL/pgdata"
}

pg_start() {
    external_pg && return 0
    local data user
    data=$(pgdata)
    user=$(pg_os_user)
    mkdir -p "$PGSOCKDIR"
    [ "$user" = "$(id -un)" ] || chown "$user" "$PGSOCKDIR"
    chmod 755 "$PGSOCKDIR"
    if [ ! -f "$data/PG_VERSION" ]; then
        say "Creating the local PostgreSQL cluster in $data (OS user $user)"
        as_pg "$(pg_bin initdb)" -D "$data/" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg "$(pg_bin pg_ctl)" -D "$data/" status >/dev/null 2>&1; then
        as_pg "$(pg_bin pg_ctl)" -D "$data/" -w -l "$data/server.log" start \
            -o "-c listen_addresses='' -c unix_socket_directories='$PGSOCKDIR' -p $PGPORT_LOCAL -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB" >/dev/null
    fi
    if ! psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_ROLE'" | grep -q 1; then
        psql_admin -qc "CREATE ROLE $DB_ROLE LOGIN SUPERUSER"
    fi
}

pg_stop() {
    external_pg && return 0
    [ -f "$LOCAL/pgdata/PG_VERSION" ] || return 0
    as_pg "$(pg_bin pg_ctl)" -D "$(readlink -f "$LOCAL/pgdata")" -m fast stop >/dev/null 2>&1 || true
}

psql_admin() { as_pg psql -h "$PGSOCKDIR" -p "$PGPORT_LOCAL" -U postgres -d postgres -X "$@"; }

psql_db() {
    if external_pg; then psql -X "$@"; else psql -h "$PGSOCKDIR" -p "$PGPORT_LOCAL" -U "$DB_ROLE" -X "$@"; fi
}

db_exists() { psql_db -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1; }
