//! End to end through the mock Discord: the real bot (serenity, unchanged) and the
//! mock in this process on loopback, as `tests/discord.rs` runs them.
//!
//!     cargo bench -p firstkiss-bench --bench end_to_end
//!
//! Latency is from dispatch (the mock queued the INTERACTION_CREATE on the gateway
//! connection) to the moment the bot's handler for that interaction finished, which
//! is right after the mock recorded the `/callback` request and answered it 204: the
//! bot's own tracing span for the interaction closes then, and a tracing layer
//! installed here notes the time. (The mock's `Recorded` carries no timestamp, and
//! polling `MockDiscord::requests()` clones every recorded request each time, which
//! would load the machine it measures.) After each burst, `requests()` is read once
//! to check that every interaction got exactly its 204 callback.
//!
//! Measured: bursts of 1,000 `/ask` at once (throughput, median, p99), the same one
//! at a time (unloaded latency; also criterion group `end_to_end`), and memory
//! before and after 10,000 more interactions: resident set from /proc and live heap
//! from a counting allocator, the mock's record of requests emptied after each
//! burst, and again after the bot has pruned serenity's rate-limit buckets. Last,
//! serenity's HTTP client alone sends 5,000 interaction callbacks to the mock, to
//! measure what its rate limiter keeps per interaction and what pruning leaves.
//!
//! Then the same through the interactions endpoint (`serve`), side by side: another
//! bot with no gateway, and the mock's signing client posting each `/ask` as Discord
//! does, over one HTTP/2 connection. Latency there is from the POST to its response
//! (which carries the answer), the requests signed before the clock starts, as
//! Discord signs on its own machines; the CPU is the process's (bot and client).
//! Figures go to `bench/results/end_to_end.json`.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use firstkiss::discord::{self, Metrics, Secret, Services, Settings, Verifier};
use firstkiss::engine::SharedEngine;
use firstkiss::mock::{self, Fan, MockDiscord, Sent, GUILD};
use firstkiss::Engine;
use firstkiss_bench::dev;
use firstkiss_bench::measure::{median, mib, percentile, process_cpu_ns, CountingAlloc, Heap, Memory};
use serde_json::{json, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const BURST: usize = 1_000;
const WARM_UP_BURSTS: usize = 6;
const MEASURED_BURSTS: usize = 3;
const MEMORY_RUN: usize = 10_000;
const ONE_AT_A_TIME: usize = 200;
const PACED: usize = 100;
const PATIENCE: Duration = Duration::from_secs(120);

/// When each interaction's handler finished, by interaction id.
#[derive(Default)]
struct Completions {
    at: Mutex<HashMap<u64, Instant>>,
    count: AtomicUsize,
    notify: tokio::sync::Notify,
}

fn completions() -> &'static Completions {
    static COMPLETIONS: OnceLock<Completions> = OnceLock::new();
    COMPLETIONS.get_or_init(Completions::default)
}

/// Notes when the bot's `interaction` span (one per interaction, see
/// src/discord/handler.rs) closes.
struct InteractionTimes;

struct InteractionId(u64);

struct IdField(Option<u64>);

