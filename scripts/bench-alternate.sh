#!/usr/bin/env bash
# Runs benchmark commands in turn, ROUNDS times, and prints the median, min and max of each
# command's "seconds" (its first JSON line). Alternating the commands in one run is how old and
# new builds are compared on a shared machine, where only ratios within one run are trustworthy.
#
#   scripts/bench-alternate.sh ROUNDS "label|command" "label|command" ...
#   e.g. scripts/bench-alternate.sh 5 \
#          "old|/path/to/old/score-binary --n 1000000 --repeat 3" \
#          "new|target/release/deps/score-<hash> --n 1000000 --repeat 3"
set -euo pipefail
rounds=$1
shift
declare -A res
for _ in $(seq "$rounds"); do
  for spec in "$@"; do
    label=${spec%%|*}
    cmd=${spec#*|}
    s=$($cmd | grep -o '"seconds":[0-9.]*' | head -1 | cut -d: -f2)
    res[$label]="${res[$label]:-} $s"
  done
done
for spec in "$@"; do
  label=${spec%%|*}
  echo "$label: $(echo ${res[$label]} | tr ' ' '\n' | sort -n |
    awk '{a[NR]=$1} END {printf "median %.4f min %.4f max %.4f (n=%d)", a[int((NR+1)/2)], a[1], a[NR], NR}')"
done
