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
    local status=$? i
    if [ "$status" -ne 0 ] && [ -n "$STAGE" ]; then STAGE="$STAGE (failed)"; fi
    stage_end
    [ ${#STAGE_NAMES[@]} -gt 0 ] || return 0
    say "Time table"
    printf '| %-44s | %8s |\n| %-44s | %8s |\n' stage seconds \
        -------------------------------------------- -------:
    for i in "${!STAGE_NAMES[@]}"; do
        printf '| %-44s | %8s |\n' "${STAGE_NAMES[$i]}" "${STAGE_SECONDS[$i]}"
    done
    if [ -n "${RUN_START:-}" ]; then
        local us=$(($(now_us) - RUN_START))
        printf '| %-44s | %8s |\n' "total (wall clock)" "$((us / 1000000)).$((us / 100000 % 10))"
    fi
}

# --- Stages beside the main test run ------------------------------------------
# `bg_stage NAME COMMAND...` runs COMMAND in the background, its output in a log; the main
# suite runs meanwhile (2 cores: pytest keeps about one busy). `bg_wait` waits for them
# all, adds each to the time table marked "(beside pytest)", shows the log of the ones
# that failed and fails then.
BG_NAMES=()
BG_PIDS=()

bg_stage() {
    local name=$1 slug
    shift
    slug=$(echo "$name" | tr -c 'a-z0-9\n' '-')
    (
        start=$(now_us)
        "$@"
        status=$?
        us=$(($(now_us) - start))
        echo "$((us / 1000000)).$((us / 100000 % 10))" >"$LOGDIR/bg-$slug.seconds"
        exit $status
    ) >"$LOGDIR/bg-$slug.log" 2>&1 &
    BG_NAMES+=("$name")
    BG_PIDS+=("$!")
    say "$name: started beside the main suite (log: $LOGDIR/bg-$slug.log)"
}

bg_wait() {
    local i slug failed=
    for i in "${!BG_PIDS[@]}"; do
        slug=$(echo "${BG_NAMES[$i]}" | tr -c 'a-z0-9\n' '-')
        if wait "${BG_PIDS[$i]}"; then
            say "${BG_NAMES[$i]}: passed"
            tail -3 "$LOGDIR/bg-$slug.log"
        else
            say "${BG_NAMES[$i]}: FAILED"
            tail -80 "$LOGDIR/bg-$slug.log"
            failed=1
        fi
        STAGE_NAMES+=("${BG_NAMES[$i]} (beside pytest)")
        STAGE_SECONDS+=("$(cat "$LOGDIR/bg-$slug.seconds" 2>/dev/null || echo '?')")
    done
    BG_NAMES=()
    BG_PIDS=()
    [ -z "$failed" ] || die "a stage run beside the main suite failed (above)"
}

# make lint, run by make test and make test-quick as their first stage
run_lint() {
    "${MAKE:-make}" -C "$ROOT" --no-print-directory lint
}

cmd_test() {
    RUN_START=$(now_us)
    trap stage_table EXIT
    stage lint
    run_lint
    stage "template database"
    check_odoo
    pg_start
    write_conf
    template_db >/dev/null
    # the Italian DDT tests' template too, now, so that nothing beside pytest builds one
    [ $# -ne 0 ] || template_db "$L10N_IT_MODULES" aftersales_itpl_ >/dev/null
    stage "install (-i)"
    fresh_db "$TEST_DB" "$LOGDIR/install.log"
    stage "upgrade (-u)"
    say "Upgrading $MODULE (-u $MODULE)"
    odoo_step "$TEST_DB" -u "$LOGDIR/upgrade.log"
    stage_end
    # Beside the main suite: the upgrade check, and the whole suite's Italian DDT tests
    [ -n "${SKIP_UPGRADE_CHECK:-}" ] || bg_stage "upgrade check (previous release)" upgrade_check
    [ $# -ne 0 ] || bg_stage "l10n_it database: install + pytest" l10n_it_tests
    stage "pytest, main suite"
    # -p pytest_slowest: the 20 slowest tests and classes, printed at the end of the run
    local status=0
    run_pytest "$TEST_DB" "$ADDONS_DIR/$MODULE/tests" --ignore="$ADDONS_DIR/$MODULE/$L10N_IT_TESTS" \
        -p pytest_slowest "$@" || status=$?
    stage "waiting for the stages beside pytest"
    bg_wait
    [ "$status" -eq 0 ] || die "the main suite failed (above)"
}

l10n_it_tests() {
    fresh_db "${TEST_DB}_l10n_it" "$LOGDIR/install-l10n-it.log" "$L10N_IT_MODULES" aftersales_itpl_
    PYTEST_NO_HTTP=1 run_pytest "${TEST_DB}_l10n_it" "$ADDONS_DIR/$MODULE/$L10N_IT_TESTS"
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

# run_pytest DB PATHS_AND_ARGS...; PYTEST_NO_HTTP=1: without Odoo's HTTP server (a second
# pytest beside the main one, whose tests need no browser, must not take its port)
run_pytest() {
    local db=$1 http=--odoo-http
    shift
    [ -z "${PYTEST_NO_HTTP:-}" ] || http=
    say "Running the tests with pytest-odoo on $db"
    cd "$ADDONS_DIR/$MODULE"
    PYTHONPATH="$ROOT/scripts/dev${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -m pytest -p pytest_no_skip -p pytest_assets --odoo-config="$CONF" --odoo-database="$db" \
        $http --odoo-log-level=warn -p no:cacheprovider "$@"
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
