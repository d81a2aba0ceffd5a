#!/usr/bin/env bash
# Development helper behind the Makefile: a project-local PostgreSQL cluster on a
# unix socket, and the Odoo databases that `make run` and `make test` use.
#
# Everything lives in $LOCAL (.local/ by default, ignored by git).  When run as
# root, the cluster runs as an unprivileged OS user, because initdb refuses root;
# if that user cannot traverse the checkout (a private home directory), the data
# directory lives under /var/tmp and .local/pgdata is a symbolic link to it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
LOCAL=${LOCAL:-$ROOT/.local}
PYTHON=${PYTHON:-python3}
MODULE=aftersales
HASH=$(printf '%s' "$ROOT" | cksum | awk '{printf "%08x", $1}')
PGSOCKDIR=${PGSOCKDIR:-/tmp/as-$HASH}
PGPORT_LOCAL=${PGPORT_LOCAL:-$((50000 + 0x${HASH:0:4} % 10000))}
DB_ROLE=${DB_ROLE:-aftersales}
RUN_DB=${DB:-aftersales}
TEST_DB=${TEST_DB:-aftersales_test}
HTTP_PORT=${PORT:-8069}
LOCUST_VERSION=${LOCUST_VERSION:-2.47.0}
# The add-on is loaded from a symbolic link named `aftersales`, outside the checkout so
# that Odoo, walking the module's files, never loops back into .local/.
ADDONS_DIR=${ADDONS_DIR:-/tmp/as-$HASH-addons}
CONF=$LOCAL/odoo.conf
LOGDIR=$LOCAL/log

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

check_odoo() {
    "$PYTHON" -c 'import odoo.release' 2>/dev/null || die "Odoo 19.0 cannot be imported by '$PYTHON'.
Install Odoo 19.0 Community from source into that interpreter (see README.md, Prerequisites),
or point PYTHON=... at an interpreter that has it."
    local v
    v=$("$PYTHON" -c 'import odoo.release as r; print(r.serie)')
    [ "$v" = "19.0" ] || die "'$PYTHON' imports Odoo $v, this add-on needs 19.0."
}

# --- PostgreSQL ------------------------------------------------------------
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

# --- Odoo ------------------------------------------------------------------
write_conf() {
    mkdir -p "$ADDONS_DIR" "$LOCAL/data" "$LOGDIR"
    rm -rf "$LOCAL/addons"
    # The add-on is loaded as `aftersales` whatever the checkout's folder is called.
    ln -sfn "$ROOT" "$ADDONS_DIR/$MODULE"
    {
        echo "[options]"
        echo "addons_path = $ADDONS_DIR"
        echo "data_dir = $LOCAL/data"
        if external_pg; then
            echo "db_host = ${PGHOST}"
            echo "db_port = ${PGPORT:-5432}"
            echo "db_user = ${PGUSER:-$(id -un)}"
            echo "db_password = ${PGPASSWORD:-False}"
        else
            echo "db_host = $PGSOCKDIR"
            echo "db_port = $PGPORT_LOCAL"
            echo "db_user = $DB_ROLE"
        fi
        echo "http_interface = 127.0.0.1"
        echo "gevent_port = $((HTTP_PORT + 3))"
        echo "list_db = False"
        echo "max_cron_threads = 1"
        echo "limit_time_real = 0"
        echo "limit_time_cpu = 0"
    } >"$CONF"
}

odoo() { "$PYTHON" -m odoo "$@" -c "$CONF"; }

depends_key() {
    "$PYTHON" - "$ROOT/__manifest__.py" <<'PY'
import ast, hashlib, sys
deps = sorted(ast.literal_eval(open(sys.argv[1]).read())["depends"])
print(",".join(deps))
print(hashlib.sha1(",".join(deps).encode()).hexdigest()[:10])
PY
}

copy_filestore() {
    rm -rf "$LOCAL/data/filestore/$2"
    if [ -d "$LOCAL/data/filestore/$1" ]; then
        mkdir -p "$LOCAL/data/filestore"
        cp -a "$LOCAL/data/filestore/$1" "$LOCAL/data/filestore/$2"
    fi
}

