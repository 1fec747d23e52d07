//! `firstkiss-bot mock`: the real bot against the mock Discord, driven by lines a fan
//! would send, from a terminal or a script on standard input:
//!
//! - `/ask <question>`, `/ask private <question>`, `/fact <topic>`, `/sources`, `/about`
//! - `@bot <text>`: a message that mentions the bot
//! - `[Sources]`: press the Sources button under the last answer
//! - anything else: a message in a Q&A channel
//!
//! For each line it prints the bot's reply as a person would see it, or with `--json`
//! one object per line: `{"input": ..., "requests": [{"method", "path", "body"}]}`,
//! every REST request the bot made in response (empty when it stayed quiet).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::oneshot;

use super::{Fan, MockDiscord, Recorded, Sent, GUILD};
use crate::discord::{self, Secret, Settings};
use crate::engine::SharedEngine;

/// How long to wait for a reply the bot owes (a slash command always gets one).
const REPLY_PATIENCE: Duration = Duration::from_secs(10);
/// How long to watch for a reply the bot may rightly not send (a chat message).
const QUIET_PATIENCE: Duration = Duration::from_millis(400);
/// After the first answer, how long to wait for follow-up requests to settle.
const SETTLE: Duration = Duration::from_millis(30);

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("cannot start the mock Discord: {0}")]
    Mock(#[from] std::io::Error),
    #[error("the bot did not connect to the mock Discord: {0}")]
    Bot(String),
}

/// Runs the console until `input` ends, then stops the bot.
pub async fn run(
    engine: Arc<SharedEngine>,
    mut settings: Settings,
    json_output: bool,
    input: impl AsyncBufRead + Unpin,
    mut output: impl Write,
) -> Result<(), ConsoleError> {
    let mock = MockDiscord::start().await?;
    settings.qa_channels.insert(serenity::all::ChannelId::new(super::QA_CHANNEL));
    let (stop, stopped) = oneshot::channel::<()>();
    let endpoint = mock.endpoint();
    let mut bot = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        discord::run(&Secret::new("mock-token"), settings, engine, &endpoint, shutdown).await
    });
    tokio::select! {
        ready = mock.ready(1, REPLY_PATIENCE) => if !ready {
            return Err(ConsoleError::Bot("no READY and command registration in time".into()));
        },
        ended = &mut bot => return Err(ConsoleError::Bot(match ended {
            Ok(Err(e)) => e.to_string(),
            _ => "it stopped".into(),
        })),
    }
    let fan = Fan::new(4_000_000_000_000_000_001, "you");
    let mut last_button: Option<String> = None;
    let (mut input, mut raw) = (input, Vec::new());
    // Bytes, read lossily: with `lines()`, a line of invalid UTF-8 ended the session
    // without a word.
    while matches!(input.read_until(b'\n', &mut raw).await, Ok(n) if n > 0) {
        let line = String::from_utf8_lossy(&raw).trim_end_matches(['\n', '\r']).to_string();
        raw.clear();
        let sent = send(&mock, &fan, line.trim(), last_button.as_deref()).await;
        let mut answered = Vec::new();
        for (event, owed) in &sent {
            let patience = if *owed { REPLY_PATIENCE } else { QUIET_PATIENCE };
            if !mock.answers(event, 1, patience).await.is_empty() {
                tokio::time::sleep(SETTLE).await;
            }
            answered.extend(mock.requests().into_iter().filter(|r| event.is_answered_by(r)));
        }
        if let Some(button) = answered.iter().rev().find_map(sources_button) {
            last_button = Some(button);
        }
        let written = if json_output {
            let requests: Vec<Value> =
                answered.iter().map(|r| json!({"method": r.method, "path": r.path, "body": r.body})).collect();
            writeln!(output, "{}", json!({"input": line, "requests": requests}))
        } else {
            writeln!(output, "> {line}\n{}\n", transcript(&answered))
        };
        if written.and_then(|()| output.flush()).is_err() {
            break; // the reader went away
        }
    }
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(15), bot).await {
        Ok(Ok(Err(e))) => Err(ConsoleError::Bot(e.to_string())),
        _ => Ok(()),
    }
}

