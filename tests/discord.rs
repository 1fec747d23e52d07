//! The real bot (serenity, unchanged) against the mock Discord, in-process on
//! loopback. Each test starts both and asserts on the REST requests the mock
//! recorded: what Discord itself would have received.
//!
//! An event that serenity cannot read is dropped silently, so every test waits for
//! the bot's answer to each event it sends and fails, naming the event, when none
//! comes.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use firstkiss::discord::{self, Secret, Settings};
use firstkiss::engine::SharedEngine;
use firstkiss::mock::payloads::{MANAGE_GUILD, MANAGE_MESSAGES};
use firstkiss::mock::{self, Fan, Fault, MockDiscord, Recorded, Sent, Step, GUILD};
use firstkiss::store::{HashKey, Memory, RecordId, Recorder, Store};
use firstkiss::Engine;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::Instrument;

/// Long enough for any answer on a loaded CI machine; a passing test never waits it.
const PATIENCE: Duration = Duration::from_secs(20);
/// How long to watch for a reply that must not come.
const QUIET: Duration = Duration::from_millis(600);

struct Bot {
    mock: MockDiscord,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), discord::BotError>>,
}

impl Bot {
    async fn start(settings: Settings) -> Bot {
        Bot::start_with(settings, None).await
    }

    /// The bot recording to `store` (its servers' settings read from it too).
    async fn recording(settings: Settings, store: &Store) -> Bot {
        Bot::start_with(settings, Some(Recorder::start(store.clone(), HashKey::new([7; 32])))).await
    }

    async fn start_with(settings: Settings, recorder: Option<Recorder>) -> Bot {
        let logs = Logs::get();
        let mock = MockDiscord::start().await.expect("the mock starts");
        let (stop, task) = spawn_bot_with(&mock, "mock-token", settings, recorder);
        assert!(
            mock.ready(1, PATIENCE).await,
            "the bot never identified and registered its commands; the logs end:\n{}",
            logs.lines(&[]).iter().rev().take(20).rev().cloned().collect::<Vec<_>>().join("\n")
        );
        Bot { mock, stop: Some(stop), task }
    }

    /// Community settings: one Q&A channel, cooldowns as given.
    fn community(user_cooldown: f64) -> Settings {
        let mut settings = Settings::default();
        settings.qa_channels.insert(serenity::all::ChannelId::new(mock::QA_CHANNEL));
        settings.user_cooldown = Duration::from_secs_f64(user_cooldown);
        settings.channel_cooldown = Duration::ZERO;
        settings
    }

    async fn one_answer(&self, sent: &Sent, what: &str) -> Recorded {
        let answers = self.mock.answers(sent, 1, PATIENCE).await;
        assert!(!answers.is_empty(), "no answer to {what}: was the event dropped by serenity, or the reply refused?");
        answers[0].clone()
    }

    async fn stays_quiet(&self, sent: &Sent, what: &str) {
        let answers = self.mock.answers(sent, 1, QUIET).await;
        assert!(answers.is_empty(), "the bot answered {what}: {:?}", answers[0].body);
    }

    async fn stop(mut self) {
        let _ = self.stop.take().map(|s| s.send(()));
        let result = tokio::time::timeout(PATIENCE, self.task).await.expect("the bot stops in time");
        result.expect("the bot task did not panic").expect("the bot stops cleanly");
    }
}

/// Starts the real bot against `mock`, with the fact base `settings.knowledge` names.
fn spawn_bot(
    mock: &MockDiscord,
    token: &str,
    settings: Settings,
) -> (oneshot::Sender<()>, JoinHandle<Result<(), discord::BotError>>) {
    spawn_bot_with(mock, token, settings, None)
}

/// [`spawn_bot`], recording to `recorder` if given.
fn spawn_bot_with(
    mock: &MockDiscord,
    token: &str,
    settings: Settings,
    recorder: Option<Recorder>,
) -> (oneshot::Sender<()>, JoinHandle<Result<(), discord::BotError>>) {
    let engine = Engine::load(settings.knowledge.as_deref()).expect("the fact base is valid");
    let engine = Arc::new(SharedEngine::new(engine));
    let (stop, stopped) = oneshot::channel::<()>();
    let (endpoint, token) = (mock.endpoint(), Secret::new(token));
    // The bot's logs carry the mock's address, so that a test can tell its own.
    let span = tracing::info_span!("bot", mock = %mock_address(mock));
    let task = tokio::spawn(
        async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            match recorder {
                Some(recorder) => discord::run_recording(&token, settings, engine, &endpoint, recorder, shutdown).await,
                None => discord::run(&token, settings, engine, &endpoint, shutdown).await,
            }
        }
        .instrument(span),
    );
    (stop, task)
}

fn mock_address(mock: &MockDiscord) -> String {
    match mock.endpoint() {
        discord::Endpoint::Mock { rest, .. } => rest.to_string(),
        discord::Endpoint::Discord => unreachable!("a mock's endpoint"),
    }
}

/// Starts the bot against `mock` and waits for it to stop by itself, as it must
/// when Discord refuses it for good; its error.
async fn refused(mock: &MockDiscord, settings: Settings) -> discord::BotError {
    let (_stop, task) = spawn_bot(mock, "mock-token", settings);
    let ended = tokio::time::timeout(PATIENCE, task).await.expect("the bot stops by itself");
    ended.expect("no panic").expect_err("the bot stops with an error")
}

/// What the bot logged, from every test in this binary (they run at once): a test
/// picks its own lines by a user id or a message only it uses. The subscriber is
/// the process's, installed by the first test that asks.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn get() -> &'static Logs {
        static LOGS: OnceLock<Logs> = OnceLock::new();
        LOGS.get_or_init(|| {
            let logs = Logs::default();
            let writer = logs.clone();
            let _ = tracing_subscriber::fmt()
                .with_env_filter("warn,firstkiss=debug,discord=info")
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .try_init();
            logs
        })
    }

    /// Waits until `count` lines contain every one of `parts`, or `timeout` passes;
    /// returns the lines.
    async fn wait_for(&self, parts: &[&str], count: usize, timeout: Duration) -> Vec<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let lines = self.lines(parts);
            if lines.len() >= count || Instant::now() >= deadline {
                return lines;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The lines logged so far that contain every one of `parts`.
    fn lines(&self, parts: &[&str]) -> Vec<String> {
        let text = String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).to_string();
        text.lines().filter(|l| parts.iter().all(|p| l.contains(p))).map(str::to_string).collect()
    }
}

fn fan() -> Fan {
    Fan::new(4_000_000_000_000_000_001, "fan")
}

fn embed(request: &Recorded) -> &Value {
    let data = if request.body["data"].is_object() { &request.body["data"] } else { &request.body };
    &data["embeds"][0]
}

fn embed_text(request: &Recorded) -> String {
    let e = embed(request);
    let mut text = format!("{} {}", e["title"].as_str().unwrap_or(""), e["description"].as_str().unwrap_or(""));
    for field in e["fields"].as_array().into_iter().flatten() {
        text.push_str(&format!(" {} {}", field["name"].as_str().unwrap_or(""), field["value"].as_str().unwrap_or("")));
    }
    text
}

