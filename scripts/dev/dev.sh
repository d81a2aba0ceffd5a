#!/usr/bin/env bash
# Development helper behind the Makefile: a project-local PostgreSQL cluster on a
# unix socket, and the Odoo databases that `make run` and `make test` use.
#
# Everything lives in $LOCAL (.local/ by default, ignored by git).  When run as
# root, the cluster runs as an unprivileged OS user, because initdb refuses root;
# if that user cannot traverse the checkout (a private home directory), the data
# directory lives under /var/tmp and .local/pgdata is a symbolic link to it.
#
# This file holds the settings, the small commands and the dispatch at the end; the rest
# is sourced from postgres.sh (the cluster), odoo.sh (configuration, databases, serving),
# test.sh (make test, make test-quick, the upgrade check) and scripts/load/load.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd -P)
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

HERE=$ROOT/scripts/dev
# shellcheck source=scripts/dev/postgres.sh
. "$HERE/postgres.sh"
# shellcheck source=scripts/dev/odoo.sh
. "$HERE/odoo.sh"
# shellcheck source=scripts/dev/test.sh
. "$HERE/test.sh"
# shellcheck source=scripts/load/load.sh
. "$ROOT/scripts/load/load.sh"

# Benchmarks: every scripts/bench/bench_*.py, on a database with the module and no demo data.
cmd_bench() {
    check_odoo
    pg_start
    write_conf
    local bench_db=${BENCH_DB:-aftersales_bench}
    fresh_db "$bench_db" "$LOGDIR/bench-install.log"
    local script
    for script in "$ROOT"/scripts/bench/bench_*.py; do
        # the million-ticket bench has its own target: it takes minutes and gigabytes
        [ "$(basename "$script")" = bench_million.py ] && continue
        # BENCH_ONLY=billing runs scripts/bench/bench_billing.py alone
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
    "$PYTHON" "$ROOT/scripts/bench/bench_million.py" --config "$CONF" --database "$bench_db" \
        --sizes "${MILLION_SIZES:-10000,1000000}"
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
    exec "$PYTHON" "$ROOT/scripts/dev/odoo_server.py" -c "$CONF" -d "$RUN_DB" --db-filter="^$RUN_DB\$" \
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
    exec "$PYTHON" "$ROOT/scripts/dev/odoo_server.py" -c "$CONF" -d "$RUN_DB" --db-filter="^$RUN_DB\$" \
        $(serve_args "$HTTP_PORT") "$@"
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

# make race: two servers with cron workers on one database, one killed mid-run (scripts/race/race.py).
cmd_race() {
    check_odoo
    pg_start
    write_conf
    local db=${RACE_DB:-aftersales_race}
    fresh_db "$db" "$LOGDIR/race-install.log"
    RACE_PORT=$(free_port) "$PYTHON" "$ROOT/scripts/race/race.py" --config "$CONF" --database "$db" \
        --python "$PYTHON" --logdir "$LOGDIR" "$@"
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
        "/var/tmp/aftersales-previous-$HASH" "/var/tmp/aftersales-nginx-$HASH"
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
    i18n) check_odoo; pg_start; write_conf; cd "$ROOT"; "$PYTHON" scripts/dev/i18n_update.py "$CONF" "$TEST_DB" "$PYTHON" ;;
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
