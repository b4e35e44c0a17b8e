#!/usr/bin/env bash
# Runs the benchmark scenarios of docs/benchmarks.md with release builds and
# prints the results as a markdown table. Not part of the test suite.
#
#   scripts/bench.sh                      # every scenario
#   scripts/bench.sh sqlite-flood pg-flood  # some of them
#
# PostgreSQL scenarios need WEBHOOKD_BENCH_POSTGRES_URL, a server URL such as
# postgres://postgres@127.0.0.1:5432/postgres; each run gets a fresh database.
# SCALE (default 1) multiplies the event counts, e.g. SCALE=0.1 for a quick try.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --bins --example dispatch_floor --quiet
bench=target/release/webhookd-bench
# webhookd's delivery path without a store, run in webhookd's place: the
# floor the store and the scheduler add to (docs/benchmarks.md).
floor=target/release/examples/dispatch_floor
scale=${SCALE:-1}
events() { python3 -c "print(max(100, int($1 * $scale)))"; }

fresh_pg() {
  local url=${WEBHOOKD_BENCH_POSTGRES_URL:?set WEBHOOKD_BENCH_POSTGRES_URL for PostgreSQL scenarios}
  local name="webhookd_bench_$(date +%s%N)"
  psql "$url" -qc "CREATE DATABASE $name" >/dev/null
  echo "${url%/*}/$name"
}

# name | description | arguments
scenarios=(
  "sqlite-flood|SQLite, fan-out 1, 500 B, instant receiver, flood of 300k events|--events $(events 300000)"
  "sqlite-20k|SQLite, fan-out 1, 20 KiB payload|--events $(events 40000) --payload-bytes 20480"
  "sqlite-fanout-10|SQLite, fan-out 10, 500 B|--events $(events 20000) --fan-out 10"
  "sqlite-slow-fanout-10|SQLite, fan-out 10, receivers answer in 50 ms|--events $(events 5000) --fan-out 10 --receiver-delay-ms 50"
  "sqlite-rate-1000|SQLite, fixed 1,000 events/s, 60 s|--events $(events 60000) --rate 1000"
  "sqlite-endpoints-5000|SQLite, 5,000 endpoints registered and one subscribed, flood of 30k events|--events $(events 30000) --idle-endpoints 5000"
  "sqlite-rate-5000|SQLite, fixed 5,000 events/s, 60 s (sustained throughput)|--events $(events 300000) --rate 5000"
  "sqlite-history-1m|SQLite, 1,000,000 events already stored, then 100k events|--events $(events 100000) --preload-events $(events 1000000)"
  "sqlite-empty-100k|SQLite, empty database, 100k events (baseline of the line above)|--events $(events 100000)"
  "sqlite-backlog-100k|SQLite, receivers down, 100k deliveries pending|--events $(events 100000) --receiver-down"
  "sqlite-drain-30k|SQLite, drain of 30k pending deliveries (endpoints enabled after dispatch)|--events $(events 30000) --backlog"
  "sqlite-drain-300k|SQLite, drain of 300k pending deliveries|--events $(events 300000) --backlog"
  "floor-flood|The floor (no store), fan-out 1, 500 B, flood of 300k events|--events $(events 300000) --webhookd $floor"
  "floor-rate-1000|The floor (no store), fixed 1,000 events/s, 60 s|--events $(events 60000) --rate 1000 --webhookd $floor"
  "pg-flood|PostgreSQL, one instance, fan-out 1, 500 B, 100k events|--events $(events 100000) --database-url PG"
  "pg-rate-1000|PostgreSQL, fixed 1,000 events/s, 60 s|--events $(events 60000) --rate 1000 --database-url PG"
  "pg-endpoints-5000|PostgreSQL, 5,000 endpoints registered and one subscribed, 20k events|--events $(events 20000) --idle-endpoints 5000 --database-url PG"
  "pg-two-instances|PostgreSQL, two instances, fan-out 1|--events $(events 100000) --instances 2 --database-url PG"
  "pg-drain-300k|PostgreSQL, drain of 300k pending deliveries|--events $(events 300000) --backlog --database-url PG"
)

# One table row from the output of a run (stdin) and its description.
summarise='
import re, sys
out = sys.stdin.read()
def grab(pattern):
    m = re.search(pattern, out)
    return m.groups() if m else None
d = grab(r"dispatch rate\s+(\d+)")
e = grab(r"end-to-end deliveries\s+(\d+)")
drain = grab(r"backlog drain\s+(\d+) deliveries/s")
stages = grab(r"backlog drain by stage\s+(\d+) /s with 100-90 % pending, (\d+) /s")
per = grab(r"CPU per delivery\s+.*= (\d+) µs per delivery")
dl = grab(r"Dispatch latency\s+p50\s+([\d.]+) ms\s+p95\s+[\d.]+ ms\s+p99\s+([\d.]+)")
al = grab(r"ack-to-receipt latency\s+p50\s+([\d.]+) ms\s+p95\s+[\d.]+ ms\s+p99\s+([\d.]+)")
cpu = grab(r"webhookd CPU \(all\)\s+([\d.]+) s\s+peak RSS ([\d.]+) MB")
ledger = grab(r"ledger: (missing \d+, duplicates \d+, bad signatures \d+)")
down = re.findall(r"RSS ([\d.]+) MB, peak ([\d.]+) MB", out)
stolen = grab(r"machine CPU\s+\d+ % busy, (\d+) % stolen")
row = [
    sys.argv[1],
    d[0] if d else "–",
    e[0] if e else (f"{drain[0]} (first tenth {stages[0]}, last tenth {stages[1]})" if drain else "–"),
    f"{dl[0]} / {dl[1]} ms" if dl else "–",
    f"{al[0]} / {al[1]} ms" if al else "–",
    f"{cpu[0]} s, {per[0]} µs" if cpu and per else (cpu[0] if cpu else "–"),
    f"{cpu[1]} MB" if cpu else (f"{down[-1][0]} MB after 20 s" if down else "–"),
    ledger[0] if ledger else ("receivers down" if down else "–"),
    f"{stolen[0]} %" if stolen else "–",
]
print("| " + " | ".join(row) + " |")
'

selected=("$@")
echo "| scenario | dispatch/s | deliveries/s | Dispatch p50 / p99 | ack→receipt p50 / p99 | CPU s, per delivery | peak RSS | ledger | stolen |"
echo "|---|---|---|---|---|---|---|---|---|"
for entry in "${scenarios[@]}"; do
  IFS='|' read -r name description arguments <<<"$entry"
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " == *" $name "* ]]; then
    continue
  fi
  if [[ $arguments == *PG* ]]; then
    arguments=${arguments/PG/$(fresh_pg)}
  fi
  # shellcheck disable=SC2086
  output=$("$bench" $arguments 2>&1) || { echo "| $description | failed: $(echo "$output" | tail -n 1) |"; continue; }
  printf '%s\n' "$output" | python3 -c "$summarise" "$description"
done
