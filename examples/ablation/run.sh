#!/usr/bin/env bash
# The five ablation runs on one taxonomy and one set of strategies, then `seedless compare` on them.
# Usage: examples/ablation/run.sh [RUNS_DIR] [extra seedless run options, e.g. --base-url URL --model NAME]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
runs="${1:-runs}"; shift || true
# 1. The taxonomy and the strategies, built once (the full spec's settings; its depth is the deepest).
seedless plan "$here/full.yaml" --out "$runs/ablation-shared" "$@"
# 2. Each version starts from them: the deep versions take the taxonomy and the strategies as they are; the
#    shallow ones (baseline, local) the same taxonomy cut to depth 1 and their one strategy over every factor.
for v in baseline local global local_global full; do
  dir="$runs/ablation-$v"
  mkdir -p "$dir"
  if [ ! -e "$dir/taxonomy.yaml" ]; then
    case "$v" in
      baseline|local) sed -E 's/^( *)depth: [0-9]+/\1depth: 1/' "$runs/ablation-shared/taxonomy.yaml" > "$dir/taxonomy.yaml" ;;
      *) cp "$runs/ablation-shared/taxonomy.yaml" "$runs/ablation-shared/strategies.yaml" "$dir/" ;;
    esac
  fi
  seedless run "$here/$v.yaml" --out "$dir" "$@"
done
# 3. The five datasets measured on the same ground: the shared taxonomy, one embedder, one Elo pool.
seedless compare "$runs"/ablation-{baseline,local,global,local_global,full} \
  --taxonomy "$runs/ablation-shared/taxonomy.yaml" --out "$runs/ablation-compare"