/// Sends what `line` stands for; returns each event with whether a reply is owed.
async fn send(mock: &MockDiscord, fan: &Fan, line: &str, last_button: Option<&str>) -> Vec<(Sent, bool)> {
    let here = super::qa(GUILD);
    let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    match command {
        "/ask" => {
            let (private, question) = match rest.strip_prefix("private ") {
                Some(question) => (true, question),
                None => (false, rest),
            };
            let mut options = vec![("question", json!(question))];
            if private {
                options.push(("private", json!(true)));
            }
            vec![(mock.command(here, fan, discord::ASK, &options), true)]
        }
        "/fact" => {
            // As a fan would: type, then pick the first suggestion (or send the text).
            let typing = mock.autocomplete(here, fan, discord::FACT, "topic", rest);
            let choices = mock.answers(&typing, 1, REPLY_PATIENCE).await;
            let topic = choices
                .first()
                .and_then(|r| r.body["data"]["choices"][0]["value"].as_str().map(str::to_string))
                .unwrap_or_else(|| rest.to_string());
            vec![(typing, true), (mock.command(here, fan, discord::FACT, &[("topic", json!(topic))]), true)]
        }
        "/sources" => vec![(mock.command(here, fan, discord::SOURCES, &[]), true)],
        "/about" | "/help" => vec![(mock.command(here, fan, discord::ABOUT, &[]), true)],
        "[Sources]" => match last_button {
            Some(button) => vec![(mock.click(here, fan, button), true)],
            None => vec![],
        },
        "@bot" => vec![(mock.message(super::general(GUILD), fan, rest, true), true)],
        _ => vec![(mock.message(here, fan, line, false), false)],
    }
}

fn sources_button(request: &Recorded) -> Option<String> {
    let data = if request.body["data"].is_object() { &request.body["data"] } else { &request.body };
    data["components"][0]["components"][0]["custom_id"].as_str().map(str::to_string)
}

/// The bot's replies as a person sees them in Discord.
pub fn transcript(requests: &[Recorded]) -> String {
    let mut out = Vec::new();
    for request in requests {
        let body = &request.body;
        match body["type"].as_u64() {
            Some(8) => {
                let choices: Vec<&str> = body["data"]["choices"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c["name"].as_str())
                    .collect();
                out.push(format!(
                    "(suggestions as you type: {})",
                    if choices.is_empty() { "none".into() } else { choices.join(" | ") }
                ));
            }
            Some(_) => {
                let private = body["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0;
                let who = if private { "bot (only you can see this):" } else { "bot:" };
                out.push(format!("{who}\n{}", message(&body["data"])));
            }
            None => out.push(format!("bot, replying to you:\n{}", message(body))),
        }
    }
    if out.is_empty() {
        "(the bot stays quiet)".to_string()
    } else {
        out.join("\n")
    }
}

fn message(data: &Value) -> String {
    let mut lines = Vec::new();
    if let Some(content) = data["content"].as_str().filter(|c| !c.is_empty()) {
        lines.push(content.to_string());
    }
    for embed in data["embeds"].as_array().into_iter().flatten() {
        if let Some(title) = embed["title"].as_str() {
            lines.push(format!("== {title} =="));
        }
        if let Some(description) = embed["description"].as_str() {
            lines.push(description.to_string());
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            let value = field["value"].as_str().unwrap_or_default().replace('\n', "\n    ");
            lines.push(format!("{}\n    {value}", field["name"].as_str().unwrap_or_default()));
        }
        if let Some(footer) = embed["footer"]["text"].as_str() {
            lines.push(format!("-- {footer}"));
        }
    }
    for row in data["components"].as_array().into_iter().flatten() {
        let buttons: Vec<String> = row["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["label"].as_str().map(|l| format!("[{l}]")))
            .collect();
        if !buttons.is_empty() {
            lines.push(buttons.join(" "));
        }
    }
    lines.join("\n")
}
