#!/usr/bin/env bash
# Fuzzes the HTTP API from its OpenAPI document with schemathesis (PyPI)
# against a real `habeas serve` on loopback, as an admin: no request may get a
# 5xx. Usage: scripts/fuzz-api.sh [max-examples per operation, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
examples="${1:-60}"
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build -q -p habeas-cli
habeas=target/debug/habeas
[ -n "${CARGO_TARGET_DIR:-}" ] && habeas="$CARGO_TARGET_DIR/debug/habeas"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q schemathesis
"$habeas" --db "$work/store" demo >/dev/null
echo 'correct horse battery staple' | "$habeas" --db "$work/store" user add fuzzer --role admin --password-stdin
token="$("$habeas" --db "$work/store" token create fuzz --user fuzzer 2>/dev/null)"
"$habeas" --db "$work/store" serve --listen 127.0.0.1:18181 2>"$work/server.log" &
server=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:18181/api/v1/health >/dev/null && break; sleep 0.2; done
"$work/venv/bin/schemathesis" run http://127.0.0.1:18181/api/v1/openapi.json \
  -H "Authorization: Bearer $token" --checks not_a_server_error \
  --max-examples "$examples" --workers 1
