# Shared by deploy/verify-image.sh and deploy/verify-compose.sh (sourced from the repository root,
# after the script sets VERIFY, the name its summary prints, and PREFIX, the prefix of everything
# it creates): PASS/FAIL reporting, the tools, podman with this machine's workarounds, the
# debian:bookworm-slim base image, building images with podman, and the HTTP checks.
# Settings (environment): IMAGE, DEBIAN_MIRROR, OCI_RUNTIME, BASE_SOURCE=pull, REFRESH_BASE=1,
# CACHE_LAYERS=1, STORAGE_DRIVER, PIP_CERT or BUILD_CA_BUNDLE; see verify-image.sh.
# shellcheck shell=bash disable=SC2034 # the variables set here are the scripts'
: "${VERIFY:?set VERIFY before sourcing deploy/verify/lib.sh}" "${PREFIX:?set PREFIX too}"

CACHE=deploy/.cache
LOGS=$CACHE/logs
BASE_IMAGE=docker.io/library/debian:bookworm-slim
BASE_TAR=$CACHE/debian-bookworm-slim.tar
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
OCI_RUNTIME=${OCI_RUNTIME:-runc}
BASE_SOURCE=${BASE_SOURCE:-debuerreotype}

# ---- reporting ----
passed=0
failed=0
pass() {
    printf 'PASS  %s\n' "$*"
    passed=$((passed + 1))
}
fail() {
    printf 'FAIL  %s\n' "$*"
    failed=$((failed + 1))
}
note() { printf '      %s\n' "$*"; }
summary() {
    echo
    echo "$VERIFY: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
# A step the rest depends on: on failure, say so and stop.
fatal() {
    fail "$*"
    summary || exit 1
}
# check NAME COMMAND...: PASS with the command's output, or FAIL with it.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        pass "$name${out:+: $out}"
    else
        fail "$name${out:+: $out}"
    fi
}

[ "$(id -u)" -eq 0 ] || {
    echo "$VERIFY.sh runs rootful podman and apt-get: run it as root" >&2
    exit 2
}
mkdir -p "$LOGS"
WORK=$(mktemp -d "/tmp/$PREFIX.XXXXXX")

# ---- tools ----
# install_tools [PACKAGE...]: apt-get install what podman and the base image need, plus the
# packages given, when one of them is missing.
install_tools() {
    local missing=("$@")
    type -P podman >/dev/null || missing+=(podman) # not `command -v`: podman is a function below
    [ "$OCI_RUNTIME" != runc ] || command -v runc >/dev/null || missing+=(runc)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v debuerreotype-init >/dev/null || missing+=(debuerreotype)
    command -v curl >/dev/null || missing+=(curl)
    command -v wget >/dev/null || missing+=(wget)
    command -v python3 >/dev/null || missing+=(python3)
    if [ "${#missing[@]}" -gt 0 ]; then
        note "installing ${missing[*]}"
        apt-get update -qq >"$LOGS/apt.log" 2>&1 || fatal "apt-get update (see $LOGS/apt.log)"
        # With recommends: podman's bring its networking (netavark, aardvark-dns, slirp4netns)
        # and catatonit.
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
            >>"$LOGS/apt.log" 2>&1 || fatal "apt-get install ${missing[*]} (see $LOGS/apt.log)"
    fi
}

limit() { # the caller's hard limit for ulimit flag $1, capped at $2 (no CAP_SYS_RESOURCE needed)
    local hard
    hard=$(ulimit -H "$1")
    if [ "$hard" = unlimited ] || [ "$hard" -gt "$2" ]; then echo "$2"; else echo "$hard"; fi
}
NOFILE=$(limit -n 1048576)
NPROC=$(limit -u 32768)
LIMITS=(--ulimit "nofile=$NOFILE:$NOFILE" --ulimit "nproc=$NPROC:$NPROC")
# Podman with runc, cgroupfs and file events (see deploy/VERIFIED.md for why), for every command.
PODMAN_FLAGS=(--runtime "$OCI_RUNTIME" --cgroup-manager cgroupfs --events-backend file)
[ -z "${STORAGE_DRIVER:-}" ] || PODMAN_FLAGS+=(--storage-driver "$STORAGE_DRIVER")
podman() { command podman "${PODMAN_FLAGS[@]}" "$@"; }
# check_podman: PASS with podman's version, storage and cgroups, or stop.
check_podman() {
    local info pv driver cgroups
    if info=$(podman info --format '{{.Version.Version}} {{.Store.GraphDriverName}} {{.Host.CgroupsVersion}}' 2>&1); then
        read -r pv driver cgroups <<<"$info"
        pass "podman info: podman $pv, storage $driver, cgroups $cgroups, runtime $OCI_RUNTIME, ulimits nofile=$NOFILE nproc=$NPROC"
    else
        fatal "podman info: $info"
    fi
}