fn assert_no_pings(request: &Recorded) {
    let data = if request.body["data"].is_object() { &request.body["data"] } else { &request.body };
    let allowed = &data["allowed_mentions"];
    assert_eq!(allowed["parse"], json!([]), "{allowed}");
    assert_eq!(allowed["users"], json!([]), "{allowed}");
    assert_eq!(allowed["roles"], json!([]), "{allowed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_registered_once_with_their_options() {
    let bot = Bot::start(Settings::default()).await;
    let puts: Vec<Recorded> = bot.mock.requests().into_iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 1, "one bulk overwrite: {puts:?}");
    assert_eq!(puts[0].path, format!("/applications/{}/commands", mock::BOT_ID));
    let commands = puts[0].body.as_array().expect("an array of commands");
    let find = |name: &str| commands.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no /{name}"));
    let question = &find("ask")["options"][0];
    assert_eq!(
        (question["name"].clone(), question["min_length"].clone(), question["max_length"].clone()),
        (json!("question"), json!(1), json!(300))
    );
    assert_eq!(find("fact")["options"][0]["autocomplete"], true);
    find("sources");
    find("about");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guild_registration_goes_to_the_guild() {
    let bot = Bot::start(Settings { guild_id: Some(serenity::all::GuildId::new(GUILD)), ..Settings::default() }).await;
    let puts: Vec<String> = bot.mock.requests().into_iter().filter(|r| r.method == "PUT").map(|r| r.path).collect();
    assert_eq!(puts, [format!("/applications/{}/guilds/{GUILD}/commands", mock::BOT_ID)]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_gets_a_cited_answer_within_three_seconds() {
    let bot = Bot::start(Settings::default()).await;
    let started = Instant::now();
    let sent =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss?"))]);
    let callback = bot.one_answer(&sent, "/ask").await;
    assert!(started.elapsed() < Duration::from_secs(3), "answered after {:?}", started.elapsed());
    assert_eq!(callback.body["type"], 4, "a message response");
    let text = embed_text(&callback);
    assert!(text.contains("Pilieva") && text.contains("[1]"), "{text}");
    assert!(text.contains("Alexander Mallin") || text.contains("Wren"), "a footnote names its document: {text}");
    assert_eq!(callback.body["data"]["flags"].as_u64().unwrap_or(0) & 64, 0, "public by default");
    assert_eq!(callback.body["data"]["components"][0]["components"][0]["label"], "Sources");
    assert_no_pings(&callback);

    let private = bot.mock.command(
        mock::general(GUILD),
        &fan(),
        "ask",
        &[("question", json!("who wrote the song")), ("private", json!(true))],
    );
    let callback = bot.one_answer(&private, "/ask private:true").await;
    assert_eq!(callback.body["data"]["flags"], 64, "ephemeral");
    assert!(embed_text(&callback).contains("Soko"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_says_it_does_not_know_and_suggests() {
    let bot = Bot::start(Settings::default()).await;
    let sent =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who won the world cup in 2014"))]);
    let callback = bot.one_answer(&sent, "/ask off-topic").await;
    let description = embed(&callback)["description"].as_str().unwrap_or_default().to_string();
    assert!(description.starts_with("I don't know"), "{description}");
    assert!(description.contains("You could ask"), "{description}");
    let ids = custom_ids(&callback);
    assert!(!ids.is_empty() && ids.iter().all(|id| id.starts_with("sg:")), "only suggestions, no Sources: {ids:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fact_autocompletes_and_shows_the_chosen_fact() {
    let bot = Bot::start(Settings::default()).await;
    let typed = "son";
    let sent = bot.mock.autocomplete(mock::general(GUILD), &fan(), "fact", "topic", typed);
    let callback = bot.one_answer(&sent, "/fact autocomplete").await;
    assert_eq!(callback.body["type"], 8);
    let choices = callback.body["data"]["choices"].as_array().expect("choices").clone();
    assert!(!choices.is_empty() && choices.len() <= 25, "{} choices", choices.len());
    for choice in &choices {
        let name = choice["name"].as_str().unwrap().to_lowercase();
        assert!(
            name.split(|c: char| !c.is_alphanumeric()).any(|w| w.starts_with(typed)),
            "{name:?} does not match {typed:?}"
        );
    }
    let everything = bot.mock.autocomplete(mock::general(GUILD), &fan(), "fact", "topic", "");
    let all = bot.one_answer(&everything, "/fact autocomplete, nothing typed").await;
    assert_eq!(all.body["data"]["choices"].as_array().unwrap().len(), 25, "Discord's maximum, no more");

    let chosen = choices[0]["value"].as_str().unwrap();
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "fact", &[("topic", json!(chosen))]);
    let callback = bot.one_answer(&sent, "/fact").await;
    assert_eq!(embed(&callback)["title"], choices[0]["name"], "the chosen fact is shown");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sources_button_shows_the_quotes_privately() {
    let bot = Bot::start(Settings::default()).await;
    let sent =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("how many cameras were used"))]);
    let answer = bot.one_answer(&sent, "/ask").await;
    let button =
        answer.body["data"]["components"][0]["components"][0]["custom_id"].as_str().expect("a button").to_string();
    let click = bot.mock.click(mock::general(GUILD), &Fan::new(5, "someone else"), &button);
    let reply = bot.one_answer(&click, "the Sources button").await;
    assert_eq!(reply.body["data"]["flags"], 64, "only the clicker sees it");
    assert!(embed_text(&reply).contains("five cameras"), "{}", embed_text(&reply));
    assert_no_pings(&reply);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_and_about_describe_the_bot() {
    let bot = Bot::start(Settings::default()).await;
    let sources = bot.mock.command(mock::general(GUILD), &fan(), "sources", &[]);
    let text = embed_text(&bot.one_answer(&sources, "/sources").await);
    assert!(
        text.contains("News report by Alexander Mallin")
            && text.contains("Interview by Alexis Ferenczi")
            && text.contains("First-person account by Tatia Pilieva"),
        "{text}"
    );
    assert!(!text.contains(".txt"), "no hashed file names for fans: {text}");
    let about = bot.mock.command(mock::general(GUILD), &fan(), "about", &[]);
    let text = embed_text(&bot.one_answer(&about, "/about").await);
    assert!(text.contains("/ask") && text.contains("facts"), "{text}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn community_qa_answers_when_it_should_and_only_then() {
    let bot = Bot::start(Bot::community(0.0)).await;
    // A mention anywhere gets a reply to the message.
    let mention = bot.mock.message(mock::general(GUILD), &fan(), "who directed first kiss?", true);
    let reply = bot.one_answer(&mention, "a mention").await;
    assert_eq!(
        reply.body["message_reference"]["message_id"],
        json!(match &mention {
            Sent::Message { id } => id.to_string(),
            _ => unreachable!(),
        })
    );
    assert!(embed_text(&reply).contains("Pilieva"));
    assert_no_pings(&reply);
    // A question in the Q&A channel that the bot is sure of.
    let question =
        bot.mock.message(mock::qa(GUILD), &Fan::new(6, "asker"), "what's the name of the song in first kiss?", false);
    assert!(
        embed_text(&bot.one_answer(&question, "a Q&A-channel question").await).contains("We Might Be Dead Tomorrow")
    );
    // Chat, off-topic questions, other channels and bots get nothing.
    for (place, author, text, what) in [
        (mock::qa(GUILD), Fan::new(7, "chatter"), "lol I love this video", "chat"),
        (mock::qa(GUILD), Fan::new(8, "curious"), "what's the weather like today?", "an off-topic question"),
        (
            mock::general(GUILD),
            Fan::new(9, "elsewhere"),
            "who directed first kiss?",
            "a question outside the Q&A channel",
        ),
        (mock::qa(GUILD), Fan { bot: true, ..Fan::new(10, "otherbot") }, "who directed first kiss?", "a bot"),
    ] {
        let sent = bot.mock.message(place, &author, text, false);
        bot.stays_quiet(&sent, what).await;
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_talk_gets_a_line_when_asked_and_silence_in_the_qa_channel() {
    let bot = Bot::start(Bot::community(0.0)).await;
    let help = bot.mock.message(mock::general(GUILD), &fan(), "help", true);
    let reply = bot.one_answer(&help, "@bot help").await;
    assert!(embed_text(&reply).contains("I answer questions about"), "{}", embed_text(&reply));
    assert!(reply.body["embeds"][0]["fields"].as_array().is_none_or(Vec::is_empty), "no sources: {}", reply.body);
    for (text, who) in [("help?", 11), ("thanks!", 12), ("exit", 13), ("good bot", 14)] {
        let sent = bot.mock.message(mock::qa(GUILD), &Fan::new(who, "chatty"), text, false);
        bot.stays_quiet(&sent, text).await;
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_beyond_the_cooldown_gets_one_reply() {
    let bot = Bot::start(Bot::community(60.0)).await;
    let burst: Vec<Sent> =
        (0..5).map(|_| bot.mock.message(mock::qa(GUILD), &fan(), "who directed first kiss?", false)).collect();
    let (requests, _) = bot.mock.wait_until(QUIET * 2, |_| false).await;
    let replies = requests.iter().filter(|r| burst.iter().any(|s| s.is_answered_by(r))).count();
    assert_eq!(replies, 1, "one reply to a burst of five");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_cooling_down_is_not_even_matched() {
    let logs = Logs::get();
    let bot = Bot::start(Bot::community(60.0)).await;
    let flooder = Fan::new(4_000_000_000_000_000_777, "flooder");
    let first = bot.mock.message(mock::qa(GUILD), &flooder, "who directed first kiss?", false);
    bot.one_answer(&first, "the first question").await;
    let flood: Vec<Sent> =
        (0..5).map(|i| bot.mock.message(mock::qa(GUILD), &flooder, "who wrote the song?", i % 2 == 0)).collect();
    let user = format!("user={}", flooder.id);
    assert_eq!(logs.wait_for(&[&user, "cooling down"], 5, PATIENCE).await.len(), 5, "the flood was turned away");
    let (requests, _) = bot.mock.wait_until(QUIET, |_| false).await;
    assert!(requests.iter().all(|r| flood.iter().all(|s| !s.is_answered_by(r))), "no reply while cooling down");
    assert_eq!(logs.lines(&[&user, "answered"]).len(), 1, "only the first question reached the matcher");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_the_bot_says_can_ping() {
    let bot = Bot::start(Bot::community(0.0)).await;
    let hostile = "@everyone <@&123456789012345678> @here who directed first kiss?";
    let slash = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!(hostile))]);
    let reply = bot.one_answer(&slash, "/ask with @everyone").await;
    assert_no_pings(&reply);
    assert!(embed_text(&reply).contains("Pilieva"));
    let message = bot.mock.message(mock::qa(GUILD), &Fan::new(11, "pinger"), hostile, true);
    let reply = bot.one_answer(&message, "a mention with @everyone").await;
    assert_no_pings(&reply);
    assert_eq!(reply.body["allowed_mentions"]["replied_user"], false);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_reply_arrives_once() {
    let bot = Bot::start(Settings::default()).await;
    bot.mock.fail_next("/callback", Fault::RateLimit(0.3));
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))]);
    let answers = bot.mock.answers(&sent, 2, Duration::from_secs(3)).await;
    assert_eq!(answers.len(), 1, "delivered after the 429, exactly once");
    let attempts: Vec<u16> = bot.mock.requests().iter().filter(|r| sent.is_answered_by(r)).map(|r| r.status).collect();
    assert_eq!(attempts, [429, 204], "serenity's own rate limiter retried");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_delivers_the_replies_in_flight_and_takes_no_new_events() {
    let mut bot = Bot::start(Settings::default()).await;
    bot.mock.fail_next("/callback", Fault::RateLimit(1.0));
    let waiting =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))]);
    let (_, limited) =
        bot.mock.wait_until(PATIENCE, |rs| rs.iter().any(|r| waiting.is_answered_by(r) && r.status == 429)).await;
    assert!(limited, "the reply met its 429");
    let started = Instant::now();
    let _ = bot.stop.take().map(|s| s.send(()));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let late = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    let stopped = tokio::time::timeout(PATIENCE, &mut bot.task).await.expect("the bot stops");
    let took = started.elapsed();
    stopped.expect("no panic").expect("a clean stop");
    let requests = bot.mock.requests();
    assert!(
        requests.iter().any(|r| waiting.is_answered_by(r) && r.status == 204),
        "the rate-limited reply was delivered before the bot stopped"
    );
    assert!(took < discord::DRAIN_DEADLINE + Duration::from_secs(1), "shutdown took {took:?}");
    assert!(!requests.iter().any(|r| late.is_answered_by(r)), "an event after shutdown began was answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_dropped_connection_the_bot_resumes_and_answers() {
    let bot = Bot::start(Settings::default()).await;
    bot.mock.drop_connections();
    // Sent while the bot may still be reconnecting: replayed on resume.
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    assert!(embed_text(&bot.one_answer(&sent, "/ask after a dropped connection").await).contains("Soko"));
    assert_eq!(bot.mock.shards(), [[0, 1]], "resumed, not a new session");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_questions_at_once_get_five_hundred_answers() {
    let bot = Bot::start(Settings::default()).await;
    let questions = ["who directed first kiss", "who wrote the song", "how many cameras", "who won the world cup"];
    let sent: Vec<Sent> = (0..500)
        .map(|i| {
            let question = json!(questions[i % questions.len()]);
            bot.mock.command(mock::general(GUILD), &Fan::new(100 + i as u64, "fan"), "ask", &[("question", question)])
        })
        .collect();
    let done = |requests: &[Recorded]| {
        requests.iter().filter(|r| r.path.ends_with("/callback") && r.status == 204).count() >= 500
    };
    let (requests, finished) = bot.mock.wait_until(Duration::from_secs(60), done).await;
    assert!(finished, "only {} callbacks", requests.iter().filter(|r| r.path.ends_with("/callback")).count());
    for s in &sent {
        let n = requests.iter().filter(|r| s.is_answered_by(r)).count();
        assert_eq!(n, 1, "{s:?} got {n} answers");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_the_session_alive() {
    // A short heartbeat interval: the bot must heartbeat and accept the ACKs, or
    // serenity would restart the shard with a new session.
    let mock = MockDiscord::start_with(Duration::from_millis(150)).await.unwrap();
    let (stop, task) = spawn_bot(&mock, "mock-token", Settings::default());
    assert!(mock.ready(1, PATIENCE).await);
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let sent = mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))]);
    assert_eq!(mock.answers(&sent, 1, PATIENCE).await.len(), 1);
    assert_eq!(mock.shards(), [[0, 1]], "still the first session");
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, task).await.expect("stops").expect("no panic").expect("clean");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_discord_still_gets_its_answer() {
    let bot = Bot::start(Settings::default()).await;
    bot.mock.set_latency(Duration::from_millis(800));
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    assert!(embed_text(&bot.one_answer(&sent, "/ask with a slow Discord").await).contains("Soko"));
    bot.mock.set_latency(Duration::ZERO);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_split_the_guilds_by_shard() {
    let mock = MockDiscord::start().await.unwrap();
    let shard = |id: u32| Settings {
        shards: Some(discord::ShardPlan { total: 2, first: id, last: id }),
        ..Settings::default()
    };
    let (stop0, task0) = spawn_bot(&mock, "mock-token-shard-0", shard(0));
    let (stop1, task1) = spawn_bot(&mock, "mock-token-shard-1", shard(1));
    assert!(mock.ready(2, PATIENCE).await, "both shards identify");
    assert_eq!(mock.shards(), [[0, 2], [1, 2]]);
    let registrations = mock.requests().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(registrations, 1, "only the process with shard 0 registers commands");

    let mut sent = Vec::new();
    for i in 0..20 {
        let guild = if i % 2 == 0 { GUILD } else { mock::OTHER_GUILD };
        let question = json!("who directed first kiss");
        sent.push((
            guild,
            mock.command(mock::general(guild), &Fan::new(50 + i, "fan"), "ask", &[("question", question)]),
        ));
    }
    for (guild, s) in &sent {
        let answers = mock.answers(s, 1, PATIENCE).await;
        assert_eq!(answers.len(), 1, "every question is answered once");
        let expected = if *guild == GUILD { "Bot mock-token-shard-0" } else { "Bot mock-token-shard-1" };
        assert_eq!(answers[0].auth, expected, "guild {guild} belongs to the other shard");
    }
    for (stop, task) in [(stop0, task0), (stop1, task1)] {
        let _ = stop.send(());
        tokio::time::timeout(PATIENCE, task).await.expect("stops").expect("no panic").expect("clean");
    }
}

/// A writable copy of the test fixture fact base, and settings that use it.
fn fixture_base(owner: u64) -> (tempfile::TempDir, std::path::PathBuf, Settings) {
    let (dir, path) = common::fixture_copy();
    let settings = Settings {
        knowledge: Some(path.clone()),
        owners: [serenity::all::UserId::new(owner)].into_iter().collect(),
        ..Settings::default()
    };
    (dir, path, settings)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_swaps_in_a_valid_base_and_keeps_the_old_one_otherwise() {
    let owner = Fan::new(77, "owner");
    let (_dir, path, settings) = fixture_base(owner.id);
    let bot = Bot::start(settings).await;
    let registered = bot.mock.requests().into_iter().find(|r| r.method == "PUT").unwrap();
    assert!(registered.body.as_array().unwrap().iter().any(|c| c["name"] == "reload"), "registered for owners");
    let ask = |bot: &Bot| {
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))])
    };

    let reload = bot.mock.command(mock::general(GUILD), &fan(), "reload", &[]);
    let refusal = bot.one_answer(&reload, "/reload by a fan").await;
    assert!(refusal.body["data"]["content"].as_str().unwrap().contains("Only the bot's owners"));

    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        original.replace("directed by the filmmaker Tatia Pilieva", "directed by Tatia Pilieva, the filmmaker"),
    )
    .unwrap();
    let reload = bot.mock.command(mock::general(GUILD), &owner, "reload", &[]);
    let edits = bot.mock.answers(&reload, 2, PATIENCE).await;
    assert_eq!(edits[0].body["type"], 5, "deferred first");
    assert!(
        edits[1].body["content"].as_str().unwrap().starts_with("Reloaded: 2 sources, 3 facts"),
        "{:?}",
        edits[1].body
    );
    assert!(
        embed_text(&bot.one_answer(&ask(&bot), "/ask after the reload").await).contains("Tatia Pilieva, the filmmaker")
    );

    std::fs::write(&path, original.replace("said filmmaker Tatia Pilieva", "said nobody")).unwrap();
    let reload = bot.mock.command(mock::general(GUILD), &owner, "reload", &[]);
    let edits = bot.mock.answers(&reload, 2, PATIENCE).await;
    let report = edits[1].body["content"].as_str().unwrap();
    assert!(report.contains("rejected; the old one stays") && report.contains("not found word for word"), "{report}");
    assert!(embed_text(&bot.one_answer(&ask(&bot), "/ask after a rejected reload").await)
        .contains("Tatia Pilieva, the filmmaker"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_mixes_two_bases_during_reloads() {
    let owner = Fan::new(77, "owner");
    let (_dir, path, settings) = fixture_base(owner.id);
    let original = std::fs::read_to_string(&path).unwrap();
    let renamed =
        original.replace("directed by the filmmaker Tatia Pilieva", "directed by Tatia Pilieva, the filmmaker");
    let bot = Bot::start(settings).await;
    let mut sent = Vec::new();
    for i in 0..200 {
        if i % 20 == 0 {
            std::fs::write(&path, if i % 40 == 0 { &renamed } else { &original }).unwrap();
            bot.mock.command(mock::general(GUILD), &owner, "reload", &[]);
        }
        sent.push(bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed it"))]));
    }
    for s in &sent {
        let text = embed_text(&bot.one_answer(s, "/ask during reloads").await);
        let old = text.contains("directed by the filmmaker Tatia Pilieva");
        let new = text.contains("directed by Tatia Pilieva, the filmmaker");
        assert!(old ^ new, "exactly one base's answer: {text}");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_unknown_events_are_survived() {
    let bot = Bot::start(Settings::default()).await;
    for frame in [
        json!({"op": 0, "s": 1000, "t": "INTERACTION_CREATE", "d": {"id": "1", "type": 2}}),
        json!({"op": 0, "s": 1001, "t": "SOMETHING_NEW", "d": {"what": "a future event type"}}),
        json!({"op": 0, "t": "MESSAGE_CREATE", "d": null}),
        json!({"op": 42}),
        json!("not even an object"),
    ] {
        bot.mock.send_raw(GUILD, frame);
    }
    let unknown_command = bot.mock.command(mock::general(GUILD), &fan(), "dance", &[]);
    let reply = bot.one_answer(&unknown_command, "an unknown command").await;
    assert_eq!(reply.body["data"]["flags"], 64, "answered privately");
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    assert!(embed_text(&bot.one_answer(&sent, "/ask after malformed events").await).contains("Soko"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_callback_is_retried_and_a_hung_one_blocks_nothing() {
    let bot = Bot::start(Settings::default()).await;
    bot.mock.fail_next("/callback", Fault::Status(500));
    let retried =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))]);
    assert_eq!(bot.mock.answers(&retried, 1, PATIENCE).await.len(), 1, "delivered on the second try");
    let statuses: Vec<u16> =
        bot.mock.requests().iter().filter(|r| retried.is_answered_by(r)).map(|r| r.status).collect();
    assert_eq!(statuses, [500, 204]);

    // The two replies race: hang the one about the song, whichever comes first.
    bot.mock
        .fail_next_where(|path, body| path.ends_with("/callback") && body.to_string().contains("Soko"), Fault::Hang);
    let hung = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    let next = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("how many cameras"))]);
    let started = Instant::now();
    assert!(embed_text(&bot.one_answer(&next, "/ask next to a hung callback").await).contains("five"));
    assert!(started.elapsed() < Duration::from_secs(2), "not held up by the hung one");
    assert!(
        bot.mock.answers(&hung, 1, Duration::from_secs(4)).await.is_empty(),
        "the hung reply is abandoned, not duplicated"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_during_a_burst_loses_no_answer() {
    let bot = Bot::start(Settings::default()).await;
    let mut sent = Vec::new();
    for i in 0..200u64 {
        if i == 100 {
            bot.mock.drop_connections();
        }
        let question = json!("who directed first kiss");
        sent.push(bot.mock.command(
            mock::general(GUILD),
            &Fan::new(1_000 + i, "fan"),
            "ask",
            &[("question", question)],
        ));
    }
    for s in &sent {
        assert_eq!(bot.mock.answers(s, 1, PATIENCE).await.len(), 1, "{s:?}");
    }
    let (requests, _) = bot.mock.wait_until(QUIET, |_| false).await;
    for s in &sent {
        assert_eq!(requests.iter().filter(|r| s.is_answered_by(r)).count(), 1, "{s:?} answered twice");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_bot_with_what_to_do() {
    for (step, what) in [("rest", "401 on GET /gateway/bot"), ("gateway", "close code 4004 on IDENTIFY")] {
        let mock = MockDiscord::start().await.unwrap();
        if step == "rest" {
            mock.fail_next("/gateway/bot", Fault::Status(401));
        } else {
            mock.fail_next_step(Step::Identify, Fault::Close(4004));
        }
        let error = refused(&mock, Settings::default()).await;
        assert!(matches!(error, discord::BotError::BadToken), "{what}: {error:?}");
        let line = error.to_string();
        assert!(line.contains("Reset Token") && line.contains("DISCORD_TOKEN") && !line.contains('\n'), "{line}");
        assert!(mock.gateway_ops().len() <= 1, "{what}: no second try: {:?}", mock.gateway_ops());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_intents_stop_the_bot_and_say_where_to_enable_them() {
    let mock = MockDiscord::start().await.unwrap();
    mock.fail_next_step(Step::Identify, Fault::Close(4014));
    let error = refused(&mock, Bot::community(0.0)).await;
    let line = error.to_string();
    assert!(matches!(error, discord::BotError::DisallowedIntents { message_content: true }), "{error:?}");
    assert!(
        line.contains("MESSAGE_CONTENT")
            && line.contains("Discord Developer Portal → your application → Bot → Privileged Gateway Intents"),
        "{line}"
    );

    let mock = MockDiscord::start().await.unwrap();
    mock.fail_next_step(Step::Identify, Fault::Close(4013));
    let error = refused(&mock, Settings::default()).await;
    assert!(matches!(error, discord::BotError::InvalidIntents), "{error:?}");
}

/// Injects `fault` into the bot's connection, waits for the bot to send its next
/// IDENTIFY or RESUME and to be connected again; that op.
async fn reconnects_after(bot: &Bot, fault: Fault) -> u64 {
    let before = bot.mock.gateway_ops().len();
    bot.mock.inject(fault);
    let (ops, done) = bot.mock.wait_for_ops(PATIENCE, |ops| ops.len() > before).await;
    assert!(done, "no reconnection after {fault:?}: {ops:?}");
    assert!(bot.mock.ready(1, PATIENCE).await, "not connected again after {fault:?}");
    ops[before]
}

async fn still_answers(bot: &Bot, after: &str) {
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    assert!(embed_text(&bot.one_answer(&sent, after).await).contains("Soko"), "after {after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_requests_and_invalid_sessions_resume_or_identify_afresh() {
    let bot = Bot::start(Settings::default()).await;
    assert_eq!(reconnects_after(&bot, Fault::Reconnect).await, 6, "op 7 resumes");
    assert_eq!(reconnects_after(&bot, Fault::InvalidSession { resumable: true }).await, 6, "a resumable op 9 resumes");
    assert_eq!(reconnects_after(&bot, Fault::InvalidSession { resumable: false }).await, 2, "a lost session: IDENTIFY");
    still_answers(&bot, "op 7 and op 9").await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_codes_4000_to_4009_resume_unless_the_session_is_gone() {
    let bot = Bot::start(Settings::default()).await;
    for code in (4000..=4009).filter(|c| *c != 4004) {
        let expected = if matches!(code, 4007 | 4009) { 2 } else { 6 };
        assert_eq!(reconnects_after(&bot, Fault::Close(code)).await, expected, "close code {code}");
    }
    still_answers(&bot, "every close code").await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zombie_connection_is_dropped_and_resumed() {
    let logs = Logs::get();
    let mock = MockDiscord::start_with(Duration::from_millis(100)).await.unwrap();
    let (stop, task) = spawn_bot(&mock, "mock-token", Settings::default());
    assert!(mock.ready(1, PATIENCE).await);
    mock.fail_next_step(Step::Heartbeat, Fault::Hang);
    let (ops, resumed) = mock.wait_for_ops(PATIENCE, |ops| ops.len() >= 2).await;
    assert!(resumed && ops == [2, 6], "dropped and resumed: {ops:?}");
    let me = mock_address(&mock);
    assert_eq!(logs.wait_for(&[&me, "stopped acknowledging heartbeats"], 1, PATIENCE).await.len(), 1);
    assert!(mock.ready(1, PATIENCE).await);
    let sent = mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))]);
    assert_eq!(mock.answers(&sent, 1, PATIENCE).await.len(), 1);
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, task).await.expect("stops").expect("no panic").expect("clean");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_retried_with_a_growing_pause_and_one_readable_line_per_attempt() {
    let logs = Logs::get();
    // At start-up: Discord's API cannot be reached twice.
    let mock = MockDiscord::start().await.unwrap();
    mock.fail_next("/gateway/bot", Fault::Drop);
    mock.fail_next("/gateway/bot", Fault::Status(502));
    let (stop, task) = spawn_bot(&mock, "mock-token", Settings::default());
    let started = Instant::now();
    assert!(mock.ready(1, PATIENCE).await, "connected once Discord could be reached");
    // Then the gateway: the connection drops, and the next two attempts are refused.
    mock.fail_next_step(Step::Connect, Fault::Drop);
    mock.fail_next_step(Step::Connect, Fault::Drop);
    mock.drop_connections();
    let (ops, resumed) = mock.wait_for_ops(PATIENCE, |ops| ops.len() >= 2).await;
    assert!(resumed && ops == [2, 6], "resumed after the outage: {ops:?}");
    let took = started.elapsed();

    let me = mock_address(&mock);
    let retries = logs.lines(&[&me, "trying again in"]);
    assert_eq!(retries.len(), 4, "one line per failed attempt: {retries:#?}");
    for (line, attempt) in retries.iter().zip([1, 2, 1, 2]) {
        assert!(line.contains(&format!("attempt={attempt}")), "{line}");
        assert!(!line.contains("Io(") && !line.contains("Custom {") && !line.contains("Tungstenite("), "{line}");
    }
    // 1 s then 2 s, each jittered into its upper half, twice: at least 3 s in all.
    assert!(took >= Duration::from_millis(2 * 1_500), "the pauses grew: {took:?}");
    let sent = mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))]);
    assert_eq!(mock.answers(&sent, 1, PATIENCE).await.len(), 1);
    let _ = stop.send(());
    tokio::time::timeout(PATIENCE, task).await.expect("stops").expect("no panic").expect("clean");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_reply_is_retried_after_a_server_error_or_a_429() {
    let bot = Bot::start(Bot::community(0.0)).await;
    for (fault, first) in [(Fault::Status(502), 502), (Fault::RateLimit(0.2), 429)] {
        bot.mock.fail_next("/messages", fault);
        let sent = bot.mock.message(mock::qa(GUILD), &fan(), "who directed first kiss?", false);
        bot.one_answer(&sent, "a Q&A question").await;
        let statuses: Vec<u16> =
            bot.mock.requests().iter().filter(|r| sent.is_answered_by(r)).map(|r| r.status).collect();
        assert_eq!(statuses, [first, 200], "{fault:?}");
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_not_retried_and_say_what_they_mean() {
    let logs = Logs::get();
    let bot = Bot::start(Bot::community(0.0)).await;
    let me = mock_address(&bot.mock);
    bot.mock.fail_next("/messages", Fault::Status(403));
    let forbidden = bot.mock.message(mock::qa(GUILD), &fan(), "who directed first kiss?", false);
    bot.mock.fail_next("/callback", Fault::Status(404));
    let gone = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    assert_eq!(logs.wait_for(&[&me, "lacks a permission", "403"], 1, PATIENCE).await.len(), 1);
    assert_eq!(logs.wait_for(&[&me, "no longer knows", "404"], 1, PATIENCE).await.len(), 1);
    let (requests, _) = bot.mock.wait_until(QUIET, |_| false).await;
    for (sent, status) in [(&forbidden, 403), (&gone, 404)] {
        let statuses: Vec<u16> = requests.iter().filter(|r| sent.is_answered_by(r)).map(|r| r.status).collect();
        assert_eq!(statuses, [status], "tried once");
    }
    still_answers(&bot, "a 403 and a 404").await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_while_running_stops_the_bot() {
    let mut bot = Bot::start(Settings::default()).await;
    bot.mock.fail_next("/callback", Fault::Status(401));
    bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who wrote the song"))]);
    let ended = tokio::time::timeout(PATIENCE, &mut bot.task).await.expect("the bot stops by itself");
    let error = ended.expect("no panic").expect_err("an error");
    assert!(matches!(error, discord::BotError::BadToken), "{error:?}");
}

/// Regression: at a terminal, which has already shown what was typed, the console
/// echoed every line a second time. A script's lines are still echoed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_echoes_a_line_only_when_asked_to() {
    for echo in [true, false] {
        let engine = Arc::new(SharedEngine::new(Engine::load(None).unwrap()));
        let view = mock::console::View { json: false, ansi: false, echo };
        let mut out = Vec::new();
        mock::console::run(engine, Settings::default(), view, &b"/about\n"[..], &mut out).await.expect("runs");
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.starts_with("> /about\n"), echo, "{out}");
        assert!(out.contains("About this bot"), "{out}");
    }
}

/// The custom ids of the buttons under a reply, row by row.
fn custom_ids(request: &Recorded) -> Vec<String> {
    let data = if request.body["data"].is_object() { &request.body["data"] } else { &request.body };
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter_map(|b| b["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The button under `request` whose custom id starts with `prefix`.
fn button(request: &Recorded, prefix: &str) -> String {
    let ids = custom_ids(request);
    ids.iter().find(|id| id.starts_with(prefix)).unwrap_or_else(|| panic!("no {prefix} button in {ids:?}")).clone()
}

/// A private reply's text (its embed's description, or its content).
fn notice(request: &Recorded) -> String {
    assert_eq!(request.body["data"]["flags"], 64, "privately: {}", request.body);
    let data = &request.body["data"];
    data["embeds"][0]["description"].as_str().or(data["content"].as_str()).unwrap_or_default().to_string()
}

/// What `read` finds in the in-memory store, once it finds something (records are
/// written by a task of their own, a moment after the reply).
async fn stored<T>(store: &Store, read: impl Fn(&Memory) -> Option<T>) -> T {
    let Store::Memory(memory) = store else { panic!("these tests record in memory") };
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = read(memory) {
            return found;
        }
        assert!(Instant::now() < deadline, "the store never held what the test waits for");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_question_offers_buttons_and_a_click_answers_privately_and_is_recorded() {
    let store = Store::memory();
    let bot = Bot::recording(Settings::default(), &store).await;
    let sent =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who won the world cup in 2014"))]);
    let missed = bot.one_answer(&sent, "/ask off-topic").await;
    let ids = custom_ids(&missed);
    assert!((1..=3).contains(&ids.len()), "up to three suggestions: {ids:?}");
    let labels: Vec<&str> = missed.body["data"]["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert!(embed(&missed)["description"].as_str().unwrap().contains(labels[0]), "the buttons are the suggestions");
    let (record, fact) = ids[0].strip_prefix("sg:").unwrap().split_once(':').unwrap();
    let record = RecordId::parse(record).expect("a record id");
    let asked = stored(&store, |m| m.with(|s| (!s.asked.is_empty()).then(|| s.asked.clone()))).await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!((asked[0].id, asked[0].answered, asked[0].guild), (record, false, Some(GUILD)));
    assert_eq!(asked[0].text, None, "recording is off by default: no question text is kept");

    let click = bot.mock.click(mock::general(GUILD), &fan(), &ids[0]);
    let answer = bot.one_answer(&click, "a suggestion's button").await;
    assert_eq!(answer.body["data"]["flags"], 64, "answered privately, to the one who clicked");
    assert_eq!(embed(&answer)["title"].as_str().map(str::is_empty), Some(false));
    assert!(button(&answer, "fb:u:").ends_with(&format!(":{fact}")), "the answer takes feedback in turn");
    assert_no_pings(&answer);
    let taken = stored(&store, |m| m.with(|s| (!s.suggestions.is_empty()).then(|| s.suggestions.clone()))).await;
    assert_eq!((taken[0].question, taken[0].fact.as_str()), (record, fact));
    assert_eq!(taken[0].user, HashKey::new([7; 32]).user(fan().id), "a keyed hash, never the id");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_counts_once_per_user_and_a_thumbs_down_takes_a_note() {
    let store = Store::memory();
    let bot = Bot::recording(Settings::default(), &store).await;
    let sent =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss?"))]);
    let answer = bot.one_answer(&sent, "/ask").await;
    let (up, down) = (button(&answer, "fb:u:"), button(&answer, "fb:d:"));
    assert_eq!(custom_ids(&answer)[..3], [button(&answer, "sources:"), up.clone(), down.clone()], "beside Sources");
    for (n, expected) in [(0, "Thanks for the feedback"), (1, "already counted")] {
        let click = bot.mock.click(mock::general(GUILD), &fan(), &up);
        let thanks = bot.one_answer(&click, "👍").await;
        assert!(notice(&thanks).contains(expected), "click {n}: {}", notice(&thanks));
    }
    let other = Fan::new(99, "another fan");
    let click = bot.mock.click(mock::general(GUILD), &other, &down);
    let modal = bot.one_answer(&click, "👎").await;
    assert_eq!(modal.body["type"], 9, "a modal: {}", modal.body);
    let form = modal.body["data"]["custom_id"].as_str().unwrap().to_string();
    let field = &modal.body["data"]["components"][0]["components"][0];
    assert_eq!((field["required"].clone(), field["style"].clone()), (json!(false), json!(2)), "one optional paragraph");
    let hostile = format!("@everyone <@&1> I wanted the date {}", "x".repeat(100_000));
    let submitted = bot.mock.submit_modal(mock::general(GUILD), &other, &form, &hostile);
    let thanks = bot.one_answer(&submitted, "the note").await;
    assert!(notice(&thanks).contains("Thanks"), "{}", notice(&thanks));
    assert_no_pings(&thanks);
    let feedback =
        stored(&store, |m| m.with(|s| s.feedback.iter().any(|(_, n)| n.is_some()).then(|| s.feedback.clone()))).await;
    assert_eq!(feedback.len(), 2, "one per user per answer: {feedback:?}");
    assert!(feedback[0].0.helpful && !feedback[1].0.helpful);
    assert_eq!(feedback[0].0.fact.as_deref(), Some("director"));
    let note = feedback[1].1.as_deref().expect("the note");
    assert!(note.starts_with("@everyone <@&1> I wanted the date") && note.chars().count() <= 1_000, "{}", note.len());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_offers_its_related_facts_as_follow_ups() {
    let bot = Bot::start(Settings::default()).await;
    let sent =
        bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss?"))]);
    let answer = bot.one_answer(&sent, "/ask").await;
    let related = button(&answer, "rel:");
    let row = &answer.body["data"]["components"][1]["components"][0];
    let label = row["label"].as_str().unwrap().strip_prefix("Related: ").expect("labelled as related").to_string();
    let click = bot.mock.click(mock::general(GUILD), &fan(), &related);
    let follow_up = bot.one_answer(&click, "a related fact").await;
    assert_eq!(follow_up.body["data"]["flags"], 64);
    assert_eq!(embed(&follow_up)["title"], json!(label), "the related fact, by the title its button showed");
    bot.stop().await;
}

/// The bot's reply to `sent`, with the message REST returned for it.
async fn posted(bot: &Bot, sent: &Sent) -> Value {
    let reply = bot.one_answer(sent, "a Q&A question").await;
    assert!(reply.response["id"].is_string(), "{:?}", reply.response);
    reply.response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unprompted_answer_is_removed_by_its_asker_or_a_moderator_only() {
    let bot = Bot::start(Bot::community(0.0)).await;
    let asker = Fan::new(21, "asker");
    let ask = |who: &Fan| bot.mock.message(mock::qa(GUILD), who, "who directed first kiss?", false);
    let deletes = || bot.mock.requests().iter().filter(|r| r.method == "DELETE").count();

    let message = posted(&bot, &ask(&asker)).await;
    let remove = message["components"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|b| b["custom_id"].as_str().filter(|id| id.starts_with("del:")))
        .expect("a Remove button")
        .to_string();
    assert_eq!(remove, format!("del:{}", asker.id), "it names who asked");
    let stranger = bot.mock.click_on(mock::qa(GUILD), &Fan::new(22, "stranger"), &remove, &message);
    assert!(notice(&bot.one_answer(&stranger, "a stranger's Remove").await).contains("Only the person who asked"));
    assert_eq!(deletes(), 0, "kept");
    let moderator = Fan::new(23, "moderator").with(MANAGE_MESSAGES);
    let click = bot.mock.click_on(mock::qa(GUILD), &moderator, &remove, &message);
    assert_eq!(notice(&bot.one_answer(&click, "a moderator's Remove").await), "Removed.");
    let id = message["id"].as_str().unwrap();
    assert!(bot.mock.requests().iter().any(|r| r.method == "DELETE" && r.path.ends_with(&format!("/messages/{id}"))));

    let message = posted(&bot, &ask(&asker)).await;
    let click = bot.mock.click_on(mock::qa(GUILD), &asker, &remove, &message);
    assert_eq!(notice(&bot.one_answer(&click, "the asker's Remove").await), "Removed.");
    assert_eq!(deletes(), 2);

    // An answer someone asked for (a mention) has no Remove button.
    let mention = bot.mock.message(mock::general(GUILD), &asker, "who directed first kiss?", true);
    let reply = bot.one_answer(&mention, "a mention").await;
    assert!(custom_ids(&reply).iter().all(|id| !id.starts_with("del:")), "{:?}", custom_ids(&reply));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_askers_cross_reaction_removes_an_unprompted_answer() {
    let bot = Bot::start(Bot::community(0.0)).await;
    let asker = Fan::new(31, "asker");
    let message = posted(&bot, &bot.mock.message(mock::qa(GUILD), &asker, "who wrote the song?", false)).await;
    let id: u64 = message["id"].as_str().unwrap().parse().unwrap();
    for (who, emoji, what) in
        [(Fan::new(32, "someone"), "❌", "someone else's ❌"), (asker.clone(), "👍", "the asker's 👍")]
    {
        let reaction = bot.mock.react(mock::qa(GUILD), &who, id, mock::BOT_ID, emoji);
        bot.stays_quiet(&reaction, what).await;
    }
    let reaction = bot.mock.react(mock::qa(GUILD), &asker, id, mock::BOT_ID, "❌");
    bot.one_answer(&reaction, "the asker's ❌").await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_context_menu_answers_the_chosen_message_as_a_reply_to_it() {
    let bot = Bot::start(Bot::community(0.0)).await;
    let registered = bot.mock.requests().into_iter().find(|r| r.method == "PUT").unwrap();
    let menu = registered.body.as_array().unwrap().iter().find(|c| c["type"] == 3).expect("a message command");
    assert_eq!(menu["name"], discord::ASK_MESSAGE);
    // A question outside the Q&A channel: the bot stays quiet until a helper asks.
    let question = bot.mock.message_json(mock::general(GUILD), &Fan::new(41, "fan"), "who wrote the song?");
    let target = bot.mock.post(mock::general(GUILD), question.clone());
    bot.stays_quiet(&target, "a question in a general channel").await;
    let helper = Fan::new(42, "helper");
    let used = bot.mock.message_command(mock::general(GUILD), &helper, discord::ASK_MESSAGE, &question);
    assert!(notice(&bot.one_answer(&used, "the context menu").await).contains("Answered"));
    let reply = bot.one_answer(&target, "the chosen message").await;
    assert!(embed_text(&reply).contains("Soko"), "{}", embed_text(&reply));
    assert_no_pings(&reply);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_under_a_qa_channel_counts_as_that_channel() {
    let bot = Bot::start(Bot::community(0.0)).await;
    let fan = Fan::new(51, "fan");
    let thread = bot.mock.thread(GUILD, mock::QA_CHANNEL, &fan, "the song");
    let place = mock::payloads::Place { guild: GUILD, channel: thread };
    let sent = bot.mock.message(place, &fan, "what's the name of the song in first kiss?", false);
    assert!(embed_text(&bot.one_answer(&sent, "a question in a thread").await).contains("We Might Be Dead Tomorrow"));
    let elsewhere = bot.mock.thread(GUILD, mock::GENERAL_CHANNEL, &fan, "chat");
    let place = mock::payloads::Place { guild: GUILD, channel: elsewhere };
    let sent = bot.mock.message(place, &fan, "what's the name of the song in first kiss?", false);
    bot.stays_quiet(&sent, "a thread under a general channel").await;
    // A thread opened before the bot connected: Discord lists it.
    let forum_post = 7_777;
    bot.mock.sync_threads(GUILD, &[(forum_post, mock::QA_CHANNEL)]);
    let place = mock::payloads::Place { guild: GUILD, channel: forum_post };
    let sent = bot.mock.message(place, &fan, "who directed first kiss?", false);
    assert!(embed_text(&bot.one_answer(&sent, "a question in a synced thread").await).contains("Pilieva"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_need_manage_server_and_outlive_a_restart() {
    let store = Store::memory();
    let bot = Bot::recording(Bot::community(0.0), &store).await;
    let member = Fan::new(61, "member");
    let admin = Fan::new(62, "admin").with(MANAGE_GUILD);
    let settings = |bot: &Bot, who: &Fan, options: &[(&str, Value)]| {
        bot.mock.command(mock::general(GUILD), who, "settings", options)
    };
    let refused = settings(&bot, &member, &[("unprompted", json!(false))]);
    assert!(notice(&bot.one_answer(&refused, "/settings by a member").await).contains("Manage Server"));
    let listed = settings(&bot, &admin, &[]);
    let text = notice(&bot.one_answer(&listed, "/settings").await);
    assert!(
        text.contains("Unprompted answers: on (default)") && text.contains(&format!("<#{}>", mock::QA_CHANNEL)),
        "{text}"
    );
    let changed = settings(
        &bot,
        &admin,
        &[
            ("unprompted", json!(false)),
            ("record_questions", json!(true)),
            ("add_qa_channel", json!({"channel": mock::GENERAL_CHANNEL.to_string()})),
            ("user_cooldown", json!(2.5)),
        ],
    );
    let text = notice(&bot.one_answer(&changed, "/settings with changes").await);
    assert!(text.starts_with("Changed.") && text.contains("Unprompted answers: off\n"), "{text}");
    assert!(text.contains("2.5 s per member"), "{text}");
    let quiet = bot.mock.message(mock::qa(GUILD), &Fan::new(63, "fan"), "who directed first kiss?", false);
    bot.stays_quiet(&quiet, "a question with unprompted answers off").await;
    let bad = settings(&bot, &admin, &[("unprompted_threshold", json!(3.0))]);
    assert!(notice(&bot.one_answer(&bad, "a bad threshold").await).contains("nothing was changed"));
    bot.stop().await;

    // A new bot on the same store: the server's settings are still in effect.
    let bot = Bot::recording(Bot::community(0.0), &store).await;
    let quiet = bot.mock.message(mock::qa(GUILD), &Fan::new(64, "fan"), "who directed first kiss?", false);
    bot.stays_quiet(&quiet, "a question after the restart").await;
    let listed = settings(&bot, &admin, &[]);
    let text = notice(&bot.one_answer(&listed, "/settings after the restart").await);
    assert!(text.contains("Unprompted answers: off\n") && text.contains("Record questions' text: on\n"), "{text}");
    // Recording is on here now: a missed question keeps its text.
    let asked = bot.mock.command(mock::general(GUILD), &member, "ask", &[("question", json!("who won the world cup"))]);
    bot.one_answer(&asked, "/ask").await;
    let texts = stored(&store, |m| {
        m.with(|s| (!s.asked.is_empty()).then(|| s.asked.iter().map(|a| a.text.clone()).collect::<Vec<_>>()))
    })
    .await;
    assert_eq!(texts, [Some("who won the world cup".to_string())]);
    let removed = settings(&bot, &admin, &[("remove_qa_channel", json!({"channel": mock::QA_CHANNEL.to_string()}))]);
    let text = notice(&bot.one_answer(&removed, "/settings remove_qa_channel").await);
    assert!(text.contains(&format!("Q&A channels: <#{}>\n", mock::GENERAL_CHANNEL)), "{text}");
    let reset = settings(&bot, &admin, &[("reset", json!(true))]);
    let text = notice(&bot.one_answer(&reset, "/settings reset").await);
    assert!(
        text.contains("Unprompted answers: on (default)") && text.contains("Record questions' text: off (default)")
    );
    let saved =
        stored(&store, |m| m.with(|s| s.settings.get(&GUILD).filter(|g| g.unprompted.is_none()).cloned())).await;
    assert_eq!(saved, Default::default(), "the reset is saved");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_on_a_fact_a_reload_removed_says_the_answer_has_changed() {
    let owner = Fan::new(77, "owner");
    let (_dir, path, settings) = fixture_base(owner.id);
    let bot = Bot::start(settings).await;
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "ask", &[("question", json!("who directed first kiss"))]);
    let answer = bot.one_answer(&sent, "/ask").await;
    let (sources, related) = (button(&answer, "sources:director"), button(&answer, "rel:song-title"));
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        original.replace("\"director\"", "\"who-directed\"").replace("\"song-title\"", "\"the-song\""),
    )
    .unwrap();
    let reload = bot.mock.command(mock::general(GUILD), &owner, "reload", &[]);
    let edits = bot.mock.answers(&reload, 2, PATIENCE).await;
    assert!(edits[1].body["content"].as_str().unwrap().starts_with("Reloaded"), "{:?}", edits[1].body);
    for id in [sources, related, "rel:no such fact".to_string(), "x".repeat(100_000)] {
        let click = bot.mock.click(mock::general(GUILD), &fan(), &id);
        let reply = bot.one_answer(&click, "a stale button").await;
        assert!(notice(&reply).contains("This answer has changed"), "{}: {}", &id[..id.len().min(40)], notice(&reply));
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_ids_fit_with_the_longest_fact_id() {
    let bot = Bot::start(Settings::default()).await;
    let engine = Engine::load(None).unwrap();
    let longest = engine.kb().fact_ids().map(|id| engine.kb().fact(id).id.clone()).max_by_key(String::len).unwrap();
    let sent = bot.mock.command(mock::general(GUILD), &fan(), "fact", &[("topic", json!(longest))]);
    let reply = bot.one_answer(&sent, "/fact on the longest id").await;
    let ids = custom_ids(&reply);
    assert!(ids.iter().any(|id| id.starts_with("fb:") && id.ends_with(&longest)), "{ids:?}");
    assert!(ids.iter().all(|id| id.chars().count() <= 100), "{ids:?}");
    bot.stop().await;
}
