#!/usr/bin/env bash
# Build deploy/Dockerfile into an image and run it, checking it from outside as an operator would:
# on SQLite (the /data volume) and on PostgreSQL set up the way deploy/docker-compose.yml sets it up
# (the owner migrates, the server connects as llmobserve_app, which Row Level Security holds).
# Prints PASS or FAIL per check and exits non-zero if any check failed. Results: deploy/VERIFIED.md.
#
#   sudo make verify-image          # or: sudo bash deploy/verify-image.sh
#
# Needs root on a Debian 12 (bookworm) machine; installs what is missing with apt-get: podman, runc,
# debootstrap and debuerreotype, PostgreSQL (for initdb), curl, wget, python3. It needs Debian's
# archive and PyPI, not Docker Hub:
# - The base image, debian:bookworm-slim, is made here the way the official one is made
#   (debuerreotype: debootstrap minbase, minimizing config, slimify) from Debian's archive, cached
#   as deploy/.cache/debian-bookworm-slim.tar, and imported under the official name.
#   BASE_SOURCE=pull pulls the real one instead; REFRESH_BASE=1 remakes the cached tarball.
# - PostgreSQL is not the compose file's postgres image but a throwaway cluster of the machine's
#   PostgreSQL, initialised as that image does (POSTGRES_USER as superuser with a password,
#   POSTGRES_DB, then deploy/postgres-init/*.sh); the server container uses the host network.
# Every build starts from the base image: the script removes its images and prunes podman's dangling
# ones (the cached layers) first; CACHE_LAYERS=1 keeps them.
# Podman runs rootful with runc (OCI_RUNTIME), cgroupfs and file events; ulimits are capped at the
# caller's hard limits. STORAGE_DRIVER=vfs for a filesystem without overlay. Logs: deploy/.cache/logs/.
# What deploy/verify-compose.sh shares with it (reporting, tools, podman, base image, build, HTTP
# checks) is in deploy/verify/lib.sh.
set -euo pipefail

cd "$(dirname "$0")/.."
VERIFY=verify-image
PREFIX=llmobserve-verify
IMAGE=${IMAGE:-llmobserve}
# shellcheck source=deploy/verify/lib.sh
. deploy/verify/lib.sh
PG_BIN=
PG_DIR=

remove_containers() {
    local c
    for c in sqlite sqlite-restarted postgres; do
        podman rm -f -v -t 0 "$PREFIX-$c" >/dev/null 2>&1 || true
    done
    podman volume rm -f "$PREFIX-data" >/dev/null 2>&1 || true
}
cleanup() {
    remove_containers
    if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK" "$PG_DIR"
}
trap cleanup EXIT

# ---- 1. tools ----
extra=()
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || extra+=(postgresql)
install_tools "${extra[@]}"
check_podman
remove_containers # left over by an interrupted run

# ---- 2. the base image ----
base_image

# ---- 3. build ----
build_server_image

