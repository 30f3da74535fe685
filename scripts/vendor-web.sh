#!/usr/bin/env bash
# Re-fetch the dashboard's front-end files from npm (`make vendor`) into
# server/llmobserve_server/web/static/vendor/ and rewrite VENDORED.md with their sha256.
# Only `npm pack` is used: no node_modules, no build step, nothing loaded from a CDN at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=server/llmobserve_server/web/static/vendor
# package@version  file-inside-the-package  name-in-vendor/
PACKAGES=(
    "htmx.org@2.0.11 package/dist/htmx.min.js htmx.min.js"
    "chart.js@4.6.1 package/dist/chart.umd.min.js chart.umd.min.js"
    "modern-normalize@3.0.1 package/modern-normalize.css modern-normalize.css"
    "swagger-ui-dist@5.36.0 package/swagger-ui-bundle.js swagger-ui-bundle.js"
    "swagger-ui-dist@5.36.0 package/swagger-ui.css swagger-ui.css"
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DEST"
{
    echo "# Vendored front-end files"
    echo
    echo "Fetched from npm by \`make vendor\` (scripts/vendor-web.sh) with \`npm pack\`; served from"
    echo "\`/static/vendor/\`. Never edit them by hand: change the versions in the script and re-run it."
    echo
    echo "| package | file | sha256 |"
    echo "| --- | --- | --- |"
} > "$work/VENDORED.md"
for entry in "${PACKAGES[@]}"; do
    read -r spec inner name <<<"$entry"
    mkdir -p "$work/$name.d"
    tarball=$(cd "$work/$name.d" && npm pack --silent "$spec")
    tar -xzf "$work/$name.d/$tarball" -C "$work/$name.d" "$inner"
    cp "$work/$name.d/$inner" "$DEST/$name"
    sum=$(sha256sum "$DEST/$name" | cut -d' ' -f1)
    echo "| \`$spec\` | \`${inner#package/}\` → \`$name\` | \`$sum\` |" >> "$work/VENDORED.md"
done
cp "$work/VENDORED.md" "$DEST/VENDORED.md"
cat "$DEST/VENDORED.md"