impl Visit for IdField {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "id" {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for InteractionTimes {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut field = IdField(None);
        attrs.record(&mut field);
        if let (Some(interaction), Some(span)) = (field.0, ctx.span(id)) {
            span.extensions_mut().insert(InteractionId(interaction));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let now = Instant::now();
        let Some(span) = ctx.span(&id) else { return };
        let Some(&InteractionId(interaction)) = span.extensions().get::<InteractionId>() else { return };
        let done = completions();
        done.at.lock().unwrap_or_else(|e| e.into_inner()).insert(interaction, now);
        done.count.fetch_add(1, Ordering::SeqCst);
        done.notify.notify_one();
    }
}

fn install_timing_layer() {
    let layer = InteractionTimes.with_filter(tracing_subscriber::filter::filter_fn(|meta| {
        meta.is_span() && meta.name() == "interaction" && meta.target().starts_with("firstkiss")
    }));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
        .expect("no other subscriber is installed");
}

struct Bot {
    mock: MockDiscord,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), discord::BotError>>,
    questions: Vec<String>,
    next_user: u64,
    /// Interactions answered but not yet checked against the mock's record.
    unverified: Vec<u64>,
}

impl Bot {
    async fn start() -> Bot {
        let mock = MockDiscord::start().await.expect("the mock starts");
        let engine = Arc::new(SharedEngine::new(Engine::load(None).expect("the shipped fact base is valid")));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let endpoint = mock.endpoint();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            discord::run(&Secret::new("mock-token"), Settings::default(), engine, &endpoint, shutdown).await
        });
        assert!(mock.ready(1, Duration::from_secs(20)).await, "the bot never got ready");
        let questions = dev::dev_cases().into_iter().map(|c| c.q).filter(|q| !q.trim().is_empty()).collect();
        Bot { mock, stop: Some(stop), task, questions, next_user: 100, unverified: Vec::new() }
    }

    /// Sends `count` `/ask` at once and waits for every answer; returns each
    /// interaction's latency in seconds, the time from the first dispatch to the
    /// last answer, and the CPU time the process (bot and mock) spent meanwhile.
    async fn burst(&mut self, count: usize) -> (Vec<f64>, Duration, f64) {
        let done = completions();
        let target = done.count.load(Ordering::SeqCst) + count;
        let mut sent: Vec<(u64, Instant)> = Vec::with_capacity(count);
        let start = Instant::now();
        let cpu_start = process_cpu_ns();
        for i in 0..count {
            let question = json!(self.questions[(self.next_user as usize + i) % self.questions.len()]);
            let fan = Fan::new(self.next_user + i as u64, "fan");
            // The clock starts before the mock builds and queues the event: on two
            // cores this thread can be preempted right after queuing it, long enough
            // for the answer to come back.
            let dispatched = Instant::now();
            match self.mock.command(mock::general(GUILD), &fan, "ask", &[("question", question)]) {
                Sent::Interaction { id, .. } => sent.push((id, dispatched)),
                Sent::Message { .. } | Sent::Reaction { .. } => unreachable!("a command is an interaction"),
            }
        }
        self.next_user += count as u64;
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while done.count.load(Ordering::SeqCst) < target {
            if tokio::time::timeout_at(deadline, done.notify.notified()).await.is_err() {
                panic!("only {} of {count} interactions answered", count + done.count.load(Ordering::SeqCst) - target);
            }
        }
        let cpu_ns = process_cpu_ns() - cpu_start;
        let mut at = done.at.lock().unwrap_or_else(|e| e.into_inner());
        let mut last = start;
        let latencies = sent
            .iter()
            .map(|(id, dispatched)| {
                let finished = at.remove(id).unwrap_or_else(|| panic!("no completion for interaction {id}"));
                last = last.max(finished);
                finished.duration_since(*dispatched).as_secs_f64()
            })
            .collect();
        drop(at);
        self.unverified.extend(sent.iter().map(|(id, _)| *id));
        (latencies, last.duration_since(start), cpu_ns)
    }

    /// Every interaction sent since the last check got exactly one callback, and it
    /// succeeded (one read of the mock's record, outside any measurement, which also
    /// empties the record so that it does not grow through a long run).
    fn verify(&mut self) {
        let wanted: HashSet<u64> = self.unverified.drain(..).collect();
        let mut answered: HashMap<u64, usize> = HashMap::new();
        for request in self.mock.take_requests() {
            let id = request
                .path
                .strip_prefix("/interactions/")
                .and_then(|rest| rest.split('/').next())
                .and_then(|id| id.parse::<u64>().ok());
            if let Some(id) = id.filter(|id| wanted.contains(id)) {
                assert!(request.path.ends_with("/callback") && request.status == 204, "{request:?}");
                *answered.entry(id).or_default() += 1;
            }
        }
        assert_eq!(answered.len(), wanted.len(), "every interaction answered");
        assert!(answered.values().all(|&n| n == 1), "each exactly once");
    }

    /// Heap bytes held by the mock's record of requests, and how many: measured by
    /// copying it (a copy allocates what the record holds, except the unused
    /// capacity of its vector, estimated from the vector's doubling).
    fn recorded_bytes(&self) -> (usize, usize) {
        let before = Heap::now();
        let copy = self.mock.requests();
        let bytes = Heap::since(before).max(0.0) as usize;
        let len = copy.len();
        drop(copy);
        let capacity = len.next_power_of_two().max(4);
        (bytes + (capacity - len) * std::mem::size_of::<mock::Recorded>(), len)
    }

    async fn stop(mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        let _ = tokio::time::timeout(Duration::from_secs(20), self.task).await;
    }
}

/// The bot behind the interactions endpoint alone, and a client posting to it.
struct Served {
    mock: MockDiscord,
    client: Arc<mock::endpoint::Client>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), discord::BotError>>,
    questions: Vec<String>,
    next_user: u64,
}

