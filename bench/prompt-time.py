#!/usr/bin/env python3
"""Time to the REPL's first prompt, as a user at a terminal sees it.

Each command runs in a pty (80x24); the prompt counts as ready when the line editor
switches bracketed paste on (ESC [ ? 2004 h), which JLine writes just before it draws
"mmn> " and starts reading keys. Then ":quit" is typed and the process's CPU time
(user + system, itself and its children, from wait4) is collected.

The commands are run in turn, N rounds (alternating, so a change in the machine's
load hits every command alike); min and median per command are printed, with
/proc/loadavg before and after. Not run by any test.

    python3 bench/prompt-time.py -n 10 "./mmn repl" "no-archive::MMN_NO_CDS=1 ./mmn repl"

A command may be given a label to print instead of it: "LABEL::COMMAND".
"""
import argparse
import os
import pty
import select
import signal
import statistics
import struct
import sys
import time

try:
    import fcntl
    import termios
except ImportError:  # not Unix: no pty
    sys.exit("prompt-time.py needs a Unix pty")

READY = b"\x1b[?2004h"


def once(command, timeout):
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("sh", ["sh", "-c", command])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    ready = None
    deadline = start + timeout
    while ready is None and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if READY in seen:
            ready = time.monotonic() - start
    if ready is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
        raise RuntimeError("no prompt from %r within %.0f s; output: %r" % (command, timeout, seen[-300:]))
    os.write(fd, b":quit\r")
    end = time.monotonic() + timeout
    while time.monotonic() < end:  # drain until the child closes the pty
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
    _, status, usage = os.wait4(pid, 0)
    os.close(fd)
    return ready, usage.ru_utime + usage.ru_stime, status


def _command(c, labels):
    return c.split("::", 1)[1] if "::" in c else c


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=10, help="rounds (default 10)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1: page cache, archives)")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("commands", nargs="+")
    a = ap.parse_args()
    labels = {c: c.split("::", 1)[0] if "::" in c else c for c in a.commands}
    load = lambda: open("/proc/loadavg").read().split()[:3]
    print("load before:", " ".join(load()), " nproc:", os.cpu_count())
    for _ in range(a.warmup):
        for c in a.commands:
            once(_command(c, labels), a.timeout)
    walls = {c: [] for c in a.commands}
    cpus = {c: [] for c in a.commands}
    for _ in range(a.n):
        for c in a.commands:
            w, cpu, _ = once(_command(c, labels), a.timeout)
            walls[c].append(w)
            cpus[c].append(cpu)
    print("load after: ", " ".join(load()))
    print("%-60s %9s %9s %9s %9s" % ("command (%d runs)" % a.n, "wall min", "wall med", "CPU min", "CPU med"))
    for c in a.commands:
        print("%-60s %8.3fs %8.3fs %8.3fs %8.3fs" % (
            labels[c][:60], min(walls[c]), statistics.median(walls[c]), min(cpus[c]), statistics.median(cpus[c])))


if __name__ == "__main__":
    main()
