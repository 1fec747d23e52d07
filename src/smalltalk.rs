//! Small talk and command words ("hi", "thanks", "help", "test", "exit", "lol",
//! "good bot"): messages that ask nothing about the film. They never get a fact;
//! asked directly, the bot answers with one friendly line.

use crate::text;

/// What a small-talk message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    /// Asks what the bot is or does.
    Help,
    Greeting,
    Thanks,
    /// Anything else that asks nothing: "ok", "test", "stop", "lol".
    Chatter,
}

/// Words that make a message small talk, and what kind.
const TRIGGERS: &[(&str, SmallTalk)] = &[
    ("bye", SmallTalk::Chatter),
    ("cancel", SmallTalk::Chatter),
    ("command", SmallTalk::Help),
    ("commands", SmallTalk::Help),
    ("cool", SmallTalk::Chatter),
    ("exit", SmallTalk::Chatter),
    ("goodbye", SmallTalk::Chatter),
    ("haha", SmallTalk::Chatter),
    ("hello", SmallTalk::Greeting),
    ("help", SmallTalk::Help),
    ("hey", SmallTalk::Greeting),
    ("hi", SmallTalk::Greeting),
    ("hiya", SmallTalk::Greeting),
    ("hmm", SmallTalk::Chatter),
    ("howdy", SmallTalk::Greeting),
    ("k", SmallTalk::Chatter),
    ("lmao", SmallTalk::Chatter),
    ("lol", SmallTalk::Chatter),
    ("nah", SmallTalk::Chatter),
    ("nice", SmallTalk::Chatter),
    ("no", SmallTalk::Chatter),
    ("nope", SmallTalk::Chatter),
    ("ok", SmallTalk::Chatter),
    ("okay", SmallTalk::Chatter),
    ("ping", SmallTalk::Chatter),
    ("quit", SmallTalk::Chatter),
    ("sorry", SmallTalk::Chatter),
    ("stop", SmallTalk::Chatter),
    ("sup", SmallTalk::Greeting),
    ("test", SmallTalk::Chatter),
    ("testing", SmallTalk::Chatter),
    ("thank", SmallTalk::Thanks),
    ("thanks", SmallTalk::Thanks),
    ("thx", SmallTalk::Thanks),
    ("ty", SmallTalk::Thanks),
    ("tysm", SmallTalk::Thanks),
    ("usage", SmallTalk::Help),
    ("wow", SmallTalk::Chatter),
    ("yeah", SmallTalk::Chatter),
    ("yes", SmallTalk::Chatter),
    ("yo", SmallTalk::Greeting),
];

/// Words that may stand beside a trigger without making the message a question.
const BESIDE: &[&str] = &[
    "a",
    "again",
    "all",
    "appreciate",
    "awesome",
    "bot",
    "great",
    "good",
    "guys",
    "it",
    "just",
    "lot",
    "me",
    "morning",
    "much",
    "night",
    "please",
    "pls",
    "so",
    "the",
    "there",
    "this",
    "u",
    "very",
    "you",
    "firstkiss",
];

/// Whole messages that are small talk though their words are not.
const PHRASES: &[(&str, SmallTalk)] = &[
    ("what can you do", SmallTalk::Help),
    ("what do you do", SmallTalk::Help),
    ("what can i ask", SmallTalk::Help),
    ("what can i ask you", SmallTalk::Help),
    ("what do you know", SmallTalk::Help),
    ("who are you", SmallTalk::Help),
    ("what are you", SmallTalk::Help),
    ("how does this work", SmallTalk::Help),
    ("how do i use this", SmallTalk::Help),
    ("how do i use you", SmallTalk::Help),
    ("good bot", SmallTalk::Thanks),
    ("nice bot", SmallTalk::Thanks),
    ("great bot", SmallTalk::Thanks),
    ("bad bot", SmallTalk::Chatter),
];

/// The kind of small talk `message` is, if it asks nothing about the film.
pub fn classify(message: &str) -> Option<SmallTalk> {
    let message = text::clip(message, 80);
    let words: Vec<String> = message
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty() && !w.starts_with('@'))
        .map(|w| w.to_lowercase())
        .filter(|w| !(w.len() >= 15 && w.bytes().all(|b| b.is_ascii_digit())))
        .collect();
    let joined = words.join(" ");
    if let Some((_, kind)) = PHRASES.iter().find(|(phrase, _)| *phrase == joined) {
        return Some(*kind);
    }
    let mut kind = None;
    for word in &words {
        match TRIGGERS.binary_search_by(|(t, _)| (*t).cmp(word)) {
            Ok(i) => kind = kind.max(Some(TRIGGERS[i].1)),
            Err(_) if BESIDE.contains(&word.as_str()) => {}
            Err(_) => return None,
        }
    }
    kind
}

impl SmallTalk {
    /// The one line the bot says back when asked directly.
    pub fn reply(self) -> &'static str {
        match self {
            SmallTalk::Help => "I answer questions about \"First Kiss\", the 2014 short film by Tatia Pilieva, and quote the document behind every answer. Ask me who made it, how it was filmed, the music, the people in it, or what happened next.",
            SmallTalk::Greeting => "Hi! Ask me anything about \"First Kiss\": who made it, how it was filmed, the music, or the people in it.",
            SmallTalk::Thanks => "You're welcome! Ask me anything else about \"First Kiss\".",
            SmallTalk::Chatter => "I'm here for questions about \"First Kiss\": try \"who directed it?\"",
        }
    }
}

// Help outranks greeting, which outranks thanks and chatter: "hi, help" asks for help.
impl PartialOrd for SmallTalk {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SmallTalk {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let rank = |k: &SmallTalk| match k {
            SmallTalk::Chatter => 0,
            SmallTalk::Thanks => 1,
            SmallTalk::Greeting => 2,
            SmallTalk::Help => 3,
        };
        rank(self).cmp(&rank(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_are_sorted() {
        assert!(TRIGGERS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn chat_and_command_words_are_small_talk() {
        for (message, kind) in [
            ("help", SmallTalk::Help),
            ("@bot help", SmallTalk::Help),
            ("hi bot, help pls", SmallTalk::Help),
            ("What can you do?", SmallTalk::Help),
            ("hello!", SmallTalk::Greeting),
            ("thanks so much", SmallTalk::Thanks),
            ("good bot", SmallTalk::Thanks),
            ("exit", SmallTalk::Chatter),
            ("quit", SmallTalk::Chatter),
            ("test", SmallTalk::Chatter),
            ("no", SmallTalk::Chatter),
            ("stop", SmallTalk::Chatter),
            ("ok", SmallTalk::Chatter),
            ("lol", SmallTalk::Chatter),
            ("<@123456789012345678> thank you!", SmallTalk::Thanks),
        ] {
            assert_eq!(classify(message), Some(kind), "{message:?}");
        }
    }

    #[test]
    fn questions_are_not_small_talk() {
        for message in [
            "who directed it",
            "hi who made the music",
            "help me find the song name",
            "thanks, and who is soko",
            "",
            "good",
        ] {
            assert_eq!(classify(message), None, "{message:?}");
        }
    }
}