impl Served {
    async fn start(questions: Vec<String>) -> Served {
        let mock = MockDiscord::start().await.expect("the mock starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let client = mock::endpoint::Client::http2(listener.local_addr().expect("an address")).expect("a client");
        let verifier = Verifier::from_hex(&mock::endpoint::public_key()).expect("the mock's key");
        let services = Services {
            gateway: false,
            endpoint: Some((listener, verifier)),
            metrics_listener: None,
            metrics: Metrics::new(),
            recorder: None,
        };
        let engine = Arc::new(SharedEngine::new(Engine::load(None).expect("the shipped fact base is valid")));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let endpoint = mock.endpoint();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            discord::start(None, Settings::default(), engine, &endpoint, services, shutdown).await
        });
        Served { mock, client: Arc::new(client), stop: Some(stop), task, questions, next_user: 100 }
    }

    /// Posts `count` `/ask` at once; each one's latency in seconds, the time from the
    /// first POST to the last response, and the CPU time the process spent meanwhile.
    /// Every response must be 200 with an answer.
    async fn burst(&mut self, count: usize) -> (Vec<f64>, Duration, f64) {
        let signed: Vec<_> = (0..count)
            .map(|i| {
                let question = json!(self.questions[(self.next_user as usize + i) % self.questions.len()]);
                let fan = Fan::new(self.next_user + i as u64, "fan");
                let (_, interaction) =
                    self.mock.command_interaction(mock::general(GUILD), &fan, "ask", &[("question", question)]);
                self.client.sign(interaction.to_string().into_bytes(), mock::endpoint::Tamper::None)
            })
            .collect();
        self.next_user += count as u64;
        let start = Instant::now();
        let cpu_start = process_cpu_ns();
        let posts = signed.into_iter().map(|request| {
            let client = self.client.clone();
            tokio::spawn(async move {
                let posted = Instant::now();
                let answer = client.send(request).await;
                (posted.elapsed(), answer)
            })
        });
        let answers = futures::future::join_all(posts).await;
        let wall = start.elapsed();
        let cpu_ns = process_cpu_ns() - cpu_start;
        let latencies = answers
            .into_iter()
            .map(|joined| {
                let (elapsed, answer) = joined.expect("no panic");
                let answer = answer.expect("the endpoint answers");
                assert_eq!((answer.status, answer.json["type"].as_u64()), (200, Some(4)), "{}", answer.text);
                elapsed.as_secs_f64()
            })
            .collect();
        (latencies, wall, cpu_ns)
    }

    async fn stop(mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        let _ = tokio::time::timeout(Duration::from_secs(20), self.task).await;
    }
}

/// What both delivery paths offer the measurement: a burst of `/ask`s, with each
/// one's latency in seconds, the wall time and the CPU time in nanoseconds.
trait Burst {
    async fn burst(&mut self, count: usize) -> (Vec<f64>, Duration, f64);
}

impl Burst for Bot {
    async fn burst(&mut self, count: usize) -> (Vec<f64>, Duration, f64) {
        Bot::burst(self, count).await
    }
}

impl Burst for Served {
    async fn burst(&mut self, count: usize) -> (Vec<f64>, Duration, f64) {
        Served::burst(self, count).await
    }
}

fn warm_up(runtime: &tokio::runtime::Runtime, path: &mut impl Burst) {
    for _ in 0..WARM_UP_BURSTS {
        runtime.block_on(path.burst(BURST));
    }
}

/// The measured bursts, each summarised and logged under `label`.
fn measured_bursts(runtime: &tokio::runtime::Runtime, path: &mut impl Burst, label: &str) -> Vec<Value> {
    (0..MEASURED_BURSTS)
        .map(|_| {
            let (latencies, wall, cpu_ns) = runtime.block_on(path.burst(BURST));
            let summary = burst_summary(&latencies, wall, cpu_ns);
            eprintln!("end_to_end: {label}burst of {BURST}: {summary}");
            summary
        })
        .collect()
}

/// Questions one after another, none waiting for another.
fn one_at_a_time(runtime: &tokio::runtime::Runtime, path: &mut impl Burst, label: &str) -> Value {
    let mut single = Vec::new();
    let start = Instant::now();
    for _ in 0..ONE_AT_A_TIME {
        single.extend(runtime.block_on(path.burst(1)).0);
    }
    let single = latency_summary(&single, start.elapsed());
    eprintln!("end_to_end: {label}one at a time: {single}");
    single
}

