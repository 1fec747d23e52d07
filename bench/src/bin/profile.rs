//! A loop to run under a profiler (`perf record -g`), on one of the benchmarked paths:
//!
//!     profile load [SECONDS]         Engine::load(None), again and again
//!     profile ask [SECONDS]          the dev questions through Engine::ask
//!     profile batch [SECONDS]        20,000 perturbed dev questions through ask and
//!                                    the command line's JSON (as `ask --json --batch`)
//!     profile synth FACTS [SECONDS]  the probes of a generated base of FACTS facts
//!     profile reach FACTS            per probe: how many facts its words reach, and
//!                                    its answer time (why the slowest are slow)
//!     profile hostile                each constructed worst input's answer time,
//!                                    against the median dev question's
//!     profile seeds DIR              writes the worst inputs as fuzz seeds to DIR
//!
//! Build it with `--profile profiling` (release, with line tables), so `perf report`
//! names source lines.

use std::time::{Duration, Instant};

use firstkiss::Engine;
use firstkiss_bench::measure::{median, time_per_call};
use firstkiss_bench::{dev, hostile, synth};

/// What the bot's binary runs on, as in the benchmarks.
#[global_allocator]
static ALLOCATOR: firstkiss::Allocator = firstkiss::Allocator;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map_or("ask", String::as_str);
    match mode {
        "hostile" => return hostile(),
        "seeds" => return seeds(args.get(1).map_or("fuzz/corpus/answer", String::as_str)),
        _ => {}
    }
    if mode == "reach" {
        reach(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000));
        return;
    }
    let number = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (questions, engine, seconds): (Vec<String>, Option<Engine>, u64) = match mode {
        "load" => (Vec::new(), None, number(1, 10)),
        "synth" => {
            let generated = synth::standard(number(1, 1_000) as usize, 500);
            let engine = Engine::new(generated.parse().unwrap_or_else(|e| panic!("{e}")));
            (generated.probes.into_iter().map(|p| p.question).collect(), Some(engine), number(2, 10))
        }
        "batch" => {
            let cases = dev::dev_cases();
            let mut rng = firstkiss_bench::rng::Rng::new(synth::SEED);
            let questions = (0..20_000).map(|i| synth::perturb(&mut rng, &cases[i % cases.len()].q)).collect();
            (questions, Some(Engine::load(None).expect("valid")), number(1, 10))
        }
        _ => (
            dev::dev_cases().into_iter().map(|c| c.q).collect(),
            Some(Engine::load(None).expect("valid")),
            number(1, 10),
        ),
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut rounds = 0u64;
    while Instant::now() < deadline {
        match &engine {
            None => {
                std::hint::black_box(Engine::load(None).expect("valid"));
            }
            Some(engine) => {
                let mut sink = Vec::new();
                for q in &questions {
                    let reply = engine.ask(q);
                    if mode == "batch" {
                        sink.clear();
                        let _ = serde_json::to_writer(&mut sink, &firstkiss::render::json(&reply));
                    }
                    std::hint::black_box((&reply, &sink));
                }
            }
        }
        rounds += 1;
    }
    eprintln!("{mode}: {rounds} rounds in {seconds} s");
}

/// For each probe of a generated base: the facts its terms reach (every fact the
/// ranking scores above zero) and the time to answer it; printed for the median
/// probe and the slowest 1%.
fn reach(facts: usize) {
    let generated = synth::standard(facts, 500);
    let engine = Engine::new(generated.parse().unwrap_or_else(|e| panic!("{e}")));
    let mut rows: Vec<(f64, usize, String)> = generated
        .probes
        .iter()
        .map(|p| {
            let t = firstkiss_bench::measure::time_per_call(|| engine.ask(&p.question), Duration::from_micros(300), 5);
            let reached = engine.matcher().rank_top(&p.question, facts).ranked.len();
            (t.cpu_ns, reached, p.question.clone())
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let median = &rows[rows.len() / 2];
    println!("{facts} facts: median probe {:.1} µs reaching {} facts ({:?})", median.0 / 1e3, median.1, median.2);
    let mut reached: Vec<f64> = rows.iter().map(|r| r.1 as f64).collect();
    println!(
        "reach: median {} facts, p99 {}",
        firstkiss_bench::measure::median(&mut reached),
        firstkiss_bench::measure::percentile(&mut reached, 99.0)
    );
    for (ns, reached, q) in rows.iter().rev().take(rows.len() / 100 + 1) {
        println!("slow: {:.1} µs reaching {reached} facts: {q:?}", ns / 1e3);
    }
}

/// Each worst input's time per answer, next to the median dev question's.
fn hostile() {
    let engine = Engine::load(None).expect("the shipped fact base is valid");
    if let Ok(name) = std::env::var("HOSTILE_ONLY") {
        let q = hostile::inputs().into_iter().find(|h| h.name.contains(&name)).map(|h| h.question).unwrap_or_default();
        for _ in 0..100_000 {
            std::hint::black_box(engine.ask(&q));
        }
        return;
    }
    let per_call =
        |q: &str| time_per_call(|| std::hint::black_box(engine.ask(q)), Duration::from_millis(2), 21).wall_ns;
    let mut dev: Vec<f64> = dev::dev_cases().iter().map(|c| per_call(&c.q)).collect();
    let median = median(&mut dev);
    eprintln!("median dev question: {:.2} µs", median / 1e3);
    for h in hostile::inputs() {
        let ns = per_call(&h.question);
        eprintln!("{:>9.2} µs {:>5.1}×  {}", ns / 1e3, ns / median, h.name);
    }
}

/// The worst inputs as files, one per input, for the answer fuzz target's corpus.
fn seeds(dir: &str) {
    for (i, h) in hostile::inputs().iter().enumerate() {
        let path = std::path::Path::new(dir).join(format!("seed-hostile-{i:02}"));
        if let Err(e) = std::fs::write(&path, &h.question) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        }
    }
}
