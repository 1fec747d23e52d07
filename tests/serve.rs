//! The interactions endpoint (`firstkiss-bot serve`) and the metrics, end to end: the
//! real bot on loopback, the mock Discord for its REST calls (and its gateway, where a
//! test runs both), and the mock's signing client posting interactions as Discord
//! does. Every assertion is on what went over the wire: the endpoint's HTTP
//! responses, the REST requests the mock recorded, and the text `/metrics` served.

mod common;

use std::sync::Arc;
use std::time::Duration;

use firstkiss::discord::{self, Metrics, Secret, Services, Settings, Verifier};
use firstkiss::engine::SharedEngine;
use firstkiss::mock::endpoint::{self, Answer, Client, Tamper};
use firstkiss::mock::{self, Fan, MockDiscord, Recorded, Sent, GUILD};
use firstkiss::Engine;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Long enough for any answer on a loaded CI machine; a passing test never waits it.
const PATIENCE: Duration = Duration::from_secs(20);

struct Bot {
    mock: MockDiscord,
    /// Posts to the endpoint, or GETs from the metrics listener.
    client: Client,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), discord::BotError>>,
}

/// What a test runs.
struct Run {
    gateway: bool,
    /// Take interactions at the listener (else it serves only the metrics).
    endpoint: bool,
    token: bool,
    settings: Settings,
}

impl Run {
    fn serve() -> Run {
        Run { gateway: false, endpoint: true, token: false, settings: Settings::default() }
    }
}

impl Bot {
    async fn start(run: Run) -> Bot {
        let mock = MockDiscord::start().await.expect("the mock starts");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let address = listener.local_addr().expect("an address");
        let verifier = Verifier::from_hex(&endpoint::public_key()).expect("the mock's key is valid");
        let (endpoint, metrics_listener) =
            if run.endpoint { (Some((listener, verifier)), None) } else { (None, Some(listener)) };
        let services =
            Services { gateway: run.gateway, endpoint, metrics_listener, metrics: Metrics::new(), recorder: None };
        let engine = Engine::load(run.settings.knowledge.as_deref()).expect("the fact base is valid");
        let engine = Arc::new(SharedEngine::new(engine));
        let (stop, stopped) = oneshot::channel::<()>();
        let target = mock.endpoint();
        let token = run.token.then(|| Secret::new("mock-token"));
        let settings = run.settings;
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            discord::start(token.as_ref(), settings, engine, &target, services, shutdown).await
        });
        if run.gateway {
            assert!(mock.ready(1, PATIENCE).await, "the bot never connected to the gateway");
        }
        let client = Client::new(address).expect("a client");
        Bot { mock, client, stop: Some(stop), task }
    }

    /// The bot marks a shard connected when it has handled READY, a moment after the mock
    /// sent it, so readiness is polled for rather than read once.
    async fn readiness(&self) -> Answer {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let ready = self.client.get("/readyz").await.expect("an answer");
            if ready.status == 200 || tokio::time::Instant::now() >= deadline {
                return ready;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn post(&self, interaction: &Value) -> Answer {
        self.client.post(interaction).await.expect("the endpoint answers")
    }

    async fn stop(mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        let result = tokio::time::timeout(PATIENCE, self.task).await.expect("the bot stops in time");
        result.expect("the bot task did not panic").expect("the bot stops cleanly");
    }
}

fn fan() -> Fan {
    Fan::new(4_000_000_000_000_000_001, "fan")
}

fn place() -> mock::payloads::Place {
    mock::general(GUILD)
}

fn ask(mock: &MockDiscord, question: &str) -> (Sent, Value) {
    mock.command_interaction(place(), &fan(), "ask", &[("question", json!(question))])
}

/// The REST requests that answered `sent`.
fn answers_to(mock: &MockDiscord, sent: &Sent) -> Vec<Recorded> {
    mock.requests().into_iter().filter(|r| sent.is_answered_by(r)).collect()
}

/// `reply` with the record ids in its buttons' custom ids replaced by `R`.
fn without_records(reply: &Value) -> Value {
    let mut reply = reply.clone();
    for row in reply["data"]["components"].as_array_mut().into_iter().flatten() {
        for button in row["components"].as_array_mut().into_iter().flatten() {
            if let Some(id) = button["custom_id"].as_str() {
                let mut parts: Vec<&str> = id.split(':').collect();
                match parts.first() {
                    Some(&"fb") if parts.len() > 2 => parts[2] = "R",
                    Some(&"sg") if parts.len() > 1 => parts[1] = "R",
                    _ => {}
                }
                button["custom_id"] = json!(parts.join(":"));
            }
        }
    }
    reply
}

/// The value of the sample `series` (name and labels as written) in a scrape.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discords_check_a_signed_ping_gets_pong_and_a_forged_one_401() {
    let bot = Bot::start(Run::serve()).await;
    let ping = bot.mock.ping_interaction();
    let pong = bot.post(&ping).await;
    assert_eq!((pong.status, pong.json.clone()), (200, json!({"type": 1})), "{}", pong.text);
    let forged = bot.client.post_raw(ping.to_string().into_bytes(), Tamper::Forged).await.expect("an answer");
    assert_eq!(forged.status, 401, "{}", forged.text);
    bot.stop().await;
}

