//! `firstkiss-bot mock`: the real bot against the mock Discord, driven by lines a fan
//! would send, from a terminal or a script on standard input:
//!
//! - `/ask <question>`, `/ask private <question>`, `/fact <topic>`, `/sources`, `/about`
//! - `/settings [name=value ...]`: this server's settings (you have Manage Server)
//! - `@bot <text>`: a message that mentions the bot
//! - `#thread <text>`: a message in a thread under the Q&A channel
//! - `[Sources]`, `[👍]`, `[Related: ...]`, any button's label in brackets, or `[2]`
//!   for the second button: press it under the last reply that has buttons
//! - `[👎 <text>]`: press 👎 and send `<text>` in the form it opens
//! - `[❌]`: react with ❌ to the bot's last answer in a channel
//! - `[Ask firstkiss-bot]`: the context menu (Apps › Ask firstkiss-bot) on your
//!   last message
//! - anything else: a message in a Q&A channel
//!
//! For each line it prints the bot's reply as a person would see it (Discord's
//! markdown as a terminal can show it: bold and italics on a terminal, plain text
//! elsewhere), and says why when the bot stays quiet; or with `--json` one object per
//! line: `{"input": ..., "requests": [{"method", "path", "body"}]}`, every REST
//! request the bot made in response (empty when it stayed quiet), and a `"note"`
//! where the console itself has something to say (an unknown command).

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::payloads::{Place, MANAGE_GUILD, MANAGE_MESSAGES};
use super::{Fan, MockDiscord, Recorded, Sent, BOT_ID, GUILD};
use crate::discord::{self, Secret, Settings};
use crate::engine::SharedEngine;
use crate::store::Recorder;

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

/// What the console writes, and how.
#[derive(Debug, Clone, Copy, Default)]
pub struct View {
    /// One JSON object per line instead of the transcript.
    pub json: bool,
    /// Bold and italics as ANSI codes (output to a terminal); otherwise plain text.
    pub ansi: bool,
    /// Repeat each input line (`> line`) before its reply: wanted when the input
    /// is a script, not when a terminal has just shown what was typed.
    pub echo: bool,
}

/// The line types, for the console's help and its "unknown command".
pub const COMMANDS: &str = "/ask <question>, /ask private <question>, /fact <topic>, /sources, /about, \
    /settings [name=value ...], @bot <text>, #thread <text>, a button as [Sources] or [👍] or [2] (under the \
    last reply with buttons), [👎 <what you were looking for>], [❌] (on the bot's last channel answer), \
    [Ask firstkiss-bot] (on your last message), or any other text (a message in a Q&A channel)";

/// Runs the console until `input` ends, then stops the bot.
pub async fn run(
    engine: Arc<SharedEngine>,
    settings: Settings,
    view: View,
    input: impl AsyncBufRead + Unpin,
    output: impl Write,
) -> Result<(), ConsoleError> {
    run_recording(engine, settings, None, view, input, output).await
}

