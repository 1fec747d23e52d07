//! Start-up and the command line's streaming path.
//!
//!     cargo build --release            # the binary under test: target/release/firstkiss-bot
//!     cargo bench -p firstkiss-bench --bench startup
//!
//! - In process: `Engine::load(None)` (read back the built-in base as `build.rs`
//!   compiled it, checked and indexed, and learn its model), criterion group
//!   `startup`, id `engine_load/in-process`; and `Engine::new(KnowledgeBase::load(..))`
//!   on the shipped `knowledge.toml` (parse and check the same base from its file,
//!   build the index, learn the model: what an edited base costs, which is not the
//!   compiled one), id `engine_load/from-file`.
//! - As a process: `firstkiss-bot validate`, from spawn to exit, id
//!   `validate/process` (this includes exec, dynamic linking, argument parsing and
//!   logging set-up, then the same load, and printing one line).
//! - Streaming: `firstkiss-bot ask --json --batch` over 1 and over 20,000 questions
//!   (dev questions repeated with perturbations), stdout drained through a pipe; the
//!   cost per question beyond start-up is (t(20000) - t(1)) / 19999, medians of 7 runs.
//!   The same loop in process (ask, then ask + JSON) splits that cost. CPU time of
//!   each process (getrusage) is reported beside its wall time: on a shared machine
//!   the wall time includes waiting for a core.
//!
//! The binary is looked up beside this benchmark's own binaries (the same target
//! directory's `release/`), or at `$FIRSTKISS_BOT_BIN`. Figures go to
//! `bench/results/startup.json`.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use firstkiss::knowledge::KnowledgeBase;
use firstkiss::{render, Engine};
use firstkiss_bench::measure::{median, thread_cpu_ns};
use firstkiss_bench::rng::Rng;
use firstkiss_bench::{dev, synth};
use serde_json::json;

/// What the bot's binary runs on.
#[global_allocator]
static ALLOCATOR: firstkiss::Allocator = firstkiss::Allocator;

const BATCH_QUESTIONS: usize = 20_000;
const RUNS: usize = 7;

fn bot_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FIRSTKISS_BOT_BIN") {
        return Some(PathBuf::from(path));
    }
    let beside = PathBuf::from(env!("CARGO_BIN_EXE_accuracy")).parent()?.join("firstkiss-bot");
    beside.exists().then_some(beside)
}

