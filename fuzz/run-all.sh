#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 600), one after another, with the
# limits that turn super-linear time and memory blow-ups into crashes. Not part of .ci/run.
# Usage: fuzz/run-all.sh [SECONDS] [TARGET...]   Logs go to fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
mkdir -p logs
# The detector's corpus cases and the repository's own examples are a good start for `scan`.
mkdir -p corpus/scan corpus/staged_change corpus/allow_files
cp ../tests/corpus/*.txt corpus/scan/ 2>/dev/null || true
cp ../tests/corpus/*.txt corpus/staged_change/ 2>/dev/null || true
for target in "${targets[@]}"; do
    echo "== $target: ${seconds}s" >&2
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -timeout=2 -rss_limit_mb=512 \
        -max_len=65536 -print_final_stats=1 >"logs/$target.log" 2>&1 \
        && echo "   no crash" >&2 || echo "   CRASH or error: see fuzz/logs/$target.log" >&2
done
