#!/usr/bin/env bash
# Soak the store's crash test: SIGKILL the writer many more times than the default
# run does, in chunks of kills per fresh store directory (the check after each kill
# re-reads the whole log, so one ever-growing store would slow down quadratically).
#
# Usage: scripts/crash-soak.sh [KILLS] [KILLS_PER_CHUNK]
#        (defaults: 200 kills, 20 per chunk)
#
# Runs `cargo test --release -p habeas-store --test crash` once per chunk with
# HABEAS_CRASH_KILLS set to the chunk size. Every chunk runs whatever the earlier ones
# did; the script prints one progress line per chunk, then a summary line
#   crash soak: <kills> kills in <chunks> chunks, <n> acknowledged appends checked,
#   <m> failures, <s> s
# and exits 1 if any chunk failed (the output of each failed chunk and the command to
# replay it, with its seed, are printed), 2 on bad usage or if the test cannot be built.
set -euo pipefail

usage() {
    echo "usage: $0 [KILLS] [KILLS_PER_CHUNK]  (positive integers; defaults 200 and 20)" >&2
    exit 2
}

total_kills=${1:-200}
chunk_kills=${2:-20}
[[ $# -le 2 ]] || usage
[[ $total_kills =~ ^[1-9][0-9]*$ && $chunk_kills =~ ^[1-9][0-9]*$ ]] || usage

cd "$(dirname "$0")/.."

cargo_test=(cargo test --release -p habeas-store --test crash)

echo "crash soak: building the crash test (release)"
if ! "${cargo_test[@]}" --no-run; then
    echo "crash soak: the crash test does not build" >&2
    exit 2
fi

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/habeas-crash-soak.XXXXXX")
echo "crash soak: $total_kills kills, $chunk_kills per fresh store; chunk logs in $log_dir"

started=$SECONDS
done_kills=0
chunks=0
checked_acks=0
failures=0
failed_chunks=()
while ((done_kills < total_kills)); do
    kills=$((total_kills - done_kills < chunk_kills ? total_kills - done_kills : chunk_kills))
    chunks=$((chunks + 1))
    log="$log_dir/chunk-$chunks.log"
    chunk_started=$SECONDS
    if HABEAS_CRASH_KILLS=$kills "${cargo_test[@]}" -- --nocapture >"$log" 2>&1; then
        status=ok
    else
        status=FAILED
    fi
    # "crash test: <kills> kills, HABEAS_CRASH_SEED=<seed>"
    seed=$(sed -n 's/^crash test: .*HABEAS_CRASH_SEED=\([0-9]*\).*/\1/p' "$log" | head -n 1)
    # "crash test: <acks> acknowledged appends, <events> events, <time>"
    summary=$(sed -n 's/^crash test: \([0-9]*\) acknowledged appends, \([0-9]*\) events.*/\1 \2/p' "$log" | tail -n 1)
    acks=${summary%% *}
    events=${summary##* }
    if [[ $status == ok && -z $summary ]]; then
        # The test passed but printed no summary: do not count it as checked.
        status="FAILED (no summary line)"
    fi
    if [[ $status == ok ]]; then
        checked_acks=$((checked_acks + acks))
    else
        failures=$((failures + 1))
        failed_chunks+=("$chunks")
        echo "---- chunk $chunks output (last 40 lines of $log) ----"
        tail -n 40 "$log"
        echo "---- replay: HABEAS_CRASH_SEED=${seed:-?} HABEAS_CRASH_KILLS=$kills ${cargo_test[*]} -- --nocapture"
    fi
    done_kills=$((done_kills + kills))
    printf 'chunk %d: %d kills, %s, seed %s, %s acknowledged appends, %s events, %d s (total %d/%d kills, %d failures)\n' \
        "$chunks" "$kills" "$status" "${seed:-?}" "${acks:-?}" "${events:-?}" \
        $((SECONDS - chunk_started)) "$done_kills" "$total_kills" "$failures"
done

echo "crash soak: $done_kills kills in $chunks chunks, $checked_acks acknowledged appends checked, $failures failures, $((SECONDS - started)) s"
if ((failures > 0)); then
    echo "crash soak: failed chunks: ${failed_chunks[*]} (logs in $log_dir)" >&2
    exit 1
fi
rm -rf "$log_dir"
