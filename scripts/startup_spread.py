#!/usr/bin/env python3
"""Start-up as a process, as a spread: a command of one or more builds, run again and again.

    cargo build --release
    python3 scripts/startup_spread.py [BINARY ...] [N] [--rounds R] [--command "ask who directed it"]

Runs each BINARY's COMMAND (default `validate`) N times (default 30) per round, the
binaries alternated round by round (default 1 round), and prints each one's minimum,
quartiles, median and maximum wall time, from spawn to exit. Alternating is how two
builds are compared on a shared machine, whose load moves more than a build does.
The start-up benchmark (`cargo bench -p firstkiss-bench --bench startup`) reports a
median of seven runs; on a shared machine the spread says more than one median.
"""

import argparse
import os
import statistics
import subprocess
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("args", nargs="*", help="binaries, then optionally the runs per round")
parser.add_argument("--rounds", type=int, default=1)
parser.add_argument("--command", default="validate", help="the arguments, split at spaces")
options = parser.parse_args()
binaries = [a for a in options.args if not a.isdigit()] or ["target/release/firstkiss-bot"]
runs = next((int(a) for a in options.args if a.isdigit()), 30)
command = options.command.split(" ")

env = dict(os.environ)
# As a deployed bot runs: with RUST_BACKTRACE=1, a `validate` process took about
# 5 ms more CPU (perf stat, twice, 2026-12-02).
env.pop("RUST_BACKTRACE", None)
times = {binary: [] for binary in binaries}
for _ in range(options.rounds):
    for binary in binaries:
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([binary, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
            times[binary].append((time.perf_counter() - start) * 1000)
for binary, spread in times.items():
    spread.sort()
    n = len(spread)
    print(
        f"{binary} {' '.join(command)}: {n} runs: min {spread[0]:.1f}  p25 {spread[n // 4]:.1f}"
        f"  median {statistics.median(spread):.1f}  p75 {spread[3 * n // 4]:.1f}  max {spread[-1]:.1f} ms"
    )
