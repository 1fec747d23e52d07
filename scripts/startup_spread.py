#!/usr/bin/env python3
"""Start-up as a process, as a spread: `firstkiss-bot validate` run N times.

    cargo build --release
    python3 scripts/startup_spread.py [BINARY] [N]

Prints the minimum, quartiles, median and maximum wall time, from spawn to exit.
The start-up benchmark (`cargo bench -p firstkiss-bench --bench startup`) reports a
median of seven runs; on a shared machine the spread says more than one median.
"""

import os
import statistics
import subprocess
import sys
import time

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/firstkiss-bot"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
env = dict(os.environ)
env.pop("RUST_BACKTRACE", None)
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run([binary, "validate"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(
    f"{runs} runs: min {times[0]:.1f}  p25 {times[runs // 4]:.1f}  median {statistics.median(times):.1f}"
    f"  p75 {times[3 * runs // 4]:.1f}  max {times[-1]:.1f} ms"
)
