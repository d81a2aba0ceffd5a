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

# nginx, as docs/deployment.md deploys it; the package's own service need not run.
nginx_bin() {
    local bin
    for bin in "$(command -v nginx 2>/dev/null)" /usr/sbin/nginx; do
        [ -n "$bin" ] && [ -x "$bin" ] && { echo "$bin"; return; }
    done
    die "make load runs Odoo behind nginx, as docs/deployment.md deploys it, and nginx is not
installed: apt-get install nginx (Debian, Ubuntu; its own service need not run)."
}

# start_nginx DIR HTTPS_PORT HTTP_PORT ODOO_PORT: a private nginx serving
# scripts/load/nginx-odoo.conf, the documented site file, on 127.0.0.1 with a
# self-signed certificate. Its configuration, certificate, pid and logs live in DIR;
# LOGDIR/load-nginx-*.log link to the logs.
start_nginx() {
    local dir=$1 https=$2 http=$3 odoo_port=$4 nginx user_line=""
    nginx=$(nginx_bin)
    rm -rf "$dir" && mkdir -p "$dir/tmp" "$dir/log"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/tls.key" -out "$dir/tls.crt" >/dev/null 2>&1 || die "openssl could not make a certificate"
    sed -e "s|@SERVER_NAME@|127.0.0.1 localhost|" -e "s|@HTTP_LISTEN@|127.0.0.1:$http|" \
        -e "s|@HTTPS_LISTEN@|127.0.0.1:$https|" -e "s|@TLS_CERT@|$dir/tls.crt|" \
        -e "s|@TLS_KEY@|$dir/tls.key|" -e "s|@ODOO_HTTP@|127.0.0.1:$odoo_port|" \
        -e "s|@ODOO_GEVENT@|127.0.0.1:$((odoo_port + 3))|" -e "s|@LOG_DIR@|$dir/log|" \
        "$ROOT/scripts/load/nginx-odoo.conf" >"$dir/site.conf"
    if grep -n '@[A-Z_]*@' "$dir/site.conf"; then die "placeholders left in $dir/site.conf"; fi
    ln -sfn "$dir/log/odoo.access.log" "$LOGDIR/load-nginx-access.log"
    ln -sfn "$dir/log/odoo.error.log" "$LOGDIR/load-nginx-error.log"
    # as root, the master process opens the logs and reads the key; the workers run as nobody
    if [ "$(id -u)" = 0 ]; then
        user_line="user nobody $(id -gn nobody);"
        chown nobody "$dir/tmp"
    fi
    # Debian's main nginx.conf, reduced to what a proxy needs
    cat >"$dir/nginx.conf" <<EOF
$user_line
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/log/error.log;
events { worker_connections 1024; }
http {
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    default_type application/octet-stream;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/site.conf;
}
EOF
    "$nginx" -q -t -p "$dir" -e "$dir/log/error.log" -c "$dir/nginx.conf" \
        || die "nginx refused its configuration ($dir/nginx.conf)"
    "$nginx" -p "$dir" -e "$dir/log/error.log" -c "$dir/nginx.conf"
}

# wait_for_proxy HTTPS_PORT: the login page, then the websocket, both through nginx
wait_for_proxy() {
    local url=https://127.0.0.1:$1 status=
    for _ in $(seq 90); do
        curl -sf -o /dev/null --cacert "$LOAD_NGINX_DIR/tls.crt" "$url/web/login" && break
        sleep 1
    done
    # the long-polling process starts after the HTTP workers; 101 is the websocket's answer
    for _ in $(seq 30); do
        status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$LOAD_NGINX_DIR/tls.crt" \
            -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
            -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H "Origin: $url" "$url/websocket" || true)
        [ "$status" = 101 ] && break
        sleep 1
    done
    [ "$status" = 101 ] || die "the websocket route through nginx answered $status, not 101 ($LOGDIR/load-nginx-error.log)"
    say "nginx answers on $url: the login page, and the websocket (101) from the long-polling process"
}

