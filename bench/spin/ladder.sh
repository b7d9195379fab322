#!/bin/sh
# The SPIN ladder: time to verdict of `mmn check` against SPIN on every rung
# (pages P x threads T, strategies range and start-only), whole processes, alternately.
#
# Run from the repository root after: mvn -B -ntp -q install -DskipTests
#   sh bench/spin/ladder.sh                     # every rung: P in 2 4 8 12, T in 2 3 4
#   RUNGS="2x2 4x3" sh bench/spin/ladder.sh     # some rungs
# Environment: TIMEOUT (seconds per tool and rung, default 300), MMN_ARGS (default
# "--threads 1 --max-states 5000000": the search is timed, not the default budget of a
# million states), HEAP (mmn's -Xmx, default 2g), PAN_MEM (pan's -DMEMLIM in MB, default
# 2048), MMN (the command, default ./mmn: the launcher, with its JVM options for `check`
# and its class-data archive, as a user runs it). Everything runs under `nice -n 19`.
#
# Per rung and strategy: `RungOnce --script` writes the .mmn (bench/.../Rung.java),
# bench/spin/rung-pml.sh writes the Promela twin; then, in alternating order (SPIN first on
# even rows, mmn first on odd ones):
#   SPIN: spin -a rung.pml; gcc -O2 -DSAFETY -DMEMLIM=$PAN_MEM pan.c; ./pan   (timed whole)
#   mmn:  MMN_JAVA_OPTS=-Xmx$HEAP ./mmn check $MMN_ARGS rung.mmn               (timed whole,
#         JVM start-up included)
# and checks the verdicts: range must be coherent and start-only a violation for both
# tools (mmn: use-after-free). A tool that runs past TIMEOUT is killed and its cell says
# "timeout"; an mmn explore that passes its state bound says "inconclusive" (exit 3). Prints one row per rung: verdicts, times, states, mmn time / SPIN time.
set -u
MMN=${MMN:-./mmn}
TIMEOUT=${TIMEOUT:-300}
MMN_ARGS=${MMN_ARGS:---threads 1 --max-states 5000000}
HEAP=${HEAP:-2g}
PAN_MEM=${PAN_MEM:-2048}
RUNGS=${RUNGS:-"2x2 2x3 2x4 4x2 4x3 4x4 8x2 8x3 8x4 12x2 12x3 12x4"}
ROOT=$(pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
now() { date +%s.%N; }
status=0
row=0

spin_run() { # dir
    cd "$1"
    timeout "$TIMEOUT" nice -n 19 sh -c "spin -a rung.pml >spin.out 2>&1 && gcc -O2 -DSAFETY -DMEMLIM=$PAN_MEM -o pan pan.c 2>gcc.out && ./pan >pan.out 2>&1"
    echo $? > spin.rc
    cd "$ROOT"
}

mmn_run() { # dir
    # shellcheck disable=SC2086
    MMN_JAVA_OPTS="-Xmx$HEAP" timeout "$TIMEOUT" nice -n 19 $MMN check $MMN_ARGS "$1/rung.mmn" > "$1/mmn.out" 2>&1
    echo $? > "$1/mmn.rc"
}

$MMN --version > /dev/null 2>&1 # a first run builds the jar and its class-data archive: not timed
printf 'uptime: %s\n' "$(uptime)"
printf '%-18s %-10s %-10s %-8s %10s %12s %10s %14s %8s\n' rung spin mmn verdicts "spin s" "spin stored" "mmn s" "mmn distinct" mmn/spin
for r in $RUNGS; do
    p=${r%x*} t=${r#*x}
    for s in range start-only; do
        d="$WORK/$r-$s"
        mkdir -p "$d"
        java -cp bench/target/benchmarks.jar mmn.bench.RungOnce --script "$r:$s" "$d/rung.mmn"
        sh bench/spin/rung-pml.sh "$p" "$t" "$s" > "$d/rung.pml"
        if [ $((row % 2)) -eq 0 ]; then
            t0=$(now); spin_run "$d"; t1=$(now); mmn_run "$d"; t2=$(now)
            st=$(echo "$t1 - $t0" | bc -l); mt=$(echo "$t2 - $t1" | bc -l)
        else
            t0=$(now); mmn_run "$d"; t1=$(now); spin_run "$d"; t2=$(now)
            mt=$(echo "$t1 - $t0" | bc -l); st=$(echo "$t2 - $t1" | bc -l)
        fi
        row=$((row + 1))
        if [ "$(cat "$d/spin.rc")" = 124 ]; then sv=timeout
        else
            errors=$(grep -o 'errors: [0-9]*' "$d/pan.out" 2>/dev/null | grep -o '[0-9]*$' || true)
            case "$errors" in 0) sv=coherent ;; '') sv=failed ;; *) sv=violation ;; esac
        fi
        stored=$(grep -o '[0-9]* states, stored' "$d/pan.out" 2>/dev/null | grep -o '^[0-9]*' || echo -)
        if [ "$(cat "$d/mmn.rc")" = 124 ]; then mv=timeout
        elif [ "$(cat "$d/mmn.rc")" = 3 ]; then mv=inconclusive # a bound (max-states) cut the explore short
        elif grep -q 'explore: coherent over every interleaving' "$d/mmn.out"; then mv=coherent
        elif grep -q 'explore: use-after-free on' "$d/mmn.out"; then mv=violation
        else mv=failed
        fi
        distinct=$(grep -o '[0-9]* distinct' "$d/mmn.out" | head -1 | grep -o '[0-9]*' || echo -)
        want=coherent; [ "$s" = start-only ] && want=violation
        if [ "$sv" = "$want" ] && [ "$mv" = "$want" ]; then same=agree
        elif [ "$sv" = timeout ] || [ "$mv" = timeout ]; then same=timeout
        elif [ "$mv" = inconclusive ]; then same=bound
        else same=MISMATCH; status=1; tail -n 5 "$d/pan.out" "$d/mmn.out" >&2
        fi
        ratio=$(echo "$mt / $st" | bc -l)
        printf '%-18s %-10s %-10s %-8s %10.2f %12s %10.2f %14s %8.2f\n' "$r:$s" "$sv" "$mv" "$same" "$st" "${stored:--}" "$mt" "${distinct:--}" "$ratio"
    done
done
printf 'uptime: %s\n' "$(uptime)"
exit $status
