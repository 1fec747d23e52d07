//! What the running bot counts, for Prometheus: questions by outcome, how long
//! answers take, button clicks, reloads, gateway reconnects by reason, failed REST
//! requests by status, and which fact base is loaded. Served as text on `/metrics`
//! (see `serve`), beside `/healthz` and `/readyz`.
//!
//! Each bot has a recorder of its own rather than the process-wide one the `metrics`
//! macros write to, so that two bots in one process (the tests run many) never count
//! each other's questions.

use std::hash::Hasher;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Label, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::engine::SharedEngine;
use crate::reply::{Reply, Status};

/// The answer latency histogram's buckets, in seconds: answering takes tens of
/// microseconds, a reply over REST a few milliseconds, and Discord gives up at 3 s.
const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
/// How often recorded latencies are folded into the histogram between scrapes, so
/// that samples do not pile up when nobody scrapes.
pub const UPKEEP_EVERY: Duration = Duration::from_secs(5);

pub const QUESTIONS: &str = "firstkiss_questions_total";
pub const ANSWER_SECONDS: &str = "firstkiss_answer_seconds";
pub const CLICKS: &str = "firstkiss_button_clicks_total";
pub const RELOADS: &str = "firstkiss_reloads_total";
pub const RECONNECTS: &str = "firstkiss_gateway_reconnects_total";
pub const SHARDS_CONNECTED: &str = "firstkiss_gateway_shards_connected";
pub const REST_ERRORS: &str = "firstkiss_rest_errors_total";
pub const REJECTED: &str = "firstkiss_http_rejected_total";
pub const FACT_BASE: &str = "firstkiss_fact_base_info";

/// How a question ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    /// Answered with every side of a disagreement between the documents.
    Contested,
    /// "I don't know", with suggestions.
    Unknown,
    /// A question the documents are known to leave open (an `[[unknown]]` entry).
    Gap,
    SmallTalk,
}

impl Outcome {
    pub const ALL: [Outcome; 5] =
        [Outcome::Answered, Outcome::Contested, Outcome::Unknown, Outcome::Gap, Outcome::SmallTalk];

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Contested => "contested",
            Outcome::Unknown => "unknown",
            Outcome::Gap => "gap",
            Outcome::SmallTalk => "small_talk",
        }
    }

    /// The outcome of `reply` to `question`.
    pub fn of(question: &str, reply: &Reply) -> Outcome {
        match reply.status {
            Status::Answered => Outcome::Answered,
            Status::Contested => Outcome::Contested,
            Status::Unknown if reply.gap.is_some() => Outcome::Gap,
            Status::Unknown if crate::smalltalk::classify(question).is_some() => Outcome::SmallTalk,
            Status::Unknown => Outcome::Unknown,
        }
    }
}

/// The bot's metrics. Cloning shares them.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    questions: [Counter; 5],
    latency: Histogram,
    shards_connected: Gauge,
    /// The shards connected, and how many there are, for `/readyz`.
    connected: AtomicUsize,
    expected: AtomicUsize,
    /// Whether an interactions endpoint is taking requests, for `/readyz`.
    serving: AtomicBool,
    /// The fact base last reported, by the address of its engine, and its version.
    fact_base: Mutex<Option<(usize, String)>>,
}

