#!/usr/bin/env bash
# `make test-pinecone-releases`: the SDK's pinecone tests against the last release of every
# major version it supports, each in a scratch virtualenv. pinecone moved its index classes
# between majors (pinecone.data → pinecone.db_data → pinecone.index, and the asyncio index with
# them), so the ends of the range (`make test-sdk-oldest`, `make test`) do not prove the middle.
# Not part of `make test` (five virtualenvs); run it when touching the pinecone integration.
#
#   scripts/test-pinecone-releases.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
RELEASES="${PINECONE_RELEASES:-5.4.2 6.0.2 7.3.0 8.1.2 9.1.0}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

failed=""
for release in $RELEASES; do
    # A virtualenv per release (5.x also installs pinecone-client into the same package folder),
    # installed as pinned, then moved to the release and only what it requires (with aiohttp,
    # which the asyncio index needs before 9).
    venv="$scratch/venv-$release"
    bash scripts/sdk-venv.sh "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade-strategy only-if-needed \
        "pinecone[asyncio]==$release"
    echo "Testing against pinecone $release"
    "$venv/bin/pytest" sdk/python/tests/integrations/test_pinecone.py -p no:cacheprovider -n 0 \
        "$@" || failed="$failed $release"
    rm -rf "$venv"
done
if [ -n "$failed" ]; then
    echo "Failed against pinecone:$failed" >&2
    exit 1
fi
