#!/usr/bin/env bash
# tiersim under mpirun against tiersim alone (docs/statistics.md, "On a
# cluster"): outputs byte-identical apart from wall-clock fields, a sweep
# interrupted under MPI resumed with and without MPI, a killed rank.
# Usage: mpi_test.sh CASE; TIERSIM_BIN, TIERSIM_SOURCE_ROOT and TIERSIM_MPI
# (whether the build has MPI) come from tests/meson.build. Exit 77: skipped.
set -euo pipefail

case_name="$1"
command -v mpirun >/dev/null || { echo "no mpirun"; exit 77; }
# The one case for a build without MPI, and the only one it runs.
if [ "$case_name" = "without-mpi" ]; then
  [ "${TIERSIM_MPI:-}" = "no" ] || { echo "tiersim is built with MPI"; exit 77; }
elif [ "${TIERSIM_MPI:-}" != "yes" ]; then
  echo "tiersim is built without MPI"
  exit 77
fi

bin="$TIERSIM_BIN"
mm1="$TIERSIM_SOURCE_ROOT/scenarios/mm1.yaml"
dir="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
cd "$dir"

# Three ranks on whatever cores there are; as root in containers and CI.
mpirun=(mpirun --allow-run-as-root --oversubscribe -np 3 "$bin")
mpi() { "${mpirun[@]}" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
same() { cmp "$1" "$2" || { diff "$1" "$2" | head -20 >&2; fail "$1 and $2 differ"; }; }
# The engine's wall-clock seconds are the only fields that may differ.
no_wall() { sed -E 's/"wall_s": [0-9.e+-]+/"wall_s": W/' "$1"; }
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

# 12 points with unequal costs (the load grows along the first key).
sweep_args=(sweep "$mm1" --duration 40s --warmup 1s --vary 'workload.arrivals=poisson({300:800:100}/s)'
            --vary machines.single.cores=1,2 --replications 3 -q)

case "$case_name" in
  sweep)
    "$bin" "${sweep_args[@]}" -j 1 -o alone.csv
    mpi "${sweep_args[@]}" -j 1 -o mpi.csv
    same alone.csv mpi.csv
    # Threads within ranks change nothing either, nor does JSONL.
    mpi "${sweep_args[@]}" -j 2 -o mpi-j2.csv
    same alone.csv mpi-j2.csv
    "$bin" "${sweep_args[@]}" -j 2 --format jsonl -o alone.jsonl
    mpi "${sweep_args[@]}" -j 1 --format jsonl -o mpi.jsonl
    same alone.jsonl mpi.jsonl
    ;;
  precision)
    # Sequential stopping and the automatic warm-up's pilots: the same
    # batches, so the same replication counts and rows.
    args=(sweep "$mm1" --duration 20s --warmup auto --vary 'workload.arrivals=poisson({400:800:200}/s)'
          --precision 10% --replications 3 --max-replications 24 -q)
    "$bin" "${args[@]}" -j 2 -o alone.csv
    mpi "${args[@]}" -j 1 -o mpi.csv
    same alone.csv mpi.csv
    counts="$(cut -d, -f2 alone.csv | tail -n +2 | sort -u | wc -l)"
    [ "$counts" -gt 1 ] || fail "every point stopped at the same count: the test shows nothing about stopping"
    ;;
  compare)
    args=(compare "$mm1" "$TIERSIM_SOURCE_ROOT/scenarios/mmc.yaml" --set 'workload.arrivals=poisson(500/s)'
          --duration 30s --warmup 1s --replications 5 -q)
    "$bin" "${args[@]}" -j 2 --format json -o alone.json
    mpi "${args[@]}" -j 1 --format json -o mpi.json
    same <(no_wall alone.json) <(no_wall mpi.json)
    "$bin" "${args[@]}" -j 1 --format csv -o alone.csv
    mpi "${args[@]}" -j 2 --format csv -o mpi.csv
    same alone.csv mpi.csv
    ;;
  run)
    args=(run "$mm1" --duration 30s --warmup auto --replications 6 --format json -q)
    "$bin" "${args[@]}" -j 2 -o alone.json
    mpi "${args[@]}" -j 1 -o mpi.json
    same <(no_wall alone.json) <(no_wall mpi.json)
    ;;
  resume)
    # Many long points (about a second each), so that the interrupt falls
    # mid-sweep also on a fast machine: rank 0 writes rows in point order, so
    # with few points they came in one burst and the sweep ended first.
    # Under the sanitizers a tenth of the simulated time takes as long.
    duration=3000s
    [ "${TIERSIM_SANITIZED:-no}" = no ] || duration=300s
    args=(sweep "$mm1" --duration "$duration" --warmup 1s --vary 'workload.arrivals=poisson({300:850:50}/s)'
          --replications 2 -j 1 -q)
    "$bin" "${args[@]}" -o whole.csv
    # Job control: a background job of a script would otherwise ignore SIGINT.
    set -m
    "${mpirun[@]}" "${args[@]}" -o cut.csv 2> mpirun.err &
    pids+=($!)
    set +m
    for _ in $(seq 600); do [ "$(lines cut.csv)" -ge 2 ] && break; sleep 0.05; done
    kill -INT "${pids[0]}"
    status=0
    wait "${pids[0]}" || status=$?
    [ "$status" -ne 0 ] || fail "the interrupted mpirun ended with status 0"
    rows="$(lines cut.csv)"
    [ "$rows" -ge 2 ] && [ "$rows" -lt "$(lines whole.csv)" ] || fail "interrupted with $rows of $(lines whole.csv) lines"
    [ "$(head -c "$(stat -c %s cut.csv)" whole.csv)" = "$(cat cut.csv)" ] || fail "the interrupted file is not a prefix"
    cp cut.csv cut-alone.csv
    mpi "${args[@]}" -o cut.csv
    same whole.csv cut.csv
    "$bin" "${args[@]}" -o cut-alone.csv
    same whole.csv cut-alone.csv
    ;;
  dead-rank)
    args=(sweep "$mm1" --duration 1000s --warmup 1s --vary 'workload.arrivals=poisson({300:800:100}/s)'
          --replications 2 -j 1 -q)
    "$bin" "${args[@]}" -o whole.csv
    "${mpirun[@]}" "${args[@]}" -o killed.csv 2> mpirun.err &
    pids+=($!)
    for _ in $(seq 600); do [ "$(lines killed.csv)" -ge 2 ] && break; sleep 0.05; done
    victim=""
    for p in $(pgrep -f "killed.csv"); do
      if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim="$p"; fi
    done
    [ -n "$victim" ] || fail "rank 1 not found"
    kill -9 "$victim"
    status=0
    wait "${pids[0]}" || status=$?
    [ "$status" -ne 0 ] || fail "mpirun ended with status 0 after a rank was killed"
    grep -q "rank 1 .*exited on signal 9" mpirun.err || { cat mpirun.err >&2; fail "mpirun does not name the dead rank"; }
    grep -q "another rank ended" mpirun.err || { cat mpirun.err >&2; fail "tiersim says nothing of the stop"; }
    rows="$(lines killed.csv)"
    [ "$rows" -ge 2 ] || fail "completed points were lost ($rows lines)"
    [ "$(head -c "$(stat -c %s killed.csv)" whole.csv)" = "$(cat killed.csv)" ] || fail "the kept rows are not a prefix"
    "$bin" "${args[@]}" -o killed.csv
    same whole.csv killed.csv
    ;;
  overload)
    # The overload guard stops a unit on whichever rank: the run fails as one
    # process fails, exit status 3 with the guard's message.
    args=(sweep "$mm1" --duration 20s --warmup 1s --set run.max_in_flight=100
          --vary 'workload.arrivals=poisson({300,600,900,20000}/s)' --replications 3 -j 1 -q)
    status=0
    "$bin" "${args[@]}" -o alone.csv 2> alone.err || status=$?
    [ "$status" -eq 3 ] || fail "alone: status $status"
    # Several times (about 3 s each): a rank that left a thread running past
    # the end of its study crashed in about one run in ten.
    for attempt in 1 2 3 4 5 6; do
      status=0
      mpi "${args[@]}" -o mpi.csv 2> mpi.err || status=$?
      [ "$status" -eq 3 ] || { cat mpi.err >&2; fail "mpirun, run $attempt: status $status"; }
      grep -q "run.max_in_flight (100)" mpi.err || { cat mpi.err >&2; fail "run $attempt: no overload message"; }
      ! grep -q "signal" mpi.err || { cat mpi.err >&2; fail "run $attempt: a rank ended on a signal"; }
    done
    ;;
  refuse)
    # An option the ranks cannot run is refused once, by rank 0, with status 2.
    status=0
    mpi "${sweep_args[@]}" --precision 200% -o never.csv 2> err || status=$?
    [ "$status" -eq 2 ] || fail "status $status for a bad --precision"
    grep -q -- "--precision" err || fail "no message"
    [ ! -e never.csv ] || fail "a refused sweep wrote its output"
    ;;
  without-mpi)
    # Started as one of several MPI processes, a build without MPI refuses
    # rather than run copies that race on the output.
    status=0
    mpi "${sweep_args[@]}" -o never.csv 2> err || status=$?
    [ "$status" -eq 2 ] || fail "status $status"
    grep -q "built without MPI" err || { cat err >&2; fail "no message"; }
    [ ! -e never.csv ] || fail "a refused sweep wrote its output"
    ;;
  *) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