fn metadata() -> Metadata<'static> {
    Metadata::new(module_path!(), metrics::Level::INFO, Some(module_path!()))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let builder = PrometheusBuilder::new();
        // The name and buckets are constants: this cannot fail.
        let builder = builder
            .set_buckets_for_metric(metrics_exporter_prometheus::Matcher::Full(ANSWER_SECONDS.into()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let describe = |name: &'static str, unit: Option<Unit>, help: &'static str| {
            recorder.describe_counter(KeyName::from_const_str(name), unit, SharedString::const_str(help));
        };
        describe(QUESTIONS, None, "Questions asked, by outcome (answered, contested, unknown, gap, small_talk).");
        describe(CLICKS, None, "Button clicks, by button.");
        describe(RELOADS, None, "Fact base reloads (SIGHUP or /reload), by result.");
        describe(RECONNECTS, None, "Gateway connections lost or closed and reconnected, by reason.");
        describe(REST_ERRORS, None, "Requests to Discord's REST API that failed, by HTTP status (none: no answer).");
        describe(REJECTED, None, "Requests to the interactions endpoint refused before reading them, by reason.");
        recorder.describe_histogram(
            KeyName::from_const_str(ANSWER_SECONDS),
            Some(Unit::Seconds),
            SharedString::const_str("From a question's arrival to its reply being handed to Discord."),
        );
        recorder.describe_gauge(
            KeyName::from_const_str(SHARDS_CONNECTED),
            None,
            SharedString::const_str("Gateway shards connected now."),
        );
        recorder.describe_gauge(
            KeyName::from_const_str(FACT_BASE),
            None,
            SharedString::const_str("The fact base loaded: 1 for its version (a hash of its facts), with its size."),
        );
        let questions = Outcome::ALL.map(|o| {
            recorder.register_counter(&Key::from_parts(QUESTIONS, vec![Label::new("outcome", o.label())]), &metadata())
        });
        let latency = recorder.register_histogram(&Key::from_name(ANSWER_SECONDS), &metadata());
        let shards_connected = recorder.register_gauge(&Key::from_name(SHARDS_CONNECTED), &metadata());
        let handle = recorder.handle();
        Metrics(Arc::new(Inner {
            recorder,
            handle,
            questions,
            latency,
            shards_connected,
            connected: AtomicUsize::new(0),
            expected: AtomicUsize::new(0),
            serving: AtomicBool::new(false),
            fact_base: Mutex::new(None),
        }))
    }

    fn counter(&self, name: &'static str, label: &'static str, value: impl Into<SharedString>) -> Counter {
        self.0.recorder.register_counter(&Key::from_parts(name, vec![Label::new(label, value.into())]), &metadata())
    }

    /// A question answered (or declined) in `elapsed`.
    pub fn question(&self, outcome: Outcome, elapsed: Duration) {
        let i = Outcome::ALL.iter().position(|&o| o == outcome).unwrap_or(0);
        self.0.questions[i].increment(1);
        self.0.latency.record(elapsed.as_secs_f64());
    }

    pub fn click(&self, button: &'static str) {
        self.counter(CLICKS, "button", button).increment(1);
    }

    pub fn reload(&self, ok: bool) {
        self.counter(RELOADS, "result", if ok { "ok" } else { "rejected" }).increment(1);
    }

    pub fn reconnect(&self, reason: String) {
        self.counter(RECONNECTS, "reason", reason).increment(1);
    }

    /// A failed REST request: its status, or `None` when no answer came.
    pub fn rest_error(&self, status: Option<u16>) {
        let status: SharedString = status.map_or(SharedString::const_str("none"), |s| s.to_string().into());
        self.counter(REST_ERRORS, "status", status).increment(1);
    }

    pub fn rejected(&self, reason: &'static str) {
        self.counter(REJECTED, "reason", reason).increment(1);
    }

    /// The process runs `shards` gateway shards.
    pub fn expect_shards(&self, shards: usize) {
        self.0.expected.store(shards, Ordering::SeqCst);
    }

    /// A shard's connection got as far as READY or RESUMED (`true`), or ended.
    pub fn shard_connected(&self, up: bool) {
        let now = if up {
            self.0.connected.fetch_add(1, Ordering::SeqCst) + 1
        } else {
            self.0.connected.fetch_sub(1, Ordering::SeqCst).saturating_sub(1)
        };
        self.0.shards_connected.set(now as f64);
    }

    /// Whether an interactions endpoint is taking requests.
    pub fn set_serving(&self, serving: bool) {
        self.0.serving.store(serving, Ordering::SeqCst);
    }

    /// Ready to take questions: the fact base is loaded (it is, once there is an
    /// engine), every gateway shard is connected, and an endpoint that is configured
    /// takes requests. `None` if ready, else why not.
    pub fn unready(&self, endpoint: bool) -> Option<String> {
        let (connected, expected) = (self.0.connected.load(Ordering::SeqCst), self.0.expected.load(Ordering::SeqCst));
        if connected < expected {
            return Some(format!("{connected} of {expected} gateway shards connected"));
        }
        if endpoint && !self.0.serving.load(Ordering::SeqCst) {
            return Some("the interactions endpoint is not taking requests".into());
        }
        None
    }

    /// Folds the latencies recorded since the last call into the histogram.
    pub fn upkeep(&self) {
        self.0.handle.run_upkeep();
    }

    /// The Prometheus text exposition of every metric, with the fact base `engine`
    /// holds now (a reload by SIGHUP or /reload shows at the next scrape).
    pub fn render(&self, engine: &SharedEngine) -> String {
        self.note_fact_base(engine);
        self.0.handle.render()
    }

    fn note_fact_base(&self, engine: &SharedEngine) {
        let current = engine.current();
        let address = Arc::as_ptr(&current) as usize;
        let mut last = self.0.fact_base.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_ref().is_some_and(|(a, _)| *a == address) {
            return;
        }
        let version = version(current.kb());
        if let Some((_, old)) = last.as_ref().filter(|(_, old)| *old != version) {
            self.fact_base_gauge(old, None).set(0.0);
        }
        self.fact_base_gauge(&version, Some(current.kb().facts().len())).set(1.0);
        *last = Some((address, version));
    }

    fn fact_base_gauge(&self, version: &str, facts: Option<usize>) -> Gauge {
        let mut labels = vec![Label::new("version", version.to_string())];
        if let Some(facts) = facts {
            labels.push(Label::new("facts", facts.to_string()));
        }
        self.0.recorder.register_gauge(&Key::from_parts(FACT_BASE, labels), &metadata())
    }
}

