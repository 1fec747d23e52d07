//! Scaling: generated fact bases of 1,000 to 100,000 facts (see
//! `bench/src/synth.rs`): load-and-index time, memory, and answer latency at each
//! size, with the tantivy peer alongside.
//!
//!     cargo bench -p firstkiss-bench --bench scaling
//!
//! Sizes: 1,000, 3,000, 10,000 and 100,000 facts (or `FIRSTKISS_BENCH_SIZES`, comma
//! separated). A size whose load is predicted, from the two sizes before it, to
//! take longer than `FIRSTKISS_BENCH_MAX_LOAD_S` seconds (default 240) is skipped
//! and reported as such, with the prediction: the loader's cost is what limits the
//! largest base (see BENCHMARKS.md).
//!
//! Each base is generated once. Load time (parse and check, then index) is the
//! median of three loads below 5 s, else one. Memory comes from the `scaling-memory`
//! binary, run in a fresh process per size (with a counting allocator), after this
//! process has dropped its copy of the base. Latency is measured per probe (the median
//! of batched calls, wall clock and thread CPU clock) over 500 probes (80%
//! perturbed phrasings of random facts, 20% off-topic), and by criterion over the
//! whole probe set (group `answer_scaling`). The figures go to
//! `bench/results/scaling.json`, which `scripts/plot_scaling.py` plots.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use firstkiss::reply::Status;
use firstkiss::Engine;
use firstkiss_bench::measure::{median, percentile, time_per_call, Memory};
use firstkiss_bench::peer::Tantivy;
use firstkiss_bench::synth::{self, Probe};
use serde_json::{json, Value};

/// What the bot's binary runs on.
#[global_allocator]
static ALLOCATOR: firstkiss::Allocator = firstkiss::Allocator;

const SIZES: [usize; 4] = [1_000, 3_000, 10_000, 100_000];
const PROBES: usize = 500;
const BATCH: Duration = Duration::from_micros(500);
const SAMPLES: usize = 7;

