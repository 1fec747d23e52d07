#!/usr/bin/env python3
"""Prints the table of BENCHMARKS.md from the figures the benchmarks wrote in
bench/results/*.json (answer, scaling, startup, end_to_end, accuracy).

    python3 scripts/bench_summary.py
"""

import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")


def load(name):
    path = os.path.join(RESULTS, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def us(ns):
    return f"{ns / 1e3:.1f} µs"


def verdict(value, target, lower_is_better=True):
    ok = value <= target if lower_is_better else value >= target
    if ok:
        return "met"
    return f"**missed** ({value / target:.1f}x)"


def row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")


def main():
    print("| Figure | Measured | Target | Verdict | Command |")
    print("| --- | --- | --- | --- | --- |")
    answer = load("answer.json")
    if answer:
        fk, tv = answer["firstkiss"], answer["tantivy"]
        cmd = "`cargo bench -p firstkiss-bench --bench answer`"
        row("Answer, shipped base, median of the 46 dev questions", f"{us(fk['median_ns'])} (CPU {us(fk['median_cpu_ns'])})", "≤ 10 µs", verdict(fk["median_ns"], 10_000), cmd)
        row(f"Answer, slowest dev question ({fk['slowest_question']!r})", us(fk["slowest_ns"]), "≤ 100 µs", verdict(fk["slowest_ns"], 100_000), cmd)
        row("Tantivy BM25 top-1 (peer), median / slowest", f"{us(tv['median_ns'])} / {us(tv['slowest_ns'])} ({tv['slowest_question']!r})", "", "", cmd)
        row("Tantivy / firstkiss median latency", f"{answer['median_ratio_tantivy_over_firstkiss']:.1f}x", "", "", cmd)
        acc = answer["accuracy"]
        for name in ("firstkiss", "tantivy"):
            a = acc[name]
            row(f"Dev-set accuracy, {name}", f"answer {a['answer_pass']}/{a['answer_all']}, abstain {a['abstain_pass']}/{a['abstain_all']}", "", "", "`cargo run --release -p firstkiss-bench --bin accuracy`")
    scaling = load("scaling.json")
    if scaling:
        cmd = "`cargo bench -p firstkiss-bench --bench scaling`"
        for r in scaling["sizes"]:
            m = r.get("memory") or {}
            heap = m.get("engine_heap_bytes", 0) / 2**20
            peak = m.get("rss_peak_kib", 0) / 1024
            target = "≤ 1 ms" if r["facts"] == 100_000 else ""
            v = verdict(r["firstkiss"]["median_ns"], 1_000_000) if target else ""
            row(f"{r['facts']:,} facts: answer median / p99 (tantivy median)", f"{us(r['firstkiss']['median_ns'])} / {us(r['firstkiss']['p99_ns'])} ({us(r['tantivy']['median_ns'])})", target, v, cmd)
            row(f"{r['facts']:,} facts: load (parse+check / index)", f"{r['load_s']:.2f} s ({r['parse_s']:.2f} / {r['index_s']:.2f})", "", "", cmd)
            row(f"{r['facts']:,} facts: engine heap / peak RSS", f"{heap:.1f} MiB / {peak:.1f} MiB", "", "", cmd)
        for s in scaling.get("skipped", []):
            row(f"{s['facts']:,} facts", f"not measured: load predicted {s['predicted_load_s'] / 3600:.1f} h (grows as facts^{s['load_exponent']:.2f})", "≤ 1 ms answer", "**blocked**", cmd)
        if scaling.get("median_growth_exponent") is not None:
            k = scaling["median_growth_exponent"]
            row("Answer median growth exponent (facts^k)", f"k = {k:.2f}", "k < 1 (sublinear)", "met" if k < 1 else "**missed** (linear)", cmd)
    startup = load("startup.json")
    if startup:
        cmd = "`cargo build --release && cargo bench -p firstkiss-bench --bench startup`"
        row("Start-up in process (`Engine::load(None)`)", f"{startup['engine_load_in_process_median_s'] * 1e3:.1f} ms", "≤ 50 ms", verdict(startup["engine_load_in_process_median_s"], 0.050), cmd)
        p = startup.get("process")
        if p:
            row("Start-up as a process (`firstkiss-bot validate`), wall (CPU)", f"{p['validate_median_s'] * 1e3:.1f} ms ({p['validate_cpu_median_s'] * 1e3:.1f} ms)", "≤ 50 ms", verdict(p["validate_median_s"], 0.050), cmd)
            row(f"`ask --json --batch`: t(1) / t({p['batch_n']:,})", f"{p['batch_1_median_s'] * 1e3:.1f} ms / {p['batch_n_median_s'] * 1e3:.0f} ms", "", "", cmd)
            row("`ask --json --batch`: per question beyond start-up, wall (CPU)", f"{p['per_question_s'] * 1e6:.1f} µs ({p['per_question_cpu_s'] * 1e6:.1f} µs)", "≤ 20 µs", verdict(p["per_question_s"], 20e-6), cmd)
        row("Same questions in process: ask / ask + JSON, wall (CPU)", f"{startup['in_process_ask_per_question_s'] * 1e6:.1f} µs ({startup.get('in_process_ask_per_question_cpu_s', 0) * 1e6:.1f}) / {startup['in_process_ask_json_per_question_s'] * 1e6:.1f} µs ({startup.get('in_process_ask_json_per_question_cpu_s', 0) * 1e6:.1f})", "", "", cmd)
    e2e = load("end_to_end.json")
    if e2e:
        cmd = "`cargo bench -p firstkiss-bench --bench end_to_end`"
        bursts = e2e["bursts"]
        mid = sorted(bursts, key=lambda b: b["p99_ms"])[len(bursts) // 2]
        row(f"End to end, {e2e['burst_size']:,} `/ask` at once: throughput", f"{mid['throughput_per_s']:,.0f} /s (drained in {mid['wall_s'] * 1e3:.0f} ms)", "", "", cmd)
        row(f"End to end, {e2e['burst_size']:,} at once: median / p99", f"{mid['median_ms']:.0f} ms / {mid['p99_ms']:.0f} ms", "p99 ≤ 50 ms", verdict(mid["p99_ms"], 50), cmd)
        s = e2e["one_at_a_time"]
        row("End to end, one at a time: median / p99", f"{s['median_ms']:.2f} ms / {s['p99_ms']:.1f} ms", "p99 ≤ 50 ms", verdict(s["p99_ms"], 50), cmd)
        if "one_every_60ms" in e2e:
            s = e2e["one_every_60ms"]
            row("End to end, one every 60 ms: median / p99", f"{s['median_ms']:.2f} ms / {s['p99_ms']:.2f} ms", "p99 ≤ 50 ms", verdict(s["p99_ms"], 50), cmd)
        if "cpu_per_interaction_us" in mid:
            row(f"End to end, {e2e['burst_size']:,} at once: CPU per interaction (bot and mock), cores busy", f"{mid['cpu_per_interaction_us']:.0f} µs, {mid['cores_busy']:.2f} of 2", "", "", cmd)
        m = e2e["memory"]
        rss = (m["rss_before_kib"] / 1024, m["rss_after_kib"] / 1024, m["rss_after_prune_kib"] / 1024)
        row(f"RSS before / after {m['interactions']:,} more interactions / after the bot's next prune", f"{rss[0]:.1f} / {rss[1]:.1f} / {rss[2]:.1f} MiB", "no growth", verdict(rss[2], rss[0] * 1.01), cmd)
        row(f"Live heap growth over those {m['interactions']:,} / after the prune", f"{m['heap_growth_bytes'] / 2**20:+.2f} MiB ({m['heap_growth_per_interaction_bytes']:+.0f} B per interaction) / {m['heap_growth_after_prune_bytes'] / 2**20:+.2f} MiB", "no growth", verdict(m["heap_growth_after_prune_bytes"], 64 * 1024), cmd)
        r = e2e.get("serenity_ratelimiter")
        if r:
            row(f"serenity rate-limit buckets after {r['callbacks']:,} callbacks / after a prune", f"{r['buckets_before']} → {r['buckets_after']} ({r['per_callback_bytes']:.0f} B each) / {r['buckets_after_prune']}", "", "", cmd)

if __name__ == "__main__":
    main()