/// CPU time (user + system) of every child process waited for so far, in seconds.
fn children_cpu_s() -> f64 {
    // SAFETY: getrusage fills one rusage through a valid pointer.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return 0.0;
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// One run of the bot: wall time, CPU time, and lines of output.
struct Run {
    wall: Duration,
    cpu_s: f64,
    lines: usize,
}

/// Runs `bot args` with `input` on stdin and drains stdout.
fn run(bot: &PathBuf, args: &[&str], input: &[u8]) -> Run {
    let cpu_before = children_cpu_s();
    let start = Instant::now();
    let mut child = Command::new(bot)
        .args(args)
        .env_remove("FIRSTKISS_KNOWLEDGE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the bot starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let mut output = Vec::new();
    child.stdout.take().expect("stdout").read_to_end(&mut output).expect("the output");
    let status = child.wait().expect("the bot exits");
    let wall = start.elapsed();
    let cpu_s = children_cpu_s() - cpu_before;
    let _ = writer.join();
    assert!(status.success(), "{bot:?} {args:?} failed");
    Run { wall, cpu_s, lines: output.iter().filter(|&&b| b == b'\n').count() }
}

/// The engine of the base at `file`, parsed from its text: `Engine::load` would
/// read the shipped file, identical to the built-in base, as compiled.
fn from_file(file: &std::path::Path) -> Engine {
    Engine::new(KnowledgeBase::load(file).expect("valid"))
}

/// The shipped `knowledge.toml`, beside its `sources/`, as a curator edits it.
fn shipped_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../knowledge.toml")
}

/// `count` questions: the dev questions repeated, most of them perturbed.
fn batch_questions(count: usize) -> Vec<String> {
    let cases = dev::dev_cases();
    let mut rng = Rng::new(synth::SEED);
    (0..count)
        .map(|i| {
            let q = &cases[i % cases.len()].q;
            let q = if i < cases.len() { q.clone() } else { synth::perturb(&mut rng, q) };
            // One question per line: a question must not contain a line break.
            q.replace(['\n', '\r'], " ")
        })
        .collect()
}

fn startup(c: &mut Criterion) {
    let bot = bot_binary();
    let mut group = c.benchmark_group("startup");
    group.sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    group.bench_function(BenchmarkId::new("engine_load", "in-process"), |b| {
        b.iter(|| Engine::load(None).expect("valid"))
    });
    let file = shipped_file();
    group.bench_function(BenchmarkId::new("engine_load", "from-file"), |b| b.iter(|| from_file(&file)));
    if let Some(bot) = &bot {
        group
            .bench_function(BenchmarkId::new("validate", "process"), |b| b.iter(|| run(bot, &["validate"], b"").lines));
    }
    group.finish();

    // Our own medians, for the report.
    let mut load: Vec<f64> = (0..30)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(Engine::load(None).expect("valid"));
            start.elapsed().as_secs_f64()
        })
        .collect();
    let load_s = median(&mut load);
    let mut from_file: Vec<f64> = (0..30)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(from_file(&file));
            start.elapsed().as_secs_f64()
        })
        .collect();
    let from_file_s = median(&mut from_file);
    let questions = batch_questions(BATCH_QUESTIONS);
    let engine = Engine::load(None).expect("valid");
    let n = questions.len() as f64;
    let (start, cpu) = (Instant::now(), thread_cpu_ns());
    for q in &questions {
        std::hint::black_box(engine.ask(q));
    }
    let (ask_only_s, ask_only_cpu_s) = (start.elapsed().as_secs_f64() / n, (thread_cpu_ns() - cpu) / 1e9 / n);
    let mut sink = Vec::with_capacity(1 << 20);
    let (start, cpu) = (Instant::now(), thread_cpu_ns());
    for q in &questions {
        sink.clear();
        serde_json::to_writer(&mut sink, &render::json(&engine.ask(q))).expect("JSON");
        sink.push(b'\n');
        std::hint::black_box(&sink);
    }
    let (ask_json_s, ask_json_cpu_s) = (start.elapsed().as_secs_f64() / n, (thread_cpu_ns() - cpu) / 1e9 / n);
    eprintln!(
        "startup: Engine::load(None) in process: median {:.2} ms; from knowledge.toml: median {:.2} ms; in process per question: ask {:.2} µs (CPU {:.2}), ask + JSON {:.2} µs (CPU {:.2})",
        load_s * 1e3,
        from_file_s * 1e3,
        ask_only_s * 1e6,
        ask_only_cpu_s * 1e6,
        ask_json_s * 1e6,
        ask_json_cpu_s * 1e6
    );

    let mut process = json!(null);
    match &bot {
        None => eprintln!(
            "startup: no firstkiss-bot binary beside the benchmarks; run `cargo build --release` with the same CARGO_TARGET_DIR, or set FIRSTKISS_BOT_BIN: skipping the process figures"
        ),
        Some(bot) => {
            let one = format!("{}\n", questions[0]);
            let all = questions.join("\n") + "\n";
            let (mut validate, mut validate_cpu) = (Vec::new(), Vec::new());
            let (mut t1, mut tn, mut c1, mut cn) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..RUNS {
                let r = run(bot, &["validate"], b"");
                validate.push(r.wall.as_secs_f64());
                validate_cpu.push(r.cpu_s);
                let r = run(bot, &["ask", "--json", "--batch"], one.as_bytes());
                assert_eq!(r.lines, 1);
                t1.push(r.wall.as_secs_f64());
                c1.push(r.cpu_s);
                let r = run(bot, &["ask", "--json", "--batch"], all.as_bytes());
                assert_eq!(r.lines, BATCH_QUESTIONS, "one JSON line per question");
                tn.push(r.wall.as_secs_f64());
                cn.push(r.cpu_s);
            }
            let (validate_s, t1_s, tn_s) = (median(&mut validate), median(&mut t1), median(&mut tn));
            let (validate_cpu_s, c1_s, cn_s) = (median(&mut validate_cpu), median(&mut c1), median(&mut cn));
            let per_question_s = (tn_s - t1_s) / (BATCH_QUESTIONS - 1) as f64;
            let per_question_cpu_s = (cn_s - c1_s) / (BATCH_QUESTIONS - 1) as f64;
            eprintln!(
                "startup: `firstkiss-bot validate` median {:.2} ms (CPU {:.2} ms); `ask --json --batch`: t(1) {:.2} ms, t({BATCH_QUESTIONS}) {:.1} ms, {:.2} µs per question beyond start-up (CPU {:.2} µs)",
                validate_s * 1e3,
                validate_cpu_s * 1e3,
                t1_s * 1e3,
                tn_s * 1e3,
                per_question_s * 1e6,
                per_question_cpu_s * 1e6
            );
            process = json!({
                "binary": bot.display().to_string(),
                "validate_median_s": validate_s,
                "validate_cpu_median_s": validate_cpu_s,
                "batch_1_median_s": t1_s,
                "batch_1_cpu_median_s": c1_s,
                "batch_n": BATCH_QUESTIONS,
                "batch_n_median_s": tn_s,
                "batch_n_cpu_median_s": cn_s,
                "batch_input_bytes": all.len(),
                "per_question_s": per_question_s,
                "per_question_cpu_s": per_question_cpu_s,
                "runs": RUNS,
            });
        }
    }
    firstkiss_bench::write_results(
        "startup.json",
        &json!({
            "engine_load_in_process_median_s": load_s,
            "engine_load_from_file_median_s": from_file_s,
            "in_process_ask_per_question_s": ask_only_s,
            "in_process_ask_per_question_cpu_s": ask_only_cpu_s,
            "in_process_ask_json_per_question_s": ask_json_s,
            "in_process_ask_json_per_question_cpu_s": ask_json_cpu_s,
            "process": process,
        }),
    );
}

criterion_group!(benches, startup);
criterion_main!(benches);
