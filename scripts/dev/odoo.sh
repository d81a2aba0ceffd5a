# shellcheck shell=bash
# Sourced by scripts/dev/dev.sh: Odoo's configuration file, the cached template databases,
# fresh databases with the module installed, and the serving options.

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

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
