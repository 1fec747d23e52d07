//! The real bot (serenity, unchanged) against the mock Discord, in-process on
//! loopback. Each test starts both and asserts on the REST requests the mock
//! recorded: what Discord itself would have received.
//!
//! An event that serenity cannot read is dropped silently, so every test waits for
//! the bot's answer to each event it sends and fails, naming the event, when none
//! comes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use firstkiss::discord::{self, Secret, Settings};
use firstkiss::engine::SharedEngine;
use firstkiss::mock::{self, Fan, Fault, MockDiscord, Recorded, Sent, GUILD};
use firstkiss::Engine;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

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
        let mock = MockDiscord::start().await.expect("the mock starts");
        let engine = Arc::new(SharedEngine::new(Engine::load(None).expect("the shipped fact base is valid")));
        let (stop, stopped) = oneshot::channel::<()>();
        let endpoint = mock.endpoint();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            discord::run(&Secret::new("mock-token"), settings, engine, &endpoint, shutdown).await
        });
        assert!(mock.ready(1, PATIENCE).await, "the bot never identified and registered its commands");
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
    assert_eq!(callback.body["data"]["components"], Value::Null, "no Sources button without sources");
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
        text.contains("Alexander Mallin") && text.contains("interview") && text.contains("first-person account"),
        "{text}"
    );
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
        (mock::qa(GUILD), Fan { id: 10, name: "otherbot".into(), bot: true }, "who directed first kiss?", "a bot"),
    ] {
        let sent = bot.mock.message(place, &author, text, false);
        bot.stays_quiet(&sent, what).await;
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
    let engine = Arc::new(SharedEngine::new(Engine::load(None).unwrap()));
    let (stop, stopped) = oneshot::channel::<()>();
    let endpoint = mock.endpoint();
    let task = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        discord::run(&Secret::new("mock-token"), Settings::default(), engine, &endpoint, shutdown).await
    });
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
