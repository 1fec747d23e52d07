//! Answer latency on the shipped fact base, firstkiss against the tantivy peer, and
//! both systems' accuracy on the dev set.
//!
//!     cargo bench -p firstkiss-bench --bench answer
//!
//! Criterion measures each system over the whole dev set (group `answer_dev`, per
//! question as throughput) and on the dev set's median and slowest question (group
//! `answer_question`). Before that, every dev question is timed alone (median of
//! batched calls) to find the median and the slowest one; the figures go to
//! `bench/results/answer.json`. Then each constructed worst input
//! (`firstkiss_bench::hostile`) is timed the same way, against that median: the work
//! per question must stay within a small constant of an ordinary question's.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use firstkiss::Engine;
use firstkiss_bench::measure::{median, percentile, time_per_call};
use firstkiss_bench::peer::Tantivy;
use firstkiss_bench::{dev, hostile};
use serde_json::json;

/// What the bot's binary runs on.
#[global_allocator]
static ALLOCATOR: firstkiss::Allocator = firstkiss::Allocator;

/// One timing batch and how many batches per question.
const BATCH: Duration = Duration::from_millis(2);
const SAMPLES: usize = 21;

struct Timed {
    question: String,
    /// Wall-clock nanoseconds per call (the figure reported).
    ns: f64,
    /// Thread CPU nanoseconds per call (insensitive to preemption).
    cpu_ns: f64,
}

fn per_question(questions: &[String], mut ask: impl FnMut(&str)) -> Vec<Timed> {
    questions
        .iter()
        .map(|q| {
            let t = time_per_call(|| ask(q), BATCH, SAMPLES);
            Timed { question: q.clone(), ns: t.wall_ns, cpu_ns: t.cpu_ns }
        })
        .collect()
}

fn summary(timed: &[Timed]) -> serde_json::Value {
    let mut ns: Vec<f64> = timed.iter().map(|t| t.ns).collect();
    let mut cpu: Vec<f64> = timed.iter().map(|t| t.cpu_ns).collect();
    let slowest = timed.iter().max_by(|a, b| a.ns.total_cmp(&b.ns)).expect("questions");
    let slowest_cpu = timed.iter().max_by(|a, b| a.cpu_ns.total_cmp(&b.cpu_ns)).expect("questions");
    json!({
        "median_ns": median(&mut ns),
        "p90_ns": percentile(&mut ns, 90.0),
        "mean_ns": ns.iter().sum::<f64>() / ns.len() as f64,
        "slowest_ns": slowest.ns,
        "slowest_question": slowest.question,
        "median_cpu_ns": median(&mut cpu),
        "slowest_cpu_ns": slowest_cpu.cpu_ns,
        "slowest_cpu_question": slowest_cpu.question,
        "per_question": timed.iter().map(|t| json!({"q": t.question, "ns": t.ns, "cpu_ns": t.cpu_ns})).collect::<Vec<_>>(),
    })
}