/// Each command, autocomplete and button click, answered over the gateway by one bot
/// and at the endpoint by another: the same response, byte for byte as JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_interaction_gets_the_reply_the_gateway_gives() {
    let gateway = Bot::start(Run { gateway: true, endpoint: false, token: true, settings: Settings::default() }).await;
    let served = Bot::start(Run::serve()).await;
    type Make = Box<dyn Fn(&MockDiscord) -> (Sent, Value)>;
    let cases: Vec<(&str, Make)> = vec![
        ("/ask", Box::new(|m| ask(m, "who directed first kiss?"))),
        (
            "/ask private",
            Box::new(|m| {
                m.command_interaction(
                    place(),
                    &fan(),
                    "ask",
                    &[("question", json!("who wrote the song")), ("private", json!(true))],
                )
            }),
        ),
        ("/ask unknown", Box::new(|m| ask(m, "who won the world cup in 2014"))),
        ("/ask small talk", Box::new(|m| ask(m, "thanks"))),
        ("/fact", Box::new(|m| m.command_interaction(place(), &fan(), "fact", &[("topic", json!("cameras"))]))),
        ("autocomplete", Box::new(|m| m.autocomplete_interaction(place(), &fan(), "fact", "topic", "son"))),
        ("/sources", Box::new(|m| m.command_interaction(place(), &fan(), "sources", &[]))),
        ("/about", Box::new(|m| m.command_interaction(place(), &fan(), "about", &[]))),
        ("Sources button", Box::new(|m| m.click_interaction(place(), &fan(), "sources:cameras"))),
        ("an unknown command", Box::new(|m| m.command_interaction(place(), &fan(), "dance", &[]))),
        ("/settings refused", Box::new(|m| m.command_interaction(place(), &fan(), "settings", &[]))),
        ("a suggestion", Box::new(|m| m.click_interaction(place(), &fan(), "sg:zz:cameras"))),
        ("a related fact", Box::new(|m| m.click_interaction(place(), &fan(), "rel:cameras"))),
        ("👍", Box::new(|m| m.click_interaction(place(), &fan(), "fb:u:zz:90:cameras"))),
        ("👎 opens a modal", Box::new(|m| m.click_interaction(place(), &fan(), "fb:d:zz:90:cameras"))),
        ("the modal's note", Box::new(|m| m.modal_interaction(place(), &fan(), "note:zz", "I meant the lenses"))),
        ("a button gone", Box::new(|m| m.click_interaction(place(), &fan(), "rel:gone"))),
    ];
    for (what, make) in &cases {
        let sent = gateway.mock.over_gateway(place(), make(&gateway.mock));
        let over_gateway = gateway.mock.answers(&sent, 1, PATIENCE).await;
        assert_eq!(over_gateway.len(), 1, "{what}: no answer over the gateway");
        let (sent, interaction) = make(&served.mock);
        let over_http = served.post(&interaction).await;
        assert_eq!(over_http.status, 200, "{what}: {}", over_http.text);
        // Each reply's record id is new (it is in the buttons' custom ids): the rest
        // must be the same.
        assert_eq!(
            without_records(&over_http.json),
            without_records(&over_gateway[0].body),
            "{what}: the endpoint's reply differs from the gateway's"
        );
        assert!(answers_to(&served.mock, &sent).is_empty(), "{what}: answered over REST as well");
        if *what == "👎 opens a modal" {
            assert_eq!(over_http.json["type"], 9, "a modal is the HTTP response's body: {}", over_http.text);
        }
    }
    gateway.stop().await;
    served.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_discord_did_not_sign_is_refused_unread() {
    let bot = Bot::start(Run::serve()).await;
    let (sent, interaction) = ask(&bot.mock, "who directed first kiss");
    let body = interaction.to_string().into_bytes();
    let refused = [
        ("a forged signature", Tamper::Forged, 401),
        ("another key", Tamper::OtherKey, 401),
        ("an old timestamp", Tamper::Old(Duration::from_secs(10 * 60)), 401),
        ("no signature", Tamper::Without("x-signature-ed25519"), 401),
        ("no timestamp", Tamper::Without("x-signature-timestamp"), 401),
    ];
    for (what, tamper, status) in refused {
        let answer = bot.client.post_raw(body.clone(), tamper).await.expect("an answer");
        assert_eq!(answer.status, status, "{what}: {}", answer.text);
    }
    // Signed as Discord signs, but not an interaction.
    for malformed in [&b"{\"type\": 2, \"id\": "[..], b"not json", b"{\"type\": 2}"] {
        let answer = bot.client.post_raw(malformed.to_vec(), Tamper::None).await.expect("an answer");
        assert_eq!(answer.status, 400, "{:?}: {}", String::from_utf8_lossy(malformed), answer.text);
    }
    // Over the limit, even signed: refused before the signature is checked.
    let mut huge = interaction.clone();
    huge["padding"] = json!("x".repeat(discord::MAX_BODY));
    let answer = bot.client.post_raw(huge.to_string().into_bytes(), Tamper::None).await.expect("an answer");
    assert_eq!(answer.status, 413, "{}", answer.text);
    assert!(answer.closes, "the unread rest of the body leaves the connection unusable: it must say so");

    let scrape = bot.client.get("/metrics").await.expect("a scrape").text;
    assert_eq!(sample(&scrape, "firstkiss_questions_total{outcome=\"answered\"}"), Some(0.0), "none was answered");
    for (reason, count) in [
        ("bad_signature", 2.0),
        ("stale_timestamp", 1.0),
        ("missing_header", 2.0),
        ("unreadable_interaction", 3.0),
        ("too_large", 1.0),
    ] {
        let series = format!("firstkiss_http_rejected_total{{reason=\"{reason}\"}}");
        assert_eq!(sample(&scrape, &series), Some(count), "{series} in\n{scrape}");
    }
    // The same request, untouched, is answered: the refusals were for what was changed.
    let answer = bot.post(&interaction).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert!(answer.json["data"]["embeds"][0]["description"].as_str().unwrap_or("").contains("Pilieva"));
    assert!(answers_to(&bot.mock, &sent).is_empty());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_a_thousand_interactions_is_answered_once_each() {
    let bot = Bot::start(Run::serve()).await;
    let questions = [
        ("who directed first kiss", "Pilieva"),
        ("who wrote the song", "Soko"),
        ("how many cameras were used", "five cameras"),
        ("who won the world cup in 2014", "I don't know"),
    ];
    let interactions: Vec<(usize, Value)> = (0..1000)
        .map(|i| {
            let fan = Fan::new(100 + i as u64, "fan");
            let (_, interaction) = bot.mock.command_interaction(
                place(),
                &fan,
                "ask",
                &[("question", json!(questions[i % questions.len()].0))],
            );
            (i, interaction)
        })
        .collect();
    // One HTTP/2 connection carries them all at once.
    let client = Arc::new(Client::http2(bot.client.address()).expect("a client"));
    let posts = interactions.into_iter().map(|(i, interaction)| {
        let client = client.clone();
        tokio::spawn(async move { (i, client.post(&interaction).await) })
    });
    let answers = futures::future::join_all(posts).await;
    assert_eq!(answers.len(), 1000);
    for answer in answers {
        let (i, answer) = answer.expect("no panic");
        let answer = answer.unwrap_or_else(|e| panic!("interaction {i} got no answer: {e}"));
        assert_eq!(answer.status, 200, "interaction {i}: {}", answer.text);
        let embed = &answer.json["data"]["embeds"][0];
        let text = format!("{} {}", embed["description"], embed["fields"]);
        assert!(text.contains(questions[i % questions.len()].1), "interaction {i} got another's answer: {text}");
    }
    let scrape = bot.client.get("/metrics").await.expect("a scrape").text;
    let counted: f64 = ["answered", "contested", "unknown", "gap", "small_talk"]
        .iter()
        .filter_map(|o| sample(&scrape, &format!("firstkiss_questions_total{{outcome=\"{o}\"}}")))
        .sum();
    assert_eq!(counted, 1000.0, "each was handled once:\n{scrape}");
    let callbacks = bot.mock.requests().into_iter().filter(|r| r.path.contains("/callback")).count();
    assert_eq!(callbacks, 0, "nothing went over REST as well");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_is_deferred_then_completed_by_a_follow_up() {
    let owner = Fan::new(77, "owner");
    let (_dir, path) = common::fixture_copy();
    let settings = Settings {
        knowledge: Some(path.clone()),
        owners: [serenity::all::UserId::new(owner.id)].into_iter().collect(),
        ..Settings::default()
    };
    let bot = Bot::start(Run { token: true, settings, ..Run::serve() }).await;
    // With the token, serve registers the commands, /reload among them.
    let (requests, registered) =
        bot.mock.wait_until(PATIENCE, |rs| rs.iter().any(|r| r.method == "PUT" && r.path.ends_with("/commands"))).await;
    assert!(registered, "no registration: {requests:?}");

    let (sent, reload) = bot.mock.command_interaction(place(), &owner, "reload", &[]);
    let deferral = bot.post(&reload).await;
    assert_eq!(deferral.json["type"], 5, "deferred: {}", deferral.text);
    assert_eq!(deferral.json["data"]["flags"], 64, "privately");
    let follow_up = bot.mock.answers(&sent, 1, PATIENCE).await;
    assert_eq!(follow_up.len(), 1, "no follow-up");
    assert_eq!(follow_up[0].method, "PATCH");
    assert!(follow_up[0].path.ends_with("/messages/@original"), "{}", follow_up[0].path);
    let report = follow_up[0].body["content"].as_str().unwrap_or_default();
    assert!(report.starts_with("Reloaded: 2 sources, 3 facts"), "{report}");
    let scrape = bot.client.get("/metrics").await.expect("a scrape").text;
    assert_eq!(sample(&scrape, "firstkiss_reloads_total{result=\"ok\"}"), Some(1.0), "{scrape}");
    bot.stop().await;
}

/// Without the bot token, a follow-up Discord refuses (401) is lost, but it does not
/// stop the bot as a token gone bad would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_a_refused_follow_up_does_not_stop_the_endpoint() {
    let owner = Fan::new(78, "owner");
    let settings =
        Settings { owners: [serenity::all::UserId::new(owner.id)].into_iter().collect(), ..Settings::default() };
    let bot = Bot::start(Run { settings, ..Run::serve() }).await;
    bot.mock.fail_next("/webhooks/", mock::Fault::Status(401));
    let (sent, reload) = bot.mock.command_interaction(place(), &owner, "reload", &[]);
    assert_eq!(bot.post(&reload).await.json["type"], 5, "deferred");
    let (requests, refused) =
        bot.mock.wait_until(PATIENCE, |rs| rs.iter().any(|r| sent.is_answered_by(r) && r.status == 401)).await;
    assert!(refused, "the follow-up was sent and refused: {requests:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!bot.task.is_finished(), "the endpoint stopped");
    let pong = bot.post(&bot.mock.ping_interaction()).await;
    assert_eq!(pong.json, json!({"type": 1}), "still answering");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_and_endpoint_in_one_process_answer_each_interaction_once() {
    let bot = Bot::start(Run { gateway: true, token: true, ..Run::serve() }).await;
    for i in 0..20 {
        let (sent, interaction) = ask(&bot.mock, "who directed first kiss");
        // Delivered both ways, in either order.
        let answer = if i % 2 == 0 {
            bot.mock.over_gateway(place(), (sent.clone(), interaction.clone()));
            bot.post(&interaction).await
        } else {
            let answer = bot.post(&interaction).await;
            bot.mock.over_gateway(place(), (sent.clone(), interaction.clone()));
            answer
        };
        let by_endpoint = usize::from(answer.status == 200);
        assert!(by_endpoint == 1 || answer.status == 409, "{}: {}", answer.status, answer.text);
        // Give the other copy time to be (wrongly) answered.
        let (_, _) =
            bot.mock.wait_until(Duration::from_millis(300), |rs| rs.iter().any(|r| sent.is_answered_by(r))).await;
        let by_rest = answers_to(&bot.mock, &sent).len();
        assert_eq!(by_endpoint + by_rest, 1, "interaction {i}: {by_endpoint} by the endpoint, {by_rest} over REST");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_the_questions_asked_through_the_mock() {
    let bot = Bot::start(Run { gateway: true, endpoint: false, token: true, settings: Settings::default() }).await;
    let health = bot.client.get("/healthz").await.expect("an answer");
    assert_eq!(health.status, 200);
    let ready = bot.readiness().await;
    assert_eq!((ready.status, ready.text.as_str()), (200, "ready\n"), "connected, and the fact base is loaded");
    let questions = [
        "who directed first kiss",
        "who wrote the song",
        "who won the world cup in 2014",
        "how old is tatia pilieva",
        "thanks",
    ];
    for question in questions {
        let sent = bot.mock.command(place(), &fan(), "ask", &[("question", json!(question))]);
        assert_eq!(bot.mock.answers(&sent, 1, PATIENCE).await.len(), 1, "{question}");
    }
    let sent = bot.mock.click(place(), &fan(), "sources:cameras");
    assert_eq!(bot.mock.answers(&sent, 1, PATIENCE).await.len(), 1);
    // A reconnect, counted by its reason.
    let before = bot.mock.gateway_ops().len();
    bot.mock.inject(mock::Fault::Reconnect);
    let (_, resumed) = bot.mock.wait_for_ops(PATIENCE, |ops| ops.len() > before).await;
    assert!(resumed, "the bot reconnected");
    // Counted after the answer went out: wait for the metrics rather than guess.
    let mut scrape = String::new();
    for _ in 0..100 {
        scrape = bot.client.get("/metrics").await.expect("a scrape").text;
        let total: f64 = ["answered", "unknown", "gap", "small_talk"]
            .iter()
            .filter_map(|o| sample(&scrape, &format!("firstkiss_questions_total{{outcome=\"{o}\"}}")))
            .sum();
        if total >= 5.0 && scrape.contains("reconnect_requested") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (outcome, count) in [("answered", 2.0), ("unknown", 1.0), ("gap", 1.0), ("small_talk", 1.0), ("contested", 0.0)]
    {
        let series = format!("firstkiss_questions_total{{outcome=\"{outcome}\"}}");
        assert_eq!(sample(&scrape, &series), Some(count), "{series} in\n{scrape}");
    }
    assert_eq!(sample(&scrape, "firstkiss_answer_seconds_count"), Some(5.0), "{scrape}");
    assert_eq!(sample(&scrape, "firstkiss_button_clicks_total{button=\"sources\"}"), Some(1.0), "{scrape}");
    assert_eq!(
        sample(&scrape, "firstkiss_gateway_reconnects_total{reason=\"reconnect_requested\"}"),
        Some(1.0),
        "{scrape}"
    );
    let engine = Engine::load(None).expect("the built-in base");
    let version = discord::metrics::version(engine.kb());
    assert!(scrape.contains(&format!("firstkiss_fact_base_info{{version=\"{version}\"")), "{scrape}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_is_ready_while_it_takes_requests() {
    let bot = Bot::start(Run::serve()).await;
    let ready = bot.client.get("/readyz").await.expect("an answer");
    assert_eq!((ready.status, ready.text.as_str()), (200, "ready\n"));
    let missing = bot.client.get("/nothing-here").await.expect("an answer");
    assert_eq!(missing.status, 404);
    bot.stop().await;
}
