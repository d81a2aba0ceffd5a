# shellcheck shell=bash
# Sourced by scripts/dev/dev.sh: make load.

LOCUST_VERSION=${LOCUST_VERSION:-2.47.0}

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

# make load: a WORKERS (default 4) server on 127.0.0.1 and a bounded Locust run against it.
cmd_load() {
    check_odoo
    pg_start
    write_conf
    local db=${LOAD_DB:-aftersales_load} port locust rc=0
    locust=$(locust_bin)
    fresh_db "$db" "$LOGDIR/load-install.log"
    "$PYTHON" "$ROOT/scripts/load/load_setup.py" --config "$CONF" --database "$db"
    port=$(free_port)
    say "Serving $db with ${WORKERS:-4} workers on 127.0.0.1:$port"
    # shellcheck disable=SC2046
    WORKERS=${WORKERS:-4} "$PYTHON" "$ROOT/scripts/dev/odoo_server.py" -c "$CONF" -d "$db" --db-filter="^$db\$" \
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
    "$locust" -f "$ROOT/scripts/load/locustfile.py" --headless --host "http://127.0.0.1:$port" \
        -u "${LOAD_USERS:-60}" -r "${LOAD_SPAWN_RATE:-10}" -t "$((warmup + measured))s" --stop-timeout 10 \
        --csv "$LOGDIR/load" --only-summary >"$LOGDIR/load-locust.log" 2>&1 || true
    "$PYTHON" "$ROOT/scripts/load/load_report.py" "$LOGDIR/load" --warm-up "$warmup" || rc=$?
    # the crons run during the test as in production; a cron that meets a concurrent update
    # is retried by Odoo at its next run, so only request errors count here
    if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$LOGDIR/load-server.log" \
        | grep -v -E 'odoo\.(addons\.base\.models\.ir_cron|sql_db): '; then
        echo "the load-test server logged the errors above ($LOGDIR/load-server.log)"
        rc=1
    fi
    return $rc
}