/// [`run`], the bot recording to `recorder` if given.
pub async fn run_recording(
    engine: Arc<SharedEngine>,
    mut settings: Settings,
    recorder: Option<Recorder>,
    view: View,
    input: impl AsyncBufRead + Unpin,
    mut output: impl Write,
) -> Result<(), ConsoleError> {
    let cooldowns = (settings.user_cooldown, settings.channel_cooldown);
    let mock = MockDiscord::start().await?;
    settings.qa_channels.insert(serenity::all::ChannelId::new(super::QA_CHANNEL));
    let (stop, stopped) = oneshot::channel::<()>();
    let endpoint = mock.endpoint();
    let mut bot = tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        let token = Secret::new("mock-token");
        match recorder {
            Some(recorder) => discord::run_recording(&token, settings, engine, &endpoint, recorder, shutdown).await,
            None => discord::run(&token, settings, engine, &endpoint, shutdown).await,
        }
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
    // The server is yours: you may remove answers and change the settings.
    let fan = Fan::new(4_000_000_000_000_000_001, "you").with(MANAGE_MESSAGES | MANAGE_GUILD);
    let mut state = State::default();
    let mut quiet = Quiet { cooldowns, answered: HashMap::new() };
    let (mut input, mut raw) = (input, Vec::new());
    // Bytes, read lossily: with `lines()`, a line of invalid UTF-8 ended the session
    // without a word.
    while matches!(input.read_until(b'\n', &mut raw).await, Ok(n) if n > 0) {
        let line = String::from_utf8_lossy(&raw).trim_end_matches(['\n', '\r']).to_string();
        raw.clear();
        // Only what the bot does from here on answers this line (an old reply to the
        // same message is not shown again).
        let before = mock.requests().len();
        let (sent, note) = match send(&mock, &fan, line.trim(), &mut state).await {
            Ok(Line { events, answer }) => {
                let mut answered = Vec::new();
                for (event, owed) in &events {
                    let patience = if *owed { REPLY_PATIENCE } else { QUIET_PATIENCE };
                    if !mock.answers(event, 1, patience).await.is_empty() {
                        tokio::time::sleep(SETTLE).await;
                    }
                    answered.extend(mock.requests().into_iter().skip(before).filter(|r| event.is_answered_by(r)));
                }
                state.saw(&answered, answer);
                let note = match answer.then(|| message_channel(line.trim())).flatten() {
                    Some(channel) => quiet.note(channel, !answered.is_empty()),
                    None => None,
                };
                (answered, note)
            }
            Err(note) => (Vec::new(), Some(note)),
        };
        let written = if view.json {
            let requests: Vec<Value> =
                sent.iter().map(|r| json!({"method": r.method, "path": r.path, "body": r.body})).collect();
            let mut object = json!({"input": line, "requests": requests});
            if let Some(note) = note.as_ref().filter(|_| sent.is_empty()) {
                object["note"] = json!(note);
            }
            writeln!(output, "{object}")
        } else {
            let shown = match note.filter(|_| sent.is_empty()) {
                Some(note) => format!("({note})"),
                None => transcript(&sent, view.ansi),
            };
            if view.echo {
                writeln!(output, "> {line}\n{shown}\n")
            } else {
                writeln!(output, "{shown}\n")
            }
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

/// What a line sent: each event with whether a reply is owed, and whether the line
/// asks for an answer (one that may carry buttons).
struct Line {
    events: Vec<(Sent, bool)>,
    answer: bool,
}

/// What the console remembers between lines, to press buttons and point at
/// messages as a fan would.
#[derive(Default)]
struct State {
    /// The buttons of the last reply that had any (or of the last answer, even
    /// without): `(label, custom id)`, row by row; `None` before the first answer.
    buttons: Option<Vec<(String, String)>>,
    /// The message those buttons are under, when the bot posted it in a channel.
    under: Option<Value>,
    /// The bot's last message in a channel, for `[❌]`.
    posted: Option<Value>,
    /// The fan's last message, for the context menu.
    mine: Option<Value>,
    /// The thread `#thread` lines go to, once opened.
    thread: Option<u64>,
}

impl State {
    /// Takes note of the bot's responses to a line.
    fn saw(&mut self, answered: &[Recorded], answer: bool) {
        for request in answered {
            let data = if request.body["data"].is_object() { &request.body["data"] } else { &request.body };
            let buttons: Vec<(String, String)> = data["components"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row["components"].as_array().into_iter().flatten())
                // Buttons only: a modal's text field is no button.
                .filter(|b| b["type"] == 2)
                .filter_map(|b| Some((b["label"].as_str()?.to_string(), b["custom_id"].as_str()?.to_string())))
                .collect();
            let message = request.response["id"].is_string().then(|| request.response.clone());
            if message.is_some() {
                self.posted = message.clone();
            }
            if !buttons.is_empty() || (answer && request.body["type"].as_u64() != Some(8)) {
                self.buttons = Some(buttons);
                self.under = message;
            }
        }
    }
}

/// Sends what `line` stands for, or says why nothing was sent: an unknown command,
/// or a button that the last reply does not have.
async fn send(mock: &MockDiscord, fan: &Fan, line: &str, state: &mut State) -> Result<Line, String> {
    let here = super::qa(GUILD);
    let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
    let rest = rest.trim();
    let answer = |events| Ok(Line { events, answer: true });
    let other = |events| Ok(Line { events, answer: false });
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
            answer(vec![(mock.command(here, fan, discord::ASK, &options), true)])
        }
        "/fact" => {
            // As a fan would: type, then pick the first suggestion (or send the text).
            let typing = mock.autocomplete(here, fan, discord::FACT, "topic", rest);
            let choices = mock.answers(&typing, 1, REPLY_PATIENCE).await;
            let topic = choices
                .first()
                .and_then(|r| r.body["data"]["choices"][0]["value"].as_str().map(str::to_string))
                .unwrap_or_else(|| rest.to_string());
            answer(vec![(typing, true), (mock.command(here, fan, discord::FACT, &[("topic", json!(topic))]), true)])
        }
        "/sources" => other(vec![(mock.command(here, fan, discord::SOURCES, &[]), true)]),
        "/about" | "/help" => other(vec![(mock.command(here, fan, discord::ABOUT, &[]), true)]),
        "/settings" => {
            let options = settings_options(rest)?;
            let options: Vec<(&str, Value)> = options.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            other(vec![(mock.command(here, fan, discord::SETTINGS, &options), true)])
        }
        "[Sources]" if rest.is_empty() => match &state.buttons {
            Some(buttons) => match buttons.iter().find(|(label, _)| label == "Sources") {
                Some((_, id)) => other(vec![(press(mock, fan, id, state.under.as_ref()), true)]),
                None => Err("the last answer has no Sources button: only an answer that quotes a document has one, \
                    and [Sources] presses the button under the last answer only"
                    .into()),
            },
            None => Err("no answer yet has a Sources button: ask something first".into()),
        },
        "[❌]" if rest.is_empty() => match &state.posted {
            Some(message) => {
                let place = place_of(message);
                let id = message["id"].as_str().and_then(|i| i.parse().ok()).unwrap_or(0);
                other(vec![(mock.react(place, fan, id, BOT_ID, discord::REMOVE_EMOJI), false)])
            }
            None => Err("the bot has posted no answer in a channel yet: [❌] reacts to its last one".into()),
        },
        "[Ask" if rest == "firstkiss-bot]" => match &state.mine {
            Some(message) => {
                let place = place_of(message);
                let id = message["id"].as_str().and_then(|i| i.parse().ok()).unwrap_or(0);
                let menu = mock.message_command(place, fan, discord::ASK_MESSAGE, message);
                answer(vec![(menu, true), (Sent::Message { id }, false)])
            }
            None => Err("you have sent no message yet: the context menu answers your last one".into()),
        },
        "[👎" if line.ends_with(']') => {
            let note = line.trim_start_matches("[👎").trim_end_matches(']').trim();
            let Some((_, id)) = state.buttons.iter().flatten().find(|(label, _)| label == "👎") else {
                return Err("the last reply has no 👎 button: only answers have one".into());
            };
            let click = press(mock, fan, id, state.under.as_ref());
            let opened = mock.answers(&click, 1, REPLY_PATIENCE).await;
            let form = opened.first().and_then(|r| r.body["data"]["custom_id"].as_str().map(str::to_string));
            let mut events = vec![(click, true)];
            if let Some(form) = form.filter(|_| !note.is_empty()) {
                events.push((mock.submit_modal(here, fan, &form, note), true));
            }
            other(events)
        }
        "@bot" => answer(vec![(mock.message(super::general(GUILD), fan, rest, true), true)]),
        "#thread" => {
            let thread = *state.thread.get_or_insert_with(|| mock.thread(GUILD, super::QA_CHANNEL, fan, "a question"));
            let place = Place { guild: GUILD, channel: thread };
            let message = mock.message_json(place, fan, rest);
            state.mine = Some(message.clone());
            answer(vec![(mock.post(place, message), false)])
        }
        _ if line.starts_with('[') && line.ends_with(']') => {
            let wanted = &line[1..line.len() - 1];
            let buttons = state.buttons.iter().flatten();
            let found = match wanted.parse::<usize>() {
                Ok(n) => buttons.clone().nth(n.wrapping_sub(1)),
                Err(_) => buttons.clone().find(|(label, _)| label == wanted),
            };
            match found {
                Some((_, id)) => other(vec![(press(mock, fan, id, state.under.as_ref()), true)]),
                None => Err(format!("unknown command {line}: the console takes {COMMANDS}")),
            }
        }
        _ if line.starts_with('/') => Err(format!("unknown command {command}: the console takes {COMMANDS}")),
        _ => {
            let message = mock.message_json(here, fan, line);
            state.mine = Some(message.clone());
            answer(vec![(mock.post(here, message), false)])
        }
    }
}

/// Presses the button `custom_id`, under the bot's posted `message` if it is one.
fn press(mock: &MockDiscord, fan: &Fan, custom_id: &str, message: Option<&Value>) -> Sent {
    match message {
        Some(message) => mock.click_on(place_of(message), fan, custom_id, message),
        None => mock.click(super::qa(GUILD), fan, custom_id),
    }
}

/// Where a message was posted.
fn place_of(message: &Value) -> Place {
    let channel = message["channel_id"].as_str().and_then(|c| c.parse().ok()).unwrap_or(super::QA_CHANNEL);
    Place { guild: GUILD, channel }
}

/// `/settings` options from `name=value` words: `true`/`false`, a number, or for
/// a channel option `qa`, `general` or a channel id.
fn settings_options(text: &str) -> Result<Vec<(String, Value)>, String> {
    let mut options = Vec::new();
    for word in text.split_whitespace() {
        let Some((name, value)) = word.split_once('=') else {
            return Err(format!("/settings takes name=value words (like unprompted=false), not {word:?}"));
        };
        let value = if name.ends_with("qa_channel") {
            let id = match value {
                "qa" => super::QA_CHANNEL,
                "general" => super::GENERAL_CHANNEL,
                id => id.parse().map_err(|_| format!("{name} takes qa, general or a channel id, not {value:?}"))?,
            };
            json!({"channel": id.to_string()})
        } else if let Ok(b) = value.parse::<bool>() {
            json!(b)
        } else if let Ok(n) = value.parse::<f64>() {
            json!(n)
        } else {
            return Err(format!("{name} takes true, false or a number, not {value:?}"));
        };
        options.push((name.to_string(), value));
    }
    Ok(options)
}

/// The channel a message line is sent to, for the cooldowns: `None` for commands,
/// which have none.
fn message_channel(line: &str) -> Option<u64> {
    match line.split_once(' ').map_or(line, |(command, _)| command) {
        "@bot" => Some(super::GENERAL_CHANNEL),
        command if command.starts_with('/') || command.starts_with('[') => None,
        _ => Some(super::QA_CHANNEL),
    }
}

/// Why the bot stayed quiet on a message: the console keeps its own record of when
/// the bot last answered the fan and each channel, as the bot's cooldowns do, so
/// silence from a cooldown is told apart from silence on a question it is not sure of.
struct Quiet {
    /// Per fan, per channel.
    cooldowns: (Duration, Duration),
    /// When the bot last answered a message, by channel.
    answered: HashMap<u64, Instant>,
}

impl Quiet {
    /// Records an answer to a message in `channel`, or says why there was none.
    fn note(&mut self, channel: u64, replied: bool) -> Option<String> {
        let now = Instant::now();
        if replied {
            self.answered.insert(channel, now);
            return None;
        }
        let (per_fan, per_channel) = self.cooldowns;
        let since_fan = self.answered.values().map(|t| now.duration_since(*t)).min();
        let since_channel = self.answered.get(&channel).map(|t| now.duration_since(*t));
        let wait = [since_fan.map(|s| per_fan.saturating_sub(s)), since_channel.map(|s| per_channel.saturating_sub(s))]
            .into_iter()
            .flatten()
            .max()
            .filter(|w| !w.is_zero());
        Some(match wait {
            Some(wait) => format!(
                "the bot stays quiet: it is cooling down. It answers a fan's messages at most once every {} s and a \
                 channel's once every {} s (the config's cooldowns); try again in {} s, or use /ask, which has no \
                 cooldown",
                per_fan.as_secs(),
                per_channel.as_secs(),
                wait.as_secs_f32().ceil()
            ),
            None if channel == super::QA_CHANNEL => "the bot stays quiet: in a Q&A channel it answers only questions \
                it is sure of, and no small talk; mention it (@bot ...) or use /ask to get an answer whatever it is"
                .to_string(),
            None => "the bot stays quiet".to_string(),
        })
    }
}

/// The bot's replies as a person sees them in Discord, its markdown shown with ANSI
/// codes when `ansi`, as plain text otherwise.
pub fn transcript(requests: &[Recorded], ansi: bool) -> String {
    let mut out = Vec::new();
    for request in requests {
        let body = &request.body;
        if request.method == "DELETE" {
            out.push("(the bot removed its answer)".to_string());
            continue;
        }
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
            Some(9) => {
                let data = &body["data"];
                let field = data["components"][0]["components"][0]["label"].as_str().unwrap_or_default();
                out.push(format!(
                    "(a form opens, only for you: \"{}\", with a field \"{field}\"; type [👎 your words] to fill it in)",
                    data["title"].as_str().unwrap_or_default()
                ));
            }
            Some(_) => {
                let private = body["data"]["flags"].as_u64().unwrap_or(0) & 64 != 0;
                let who = if private { "bot (only you can see this):" } else { "bot:" };
                out.push(format!("{who}\n{}", discord::preview::message(&body["data"], ansi)));
            }
            None => out.push(format!("bot, replying to you:\n{}", discord::preview::message(body, ansi))),
        }
    }
    if out.is_empty() {
        "(the bot stays quiet)".to_string()
    } else {
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_explained_by_cooldown_or_by_doubt() {
        let mut quiet =
            Quiet { cooldowns: (Duration::from_secs(30), Duration::from_secs(10)), answered: HashMap::new() };
        let doubt = quiet.note(super::super::QA_CHANNEL, false).expect("a note");
        assert!(doubt.contains("answers only questions it is sure of"), "{doubt}");
        assert_eq!(quiet.note(super::super::QA_CHANNEL, true), None);
        let cooling = quiet.note(super::super::GENERAL_CHANNEL, false).expect("a note");
        assert!(cooling.contains("cooling down") && cooling.contains("try again in 30 s"), "{cooling}");
        let mut off = Quiet { cooldowns: (Duration::ZERO, Duration::ZERO), answered: HashMap::new() };
        assert_eq!(off.note(super::super::QA_CHANNEL, true), None);
        assert!(!off.note(super::super::QA_CHANNEL, false).unwrap().contains("cooling"));
    }
}