# Fails when an Odoo log holds a WARNING, ERROR or CRITICAL line.
check_log() {
    if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$1"; then
        die "$2 logged the warnings or errors above (full log: $1)"
    fi
}

# template_db [EXTRA_MODULES [PREFIX]]: the cached template with the manifest's depends
# (and EXTRA_MODULES, comma-separated), named PREFIX<hash>.
template_db() {
    local extra=${1:-} prefix=${2:-aftersales_tpl_} key deps hash tpl
    key=$(depends_key)
    deps=$(echo "$key" | sed -n 1p)${extra:+,$extra}
    hash=$(echo "$key" | sed -n 2p)
    tpl=$prefix$hash
    if ! db_exists "$tpl"; then
        say "Building the cached template database $tpl with: $deps"
        for old in $(psql_db -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'"); do
            psql_db -d postgres -qc "DROP DATABASE \"$old\"" && rm -rf "$LOCAL/data/filestore/$old"
        done
        odoo -d "${tpl}_wip" -i "$deps" --stop-after-init --log-level=warn >"$LOGDIR/template.log" 2>&1 \
            || { tail -50 "$LOGDIR/template.log"; die "installing the dependencies failed"; }
        psql_db -d postgres -qc "ALTER DATABASE \"${tpl}_wip\" RENAME TO \"$tpl\""
        rm -rf "$LOCAL/data/filestore/$tpl"
        [ -d "$LOCAL/data/filestore/${tpl}_wip" ] && mv "$LOCAL/data/filestore/${tpl}_wip" "$LOCAL/data/filestore/$tpl"
    fi
    echo "$tpl"
}

drop_db() {
    if db_exists "$1"; then psql_db -d postgres -qc "DROP DATABASE \"$1\" WITH (FORCE)"; fi
    rm -rf "$LOCAL/data/filestore/$1"
}

# A fresh database NAME from the cached template, with the module installed; the
# install log (LOG) must hold no warning.
fresh_db() {
    local name=$1 log=$2 tpl
    tpl=$(template_db "${3:-}" "${4:-aftersales_tpl_}")
    drop_db "$name"
    psql_db -d postgres -qc "CREATE DATABASE \"$name\" TEMPLATE \"$tpl\""
    copy_filestore "$tpl" "$name"
    say "Installing $MODULE in $name (no demo data)"
    odoo_step "$name" -i "$log"
}

# odoo_step DB -i|-u LOG: install or upgrade the module, failing on any logged warning.
odoo_step() {
    odoo -d "$1" "$2" "$MODULE" --stop-after-init --log-level=info >"$3" 2>&1 \
        || { tail -50 "$3"; die "odoo $2 $MODULE failed on $1"; }
    check_log "$3" "odoo $2 $MODULE on $1"
}

# Tests that need Odoo's Italian DDT module run in a database of their own (tag
# aftersales_l10n_it); l10n_it_stock_ddt is not a dependency of the add-on.
L10N_IT_MODULES=l10n_it_stock_ddt
L10N_IT_TESTS=tests/test_ddt_l10n_it.py

cmd_test() {
    check_odoo
    pg_start
    write_conf
    fresh_db "$TEST_DB" "$LOGDIR/install.log"
    say "Upgrading $MODULE (-u $MODULE)"
    odoo_step "$TEST_DB" -u "$LOGDIR/upgrade.log"
    [ -n "${SKIP_UPGRADE_CHECK:-}" ] || upgrade_check
    run_pytest "$TEST_DB" "$ADDONS_DIR/$MODULE/tests" --ignore="$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" "$@"
    # the whole suite (no pytest arguments) also runs the Italian DDT tests
    if [ $# -eq 0 ]; then cmd_test_l10n_it; fi
}

cmd_test_l10n_it() {
    check_odoo
    pg_start
    write_conf
    fresh_db "${TEST_DB}_l10n_it" "$LOGDIR/install-l10n-it.log" "$L10N_IT_MODULES" aftersales_itpl_
    run_pytest "${TEST_DB}_l10n_it" "$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" "$@"
}

# The previous release (scripts/upgrade_from: a commit of this repository) installed with
# its demo data, then upgraded to this checkout: every record and stored value must survive
# (scripts/upgrade_check.py). The database of the previous release is cached per commit.
upgrade_check() {
    local from prev_dir prev_conf cache=aftersales_prev db=aftersales_upgrade
    from=$(tr -d '[:space:]' <"$ROOT/scripts/upgrade_from")
    git -C "$ROOT" cat-file -e "$from^{commit}" 2>/dev/null \
        || die "the previous release $from is not in this clone's history (a shallow clone?)"
    cache=${cache}_${from:0:10}
    if ! db_exists "$cache"; then
        say "Building the previous release ($from) with its demo data"
        prev_dir=/var/tmp/aftersales-previous-$HASH  # outside the checkout, like the venv
        rm -rf "$prev_dir" && mkdir -p "$prev_dir/$MODULE"
        git -C "$ROOT" archive "$from" | tar -x -C "$prev_dir/$MODULE"
        prev_conf=$LOCAL/odoo-previous.conf
        sed "s|^addons_path = .*|addons_path = $prev_dir|" "$CONF" >"$prev_conf"
        for old in $(psql_db -d postgres -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'aftersales_prev_%'"); do
            drop_db "$old"
        done
        "$PYTHON" -m odoo -c "$prev_conf" -d "${cache}_wip" -i "$MODULE" --with-demo --stop-after-init \
            --log-level=warn >"$LOGDIR/previous.log" 2>&1 || { tail -30 "$LOGDIR/previous.log"; die "installing the previous release failed"; }
        "$PYTHON" "$ROOT/scripts/upgrade_check.py" snapshot --config "$prev_conf" --database "${cache}_wip" \
            --file "$LOCAL/upgrade-before-${from:0:10}.json"
        psql_db -d postgres -qc "ALTER DATABASE \"${cache}_wip\" RENAME TO \"$cache\""
        [ -d "$LOCAL/data/filestore/${cache}_wip" ] && mv "$LOCAL/data/filestore/${cache}_wip" "$LOCAL/data/filestore/$cache"
    fi
    drop_db "$db"
    psql_db -d postgres -qc "CREATE DATABASE \"$db\" TEMPLATE \"$cache\""
    copy_filestore "$cache" "$db"
    # A production database has no demo flag: clear it, so that the upgrade does not load
    # the new release's demo records onto the old ones and every change seen is the upgrade's.
    psql_db -d "$db" -qc "UPDATE ir_module_module SET demo = FALSE"
    say "Upgrading the previous release's data to this checkout"
    odoo -d "$db" -u "$MODULE" --stop-after-init --log-level=info >"$LOGDIR/upgrade-data.log" 2>&1 \
        || { tail -50 "$LOGDIR/upgrade-data.log"; die "odoo -u $MODULE failed on $db"; }
    # While a view file is reloaded, Odoo checks the new view against the previous
    # release's inheriting views, which are reloaded from a later file: a field that gained
    # groups= meets an old button without them, once. Only that transient warning is let by.
    grep -v -E 'WARNING .*ir_ui_view: <b>Access Rights Inconsistency</b>' "$LOGDIR/upgrade-data.log" \
        >"$LOGDIR/upgrade-data.checked.log"
    check_log "$LOGDIR/upgrade-data.checked.log" "odoo -u $MODULE on the previous release's data"
    "$PYTHON" "$ROOT/scripts/upgrade_check.py" compare --config "$CONF" --database "$db" \
        --file "$LOCAL/upgrade-before-${from:0:10}.json" || die "the upgrade lost or changed data (above)"
}

# run_pytest DB PATHS_AND_ARGS...
run_pytest() {
    local db=$1
    shift
    say "Running the tests with pytest-odoo on $db"
    cd "$ADDONS_DIR/$MODULE"
    PYTHONPATH="$ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m pytest -p pytest_no_skip -p pytest_assets --odoo-config="$CONF" --odoo-database="$db" \
        --odoo-http --odoo-log-level=warn -p no:cacheprovider "$@"
}

# Benchmarks: every scripts/bench_*.py, on a database with the module and no demo data.
cmd_bench() {
    check_odoo
    pg_start
    write_conf
    local bench_db=${BENCH_DB:-aftersales_bench}
    fresh_db "$bench_db" "$LOGDIR/bench-install.log"
    local script
    for script in "$ROOT"/scripts/bench_*.py; do
        # the million-ticket bench has its own target: it takes minutes and gigabytes
        [ "$(basename "$script")" = bench_million.py ] && continue
        # BENCH_ONLY=billing runs scripts/bench_billing.py alone
        [ -z "${BENCH_ONLY:-}" ] || [ "$(basename "$script")" = "bench_${BENCH_ONLY}.py" ] || continue
        say "$(basename "$script") (BENCH_N=${BENCH_N:-1000})"
        "$PYTHON" "$script" --config "$CONF" --database "$bench_db" --n "${BENCH_N:-1000}"
    done
}

# The million-ticket bench (issue 11 §4): its own database, kept afterwards for EXPLAIN.
cmd_bench_million() {
    check_odoo
    pg_start
    write_conf
    local bench_db=${BENCH_DB:-aftersales_million}
    fresh_db "$bench_db" "$LOGDIR/bench-million-install.log"
    say "bench_million.py (${MILLION_SIZES:-10000,1000000} tickets)"
    "$PYTHON" "$ROOT/scripts/bench_million.py" --config "$CONF" --database "$bench_db" \
        --sizes "${MILLION_SIZES:-10000,1000000}"
}

# Quick iteration: upgrade the module in the existing test database, then run pytest.
cmd_retest() {
    check_odoo
    pg_start
    write_conf
    db_exists "$TEST_DB" || die "no test database yet: run 'make test' first"
    odoo_step "$TEST_DB" -u "$LOGDIR/upgrade.log"
    run_pytest "$TEST_DB" "$ADDONS_DIR/$MODULE/tests" --ignore="$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" "$@"
}

# The quick loop: the cached test database (installed once, then upgraded with -u), and
# only the test files named in FILES (default: all of tests/, the Italian ones aside).
cmd_quick() {
    check_odoo
    pg_start
    write_conf
    if db_exists "$TEST_DB"; then
        say "Upgrading $MODULE in $TEST_DB (-u $MODULE)"
        odoo_step "$TEST_DB" -u "$LOGDIR/upgrade.log"
    else
        fresh_db "$TEST_DB" "$LOGDIR/install.log"
    fi
    # through the add-on's link, as `make test` does: pytest names the modules from the path
    local files=() f
    for f in ${FILES:-tests}; do files+=("$ADDONS_DIR/$MODULE/${f#./}"); done
    run_pytest "$TEST_DB" "${files[@]}" --ignore="$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" "$@"
}

# Production-like serving options: WORKERS=N gives Odoo's prefork server (N HTTP workers,
# CRON_THREADS cron workers, the long-polling gevent process on PORT+3); 0 is the threaded
# development server. Limits must be real numbers in prefork mode (0 would kill workers).
serve_args() {
    local port=$1
    echo "--http-port=$port --gevent-port=$((port + 3))"
    if [ "${WORKERS:-0}" -gt 0 ]; then
        echo "--workers=$WORKERS --max-cron-threads=${CRON_THREADS:-2}"
        echo "--limit-time-cpu=${LIMIT_TIME_CPU:-600} --limit-time-real=${LIMIT_TIME_REAL:-1200}"
        echo "--limit-memory-soft=$((2048 * 1024 * 1024)) --limit-memory-hard=$((2560 * 1024 * 1024))"
    fi
    [ -n "${PROXY_MODE:-}" ] && echo "--proxy-mode"
    return 0
}

# The `make run` database: the demo company is an Italian dealer, so its books are kept
# in euros with the Italian chart of accounts and VAT (l10n_it). l10n_it is not a
# dependency of the add-on: `make test` and other databases do without it.
#  1. a database for a company in Italy (EUR), without Odoo's demo data: the accounting
#     demo would put the main company on the generic chart in dollars;
#  2. the Italian localization and the add-on's dependencies: l10n_it's chart goes on the
#     main company at the end of this step;
#  3. the add-on with its demo data, which needs no other module's demo records: Odoo
#     loads a module's demo when its direct dependencies are marked as having theirs.
create_run_db() {
    local deps
    "$PYTHON" -c 'import phonenumbers' 2>/dev/null || die "the Italian localization of the demo needs the
Python package phonenumbers (for Odoo's e-invoicing modules): pip install phonenumbers,
or apt-get install python3-phonenumbers."
    deps=$(depends_key | sed -n 1p)
    say "Creating database $RUN_DB for an Italian company (EUR)"
    "$PYTHON" -m odoo db -c "$CONF" init "$RUN_DB" --country IT >"$LOGDIR/run-init.log" 2>&1 \
        || { tail -30 "$LOGDIR/run-init.log"; return 1; }
    say "Installing the Italian localization (l10n_it) and $deps"
    odoo -d "$RUN_DB" -i "l10n_it,$deps" --stop-after-init --log-level=warn || return 1
    psql_db -d "$RUN_DB" -qc "UPDATE ir_module_module SET demo = TRUE WHERE name = ANY(string_to_array('$deps', ','))" || return 1
    say "Installing $MODULE and its demo data"
    odoo -d "$RUN_DB" -i "$MODULE" --stop-after-init --log-level=warn
}

cmd_run() {
    check_odoo
    pg_start
    write_conf
    if ! db_exists "$RUN_DB"; then
        create_run_db || { drop_db "$RUN_DB"; die "creating $RUN_DB failed (logs in $LOGDIR)"; }
    fi
    say "Serving $RUN_DB on http://localhost:$HTTP_PORT (login admin, password admin)${WORKERS:+, $WORKERS workers}"
    # shellcheck disable=SC2046
    exec "$PYTHON" "$ROOT/scripts/odoo_server.py" -c "$CONF" -d "$RUN_DB" --db-filter="^$RUN_DB\$" \
        $(serve_args "$HTTP_PORT") "$@"
}

# A second Odoo server on the same database and filestore (data_dir), as a second machine
# behind a proxy would be: its own HTTP and long-polling ports, its own cron threads.
cmd_run_replica() {
    check_odoo
    pg_start
    write_conf
    db_exists "$RUN_DB" || die "database $RUN_DB does not exist yet: run 'make run' first"
    [ "$HTTP_PORT" != 8069 ] || die "give the replica its own port: make run-replica PORT=8070"
    say "Replica serving $RUN_DB on http://localhost:$HTTP_PORT${WORKERS:+, $WORKERS workers}"
    # shellcheck disable=SC2046
    exec "$PYTHON" "$ROOT/scripts/odoo_server.py" -c "$CONF" -d "$RUN_DB" --db-filter="^$RUN_DB\$" \
        $(serve_args "$HTTP_PORT") "$@"
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Locust lives in its own virtualenv, outside the checkout (Odoo reads every file of the
# module for its terms): its gevent must not replace the one Odoo pins.
locust_bin() {
    local venv=${LOCUST_VENV:-/var/tmp/aftersales-locust-$HASH}
    if [ ! -x "$venv/bin/locust" ]; then
        say "Installing Locust ${LOCUST_VERSION} in $venv"
        "$PYTHON" -m venv "$venv" >&2
        "$venv/bin/pip" install --quiet --disable-pip-version-check "locust==${LOCUST_VERSION}" >&2
    fi
    echo "$venv/bin/locust"
}

# make core-tests: Odoo's own tests of the apps the add-on extends, on a database without the
# add-on and on one with it; prints the tests that fail only with the add-on.
cmd_core_tests() {
    check_odoo
    pg_start
    write_conf
    # CORE_SUITES=a,b runs a part of the list; both databases always hold every app of the
    # list, a dependency of the add-on or not (hr_expense)
    local apps=sale,sale_stock,stock_account,repair,purchase,hr_timesheet,fleet,hr_expense
    local suites=${CORE_SUITES:-$apps}
    local tags tpl db log
    tags=$(echo "$suites" | sed 's|\([^,]*\)|/\1|g')
    tpl=$(template_db "$apps" aftersales_coretpl_)
    for db in aftersales_core_without aftersales_core_with; do
        drop_db "$db"
        psql_db -d postgres -qc "CREATE DATABASE \"$db\" TEMPLATE \"$tpl\""
        copy_filestore "$tpl" "$db"
    done
    odoo_step aftersales_core_with -i "$LOGDIR/core-install.log"
    # both databases at once, each on its own HTTP port (tours), so that the two runs share
    # the machine alike and the whole takes the time of one
    for db in aftersales_core_without aftersales_core_with; do
        log=$LOGDIR/$db.log
        say "Odoo's tests of $suites on $db (log: $log)"
        odoo -d "$db" --test-enable --test-tags "$tags" -u "$suites" --stop-after-init \
            --http-port "$(free_port)" --log-level=test >"$log" 2>&1 &
    done
    wait
    for db in aftersales_core_without aftersales_core_with; do
        log=$LOGDIR/$db.log
        # no failure at all is the good case: grep's status 1 must not stop the script
        { grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) .*(FAIL|ERROR): ' "$log" || true; } \
            | sed -E 's/^.* ([a-z0-9_.]+): (FAIL|ERROR): /\2: \1: /' | sort -u >"$log.failures"
        grep -E 'tests in [0-9.]+s' "$log" || true
    done
    say "Failures without the add-on: $(wc -l <"$LOGDIR/aftersales_core_without.log.failures")"
    say "Failures with the add-on: $(wc -l <"$LOGDIR/aftersales_core_with.log.failures")"
    if comm -13 "$LOGDIR/aftersales_core_without.log.failures" "$LOGDIR/aftersales_core_with.log.failures" | grep .; then
        die "the tests above fail only with the add-on installed"
    fi
    say "No test of $suites fails only because of the add-on."
}

# make race: two servers with cron workers on one database, one killed mid-run (scripts/race.py).
cmd_race() {
    check_odoo
    pg_start
    write_conf
    local db=${RACE_DB:-aftersales_race}
    fresh_db "$db" "$LOGDIR/race-install.log"
    RACE_PORT=$(free_port) "$PYTHON" "$ROOT/scripts/race.py" --config "$CONF" --database "$db" \
        --python "$PYTHON" --logdir "$LOGDIR" "$@"
}

# make load: a WORKERS (default 4) server on 127.0.0.1 and a bounded Locust run against it.
cmd_load() {
    check_odoo
    pg_start
    write_conf
    local db=${LOAD_DB:-aftersales_load} port locust rc=0
    locust=$(locust_bin)
    fresh_db "$db" "$LOGDIR/load-install.log"
    PYTHONPATH="$ROOT/scripts" "$PYTHON" "$ROOT/scripts/load_setup.py" --config "$CONF" --database "$db"
    port=$(free_port)
    say "Serving $db with ${WORKERS:-4} workers on 127.0.0.1:$port"
    # shellcheck disable=SC2046
    WORKERS=${WORKERS:-4} "$PYTHON" "$ROOT/scripts/odoo_server.py" -c "$CONF" -d "$db" --db-filter="^$db\$" \
        $(WORKERS=${WORKERS:-4} serve_args "$port") --log-level=warn >"$LOGDIR/load-server.log" 2>&1 &
    LOAD_SERVER_PID=$!
    trap 'kill "$LOAD_SERVER_PID" 2>/dev/null; wait "$LOAD_SERVER_PID" 2>/dev/null' EXIT
    for _ in $(seq 60); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/web/login" && break
        sleep 1
    done
    # LOAD_WARMUP seconds of logins and first renderings, then LOAD_TIME measured
    local warmup=${LOAD_WARMUP:-30} measured=${LOAD_TIME:-120}
    say "Locust: ${LOAD_USERS:-60} users for ${warmup} s of warm-up and ${measured} s measured"
    rm -f "$LOGDIR/load_requests.csv"
    LOAD_REQUEST_LOG="$LOGDIR/load_requests.csv" \
    "$locust" -f "$ROOT/scripts/locustfile.py" --headless --host "http://127.0.0.1:$port" \
        -u "${LOAD_USERS:-60}" -r "${LOAD_SPAWN_RATE:-10}" -t "$((warmup + measured))s" --stop-timeout 10 \
        --csv "$LOGDIR/load" --only-summary >"$LOGDIR/load-locust.log" 2>&1 || true
    "$PYTHON" "$ROOT/scripts/load_report.py" "$LOGDIR/load" --warm-up "$warmup" || rc=$?
    # the crons run during the test as in production; a cron that meets a concurrent update
    # is retried by Odoo at its next run, so only request errors count here
    if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$LOGDIR/load-server.log" \
        | grep -v -E 'odoo\.(addons\.base\.models\.ir_cron|sql_db): '; then
        echo "the load-test server logged the errors above ($LOGDIR/load-server.log)"
        rc=1
    fi
    return $rc
}

cmd_update() {
    check_odoo
    pg_start
    write_conf
    odoo -d "$RUN_DB" -u "$MODULE" --stop-after-init
}

cmd_shell() {
    check_odoo
    pg_start
    write_conf
    db_exists "$RUN_DB" || die "database $RUN_DB does not exist yet: run 'make run' first"
    exec "$PYTHON" -m odoo shell -c "$CONF" -d "$RUN_DB" --no-http "$@"
}

cmd_clean() {
    pg_stop
    if [ -L "$LOCAL/pgdata" ]; then rm -rf "$(readlink "$LOCAL/pgdata")"; fi
    rm -rf "$LOCAL" "$PGSOCKDIR" "$ADDONS_DIR" "/var/tmp/aftersales-locust-$HASH" \
        "/var/tmp/aftersales-previous-$HASH"
}

case "${1:-}" in
    pg-start) pg_start ;;
    pg-stop) pg_stop ;;
    conf) check_odoo; pg_start; write_conf; echo "$CONF" ;;
    template) check_odoo; pg_start; write_conf; template_db ;;
    test) shift; cmd_test "$@" ;;
    test-l10n-it) shift; cmd_test_l10n_it "$@" ;;
    retest) shift; cmd_retest "$@" ;;
    quick) shift; cmd_quick "$@" ;;
    bench) shift; cmd_bench "$@" ;;
    bench-million) shift; cmd_bench_million "$@" ;;
    i18n) check_odoo; pg_start; write_conf; cd "$ROOT"; "$PYTHON" scripts/i18n_update.py "$CONF" "$TEST_DB" "$PYTHON" ;;
    run) shift; cmd_run "$@" ;;
    run-replica) shift; cmd_run_replica "$@" ;;
    load) shift; cmd_load "$@" ;;
    core-tests) shift; cmd_core_tests "$@" ;;
    race) shift; cmd_race "$@" ;;
    update) shift; cmd_update "$@" ;;
    shell) shift; cmd_shell "$@" ;;
    clean) cmd_clean ;;
    psql) shift; pg_start; psql_db -d "${1:-$RUN_DB}" ;;
    *) die "usage: $0 {pg-start|pg-stop|conf|template|test|test-l10n-it|retest|bench|bench-million|i18n|run|run-replica|load|core-tests|race|update|shell|clean|psql}" ;;
esac
