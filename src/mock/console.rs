//! `firstkiss-bot mock`: the real bot against the mock Discord, driven by lines a fan
//! would send, from a terminal or a script on standard input:
//!
//! - `/ask <question>`, `/ask private <question>`, `/fact <topic>`, `/sources`, `/about`
//! - `@bot <text>`: a message that mentions the bot
//! - `[Sources]`: press the Sources button under the last answer
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
    @bot <text>, [Sources], or any other text (a message in a Q&A channel)";

/// Runs the console until `input` ends, then stops the bot.
pub async fn run(
    engine: Arc<SharedEngine>,
    mut settings: Settings,
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
    // The Sources button of the last answer, if it had one (`None` inside: it had none).
    let mut last_button: Option<Option<String>> = None;
    let mut quiet = Quiet { cooldowns, answered: HashMap::new() };
    let (mut input, mut raw) = (input, Vec::new());
    // Bytes, read lossily: with `lines()`, a line of invalid UTF-8 ended the session
    // without a word.
    while matches!(input.read_until(b'\n', &mut raw).await, Ok(n) if n > 0) {
        let line = String::from_utf8_lossy(&raw).trim_end_matches(['\n', '\r']).to_string();
        raw.clear();
        let (sent, note) = match send(&mock, &fan, line.trim(), last_button.as_ref()).await {
            Ok(Line { events, answer }) => {
                let mut answered = Vec::new();
                for (event, owed) in &events {
                    let patience = if *owed { REPLY_PATIENCE } else { QUIET_PATIENCE };
                    if !mock.answers(event, 1, patience).await.is_empty() {
                        tokio::time::sleep(SETTLE).await;
                    }
                    answered.extend(mock.requests().into_iter().filter(|r| event.is_answered_by(r)));
                }
                if answer && !answered.is_empty() {
                    last_button = Some(answered.iter().rev().find_map(sources_button));
                }
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
/// asks for an answer (one that may carry a Sources button).
struct Line {
    events: Vec<(Sent, bool)>,
    answer: bool,
}

/// Sends what `line` stands for, or says why nothing was sent: an unknown command,
/// or a Sources button that the last answer does not have.
async fn send(mock: &MockDiscord, fan: &Fan, line: &str, last_button: Option<&Option<String>>) -> Result<Line, String> {
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
        "[Sources]" if rest.is_empty() => match last_button {
            Some(Some(button)) => other(vec![(mock.click(here, fan, button), true)]),
            Some(None) => Err("the last answer has no Sources button: only an answer that quotes a document has one, \
                and [Sources] presses the button under the last answer only"
                .into()),
            None => Err("no answer yet has a Sources button: ask something first".into()),
        },
        "@bot" => answer(vec![(mock.message(super::general(GUILD), fan, rest, true), true)]),
        _ if line.starts_with('/') || (line.starts_with('[') && line.ends_with(']')) => {
            Err(format!("unknown command {command}: the console takes {COMMANDS}"))
        }
        _ => answer(vec![(mock.message(here, fan, line, false), false)]),
    }
}

/// The channel a message line is sent to, for the cooldowns: `None` for commands,
/// which have none.
fn message_channel(line: &str) -> Option<u64> {
    match line.split_once(' ').map_or(line, |(command, _)| command) {
        "@bot" => Some(super::GENERAL_CHANNEL),
        command if command.starts_with('/') => None,
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

fn sources_button(request: &Recorded) -> Option<String> {
    let data = if request.body["data"].is_object() { &request.body["data"] } else { &request.body };
    data["components"][0]["components"][0]["custom_id"].as_str().map(str::to_string)
}

/// The bot's replies as a person sees them in Discord, its markdown shown with ANSI
/// codes when `ansi`, as plain text otherwise.
pub fn transcript(requests: &[Recorded], ansi: bool) -> String {
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
                out.push(format!("{who}\n{}", message(&body["data"], ansi)));
            }
            None => out.push(format!("bot, replying to you:\n{}", message(body, ansi))),
        }
    }
    if out.is_empty() {
        "(the bot stays quiet)".to_string()
    } else {
        out.join("\n")
    }
}

fn message(data: &Value, ansi: bool) -> String {
    let md = |text: &str| markdown(text, ansi);
    let mut lines = Vec::new();
    if let Some(content) = data["content"].as_str().filter(|c| !c.is_empty()) {
        lines.push(md(content));
    }
    for embed in data["embeds"].as_array().into_iter().flatten() {
        // Discord shows titles, field names and footers as plain text.
        if let Some(title) = embed["title"].as_str() {
            lines.push(format!("== {title} =="));
        }
        if let Some(description) = embed["description"].as_str() {
            lines.push(md(description));
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            let value = md(field["value"].as_str().unwrap_or_default()).replace('\n', "\n    ");
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

/// Discord's markdown as a terminal can show it: `**bold**` and `*italics*` (or
/// `_italics_`) as ANSI bold and italics when `ansi`, else as their plain text;
/// `` `code` `` without its backticks; `\*` as `*`. A marker with no partner is
/// kept as written, as Discord keeps it.
pub fn markdown(text: &str, ansi: bool) -> String {
    const BOLD: (&str, &str) = ("\u{1b}[1m", "\u{1b}[22m");
    const ITALIC: (&str, &str) = ("\u{1b}[3m", "\u{1b}[23m");
    let chars: Vec<char> = text.chars().collect();
    let closes = |from: usize, marker: &[char]| {
        (from..chars.len()).any(|i| chars[i..].starts_with(marker) && i > from && !chars[i - 1].is_whitespace())
    };
    let mut out = String::with_capacity(text.len());
    let (mut bold, mut italic, mut code) = (false, None::<char>, false);
    let toggle = |out: &mut String, on: bool, (start, end): (&str, &str)| {
        if ansi {
            out.push_str(if on { start } else { end });
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '`' && (code || closes(i + 1, &['`'])) {
            code = !code;
            i += 1;
        } else if code {
            out.push(c);
            i += 1;
        } else if c == '\\' && next.is_some_and(|n| n.is_ascii_punctuation()) {
            out.extend(next);
            i += 2;
        } else if c == '*' && next == Some('*') && (bold || closes(i + 2, &['*', '*'])) {
            bold = !bold;
            toggle(&mut out, bold, BOLD);
            i += 2;
        } else if (c == '*' || c == '_') && italic == Some(c) {
            italic = None;
            toggle(&mut out, false, ITALIC);
            i += 1;
        } else if (c == '*' || c == '_')
            && italic.is_none()
            && next.is_some_and(|n| !n.is_whitespace())
            && (c == '*' || i == 0 || !chars[i - 1].is_alphanumeric())
            && closes(i + 1, &[c])
        {
            italic = Some(c);
            toggle(&mut out, true, ITALIC);
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    if ansi && (bold || italic.is_some()) {
        out.push_str("\u{1b}[0m");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_plain_text_off_a_terminal_and_styled_on_one() {
        for (text, plain, styled) in [
            ("**You could ask:**", "You could ask:", "\u{1b}[1mYou could ask:\u{1b}[22m"),
            ("by Alexis, *news report*", "by Alexis, news report", "by Alexis, \u{1b}[3mnews report\u{1b}[23m"),
            (
                "_italic_ and snake_case_name",
                "italic and snake_case_name",
                "\u{1b}[3mitalic\u{1b}[23m and snake_case_name",
            ),
            ("use `/ask` here", "use /ask here", "use /ask here"),
            ("5 * 3 = 15, a lone ** stays", "5 * 3 = 15, a lone ** stays", "5 * 3 = 15, a lone ** stays"),
            ("\\*not italic\\*", "*not italic*", "*not italic*"),
            ("**bold *and italic***", "bold and italic", "\u{1b}[1mbold \u{1b}[3mand italic\u{1b}[22m\u{1b}[23m"),
        ] {
            assert_eq!(markdown(text, false), plain, "{text}");
            assert_eq!(markdown(text, true), styled, "{text}");
        }
    }

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
