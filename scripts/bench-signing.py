#!/usr/bin/env python3
"""The cost of signing, verifying and encrypting an export (BENCHMARKS.md, issue 20).

    cargo build --release -p habeas-cli
    scripts/bench-signing.py [HABEAS_BINARY] [N_PEOPLE]

Makes, in a temporary directory, the demo store and a store of N_PEOPLE (default
20 000) people with three events each (imported from generated JSON lines), a
signing key and a backup identity; prints the median wall time of each command.
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

habeas = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/habeas")
n_people = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
work = tempfile.mkdtemp(prefix="habeas-bench-signing-")
os.chdir(work)
os.environ["HABEAS_USER"] = "bench"
quiet = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

with open("cases.jsonl", "w") as f:
    for i in range(n_people):
        src = [{"url": f"https://example.org/report/{i}"}]
        f.write(json.dumps({"action": "register_person", "person_key": f"p{i}", "fields": {"name": f"Person Number {i}", "country": "Cambodia", "sources": src}}) + "\n")
        f.write(json.dumps({"person": f"@p{i}", "action": "record_detention", "fields": {"occurred": "2020-07", "kind": "arrest", "place": "Phnom Penh", "sources": src}}) + "\n")
        f.write(json.dumps({"person": f"@p{i}", "action": "record_charges", "fields": {"occurred": "2020-08", "charges": [{"offence": "incitement", "article": "art. 495"}], "sources": src}}) + "\n")
subprocess.run([habeas, "--db", "demo", "demo"], **quiet)
subprocess.run([habeas, "--db", "big", "import", "cases.jsonl"], **quiet)
subprocess.run([habeas, "--db", "big", "key", "create"], **quiet)
recipient = subprocess.run([habeas, "key", "identity", "--out", "id.key"], check=True, capture_output=True, text=True).stdout.split()[0]


def median_ms(args, reps=7, before=None):
    times = []
    for _ in range(reps):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(args, **quiet)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def no_restored():
    shutil.rmtree("r", ignore_errors=True)


for store in ["demo", "big"]:
    rows = {
        "export": median_ms([habeas, "--db", store, "export", "-o", f"{store}.jsonl"]),
        "export --sign": median_ms([habeas, "--db", store, "export", "-o", f"{store}.s.jsonl", "--sign"]),
        "export --encrypt-to": median_ms([habeas, "--db", store, "export", "-o", f"{store}.sealed", "--encrypt-to", recipient]),
        "verify-export": median_ms([habeas, "verify-export", f"{store}.s.jsonl", "--key", "keys/signing.pub.pem"]),
        "sha256sum (for scale)": median_ms(["sha256sum", f"{store}.s.jsonl"]),
        "import (restore) of the plain export": median_ms([habeas, "--db", "r", "import", f"{store}.jsonl"], 3, no_restored),
        "import --identity of the encrypted one": median_ms([habeas, "--db", "r", "import", f"{store}.sealed", "--identity", "id.key"], 3, no_restored),
    }
    lines = sum(1 for _ in open(f"{store}.jsonl"))
    print(f"{store}: {lines} events, {os.path.getsize(f'{store}.jsonl')} bytes")
    for name, ms in rows.items():
        print(f"| {name} | {ms:.0f} ms |")
shutil.rmtree(work)
