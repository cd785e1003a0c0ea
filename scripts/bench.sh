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
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p habeas-bench -p habeas-cli
exec target/release/habeas-bench "$@"
