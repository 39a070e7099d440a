#!/usr/bin/env bash
# mpi_scaling.sh: distributed fitting on one machine, and a projection.
#
#   bash bench/mpi_scaling.sh [--n N] [--ranks "1 2"] [--no-install]
#
# Builds build/ (with MPI), simulates the rapporteur-2024 cohort at N
# persons (default 1,000,000) as an HDF5 panel, and fits
#   gbtm fit DATA --family zip --groups 4 --order 3 --iorder 0 --starts 10 --threads 1 --json
# alone and under `mpirun -np R` for each R of --ranks, one thread per
# process, so that R processes use R cores. Prints one line per run
# (ranks, wall seconds of the command, fit seconds, log L, speed-up over
# one process) and checks that every log L equals the one-process log L to
# 1e-9 relative. Then it measures one reduction across 2 processes
# (bench/reduce_latency) and bench/floor's E-step time per iteration on the
# same cohort (floor --n N --seed 1, at the preset's parameters) on one
# thread, and prints the weak-scaling projection to 100M persons on 64
# processes: per process 100M / 64 persons, an E-step's compute time
# scaled linearly from the measured one, plus one reduction per E-step.
# This is a projection from two measurements on one machine, not a
# measurement: across machines a reduction also pays the network.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=1000000
ranks="1 2"
install=1
while (($# > 0)); do
  case "$1" in
    --n) n=$2; shift ;;
    --ranks) ranks=$2; shift ;;
    --no-install) install=0 ;;
    *) echo "mpi_scaling.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
((install)) && bash scripts/install-deps.sh
bash scripts/build.sh >/dev/null
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=bench/out
mkdir -p "$out"
data="$out/cohort_mpi_$n.h5"
[ -f "$data" ] || build/gbtm simulate --preset rapporteur-2024 --n "$n" --seed 1 -o "$data" >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
fit=(build/gbtm fit "$data" --family zip --groups 4 --order 3 --iorder 0 --starts 10 --threads 1 --json --quiet)
base_wall=""
base_ll=""
for r in $ranks; do
  start=$(date +%s.%N)
  if [ "$r" = 1 ]; then "${fit[@]}" >"$out/mpi_$r.json"; else mpirun --oversubscribe -np "$r" "${fit[@]}" >"$out/mpi_$r.json"; fi
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  read -r fit_s ll < <(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['fit_seconds'], repr(d['loglik']))" "$out/mpi_$r.json")
  [ -z "$base_wall" ] && base_wall=$wall base_ll=$ll
  same=$(python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('same' if abs(a-b) <= 1e-9*abs(a) else 'DIFFERENT')" "$base_ll" "$ll")
  printf 'mpi n=%s ranks=%s wall_s=%.1f fit_s=%.1f loglik=%s speedup=%.2f loglik_vs_1=%s\n' "$n" "$r" "$wall" "$fit_s" "$ll" \
    "$(echo "$base_wall / $wall" | bc -l)" "$same"
done
lat=$(mpirun --oversubscribe -np 2 build/bench/reduce_latency | awk 'NR == 1 {print $6}')
estep_ms=$(build/bench/floor --n "$n" --seed 1 --threads 1 | awk -F'estep_ms_1=' '/^floor n=/ {split($2, a, " "); print a[1]}')
echo "reduction across 2 processes (E-step statistics): ${lat} us; E-step at n=$n on 1 thread: ${estep_ms} ms"
python3 - "$n" "$estep_ms" "$lat" <<'PY'
import sys
n, estep_ms, lat_us = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print("projection (not a measurement): weak scaling, compute per E-step scaled linearly in persons per process,")
print("one reduction per E-step at the latency measured on this machine")
print("%12s %10s %16s %16s %12s %10s" % ("persons", "processes", "per process", "compute ms", "reduce ms", "efficiency"))
for N, R in [(1_000_000, 1), (1_000_000, 2), (10_000_000, 8), (100_000_000, 64)]:
    per = N / R
    c = estep_ms * per / n
    r = 0.0 if R == 1 else lat_us / 1000.0
    print("%12d %10d %16d %16.2f %12.3f %9.2f%%" % (N, R, per, c, r, 100.0 * c / (c + r)))
PY