fn sizes() -> Vec<usize> {
    std::env::var("FIRSTKISS_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().replace('_', "").parse().ok()).collect::<Vec<usize>>())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| SIZES.to_vec())
}

fn max_load_s() -> f64 {
    std::env::var("FIRSTKISS_BENCH_MAX_LOAD_S").ok().and_then(|s| s.parse().ok()).unwrap_or(240.0)
}

fn latencies(probes: &[Probe], mut ask: impl FnMut(&str)) -> Value {
    let timed: Vec<_> = probes.iter().map(|p| time_per_call(|| ask(&p.question), BATCH, SAMPLES)).collect();
    let mut ns: Vec<f64> = timed.iter().map(|t| t.wall_ns).collect();
    let mut cpu: Vec<f64> = timed.iter().map(|t| t.cpu_ns).collect();
    let slowest = (0..timed.len()).max_by(|&a, &b| timed[a].wall_ns.total_cmp(&timed[b].wall_ns)).unwrap_or(0);
    json!({
        "median_ns": median(&mut ns),
        "p90_ns": percentile(&mut ns, 90.0),
        "p99_ns": percentile(&mut ns, 99.0),
        "max_ns": percentile(&mut ns, 100.0),
        "mean_ns": ns.iter().sum::<f64>() / ns.len().max(1) as f64,
        "median_cpu_ns": median(&mut cpu),
        "p99_cpu_ns": percentile(&mut cpu, 99.0),
        "slowest_question": probes.get(slowest).map(|p| p.question.clone()).unwrap_or_default(),
    })
}

/// How a system does on the probes: the generating fact found, another fact
/// answered, or "I don't know"; and off-topic probes correctly declined.
fn accuracy(probes: &[Probe], mut ask: impl FnMut(&str) -> (Status, Option<String>)) -> Value {
    let (mut hit, mut other, mut abstained, mut on_topic, mut declined, mut off_topic) = (0, 0, 0, 0, 0, 0);
    for probe in probes {
        let (status, fact) = ask(&probe.question);
        match &probe.fact {
            Some(expected) => {
                on_topic += 1;
                if status == Status::Unknown {
                    abstained += 1;
                } else if fact.as_ref() == Some(expected) {
                    hit += 1;
                } else {
                    other += 1;
                }
            }
            None => {
                off_topic += 1;
                declined += usize::from(status == Status::Unknown);
            }
        }
    }
    json!({
        "on_topic": on_topic, "generating_fact": hit, "other_fact": other, "abstained": abstained,
        "off_topic": off_topic, "off_topic_declined": declined,
    })
}

fn spawn_memory(facts: usize) -> Option<Child> {
    Command::new(env!("CARGO_BIN_EXE_scaling-memory"))
        .arg(facts.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| eprintln!("cannot run scaling-memory: {e}"))
        .ok()
}

fn collect_memory(child: Option<Child>) -> Value {
    match child.map(Child::wait_with_output) {
        Some(Ok(out)) if out.status.success() => serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        Some(Ok(out)) => {
            eprintln!("scaling-memory failed: {}", String::from_utf8_lossy(&out.stderr));
            Value::Null
        }
        Some(Err(e)) => {
            eprintln!("scaling-memory failed: {e}");
            Value::Null
        }
        None => Value::Null,
    }
}

/// The load time predicted at `facts` from the last two measured sizes (a power law
/// through them), or `None` with fewer than two.
fn predict_load(measured: &[(usize, f64)], facts: usize) -> Option<(f64, f64)> {
    let [.., (n0, t0), (n1, t1)] = measured else { return None };
    let exponent = (t1 / t0).ln() / (*n1 as f64 / *n0 as f64).ln();
    Some((t1 * (facts as f64 / *n1 as f64).powf(exponent), exponent))
}

fn scaling(c: &mut Criterion) {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut measured_loads: Vec<(usize, f64)> = Vec::new();
    let mut group = c.benchmark_group("answer_scaling");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .throughput(Throughput::Elements(PROBES as u64));
    for facts in sizes() {
        if let Some((predicted, exponent)) = predict_load(&measured_loads, facts) {
            if predicted > max_load_s() {
                eprintln!(
                    "scaling: SKIPPING {facts} facts: loading would take about {predicted:.0} s (load time grows as facts^{exponent:.2}; limit FIRSTKISS_BENCH_MAX_LOAD_S={:.0})",
                    max_load_s()
                );
                skipped.push(json!({"facts": facts, "predicted_load_s": predicted, "load_exponent": exponent}));
                continue;
            }
        }
        let start = Instant::now();
        let generated = synth::standard(facts, PROBES);
        let generate_s = start.elapsed().as_secs_f64();
        eprintln!(
            "scaling: {facts} facts generated in {generate_s:.2} s ({:.1} MB of TOML and documents)",
            generated.text_bytes() as f64 / 1e6
        );

        let rss_before = Memory::now();
        let mut parse_s = Vec::new();
        let mut index_s = Vec::new();
        let mut engine: Option<Engine> = None;
        while parse_s.is_empty() || (parse_s.len() < 3 && parse_s[0] + index_s[0] < 5.0) {
            drop(engine.take());
            let start = Instant::now();
            let kb = generated.parse().unwrap_or_else(|e| panic!("the generated base is invalid: {e}"));
            parse_s.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            engine = Some(Engine::new(kb));
            index_s.push(start.elapsed().as_secs_f64());
        }
        let engine = engine.expect("loaded");
        let rss_after = Memory::now();
        let (parse_s, index_s) = (median(&mut parse_s), median(&mut index_s));
        measured_loads.push((facts, parse_s + index_s));
        eprintln!("scaling: {facts} facts loaded: parse and check {parse_s:.3} s + index {index_s:.3} s");

        let start = Instant::now();
        let peer = Tantivy::build(engine.kb()).expect("tantivy indexes the facts");
        let tantivy_index_s = start.elapsed().as_secs_f64();

        let probes = &generated.probes;
        let ours = latencies(probes, |q| {
            std::hint::black_box(engine.ask(q));
        });
        let theirs = latencies(probes, |q| {
            std::hint::black_box(peer.ask(engine.kb(), q));
        });
        // `/fact` autocomplete as a user types: each probe cut halfway through.
        let typing: Vec<Probe> = probes
            .iter()
            .map(|p| Probe {
                question: firstkiss::text::clip(&p.question, p.question.chars().count() / 2).to_string(),
                ..p.clone()
            })
            .collect();
        let autocomplete = latencies(&typing, |typed| {
            std::hint::black_box(engine.complete(typed, 25));
        });
        let ours_accuracy = accuracy(probes, |q| {
            let r = engine.ask(q);
            (r.status, r.fact_id)
        });
        let theirs_accuracy = accuracy(probes, |q| {
            let r = peer.ask(engine.kb(), q);
            (r.status, r.fact_id)
        });
        eprintln!(
            "scaling: {facts} facts: firstkiss median {:.1} µs (CPU {:.1}, p99 {:.1} µs), tantivy median {:.1} µs, autocomplete median {:.1} µs (p99 {:.1} µs); accuracy {ours_accuracy}",
            ours["median_ns"].as_f64().unwrap_or(0.0) / 1e3,
            ours["median_cpu_ns"].as_f64().unwrap_or(0.0) / 1e3,
            ours["p99_ns"].as_f64().unwrap_or(0.0) / 1e3,
            theirs["median_ns"].as_f64().unwrap_or(0.0) / 1e3,
            autocomplete["median_ns"].as_f64().unwrap_or(0.0) / 1e3,
            autocomplete["p99_ns"].as_f64().unwrap_or(0.0) / 1e3,
        );

        group.bench_with_input(BenchmarkId::new("firstkiss", facts), probes, |b, probes| {
            b.iter(|| {
                for p in probes {
                    std::hint::black_box(engine.ask(&p.question));
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("tantivy", facts), probes, |b, probes| {
            b.iter(|| {
                for p in probes {
                    std::hint::black_box(peer.ask(engine.kb(), &p.question));
                }
            })
        });

        let stats = engine.kb().stats();
        let vocabulary = engine.matcher().vocabulary();
        let text_bytes = generated.text_bytes();
        // Memory in a fresh process, once this one has let go of its copy.
        drop(peer);
        drop(engine);
        drop(generated);
        let memory = collect_memory(spawn_memory(facts));
        eprintln!("scaling: {facts} facts: memory {memory}");
        rows.push(json!({
            "facts": facts,
            "questions": stats.questions,
            "citations": stats.citations,
            "sources": stats.sources,
            "vocabulary": vocabulary,
            "text_bytes": text_bytes,
            "generate_s": generate_s,
            "parse_s": parse_s,
            "index_s": index_s,
            "load_s": parse_s + index_s,
            "bench_process_rss_growth_kib": rss_after.rss_kib.saturating_sub(rss_before.rss_kib),
            "memory": memory,
            "firstkiss": ours,
            "firstkiss_accuracy": ours_accuracy,
            "firstkiss_autocomplete": autocomplete,
            "tantivy": theirs,
            "tantivy_accuracy": theirs_accuracy,
            "tantivy_index_s": tantivy_index_s,
        }));
    }
    group.finish();
    let median_at = |i: usize| rows[i]["firstkiss"]["median_ns"].as_f64().unwrap_or(f64::NAN);
    let facts_at = |i: usize| rows[i]["facts"].as_f64().unwrap_or(f64::NAN);
    let exponent = if rows.len() >= 2 {
        let last = rows.len() - 1;
        let e = (median_at(last) / median_at(0)).ln() / (facts_at(last) / facts_at(0)).ln();
        eprintln!(
            "scaling: median answer latency grows as facts^{e:.2} from {} to {} facts",
            facts_at(0),
            facts_at(last)
        );
        Some(e)
    } else {
        None
    };
    firstkiss_bench::write_results(
        "scaling.json",
        &json!({
            "seed": synth::SEED,
            "probes": PROBES,
            "median_growth_exponent": exponent,
            "sizes": rows,
            "skipped": skipped,
        }),
    );
}

criterion_group!(benches, scaling);
criterion_main!(benches);
