#!/usr/bin/env bash
# Build a virtualenv for the SDK's provider tests (`make test-sdk-oldest`, `make test-latest`):
# the server (the tests' collector) and the SDK, with pytest, installed through constraints.txt,
# except that the packages pinned in OVERRIDES (e.g. constraints-oldest.txt) take those pins.
#
#   scripts/sdk-venv.sh VENV [OVERRIDES]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
venv="$1"
overrides="${2:-/dev/null}"

# constraints.txt without the overridden packages, then the overrides.
names="$(grep -oE '^[A-Za-z0-9_.-]+==' "$overrides" | tr -d '=' | tr '\n' '|' | sed 's/|$//' || true)"
combined="$(mktemp)"
trap 'rm -f "$combined"' EXIT
if [ -n "$names" ]; then
    grep -viE "^(${names})==" constraints.txt > "$combined"
else
    cat constraints.txt > "$combined"
fi
grep -E '==' "$overrides" >> "$combined" || true

test -x "$venv/bin/python" || "$PYTHON" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --constraint "$combined" --upgrade pip
# What sdk/python/tests/integrations imports: the provider libraries, the server (collector),
# pytest with xdist (pyproject.toml's addopts), flask (the 0.3 README's web sample) and aiosmtpd
# (the budgets end-to-end test's mail server).
"$venv/bin/python" -m pip install --quiet --constraint "$combined" \
    -e server -e sdk/python openai anthropic pinecone google-genai pytest pytest-xdist httpx flask aiosmtpd
"$venv/bin/python" -m pip check