config_check() {
    podman image inspect --format '{{json .}}' "$IMAGE" | python3 -c '
import json, sys
image = json.load(sys.stdin)[0]
config = image["Config"]
env = dict(item.split("=", 1) for item in config["Env"])
health = image.get("Healthcheck") or config.get("Healthcheck") or {}
problems = [
    message
    for ok, message in [
        (config.get("User") == "llmobserve", "USER is not llmobserve"),
        (env.get("LLMOBSERVE_ENV") == "production", "LLMOBSERVE_ENV is not production"),
        (env.get("PATH", "").startswith("/opt/venv/bin:"), "PATH does not start at the venv"),
        (config.get("Cmd") == ["llmobserve-server", "serve"], "CMD is not llmobserve-server serve"),
        ("/data" in (config.get("Volumes") or {}), "no /data volume"),
        ("8000/tcp" in (config.get("ExposedPorts") or {}), "8000 is not exposed"),
        (config.get("StopSignal") == "SIGTERM", "STOPSIGNAL is not SIGTERM"),
        ("/healthz" in " ".join(health.get("Test", [])), "no HEALTHCHECK on /healthz"),
    ]
    if not ok
]
print("; ".join(problems) or "USER llmobserve, production, CMD %s, VOLUME /data, EXPOSE 8000, STOPSIGNAL SIGTERM, HEALTHCHECK (%s) on /healthz every %ds" % (" ".join(config["Cmd"]), health["Test"][1], health["Interval"] // 10**9))
sys.exit(bool(problems))
'
}
check "image config" config_check

contents_check() {
    podman run --rm --no-healthcheck "${LIMITS[@]}" --user 0 --entrypoint sh "$IMAGE" -c '
        problems=""
        [ ! -e /src ] || problems="$problems /src"
        [ ! -e /wheels ] || problems="$problems /wheels"
        ! command -v gcc >/dev/null || problems="$problems gcc"
        [ ! -e /etc/pip.conf ] || problems="$problems /etc/pip.conf"
        [ ! -e /run/llmobserve-build-ca.crt ] || problems="$problems /run/llmobserve-build-ca.crt"
        [ -z "$(ls /var/lib/apt/lists | grep -v -e "^lock$" -e "^partial$")" ] || problems="$problems apt-lists"
        [ "$(stat -c %U:%a /data)" = llmobserve:755 ] || problems="$problems /data-owner"
        if [ -n "$problems" ]; then echo "found:$problems"; exit 1; fi
        echo "no sources, wheels, compiler, apt lists or build mounts; /data owned by llmobserve"'
}
check "image contents" contents_check

# ---- 4. helpers for a running container ----
wait_ready() { # container url: until /readyz answers 200, or the container exits, or 120 s
    local deadline=$((SECONDS + 120))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ "$(podman inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || return 1
        curl -fsS -o /dev/null "$2/readyz" 2>/dev/null && return 0
        sleep 0.5
    done
    return 1
}

process_check() { # container: PID 1 of the container is the server, as uid 10001
    local pid uid nspid cmdline
    pid=$(podman inspect --format '{{.State.Pid}}' "$1")
    uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
    nspid=$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline")
    echo "pid $nspid in the container, uid $uid, ${cmdline% }"
    [ "$uid" = 10001 ] && [ "$nspid" = 1 ] && [[ "$cmdline" == *"llmobserve-server serve"* ]]
}

healthcheck_check() { # container: the image's HEALTHCHECK passes, and fails where nothing listens
    local command=()
    podman healthcheck run "$1" >/dev/null 2>>"$LOGS/podman-healthcheck.log" || {
        echo "podman healthcheck run failed"
        return 1
    }
    mapfile -t command < <(podman image inspect --format '{{json .HealthCheck.Test}}' "$IMAGE" |
        python3 -c 'import json, sys; print(*json.load(sys.stdin)[1:], sep="\n")')
    if podman exec -e PORT=9 "$1" "${command[@]}" >/dev/null 2>&1; then
        echo "the HEALTHCHECK command passes with nothing listening on its port"
        return 1
    fi
    echo "podman healthcheck run: $(podman inspect --format '{{.State.Health.Status}}' "$1"); with PORT=9 it fails"
}

logs_check() { # container: every line it wrote is a JSON object
    local lines others
    lines=$(podman logs "$1" 2>&1 | grep -c .)
    others=$(podman logs "$1" 2>&1 | grep -v '^{' | grep -c . || true)
    echo "$lines lines, $others not JSON"
    [ "$others" = 0 ] && [ "$lines" -gt 0 ]
}

stop_check() { # container: podman stop (SIGTERM, up to 30 s as compose's stop_grace_period) exits 0 promptly
    local started=$EPOCHREALTIME elapsed code
    podman stop -t 30 "$1" >/dev/null 2>>"$LOGS/podman-stop.log"
    elapsed=$(python3 -c "print(f'{$EPOCHREALTIME - $started:.1f}')")
    code=$(podman inspect --format '{{.State.ExitCode}}' "$1")
    echo "exit code $code after ${elapsed}s; last log line: $(podman logs "$1" 2>&1 | tail -n 1 | cut -c1-120)"
    [ "$code" = 0 ] && python3 -c "import sys; sys.exit($elapsed >= 10)"
}

# ---- 5. SQLite: the /data volume ----
port=$(free_port)
base_url=http://127.0.0.1:$port
secret_key=$(secret)
email=verify-$(secret | tr -dc 'a-z0-9' | cut -c1-10)@example.com
podman volume create "$PREFIX-data" >/dev/null
run_sqlite() { # name
    podman run -d --name "$1" "${LIMITS[@]}" -p "127.0.0.1:$port:8000" -v "$PREFIX-data:/data" \
        -e SECRET_KEY="$secret_key" -e PUBLIC_URL="$base_url" "$IMAGE" >/dev/null 2>>"$LOGS/podman-run.log"
}
echo
echo "SQLite: podman run -p 127.0.0.1:$port:8000 -v $PREFIX-data:/data -e SECRET_KEY -e PUBLIC_URL $IMAGE"
run_sqlite "$PREFIX-sqlite"
if wait_ready "$PREFIX-sqlite" "$base_url"; then
    pass "sqlite: ready in the container"
    check "sqlite: GET /healthz" http_check "$base_url/healthz"
    check "sqlite: GET /readyz" http_check "$base_url/readyz"
    check "sqlite: sign-up, API key, event" smoke "$base_url" "$email"
    check "sqlite: dashboard page and static file" bash -c \
        "curl -fsS -o /dev/null -w 'GET /sign-in %{http_code}, ' '$base_url/sign-in' && curl -fsS -o /dev/null -w 'GET /static/app.css %{http_code}' '$base_url/static/app.css'"
    check "sqlite: the server process" process_check "$PREFIX-sqlite"
    check "sqlite: HEALTHCHECK" healthcheck_check "$PREFIX-sqlite"
    check "sqlite: logs" logs_check "$PREFIX-sqlite"
    check "sqlite: podman stop" stop_check "$PREFIX-sqlite"
    podman logs "$PREFIX-sqlite" >"$LOGS/sqlite.log" 2>&1
    run_sqlite "$PREFIX-sqlite-restarted"
    if wait_ready "$PREFIX-sqlite-restarted" "$base_url"; then
        check "sqlite: a new container on the same volume keeps the user" smoke "$base_url" "$email" sign-in
        check "sqlite: podman stop (restarted)" stop_check "$PREFIX-sqlite-restarted"
    else
        fail "sqlite: a new container on the same volume is not ready (see $LOGS/sqlite-restarted.log)"
    fi
    podman logs "$PREFIX-sqlite-restarted" >"$LOGS/sqlite-restarted.log" 2>&1 || true
else
    podman logs "$PREFIX-sqlite" >"$LOGS/sqlite.log" 2>&1 || true
    fail "sqlite: not ready within 120 s (see $LOGS/sqlite.log)"
fi

# ---- 6. PostgreSQL, as deploy/docker-compose.yml sets it up ----
PG_BIN=$(find /usr/lib/postgresql -path '*/bin/initdb' | sort -V | tail -n 1 | xargs dirname)
PG_DIR=$(mktemp -d /tmp/$PREFIX-pg.XXXXXX)
pg_port=$(free_port)
port=$(free_port)
base_url=http://127.0.0.1:$port
postgres_password=$(secret)
app_password=$(secret)
metrics_token=$(secret)
email=verify-$(secret | tr -dc 'a-z0-9' | cut -c1-10)@example.com
echo
echo "PostgreSQL: a throwaway cluster of $PG_BIN on 127.0.0.1:$pg_port, initialised as the postgres image does"
start_postgres() {
    chown postgres: "$PG_DIR"
    printf '%s\n' "$postgres_password" >"$PG_DIR/pwfile"
    chown postgres: "$PG_DIR/pwfile"
    # The postgres image: initdb --username=$POSTGRES_USER --pwfile, local trust, TCP scram-sha-256.
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" --username=llmobserve \
        --pwfile="$PG_DIR/pwfile" --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$PG_DIR" start
    "$PG_BIN/psql" -h "$PG_DIR" -p "$pg_port" -U llmobserve -d postgres -v ON_ERROR_STOP=1 \
        -c 'CREATE DATABASE "llmobserve"'
    # docker-entrypoint-initdb.d, with the service's environment.
    local script run
    for script in deploy/postgres-init/*.sh; do
        echo "running $script"
        # The image's entrypoint runs an executable script and sources any other.
        # shellcheck disable=SC2016 # $0 is for the inner bash
        if [ -x "$script" ]; then run=("$script"); else run=(bash -c '. "$0"' "$script"); fi
        env -i PATH="$PG_BIN:$PATH" PGHOST="$PG_DIR" PGPORT="$pg_port" POSTGRES_USER=llmobserve \
            POSTGRES_PASSWORD="$postgres_password" POSTGRES_DB=llmobserve \
            LLMOBSERVE_APP_PASSWORD="$app_password" "${run[@]}"
    done
}
if start_postgres >"$LOGS/postgres-init.log" 2>&1; then
    pass "postgres: cluster up, POSTGRES_DB llmobserve created, deploy/postgres-init/*.sh ran"
else
    fatal "postgres: setting up the cluster (see $LOGS/postgres-init.log)"
fi
owner_psql() { "$PG_BIN/psql" -h "$PG_DIR" -p "$pg_port" -U llmobserve -d llmobserve -XAtq -v ON_ERROR_STOP=1 "$@"; }
app_psql() {
    PGPASSWORD=$app_password "$PG_BIN/psql" -h 127.0.0.1 -p "$pg_port" -U llmobserve_app -d llmobserve \
        -XAtq -v ON_ERROR_STOP=1 "$@"
}

# The compose file's server environment. Host networking here, so the server listens on a free
# loopback port instead of 0.0.0.0:8000 behind a published port.
echo "podman run --network host -e HOST=127.0.0.1 -e PORT=$port + the compose file's environment $IMAGE"
podman run -d --name "$PREFIX-postgres" "${LIMITS[@]}" --network host \
    -e HOST=127.0.0.1 -e PORT="$port" \
    -e DATABASE_URL="postgresql://llmobserve_app:$app_password@127.0.0.1:$pg_port/llmobserve" \
    -e DATABASE_OWNER_URL="postgresql://llmobserve:$postgres_password@127.0.0.1:$pg_port/llmobserve" \
    -e SECRET_KEY="$(secret)$(secret)" -e PUBLIC_URL="$base_url" -e WEB_CONCURRENCY=2 \
    -e METRICS_TOKEN="$metrics_token" -e SMTP_URL= -e EMAIL_FROM="llmobserve <no-reply@localhost>" \
    -e FORWARDED_ALLOW_IPS=127.0.0.1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 \
    "$IMAGE" >/dev/null 2>>"$LOGS/podman-run.log"

rls_check() {
    local sessions owned secured owner_rows app_rows
    sessions=$(owner_psql -c "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE datname = 'llmobserve' AND pid <> pg_backend_pid()")
    owned=$(owner_psql -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'llmobserve_app'")
    secured=$(owner_psql -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relrowsecurity")
    owner_rows=$(owner_psql -c "SELECT count(*) FROM trace_events")
    app_rows=$(app_psql -c "SELECT count(*) FROM trace_events")
    echo "server sessions as: $sessions; tables owned by llmobserve_app: $owned; tables with RLS: $secured; trace_events rows seen by the owner $owner_rows, by llmobserve_app outside an account $app_rows"
    [[ ",$sessions," == *",llmobserve_app,"* ]] && [ "$owned" = 0 ] && [ "$secured" -gt 0 ] &&
        [ "$owner_rows" -ge 1 ] && [ "$app_rows" = 0 ]
}
metrics_check() {
    local with without
    with=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $metrics_token" "$base_url/metrics")
    without=$(curl -sS -o /dev/null -w '%{http_code}' "$base_url/metrics")
    echo "GET /metrics with METRICS_TOKEN $with, without $without"
    [ "$with" = 200 ] && [ "$without" = 401 ]
}
workers_check() {
    local line
    line=$(podman logs "$PREFIX-postgres" 2>&1 | grep -o 'llmobserve [^"]* on http[^"]*' | head -n 1)
    echo "$line"
    [[ "$line" == *"2 workers"* ]]
}
if wait_ready "$PREFIX-postgres" "$base_url"; then
    pass "postgres: ready in the container (migrated as llmobserve, serving as llmobserve_app)"
    check "postgres: GET /readyz" http_check "$base_url/readyz"
    check "postgres: WEB_CONCURRENCY" workers_check
    check "postgres: sign-up, API key, event" smoke "$base_url" "$email"
    check "postgres: Row Level Security" rls_check
    check "postgres: METRICS_TOKEN" metrics_check
    check "postgres: the server process" process_check "$PREFIX-postgres"
    check "postgres: HEALTHCHECK" healthcheck_check "$PREFIX-postgres"
    check "postgres: logs" logs_check "$PREFIX-postgres"
    check "postgres: podman stop" stop_check "$PREFIX-postgres"
else
    fail "postgres: not ready within 120 s (see $LOGS/postgres.log)"
fi
podman logs "$PREFIX-postgres" >"$LOGS/postgres.log" 2>&1 || true

summary
