#!/usr/bin/env bash
# Renders the worked-example person report (Rong Chhun, docs/domain.md) in a real
# headless browser, saves docs/report-example.png and fails if the page logs any
# console error or the browser cannot render it.
#
# Usage: scripts/report-screenshot.sh [--phone]
#   --phone  also renders a 400 px wide screenshot to target/report-phone.png
#            (for checking the phone layout; not committed).
#
# Installs Debian's chromium when missing (needs root, as on the project's
# machines). Nothing is fetched by the page itself: the HTML is self-contained.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "chromium is missing; install it (apt-get install chromium) or run as root" >&2
        exit 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
html="$work/report-example.html"
cargo run --quiet -p habeas-report --example worked-example -- "$html"

# Self-contained: nothing the browser would fetch, no script.
if grep -nE "<script|<link|<img|<iframe|src=|url\(|@import" "$html" >&2; then
    echo "the report references something outside itself (above)" >&2
    exit 1
fi

shoot() {
    local width=$1 height=$2 out=$3 log=$4
    # --virtual-time-budget lets layout finish before the shot; logging goes to
    # stderr so console messages can be checked.
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --mute-audio --hide-scrollbars \
        --user-data-dir="$work/profile-$width" \
        --enable-logging=stderr --v=0 \
        --virtual-time-budget=2000 \
        --window-size="$width,$height" \
        --screenshot="$out" "file://$html" 2>"$log" || {
        cat "$log" >&2
        echo "chromium failed to render the report" >&2
        exit 1
    }
    if [ ! -s "$out" ]; then
        cat "$log" >&2
        echo "chromium wrote no screenshot" >&2
        exit 1
    fi
    # With --enable-logging=stderr every console message of the page appears
    # as an "INFO:CONSOLE" line (console.error and uncaught exceptions too,
    # which says "Uncaught ..."). The report has no script, so any console
    # line at all (a CSP or a load failure included) fails the check.
    if grep -E ":CONSOLE|Uncaught|net::ERR_" "$log" >&2; then
        echo "the report logged console errors (above)" >&2
        exit 1
    fi
}

mkdir -p docs target
shoot 1000 1800 "$root/docs/report-example.png" "$work/desktop.log"
size=$(stat -c %s docs/report-example.png)
echo "docs/report-example.png: $size bytes"
if [ "$size" -gt 512000 ]; then
    echo "the screenshot is larger than 500 KB" >&2
    exit 1
fi

if [ "${1:-}" = "--phone" ]; then
    shoot 400 2400 "$root/target/report-phone.png" "$work/phone.log"
    echo "target/report-phone.png written"
fi