fn answer(c: &mut Criterion) {
    let cases = dev::dev_cases();
    let questions: Vec<String> = cases.iter().map(|c| c.q.clone()).collect();

    let start = Instant::now();
    let engine = Engine::load(None).expect("the shipped fact base is valid");
    let ours_load = start.elapsed();
    let start = Instant::now();
    let peer = Tantivy::build(engine.kb()).expect("tantivy indexes the facts");
    let theirs_index = start.elapsed();
    let kb = engine.kb();

    let ours_score = dev::score(&cases, |q| engine.ask(q));
    let theirs_score = dev::score(&cases, |q| peer.ask(kb, q));

    let ours = per_question(&questions, |q| {
        std::hint::black_box(engine.ask(q));
    });
    let theirs = per_question(&questions, |q| {
        std::hint::black_box(peer.ask(kb, q));
    });
    let ranking_only = per_question(&questions, |q| {
        std::hint::black_box(engine.matcher().rank(q));
    });
    let (ours_summary, theirs_summary) = (summary(&ours), summary(&theirs));
    let median_ns = ours_summary["median_ns"].as_f64().unwrap_or(1.0);
    let hostile: Vec<serde_json::Value> = hostile::inputs()
        .into_iter()
        .map(|h| {
            let t = time_per_call(|| std::hint::black_box(engine.ask(&h.question)), BATCH, SAMPLES);
            eprintln!("  hostile: {:.2} µs = {:.1}× the median: {}", t.wall_ns / 1e3, t.wall_ns / median_ns, h.name);
            json!({"input": h.name, "chars": h.question.chars().count(), "ns": t.wall_ns, "cpu_ns": t.cpu_ns, "times_median": t.wall_ns / median_ns})
        })
        .collect();
    let ratio = theirs_summary["median_ns"].as_f64().unwrap_or(0.0) / ours_summary["median_ns"].as_f64().unwrap_or(1.0);
    eprintln!(
        "answer latency on the shipped base ({} dev questions, each timed alone):\n  firstkiss: median {:.2} µs (CPU {:.2}), slowest {:.2} µs ({:?})\n  tantivy:   median {:.2} µs (CPU {:.2}), slowest {:.2} µs ({:?})\n  tantivy/firstkiss median ratio: {ratio:.2}\n  firstkiss ranking alone: median {:.2} µs\n  accuracy: firstkiss {}\n            tantivy   {}",
        questions.len(),
        ours_summary["median_ns"].as_f64().unwrap_or(0.0) / 1e3,
        ours_summary["median_cpu_ns"].as_f64().unwrap_or(0.0) / 1e3,
        ours_summary["slowest_ns"].as_f64().unwrap_or(0.0) / 1e3,
        ours_summary["slowest_question"].as_str().unwrap_or(""),
        theirs_summary["median_ns"].as_f64().unwrap_or(0.0) / 1e3,
        theirs_summary["median_cpu_ns"].as_f64().unwrap_or(0.0) / 1e3,
        theirs_summary["slowest_ns"].as_f64().unwrap_or(0.0) / 1e3,
        theirs_summary["slowest_question"].as_str().unwrap_or(""),
        summary(&ranking_only)["median_ns"].as_f64().unwrap_or(0.0) / 1e3,
        ours_score.summary(),
        theirs_score.summary(),
    );
    firstkiss_bench::write_results(
        "answer.json",
        &json!({
            "questions": questions.len(),
            "firstkiss": ours_summary,
            "firstkiss_rank_only": summary(&ranking_only),
            "hostile": hostile,
            "tantivy": theirs_summary,
            "median_ratio_tantivy_over_firstkiss": ratio,
            "firstkiss_load_s": ours_load.as_secs_f64(),
            "tantivy_index_s": theirs_index.as_secs_f64(),
            "tantivy_segments": peer.segments(),
            "accuracy": {"firstkiss": ours_score, "tantivy": theirs_score},
        }),
    );

    let mut group = c.benchmark_group("answer_dev");
    group.throughput(Throughput::Elements(questions.len() as u64));
    group.sample_size(30).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    group.bench_function(BenchmarkId::new("firstkiss", "dev"), |b| {
        b.iter(|| {
            for q in &questions {
                std::hint::black_box(engine.ask(q));
            }
        })
    });
    group.bench_function(BenchmarkId::new("tantivy", "dev"), |b| {
        b.iter(|| {
            for q in &questions {
                std::hint::black_box(peer.ask(kb, q));
            }
        })
    });
    group.finish();

    // Our median and slowest questions, for both systems.
    let mut by_time: Vec<&Timed> = ours.iter().collect();
    by_time.sort_by(|a, b| a.ns.total_cmp(&b.ns));
    let picks = [("median", by_time[by_time.len() / 2]), ("slowest", by_time[by_time.len() - 1])];
    let mut group = c.benchmark_group("answer_question");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(30)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    for (label, timed) in picks {
        eprintln!("answer_question/*/{label}: {:?}", timed.question);
        group.bench_with_input(BenchmarkId::new("firstkiss", label), &timed.question, |b, q| b.iter(|| engine.ask(q)));
        group.bench_with_input(BenchmarkId::new("tantivy", label), &timed.question, |b, q| b.iter(|| peer.ask(kb, q)));
    }
    group.finish();
}

criterion_group!(benches, answer);
criterion_main!(benches);
