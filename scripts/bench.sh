#!/usr/bin/env bash
# Benchmarks of issue 7 at realistic scale, side by side with raw sled and SQLite.
#
#   scripts/bench.sh [--quick] [habeas-bench options]
#
# Builds habeas-bench and the habeas binary in release, then runs every measurement in
# one invocation on one generated data set (100 000 people, about a million events;
# --quick: 10 000 people) and prints a Markdown table on stdout, progress on stderr.
# Options: --persons N --seed S --reps R --concurrency C --writer-seconds T
# --cli-runs N --data-dir DIR (default /tmp, or /work/bench-tmp when /tmp is a tmpfs).
# The data is deleted at the end. See BENCHMARKS.md for the figures and what limits them.
#   scripts/bench.sh --postgres [--persons 10000] [--writer-seconds 2] ...
# runs the PostgreSQL backend's benchmarks instead (habeas-bench-postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p habeas-bench -p habeas-cli
target="${CARGO_TARGET_DIR:-target}"
# `--postgres`: the PostgreSQL backend's benchmarks (issue 16) instead, on a throwaway
# cluster (or HABEAS_BENCH_POSTGRES_URL); see BENCHMARKS.md.
if [ "${1:-}" = "--postgres" ]; then
  shift
  exec "$target/release/habeas-bench-postgres" --habeas "$target/release/habeas" "$@"
fi
exec "$target/release/habeas-bench" "$@"
