# shellcheck shell=bash
# Sourced by scripts/dev/dev.sh: make test, make test-quick and the upgrade check.

# Tests that need Odoo's Italian DDT module run in a database of their own (tag
# aftersales_l10n_it); l10n_it_stock_ddt is not a dependency of the add-on.
L10N_IT_MODULES=l10n_it_stock_ddt
L10N_IT_TESTS=tests/test_ddt_l10n_it.py

# --- The time table of make test and make test-quick --------------------------
# `stage NAME` ends the stage running and starts NAME; at exit, `stage_table` prints each
# stage with its seconds, the one a failure cut short marked "(failed)".
STAGE_NAMES=()
STAGE_SECONDS=()
STAGE=
STAGE_START=

now_us() {
    local t=${EPOCHREALTIME:-$(date +%s.%6N)}
    echo "${t/[.,]/}"
}

stage() {
    stage_end
    STAGE=$1
    STAGE_START=$(now_us)
}

stage_end() {
    [ -n "$STAGE" ] || return 0
    local us=$(($(now_us) - STAGE_START))
    STAGE_NAMES+=("$STAGE")
    STAGE_SECONDS+=("$((us / 1000000)).$((us / 100000 % 10))")
    STAGE=
}

stage_table() {
    local status=$? i total=0 whole tenth
    if [ "$status" -ne 0 ] && [ -n "$STAGE" ]; then STAGE="$STAGE (failed)"; fi
    stage_end
    [ ${#STAGE_NAMES[@]} -gt 0 ] || return 0
    say "Time table"
    printf '| %-36s | %8s |\n| %-36s | %8s |\n' stage seconds \
        ------------------------------------ -------:
    for i in "${!STAGE_NAMES[@]}"; do
        printf '| %-36s | %8s |\n' "${STAGE_NAMES[$i]}" "${STAGE_SECONDS[$i]}"
        whole=${STAGE_SECONDS[$i]%.*} tenth=${STAGE_SECONDS[$i]#*.}
        total=$((total + whole * 10 + tenth))
    done
    printf '| %-36s | %8s |\n' total "$((total / 10)).$((total % 10))"
}

# make lint, run by make test and make test-quick as their first stage
run_lint() {
    "${MAKE:-make}" -C "$ROOT" --no-print-directory lint
}

cmd_test() {
    trap stage_table EXIT
    stage lint
    run_lint
    stage "template database"
    check_odoo
    pg_start
    write_conf
    template_db >/dev/null
    stage "install (-i)"
    fresh_db "$TEST_DB" "$LOGDIR/install.log"
    stage "upgrade (-u)"
    say "Upgrading $MODULE (-u $MODULE)"
    odoo_step "$TEST_DB" -u "$LOGDIR/upgrade.log"
    if [ -z "${SKIP_UPGRADE_CHECK:-}" ]; then
        stage "upgrade check (previous release)"
        upgrade_check
    fi
    stage "pytest, main suite"
    # --durations: the 20 slowest tests, printed at the end of the run
    run_pytest "$TEST_DB" "$ADDONS_DIR/$MODULE/tests" --ignore="$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" \
        --durations=20 "$@"
    # the whole suite (no pytest arguments) also runs the Italian DDT tests
    if [ $# -eq 0 ]; then cmd_test_l10n_it; fi
}

cmd_test_l10n_it() {
    stage "l10n_it database: template + install"
    check_odoo
    pg_start
    write_conf
    fresh_db "${TEST_DB}_l10n_it" "$LOGDIR/install-l10n-it.log" "$L10N_IT_MODULES" aftersales_itpl_
    stage "l10n_it database: pytest"
    run_pytest "${TEST_DB}_l10n_it" "$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" "$@"
}

# The previous release (scripts/dev/upgrade_from: a commit of this repository) installed with
# its demo data, then upgraded to this checkout: every record and stored value must survive
# (scripts/dev/upgrade_check.py). The database of the previous release is cached per commit.
upgrade_check() {
    local from prev_dir prev_conf cache=aftersales_prev db=aftersales_upgrade
    from=$(tr -d '[:space:]' <"$ROOT/scripts/dev/upgrade_from")
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
        "$PYTHON" "$ROOT/scripts/dev/upgrade_check.py" snapshot --config "$prev_conf" --database "${cache}_wip" \
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
    "$PYTHON" "$ROOT/scripts/dev/upgrade_check.py" compare --config "$CONF" --database "$db" \
        --file "$LOCAL/upgrade-before-${from:0:10}.json" || die "the upgrade lost or changed data (above)"
}

# run_pytest DB PATHS_AND_ARGS...
run_pytest() {
    local db=$1
    shift
    say "Running the tests with pytest-odoo on $db"
    cd "$ADDONS_DIR/$MODULE"
    PYTHONPATH="$ROOT/scripts/dev${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m pytest -p pytest_no_skip -p pytest_assets --odoo-config="$CONF" --odoo-database="$db" \
        --odoo-http --odoo-log-level=warn -p no:cacheprovider "$@"
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
    trap stage_table EXIT
    stage lint
    run_lint
    check_odoo
    pg_start
    write_conf
    if db_exists "$TEST_DB"; then
        stage "upgrade (-u)"
        say "Upgrading $MODULE in $TEST_DB (-u $MODULE)"
        odoo_step "$TEST_DB" -u "$LOGDIR/upgrade.log"
    else
        stage "template database + install (-i)"
        fresh_db "$TEST_DB" "$LOGDIR/install.log"
    fi
    stage pytest
    # through the add-on's link, as `make test` does: pytest names the modules from the path
    local files=() f
    for f in ${FILES:-tests}; do files+=("$ADDONS_DIR/$MODULE/${f#./}"); done
    run_pytest "$TEST_DB" "${files[@]}" --ignore="$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" "$@"
}