# ---- the base image ----
make_base() {
    local rootfs=$WORK/rootfs
    export TZ=UTC LC_ALL=C
    debuerreotype-init --non-debian --merged-usr --arch "$(dpkg --print-architecture)" \
        --keyring /usr/share/keyrings/debian-archive-keyring.gpg "$rootfs" bookworm "$DEBIAN_MIRROR"
    # The official image's sources (debuerreotype-debian-sources-list --deb822, minus the snapshot
    # comments: it looks the suite up on snapshot.debian.org).
    rm -f "$rootfs/etc/apt/sources.list"
    local security=${DEBIAN_MIRROR%/debian}/debian-security
    cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    debuerreotype-minimizing-config "$rootfs"
    debuerreotype-apt-get "$rootfs" update -qq
    debuerreotype-apt-get "$rootfs" full-upgrade -yqq
    debuerreotype-slimify "$rootfs"
    debuerreotype-tar --exclude ./etc/machine-id "$rootfs" "$BASE_TAR.new"
    mv "$BASE_TAR.new" "$BASE_TAR"
    rm -rf "$rootfs"
}
# base_image: $BASE_IMAGE pulled (BASE_SOURCE=pull) or made here with debuerreotype (cached as
# $BASE_TAR) and imported under the official name; PASS, or stop.
base_image() {
    local started base_info
    if [ "$BASE_SOURCE" = pull ]; then
        if podman pull "$BASE_IMAGE" >"$LOGS/base.log" 2>&1; then
            pass "base image: pulled $BASE_IMAGE"
        else
            fatal "base image: podman pull $BASE_IMAGE (see $LOGS/base.log)"
        fi
        return
    fi
    if [ ! -s "$BASE_TAR" ] || [ "${REFRESH_BASE:-}" = 1 ]; then
        note "making $BASE_TAR with debuerreotype from $DEBIAN_MIRROR"
        started=$SECONDS
        (make_base) >"$LOGS/base.log" 2>&1 || fatal "base image: debuerreotype (see $LOGS/base.log)"
        note "made in $((SECONDS - started))s"
    fi
    podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' "$BASE_TAR" "$BASE_IMAGE" >"$LOGS/import.log" 2>&1 ||
        fatal "base image: podman import (see $LOGS/import.log)"
    base_info=$(podman run --rm "${LIMITS[@]}" "$BASE_IMAGE" cat /etc/debian_version 2>&1) ||
        fatal "base image: a container of it does not run: $base_info"
    pass "base image: $BASE_IMAGE imported from $BASE_TAR (Debian $base_info, $(du -m "$BASE_TAR" | cut -f1) MB tar, sha256 $(sha256sum "$BASE_TAR" | cut -c1-12))"
}