/// A fact base's version: a hash of its facts' ids and answers, the same for the
/// same facts whichever process loads them, so that an admin can see which
/// processes have reloaded.
pub fn version(kb: &crate::knowledge::KnowledgeBase) -> String {
    // FNV-1a: stable across processes and Rust versions, unlike `DefaultHasher`.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    for fact in kb.facts() {
        hash.write(fact.id.as_bytes());
        hash.write(&[0]);
        hash.write(fact.answer.as_bytes());
        hash.write(&[0]);
    }
    format!("{:016x}", hash.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn sample(text: &str, line_start: &str) -> Option<f64> {
        text.lines().find(|l| l.starts_with(line_start)).and_then(|l| l.rsplit(' ').next()?.parse().ok())
    }

    #[test]
    fn counts_render_as_prometheus_text() {
        let metrics = Metrics::new();
        let engine = SharedEngine::new(Engine::load(None).expect("the built-in base"));
        metrics.question(Outcome::Answered, Duration::from_millis(2));
        metrics.question(Outcome::Answered, Duration::from_millis(3));
        metrics.question(Outcome::Gap, Duration::from_millis(1));
        metrics.rest_error(Some(503));
        metrics.rest_error(None);
        metrics.reconnect("zombie".into());
        let text = metrics.render(&engine);
        assert_eq!(sample(&text, "firstkiss_questions_total{outcome=\"answered\"}"), Some(2.0), "{text}");
        assert_eq!(sample(&text, "firstkiss_questions_total{outcome=\"gap\"}"), Some(1.0), "{text}");
        assert_eq!(sample(&text, "firstkiss_questions_total{outcome=\"small_talk\"}"), Some(0.0), "{text}");
        assert_eq!(sample(&text, "firstkiss_answer_seconds_count"), Some(3.0), "{text}");
        assert_eq!(sample(&text, "firstkiss_answer_seconds_bucket{le=\"0.0025\"}"), Some(2.0), "{text}");
        assert_eq!(sample(&text, "firstkiss_rest_errors_total{status=\"503\"}"), Some(1.0), "{text}");
        assert_eq!(sample(&text, "firstkiss_rest_errors_total{status=\"none\"}"), Some(1.0), "{text}");
        assert_eq!(sample(&text, "firstkiss_gateway_reconnects_total{reason=\"zombie\"}"), Some(1.0), "{text}");
        let version = version(engine.current().kb());
        let facts = engine.current().kb().facts().len();
        let line = format!("firstkiss_fact_base_info{{version=\"{version}\",facts=\"{facts}\"}}");
        assert_eq!(sample(&text, &line), Some(1.0), "{text}");
        assert!(text.contains("# HELP firstkiss_questions_total"), "{text}");
    }

    #[test]
    fn readiness_waits_for_every_shard_and_the_endpoint() {
        let metrics = Metrics::new();
        metrics.expect_shards(2);
        metrics.shard_connected(true);
        assert_eq!(metrics.unready(false).as_deref(), Some("1 of 2 gateway shards connected"));
        metrics.shard_connected(true);
        assert_eq!(metrics.unready(false), None);
        assert!(metrics.unready(true).is_some(), "the endpoint is not serving yet");
        metrics.set_serving(true);
        assert_eq!(metrics.unready(true), None);
        metrics.shard_connected(false);
        assert!(metrics.unready(true).is_some());
    }

    #[test]
    fn outcomes_tell_gaps_and_small_talk_from_unknowns() {
        let engine = Engine::load(None).expect("the built-in base");
        let outcome = |q: &str| Outcome::of(q, &engine.ask(q));
        assert_eq!(outcome("who directed first kiss"), Outcome::Answered);
        assert_eq!(outcome("thanks"), Outcome::SmallTalk);
        assert_eq!(outcome("who won the world cup in 2014"), Outcome::Unknown);
        assert_eq!(outcome("how old is tatia pilieva"), Outcome::Gap);
    }
}
