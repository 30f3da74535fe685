#!/usr/bin/env bash
# `make test-latest`: the SDK's provider tests against the newest releases of openai, anthropic
# and pinecone, in a scratch virtualenv. Everything else comes from constraints.txt; only what the
# new releases require is upgraded with them. Not part of `make test`: an upstream release can
# break it, and telling us so is its job (`make test-sdk-oldest` tests the other end of the range).
#
#   scripts/test-latest.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Install as pinned, then move the three libraries (and only what they need) to their newest.
bash scripts/sdk-venv.sh "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --upgrade --upgrade-strategy only-if-needed \
    openai anthropic pinecone google-genai
"$scratch/venv/bin/python" -m pip check
echo "Testing against: $("$scratch/venv/bin/python" -m pip freeze | grep -iE '^(openai|anthropic|pinecone|google-genai)==' | tr '\n' ' ')"
"$scratch/venv/bin/pytest" sdk/python/tests/integrations -p no:cacheprovider "$@"