# ---- the server image ----
# build_server_image: deploy/Dockerfile built as $IMAGE; PASS with its build time and size, or stop.
# Where HTTPS leaves this machine through a TLS-inspecting proxy (PIP_CERT names its CA bundle), pip
# in the build must trust that CA. It is mounted only while the builder stage is built; the runtime
# stage, which copies the virtualenv out of it, is then built without the mount, so nothing of it
# can reach the image (podman 4.3 leaves empty mount-point files in the layers it builds).
build_server_image() {
    local build_ca=${BUILD_CA_BUNDLE-${PIP_CERT:-}} started build_seconds size python_version packages
    local build=(build --format docker "${LIMITS[@]}" --ignorefile deploy/Dockerfile.dockerignore -f deploy/Dockerfile)
    if [ "${CACHE_LAYERS:-}" != 1 ]; then # both scripts' images, or one's layers serve the other
        podman rmi -f "$IMAGE" "$IMAGE-builder" llmobserve llmobserve-builder llmobserve-server \
            llmobserve-server-builder >/dev/null 2>&1 || true
        podman image prune -f >/dev/null 2>&1 || true
    fi
    started=$SECONDS
    : >"$LOGS/build.log"
    if [ -n "$build_ca" ] && [ -f "$build_ca" ]; then
        note "pip in the builder stage trusts $build_ca (a mount of the build, not in the image)"
        printf '[global]\ncert = /run/llmobserve-build-ca.crt\n' >"$WORK/pip.conf"
        podman "${build[@]}" --volume "$build_ca:/run/llmobserve-build-ca.crt:ro" \
            --volume "$WORK/pip.conf:/etc/pip.conf:ro" --target builder -t "$IMAGE-builder" . \
            >>"$LOGS/build.log" 2>&1 || fatal "build: the builder stage (see $LOGS/build.log)"
    fi
    podman "${build[@]}" -t "$IMAGE" . >>"$LOGS/build.log" 2>&1 || fatal "build: podman build (see $LOGS/build.log)"
    build_seconds=$((SECONDS - started))
    size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
    python_version=$(podman run --rm --no-healthcheck "${LIMITS[@]}" --entrypoint python "$IMAGE" --version 2>/dev/null)
    packages=$(podman run --rm --no-healthcheck "${LIMITS[@]}" --entrypoint pip "$IMAGE" list --format freeze 2>/dev/null | wc -l)
    pass "build: $IMAGE in ${build_seconds}s, $((size / 1000000)) MB, $python_version, $packages Python packages"
}

# ---- checks of a running server ----
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }

http_check() { # url: "GET url -> status body" and succeed on a 200
    local out status
    out=$(curl -sS -w '\n%{http_code}' "$1") || return 1
    status=${out##*$'\n'}
    echo "$status ${out%$'\n'*}"
    [ "$status" = 200 ]
}

# smoke BASE_URL EMAIL [MODE]: with no MODE, a sign-up (POST /v1/auth/sign-up), an API key (POST
# /v1/api-keys with the session and its CSRF token) and an event whose run_id is EMAIL's local
# part (POST /v1/events with the key); "sign-in": only a sign-in; "runs": a sign-in, then
# GET /v1/runs with the session, which must list that run with its one event.
smoke() {
    python3 - "$@" <<'PY'
import http.cookiejar, json, sys, urllib.error, urllib.request, uuid
from datetime import datetime, timezone

base, email = sys.argv[1], sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "sign-up"
password = "correct horse battery staple"
run_id = email.split("@")[0]
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def call(path, body=None, **headers):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data, {"Content-Type": "application/json", **headers}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        sys.exit(f"{request.get_method()} {path} -> {error.code} {error.read().decode()[:300]}")


if mode in ("sign-in", "runs"):
    status, body = call("/v1/auth/sign-in", {"email": email, "password": password})
    if mode == "sign-in":
        print(f"sign-in {status} as {body['user']['email']}")
        sys.exit(status != 200)
    signed_in = status
    status, body = call("/v1/runs")
    mine = [run for run in body["runs"] if run["run_id"] == run_id]
    shown = f"run {run_id} with {mine[0]['events']} event(s), {mine[0]['input_tokens']} input tokens" if mine else f"no run {run_id}"
    print(f"sign-in {signed_in} as {email}, GET /v1/runs {status}: {len(body['runs'])} run(s), {shown}")
    sys.exit(not (signed_in == 200 and status == 200 and mine and mine[0]["events"] == 1))
status, body = call("/v1/auth/sign-up", {"email": email, "password": password, "name": "Image Check"})
signed_up = status
csrf = body["csrf_token"]
status, key = call("/v1/api-keys", {"name": "verify-image"}, **{"X-CSRF-Token": csrf})
keyed = status
event = {
    "id": str(uuid.uuid4()),
    "timestamp": datetime.now(timezone.utc).isoformat(),
    "provider": "openai",
    "model": "gpt-4o-mini",
    "operation": "chat",
    "input_tokens": 1000,
    "output_tokens": 100,
    "run_id": run_id,
}
status, accepted = call("/v1/events", {"events": [event]}, Authorization=f"Bearer {key['key']}")
print(f"sign-up {signed_up}, API key {keyed}, POST /v1/events {status} {json.dumps(accepted)}")
sys.exit(not (signed_up == 201 and keyed == 201 and accepted["accepted"] == 1))
PY
}