/// The bursts and the one-at-a-time run, through the endpoint.
fn measure_endpoint(runtime: &tokio::runtime::Runtime, questions: Vec<String>) -> Value {
    let mut served = runtime.block_on(Served::start(questions));
    warm_up(runtime, &mut served);
    let bursts = measured_bursts(runtime, &mut served, "endpoint: ");
    let single = one_at_a_time(runtime, &mut served, "endpoint: ");
    runtime.block_on(served.stop());
    json!({"bursts": bursts, "one_at_a_time": single})
}

/// A measured burst's latencies, with the CPU it took (both paths report alike).
fn burst_summary(latencies: &[f64], wall: Duration, cpu_ns: f64) -> Value {
    let mut summary = latency_summary(latencies, wall);
    summary["cpu_ms"] = json!(cpu_ns / 1e6);
    summary["cpu_per_interaction_us"] = json!(cpu_ns / 1e3 / latencies.len().max(1) as f64);
    summary["cores_busy"] = json!(cpu_ns / 1e9 / wall.as_secs_f64());
    summary
}

fn latency_summary(latencies: &[f64], wall: Duration) -> Value {
    let mut ms: Vec<f64> = latencies.iter().map(|s| s * 1e3).collect();
    json!({
        "interactions": ms.len(),
        "wall_s": wall.as_secs_f64(),
        "throughput_per_s": ms.len() as f64 / wall.as_secs_f64(),
        "median_ms": median(&mut ms),
        "p90_ms": percentile(&mut ms, 90.0),
        "p99_ms": percentile(&mut ms, 99.0),
        "max_ms": percentile(&mut ms, 100.0),
    })
}

/// What serenity's rate limiter keeps per interaction: a fresh serenity `Http` (as
/// the bot builds it for the mock) sends `count` interaction callbacks; returns the
/// number of rate-limit buckets it then holds and the heap it grew by, outside the
/// mock's record of requests.
async fn ratelimiter_growth(bot: &Bot, count: usize) -> Value {
    let http = discord::http(&Secret::new("mock-token"), &bot.mock.endpoint()).expect("an HTTP client");
    let body = json!({"type": 4, "data": {"content": "ok", "allowed_mentions": {"parse": []}}});
    let buckets = |http: &serenity::all::Http| http.ratelimiter.as_ref().map(|r| r.routes());
    // Warm up the connection, then measure.
    for i in 0..10u64 {
        let id = serenity::all::InteractionId::new(1_000_000 + i);
        http.create_interaction_response(id, "token", &body, vec![]).await.expect("the mock answers");
    }
    let (recorded_before, _) = bot.recorded_bytes();
    let heap_before = Heap::now();
    let routes_before = match buckets(&http) {
        Some(routes) => routes.read().await.len(),
        None => 0,
    };
    for i in 0..count as u64 {
        let id = serenity::all::InteractionId::new(2_000_000 + i);
        http.create_interaction_response(id, "token", &body, vec![]).await.expect("the mock answers");
    }
    let routes_after = match buckets(&http) {
        Some(routes) => routes.read().await.len(),
        None => 0,
    };
    let heap_growth = Heap::since(heap_before);
    let (recorded_after, _) = bot.recorded_bytes();
    let growth = heap_growth - (recorded_after as f64 - recorded_before as f64);
    // What the bot does every `PRUNE_EVERY`.
    let ratelimiter = http.ratelimiter.as_ref().expect("the bot's Http has a rate limiter");
    let (_, routes_pruned) = discord::ratelimits::prune(ratelimiter).await;
    let heap_pruned = Heap::since(heap_before);
    let (recorded_pruned, _) = bot.recorded_bytes();
    let growth_pruned = heap_pruned - (recorded_pruned as f64 - recorded_before as f64);
    json!({
        "callbacks": count,
        "buckets_before": routes_before,
        "buckets_after": routes_after,
        "heap_growth_outside_mock_bytes": growth,
        "per_callback_bytes": growth / count as f64,
        "buckets_after_prune": routes_pruned,
        "heap_growth_outside_mock_after_prune_bytes": growth_pruned,
    })
}

