#!/bin/sh
# Time-to-verdict, mmn's explorer against SPIN, on the same machine in one run.
# Run from the repository root after: mvn -q -pl runtime,bench -am package -DskipTests
# SPIN: spin -a, cc -O2 -DSAFETY, ./pan (the whole pipeline, as `spin -run` does it).
# mmn:  a fresh JVM running one explore (JVM start-up included).
set -e
JAR=bench/target/benchmarks.jar
WORK=$(mktemp -d)
cp bench/spin/munmap.pml "$WORK/"
now() { date +%s.%N; }
row() { # name spin-define mmn-scenario
    cd "$WORK"
    t0=$(now)
    spin $2 -a munmap.pml >/dev/null
    cc -O2 -DSAFETY -o pan pan.c
    ./pan > pan.out 2>&1 || true
    t1=$(now)
    verdict=$(grep -o 'errors: [0-9]*' pan.out)
    stored=$(grep -o '[0-9]* states, stored' pan.out)
    cd - >/dev/null
    t2=$(now)
    out=$(java -cp "$JAR" mmn.bench.ExploreOnce "$3" 1)
    t3=$(now)
    s=$(echo "$t1 - $t0" | bc -l); m=$(echo "$t3 - $t2" | bc -l); ratio=$(echo "$m / $s" | bc -l)
    printf '%-18s spin %.3f s (%s, %s)   mmn %.3f s (%s)   mmn/spin %.2f\n' "$1" "$s" "$verdict" "$stored" "$m" "$out" "$ratio"
}
row munmap-range "" MUNMAP_RANGE
row munmap-start-only "-DSTART_ONLY" MUNMAP_START_ONLY
rm -rf "$WORK"
