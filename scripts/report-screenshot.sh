#!/usr/bin/env bash
# Renders reports of the worked example (docs/domain.md) in a real headless
# browser and fails if a page logs any console error or the browser cannot
# render it:
#   docs/report-example.png      Rong Chhun's report the day after the last
#                                recording (status, last information, timeline)
#   docs/report-years-later.png  the same report as of 2026-12-08: the axis
#                                keeps to the facts and breaks before the as-of
#                                day, and the report warns the information is old
#   docs/roster-example.png      the roster on the campaign day 2021-10-01, with
#                                a namesake of Sar Kanika added (not part of
#                                the worked example) for the roster to tell apart
#
# Usage: scripts/report-screenshot.sh [--phone]
#   --phone  also renders a 400 px wide screenshot to target/report-phone.png
#            (for checking the phone layout; not committed).
#
# Installs Debian's chromium when missing (needs root, as on the project's
# machines). Nothing is fetched by the pages themselves: the HTML is
# self-contained.
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
example() {
    local out=$1
    shift
    cargo run --quiet -p habeas-report --example worked-example -- "$work/$out" "$@"
    # Self-contained: nothing the browser would fetch, no script.
    if grep -nE "<script|<link|<img|<iframe|src=|url\(|@import" "$work/$out" >&2; then
        echo "$out references something outside itself (above)" >&2
        exit 1
    fi
}
example report-example.html
example report-years-later.html --as-of 2026-12-08
example roster-example.html --roster --namesake

shoot() {
    local html=$1 width=$2 height=$3 out=$4 log=$5
    # --virtual-time-budget lets layout finish before the shot; logging goes to
    # stderr so console messages can be checked.
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-default-apps --mute-audio --hide-scrollbars \
        --user-data-dir="$work/profile-$(basename "$out" .png)" \
        --enable-logging=stderr --v=0 \
        --virtual-time-budget=2000 \
        --window-size="$width,$height" \
        --screenshot="$out" "file://$work/$html" 2>"$log" || {
        cat "$log" >&2
        echo "chromium failed to render $html" >&2
        exit 1
    }
    if [ ! -s "$out" ]; then
        cat "$log" >&2
        echo "chromium wrote no screenshot of $html" >&2
        exit 1
    fi
    # With --enable-logging=stderr every console message of the page appears
    # as an "INFO:CONSOLE" line (console.error and uncaught exceptions too,
    # which says "Uncaught ..."). The report has no script, so any console
    # line at all (a CSP or a load failure included) fails the check.
    if grep -E ":CONSOLE|Uncaught|net::ERR_" "$log" >&2; then
        echo "$html logged console errors (above)" >&2
        exit 1
    fi
    local size
    size=$(stat -c %s "$out")
    echo "$out: $size bytes"
    if [ "$size" -gt 512000 ]; then
        echo "the screenshot is larger than 500 KB" >&2
        exit 1
    fi
}

mkdir -p docs target
shoot report-example.html 1000 1800 "$root/docs/report-example.png" "$work/person.log"
shoot report-years-later.html 1000 1480 "$root/docs/report-years-later.png" "$work/later.log"
shoot roster-example.html 1000 1640 "$root/docs/roster-example.png" "$work/roster.log"

if [ "${1:-}" = "--phone" ]; then
    shoot report-example.html 400 2400 "$root/target/report-phone.png" "$work/phone.log"
    echo "target/report-phone.png written"
fi