fn main() {
    install_timing_layer();
    // The latency figures are taken without the counting allocator's cost.
    Heap::set_counting(false);
    let mut criterion = Criterion::default().configure_from_args();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let mut bot = runtime.block_on(Bot::start());

    // Warm up: connections, buffers, and the mock's replay log (4,096 dispatches) full.
    warm_up(&runtime, &mut bot);
    bot.verify();
    let bursts = measured_bursts(&runtime, &mut bot, "");
    let single = one_at_a_time(&runtime, &mut bot, "");
    bot.verify();

    // The same, paced: one every 60 ms, longer than Linux's delayed-ACK timer
    // (40 ms), to tell a stall of Nagle's algorithm waiting for a delayed ACK on a
    // loopback socket from work.
    let mut paced = Vec::new();
    let start = Instant::now();
    for _ in 0..PACED {
        paced.extend(runtime.block_on(bot.burst(1)).0);
        std::thread::sleep(Duration::from_millis(60));
    }
    let paced = latency_summary(&paced, start.elapsed());
    bot.verify();
    eprintln!("end_to_end: one every 60 ms: {paced}");

    let mut group = criterion.benchmark_group("end_to_end");
    group.sample_size(20).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    group.bench_function(BenchmarkId::new("ask_round_trip", "one at a time"), |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let (latencies, ..) = runtime.block_on(bot.burst(1));
                total += Duration::from_secs_f64(latencies[0]);
            }
            total
        })
    });
    group.finish();
    bot.verify();

    // Memory: 10,000 more interactions, in bursts of 1,000, each checked (which
    // empties the mock's record of requests), so that what is left is the bot's and
    // the mock's working state. The heap after each burst: a leak shows as a steady
    // slope; warm-up effects would flatten out. Then a wait for the bot's periodic
    // pruning of serenity's rate-limit buckets (see src/discord/ratelimits.rs).
    // Count allocations from here on only (see `Heap::set_counting`).
    Heap::set_counting(true);
    bot.verify();
    let (heap_before, rss_before) = (Heap::now(), Memory::now());
    let mut steps = vec![0.0];
    for _ in 0..MEMORY_RUN / BURST {
        runtime.block_on(bot.burst(BURST));
        bot.verify();
        steps.push(Heap::since(heap_before));
    }
    let (heap_growth, rss_after) = (Heap::since(heap_before), Memory::now());
    runtime.block_on(async { tokio::time::sleep(discord::ratelimits::PRUNE_EVERY + Duration::from_secs(1)).await });
    let (heap_pruned, rss_pruned) = (Heap::since(heap_before), Memory::now());
    let mut per_burst: Vec<f64> = steps.windows(2).map(|w| (w[1] - w[0]) / BURST as f64).collect();
    let memory = json!({
        "interactions": MEMORY_RUN,
        "rss_before_kib": rss_before.rss_kib,
        "rss_after_kib": rss_after.rss_kib,
        "rss_after_prune_kib": rss_pruned.rss_kib,
        "rss_peak_kib": rss_pruned.hwm_kib,
        "heap_growth_bytes": heap_growth,
        "heap_growth_per_interaction_bytes": heap_growth / MEMORY_RUN as f64,
        "heap_growth_after_prune_bytes": heap_pruned,
        "heap_after_each_burst_bytes": steps,
        "median_growth_per_interaction_by_burst_bytes": median(&mut per_burst),
    });
    eprintln!(
        "end_to_end: {MEMORY_RUN} interactions: RSS {:.1} -> {:.1} MiB ({:.1} after pruning); live heap grew {:.2} MiB ({:.0} bytes per interaction; median per burst {:.0}), {:.2} MiB after pruning",
        rss_before.rss_kib as f64 / 1024.0,
        rss_after.rss_kib as f64 / 1024.0,
        rss_pruned.rss_kib as f64 / 1024.0,
        mib(heap_growth),
        heap_growth / MEMORY_RUN as f64,
        memory["median_growth_per_interaction_by_burst_bytes"].as_f64().unwrap_or(0.0),
        mib(heap_pruned),
    );
    let ratelimiter = runtime.block_on(ratelimiter_growth(&bot, 5_000));
    eprintln!("end_to_end: serenity's rate limiter after 5,000 callbacks: {ratelimiter}");
    let questions = bot.questions.clone();
    runtime.block_on(bot.stop());
    let endpoint = measure_endpoint(&runtime, questions);
    firstkiss_bench::write_results(
        "end_to_end.json",
        &json!({
            "burst_size": BURST,
            "worker_threads": 2,
            "bursts": bursts,
            "one_at_a_time": single,
            "one_every_60ms": paced,
            "memory": memory,
            "serenity_ratelimiter": ratelimiter,
            "endpoint": endpoint,
        }),
    );
    criterion.final_summary();
}
