#!/bin/sh
# Time to verdict, `mmn check` against SPIN, on the same machine in one run.
#
# Run from the repository root after: mvn -B -ntp -q install -DskipTests
#
# mmn:  java -jar repl/target/mmn.jar check scripts/explore/SCENARIO.mmn [MMN_ARGS]
#       (the command a user runs: JVM start-up, parsing, setup, the explore, the report)
# SPIN: spin [-DVARIANT] -run -DSAFETY MODEL.pml   (in a scratch directory)
#       `-run` is the whole pipeline: spin -a (generate pan.c), cc -DSAFETY (compile
#       pan), ./pan (verify); -DSAFETY compiles a safety-only verifier (assertions and
#       invalid end states, no acceptance cycles), which is what explore checks.
#
# Both tools must reach the same verdict (coherent / violation) on every scenario; the
# script says MISMATCH and exits 1 otherwise. The ratio is mmn time / SPIN time (below
# 1: mmn reaches the verdict first). Each row also shows the tools' own search times
# (pan's "elapsed time", the explore's statistics line) to separate the search from
# start-up and compilation.
#
# Environment: MMN_ARGS (e.g. "--threads 1"), JAR (default repl/target/mmn.jar).
set -e
JAR=${JAR:-repl/target/mmn.jar}
ROOT=$(pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
now() { date +%s.%N; }
status=0

row() { # scenario model spin-define
    scenario=$1 model=$2 define=$3
    mkdir -p "$WORK/$scenario"
    cp "$ROOT/bench/spin/$model" "$WORK/$scenario/"
    cd "$WORK/$scenario"
    t0=$(now)
    # shellcheck disable=SC2086
    spin $define -run -DSAFETY "$model" > pan.out 2>&1 || true
    t1=$(now)
    cd "$ROOT"
    errors=$(grep -o 'errors: [0-9]*' "$WORK/$scenario/pan.out" | grep -o '[0-9]*' || echo "?")
    stored=$(grep -o '[0-9]* states, stored' "$WORK/$scenario/pan.out" | grep -o '^[0-9]*' || echo "?")
    pantime=$(sed -n 's/.*elapsed time \([0-9.e+-]*\) seconds.*/\1/p' "$WORK/$scenario/pan.out" | head -1)
    case "$errors" in
        0) sv=coherent ;;
        ''|'?') sv="spin-failed"; cat "$WORK/$scenario/pan.out" >&2 ;;
        *) sv=violation ;;
    esac
    t2=$(now)
    # shellcheck disable=SC2086
    java -jar "$JAR" check "scripts/explore/$scenario.mmn" $MMN_ARGS > "$WORK/$scenario/mmn.out" 2>&1 || true
    t3=$(now)
    if grep -q 'explore: coherent over every interleaving' "$WORK/$scenario/mmn.out"; then
        mv=coherent
    elif grep -q 'explore: [a-z-]* on .* in [0-9]* steps' "$WORK/$scenario/mmn.out"; then
        mv=violation
    else
        mv="mmn-failed"; cat "$WORK/$scenario/mmn.out" >&2
    fi
    kind=$(grep -o 'explore: [a-z-]* on' "$WORK/$scenario/mmn.out" | head -1 | sed 's/explore: //; s/ on//')
    stats=$(grep -o '[0-9]* distinct, [0-9]* transitions, depth [0-9]*, [0-9.]* s' "$WORK/$scenario/mmn.out" | head -1)
    s=$(echo "$t1 - $t0" | bc -l); m=$(echo "$t3 - $t2" | bc -l); ratio=$(echo "$m / $s" | bc -l)
    same=same; [ "$sv" = "$mv" ] || { same=MISMATCH; status=1; }
    printf '%-34s %-9s %-9s %-8s spin %6.3f s (pan %s s, %s stored)  mmn %6.3f s (%s%s)  mmn/spin %.2f\n' \
        "$scenario" "$sv" "$mv" "$same" "$s" "${pantime:-?}" "$stored" "$m" "${kind:+$kind; }" "$stats" "$ratio"
}

printf '%-34s %-9s %-9s %-8s\n' scenario spin mmn verdicts
row start-only-munmap             munmap1.pml -DSTART_ONLY
row mirror-interval-munmap          mirror.pml ""
row mirror-interval-no-retry-munmap mirror.pml -DNO_RETRY
row range-319-cow                   cow.pml    ""
row end-only-cow                    cow.pml    -DEND_ONLY
exit $status
