//! Text normalization shared by the index and the query: the one place that decides
//! what a "word" is, so that a fact's phrasings and a fan's question meet on equal
//! terms.
//!
//! The pipeline is `words` (split, fold case and accents, drop Discord mentions and
//! invisible characters) followed by an [`Analyzer`] (drop filler words, stem, apply
//! the fact base's synonyms). Everything here is total: any UTF-8 input yields some
//! (possibly empty) list of words, in time linear in the input, which is first
//! clipped to [`MAX_QUESTION_CHARS`].

mod analyzer;
mod chat;
pub mod clauses;
mod filler;
mod stopwords;

pub use analyzer::{longest_phrase, Analyzer, Token};
/// A curated phrasing is hashed as a fan's question is: `words` as [`question_words`]
/// leaves them, if the chat phrases wrapping them change anything.
pub use filler::without_filler;
pub use stopwords::is_stopword;

/// A map keyed by words or their hashes, with a fast hash of fixed seed. Its keys
/// come from the fact base, so SipHash's defence against chosen keys buys nothing,
/// and it was about 5% of building the index.
pub type WordMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
/// A set of words, hashed as [`WordMap`]'s keys are.
pub type WordSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Longest question the bot reads, in characters. Discord caps a message at 2,000
/// characters; a real question is far shorter, and clipping keeps the cost of a
/// hostile 100 KB message bounded.
pub const MAX_QUESTION_CHARS: usize = 500;

/// Most topic words of one question that take part in matching. A fan's longest
/// run-on question has about twenty; past this, words only add cost.
pub const MAX_QUESTION_WORDS: usize = 40;

/// The first `max_chars` characters of `text`, cut on a character boundary.
pub fn clip(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// `words` hashed as one text, the same in every run: a question asked word for
/// word as a curated phrasing is written has the phrasing's hash.
pub fn hash_words(words: &[String]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(words)
}

/// The words of a fan's question, clipped to [`MAX_QUESTION_CHARS`] first, without
/// the set phrases of chat that wrap it ("late to the party but").
pub fn question_words(question: &str) -> Vec<String> {
    let mut words = words(clip(question, MAX_QUESTION_CHARS));
    filler::drop_filler(&mut words);
    words
}

/// Splits text into lower-case, accent-free words.
///
/// Discord mentions (`@everyone`, `<@123>`, `<#456>`) are dropped, digit groups keep
/// together ("600,000" is one word), a possessive or contraction keeps its stem
/// ("soko's" is "soko"), and a two-part hyphenated word yields its parts and their
/// join ("close-ups" gives "close", "ups" and "closeups") so that either spelling
/// matches.
pub fn words(text: &str) -> Vec<String> {
    // ASCII needs no Unicode decomposition, and nearly every question is ASCII.
    if text.is_ascii() {
        split(text.chars())
    } else {
        split(text.nfkd().filter(|c| !is_combining_mark(*c) && !is_invisible(*c)))
    }
}

fn split(mut chars: impl Iterator<Item = char> + Clone) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = Word::default();
    let mut prev = ' ';
    // Made at the first character outside ASCII: most questions have none.
    let mut letters: Option<Letters> = None;
    while let Some(c) = chars.next() {
        // Most letters are ASCII, and reading one needs no Unicode table.
        let letter = if c.is_ascii() {
            c.is_ascii_alphanumeric().then(|| Letter::One(c.to_ascii_lowercase()))
        } else {
            letters.get_or_insert_with(Letters::default).get(c)
        };
        if let Some(lower) = letter {
            if word.apostrophe {
                // A clitic: dropped.
            } else {
                match lower {
                    Letter::One(l) => word.text.push(l),
                    Letter::Many => word.text.extend(c.to_lowercase()),
                }
            }
        } else if c == '@' && word.text.is_empty() {
            word.mention = true;
        } else if is_apostrophe(c) && !word.text.is_empty() {
            word.apostrophe = true;
        } else if c == '-' && !word.text.is_empty() && !word.apostrophe {
            word.hyphen_at.push(word.text.len());
        } else if (c == ',' || c == '.') && prev.is_ascii_digit() {
            // A digit group or a decimal point: "600,000" and "3.5" stay one word,
            // but only if a digit follows.
            let mut lookahead = chars.clone();
            if lookahead.next().is_some_and(|n| n.is_ascii_digit()) {
                prev = c;
                continue;
            }
            word.flush(&mut out);
        } else {
            word.flush(&mut out);
        }
        prev = c;
        if out.len() >= MAX_QUESTION_WORDS * 2 {
            break;
        }
    }
    word.flush(&mut out);
    out.truncate(MAX_QUESTION_WORDS * 2);
    out
}