stop_nginx() {
    [ -f "$1/nginx.pid" ] && kill "$(cat "$1/nginx.pid")" 2>/dev/null
    return 0
}

# make load: Odoo's prefork server behind nginx, as docs/deployment.md deploys it, and a
# bounded Locust run through nginx's HTTPS port. The processes follow Odoo's rule of
# thumb, (2 x cores) + 1: 2 x cores HTTP workers and 1 cron worker (WORKERS=, CRON_THREADS=).
cmd_load() {
    check_odoo
    nginx_bin >/dev/null
    pg_start
    write_conf
    local db=${LOAD_DB:-aftersales_load} port https http locust rc=0 cores workers crons
    LOAD_NGINX_DIR=${LOAD_NGINX_DIR:-/var/tmp/aftersales-nginx-$HASH}
    cores=$(nproc)
    workers=${WORKERS:-$((2 * cores))}
    crons=${CRON_THREADS:-1}
    locust=$(locust_bin)
    fresh_db "$db" "$LOGDIR/load-install.log"
    "$PYTHON" "$ROOT/scripts/load/load_setup.py" --config "$CONF" --database "$db"
    port=$(free_port)
    https=$(free_port)
    http=$(free_port)
    say "Serving $db on $cores cores: $workers HTTP workers and $crons cron worker(s) on 127.0.0.1:$port, behind nginx on https://127.0.0.1:$https"
    # the HTTP socket comes with a listen queue of 1024, as from a systemd odoo.socket unit
    # (scripts/dev/odoo_server.py); Odoo's own would queue 8 connections per worker
    # shellcheck disable=SC2046
    ODOO_LISTEN=127.0.0.1:$port ODOO_LISTEN_BACKLOG=1024 \
    "$PYTHON" "$ROOT/scripts/dev/odoo_server.py" -c "$CONF" -d "$db" --db-filter="^$db\$" \
        $(WORKERS=$workers CRON_THREADS=$crons PROXY_MODE=1 serve_args "$port") \
        --log-level=warn >"$LOGDIR/load-server.log" 2>&1 &
    LOAD_SERVER_PID=$!
    trap 'stop_nginx "$LOAD_NGINX_DIR"; kill "$LOAD_SERVER_PID" 2>/dev/null; wait "$LOAD_SERVER_PID" 2>/dev/null' EXIT
    start_nginx "$LOAD_NGINX_DIR" "$https" "$http" "$port"
    wait_for_proxy "$https"
    # LOAD_WARMUP seconds of logins and first renderings, then LOAD_TIME measured. The users
    # arrive LOAD_SPAWN_RATE a second: 60 users in 30 s by default. Each login checks a
    # password hashed with Odoo's minimum of 600,000 PBKDF2 rounds, 0.3 s of CPU, so 2 cores
    # check at most 6 a second with nothing else to do.
    local warmup=${LOAD_WARMUP:-40} measured=${LOAD_TIME:-120} users=${LOAD_USERS:-60} rate=${LOAD_SPAWN_RATE:-2}
    say "Locust: $users users arriving $rate a second, ${warmup} s of warm-up and ${measured} s measured"
    # the machine's other work shows in the figures: its load average, before and after
    local load_before
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    rm -f "$LOGDIR"/load_*.csv
    # Locust trusts this nginx's certificate (LOAD_CA_BUNDLE)
    LOAD_REQUEST_LOG="$LOGDIR/load_requests.csv" LOAD_CA_BUNDLE="$LOAD_NGINX_DIR/tls.crt" \
    "$locust" -f "$ROOT/scripts/load/locustfile.py" --headless --host "https://127.0.0.1:$https" \
        -u "$users" -r "$rate" -t "$((warmup + measured))s" --stop-timeout 10 \
        --csv "$LOGDIR/load" --only-summary >"$LOGDIR/load-locust.log" 2>&1 || true
    echo "load average (1, 5, 15 min): $load_before before the run, $(cut -d' ' -f1-3 /proc/loadavg) after;" \
        "$workers HTTP workers, $crons cron worker(s), behind nginx"
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