/// A letter or digit, lower-cased: one character, or (rarely, as for 'İ') several.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Letter {
    One(char),
    Many,
}

/// Whether a character outside ASCII is a letter or digit, and its lower case,
/// remembered. Unicode's tables answer both by binary search, which made a message in
/// another script the slowest input there is (8× a typical question); a text repeats
/// a few dozen letters of its script, so a small direct-mapped memo answers most.
struct Letters {
    slots: [(char, Option<Letter>); 64],
}

impl Default for Letters {
    fn default() -> Self {
        // ASCII never reaches the memo, so '\0' marks an empty slot.
        Letters { slots: [('\0', None); 64] }
    }
}

impl Letters {
    fn get(&mut self, c: char) -> Option<Letter> {
        let slot = &mut self.slots[c as usize % 64];
        if slot.0 != c {
            let letter = c.is_alphanumeric().then(|| {
                let mut lower = c.to_lowercase();
                match (lower.next(), lower.next()) {
                    (Some(l), None) => Letter::One(l),
                    _ => Letter::Many,
                }
            });
            *slot = (c, letter);
        }
        slot.1
    }
}

/// A word being read: its letters so far and what was seen inside it.
#[derive(Default)]
struct Word {
    text: String,
    /// Started with `@`: a mention, never a word.
    mention: bool,
    /// An apostrophe was seen; what follows it is a clitic ("'s", "'t") and dropped.
    apostrophe: bool,
    /// Byte offsets in `text` where a hyphen joined two parts.
    hyphen_at: Vec<usize>,
}

impl Word {
    fn flush(&mut self, out: &mut Vec<String>) {
        let word = std::mem::take(self);
        if word.mention || word.text.is_empty() || is_snowflake(&word.text) {
            return;
        }
        match word.hyphen_at.as_slice() {
            [] => push_word(out, word.text),
            [at] if *at < word.text.len() => {
                push_word(out, word.text[..*at].to_string());
                push_word(out, word.text[*at..].to_string());
                push_word(out, word.text);
            }
            cuts => {
                let mut start = 0;
                for &cut in cuts.iter().chain(std::iter::once(&word.text.len())) {
                    if cut > start {
                        push_word(out, word.text[start..cut].to_string());
                    }
                    start = cut;
                }
            }
        }
    }
}

/// Adds `word` as the word it stands for in chat ("u" as "you"; filler as nothing),
/// so that every word, a hyphen's parts included, is read the same way.
fn push_word(out: &mut Vec<String>, word: String) {
    let word = chat::unstretch(&word).unwrap_or(word);
    match chat::standard(&word) {
        Some("") => {}
        Some(standard) => out.push(standard.to_string()),
        None => out.push(word),
    }
}

/// Discord ids (user, role, channel) are 17 to 20 digits: never part of a question.
fn is_snowflake(word: &str) -> bool {
    word.len() >= 15 && word.bytes().all(|b| b.is_ascii_digit())
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{02bc}')
}

/// Zero-width and other format characters that render as nothing but would split or
/// glue words if kept.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}')
}

/// Whether a chat message reads as a question: it has a question mark, or it opens
/// with a question word ("who", "how", "did"...) after any greeting or mention.
/// Used to decide what the bot may answer unprompted in a Q&A channel.
pub fn looks_like_question(message: &str) -> bool {
    const OPENERS: &[&str] = &[
        "who", "whom", "whose", "what", "whats", "when", "where", "which", "why", "how", "is", "are", "was", "were",
        "did", "does", "do", "can", "could", "has", "have", "had", "will", "would", "should", "wonder",
    ];
    const GREETINGS: &[&str] = &["hey", "hi", "hello", "yo", "so", "ok", "okay", "bot", "guys", "quick", "question"];
    let message = clip(message, MAX_QUESTION_CHARS);
    if message.contains('?') {
        return true;
    }
    words(message).iter().find(|w| !GREETINGS.contains(&w.as_str())).is_some_and(|w| OPENERS.contains(&w.as_str()))
}

/// Collapses whitespace and unifies typographic quote marks, so that a curator's quote
/// is compared with its document the way a reader would compare them.
pub fn loose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Vec<String> {
        words(text)
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(w("WHO Directd First-Kiss??"), ["who", "directd", "first", "kiss", "firstkiss"]);
        assert_eq!(w("Pilièva’s café"), ["pilieva", "cafe"]);
    }

    #[test]
    fn the_letter_memo_agrees_with_unicode_tables() {
        let mut letters = Letters::default();
        // Twice over, so that the second pass reads the memo, collisions included.
        for _ in 0..2 {
            for c in ('\u{80}'..='\u{3000}').chain(['İ', 'ẞ', 'Σ', '映', '\u{1d400}']) {
                let expected = c.is_alphanumeric().then(|| {
                    let lower: Vec<char> = c.to_lowercase().collect();
                    if lower.len() == 1 {
                        Letter::One(lower[0])
                    } else {
                        Letter::Many
                    }
                });
                assert_eq!(letters.get(c), expected, "{c:?}");
            }
        }
        // Nothing to decompose in the first, a dot to drop in the second.
        assert_eq!(w("КИНО 映画"), ["кино", "映画"]);
        assert_eq!(w("İstanbul ΣΟΦΊΑ"), ["istanbul", "σοφια"]);
    }

    #[test]
    fn drops_mentions_and_ids() {
        assert_eq!(
            w("@everyone who directed <@123456789012345678> it? <#987654321098765432>"),
            ["who", "directed", "it"]
        );
        assert_eq!(w("<@&123456789012345678>@here hi"), ["hi"]);
    }

    #[test]
    fn keeps_digit_groups_and_stems_of_contractions() {
        assert_eq!(w("600,000 views, 3.5 min."), ["600000", "views", "35", "min"]);
        assert_eq!(w("soko's song didn't"), ["soko", "song", "didn"]);
        assert_eq!(w("at 9 a.m."), ["at", "9", "a", "m"]);
    }

    #[test]
    fn ignores_invisible_characters() {
        assert_eq!(w("dir\u{200b}ected \u{202e}soko"), ["directed", "soko"]);
    }

    #[test]
    fn hyphenated_words_yield_parts_and_join() {
        assert_eq!(w("close-ups"), ["close", "ups", "closeups"]);
        assert_eq!(w("three-and-a-half"), ["three", "and", "a", "half"]);
    }

    #[test]
    fn questions_are_told_from_chat() {
        for q in
            ["who directed it", "Hey, how many cameras", "@bot was it staged", "the song?", "quick question what year"]
        {
            assert!(looks_like_question(q), "{q:?}");
        }
        for chat in ["lol that video", "I loved the song", "soko is great", "", "hey guys"] {
            assert!(!looks_like_question(chat), "{chat:?}");
        }
    }

    #[test]
    fn a_phrasing_without_its_filler_is_the_question_a_fan_asks() {
        for text in ["late to the party but where did soko sleep", "where did soko sleep", "does anyone know"] {
            let words = w(text);
            let kept = without_filler(&words);
            assert_eq!(kept.as_deref().unwrap_or(&words), question_words(text), "{text:?}");
        }
        assert_eq!(without_filler(&w("late to the party but who")), Some(w("but who")));
        assert_eq!(without_filler(&w("where did soko sleep")), None, "nothing to drop, nothing copied");
        assert_eq!(without_filler(&w("does anyone know")), None, "the filler is the question");
    }

    #[test]
    fn chat_spelling_reads_as_the_words_it_stands_for() {
        assert_eq!(w("whos the director tbh"), ["who", "the", "director"]);
        assert_eq!(w("u dont know ur stuff lol"), ["you", "don", "know", "your", "stuff"]);
        assert_eq!(w("sooooo who kisssed soko"), ["so", "who", "kissed", "soko"]);
        assert_eq!(w("natalia bonifacci, who dat"), ["natalia", "bonifacci", "who", "that"]);
        assert_eq!(w("wyd if dey kissed wit dis song"), ["if", "they", "kissed", "with", "this", "song"]);
        assert_eq!(w("U-"), ["you"], "a hyphen's parts too (found by the idempotence property)");
    }

    #[test]
    fn clip_respects_char_boundaries() {
        assert_eq!(clip("héllo", 2), "hé");
        assert_eq!(clip("hi", 10), "hi");
    }

    #[test]
    fn loose_unifies_space_and_quotes() {
        assert_eq!(loose("  “Kiss,”\n  she  said ’ "), "\"Kiss,\" she said '");
    }
}
