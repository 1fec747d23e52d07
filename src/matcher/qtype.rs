//! The type of answer a question asks for ("who", "when", "how many"...). Two facts
//! about the same thing often differ only in this ("when was the shoot" versus "how
//! long was the shoot"), and a question of a type no fact answers ("how old is...")
//! is a sign the documents do not answer it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QType {
    Who,
    When,
    Where,
    Why,
    /// "how many", "how much".
    Quantity,
    /// "how long".
    Duration,
    /// "how old", "how tall": personal attributes the documents never state.
    Age,
}

impl QType {
    /// How `ask --explain` names it.
    pub fn describe(self) -> &'static str {
        match self {
            QType::Who => "who",
            QType::When => "when",
            QType::Where => "where",
            QType::Why => "why",
            QType::Quantity => "how many",
            QType::Duration => "how long",
            QType::Age => "how old",
        }
    }

    /// Asks for a measure (an age, a count, a length of time): an entry that never
    /// asks one is not the answer, however close its words.
    pub fn measures(self) -> bool {
        matches!(self, QType::Quantity | QType::Duration | QType::Age)
    }

    const ALL: [QType; 7] =
        [QType::Who, QType::When, QType::Where, QType::Why, QType::Quantity, QType::Duration, QType::Age];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The words after "what" or "which" that make it a "when" question.
const TIME_NOUNS: &[&str] = &["time", "day", "date", "year", "month", "hour"];

/// "What" and "how" in each spelling that reaches here: chat's ("whats", "wut",
/// "wen", "whos") are made standard by `text::words` before any question is read.
const WHAT: &[&str] = &["what", "which"];
const HOW: &[&str] = &["how", "hw"];
/// The word after "how" that makes it a count.
const COUNT: &[&str] = &["many", "much", "meny"];

/// The type one question word asks for on its own ("who": a person).
fn wh_type(word: &str) -> Option<QType> {
    match word {
        "when" | "whens" | "whn" => Some(QType::When),
        "where" | "wher" => Some(QType::Where),
        "who" | "whom" | "whose" | "hwo" => Some(QType::Who),
        "why" | "wy" => Some(QType::Why),
        _ => None,
    }
}

/// Whether `word` asks who, when, where, why or how: a question with one asks for
/// more than a name ("who called tatia" is no question of what something is called).
pub(crate) fn is_wh_word(word: &str) -> bool {
    wh_type(word).is_some() || HOW.contains(&word)
}

/// Whether `word` is any question word, "what" and "which" too: a clause it opens
/// asks something.
pub(crate) fn is_question_word(word: &str) -> bool {
    is_wh_word(word) || WHAT.contains(&word)
}

/// Whether `word` asks who.
pub(crate) fn asks_who(word: &str) -> bool {
    wh_type(word) == Some(QType::Who)
}

/// Words that open a yes/no question: "did the kissers know when..." asks whether,
/// not when.
const YES_NO_OPENERS: &[&str] = &[
    "is", "are", "was", "were", "did", "does", "do", "can", "could", "has", "have", "had", "will", "would", "should",
    "isn", "wasn", "didn", "doesn",
];

/// Tags that make a statement a question of whether it is so ("they filmed it in
/// march right?").
const CHECK_TAGS: &[&str] = &["right", "rite", "correct", "true"];

/// Whether a question asks if something is so: it opens as a yes/no question, or
/// ends in a tag ("..., right?"). What it states may be offered for checking.
pub fn asks_whether(words: &[String]) -> bool {
    let opener = words.iter().position(|w| !PREAMBLE.contains(&w.as_str()));
    opener.is_some_and(|i| YES_NO_OPENERS.contains(&words[i].as_str()))
        || words.last().is_some_and(|w| CHECK_TAGS.contains(&w.as_str()))
}

/// Chat openers that come before the question itself ("hey bot, quick question, who...").
const PREAMBLE: &[&str] = &[
    "hey",
    "hi",
    "hello",
    "yo",
    "so",
    "ok",
    "okay",
    "um",
    "uh",
    "bot",
    "quick",
    "question",
    "q",
    "please",
    "pls",
    "and",
    "but",
    "i",
    "wonder",
    "wondering",
];

/// Reads the question type from how the question opens, and returns the index of a
/// qualifier word that belongs to the question form ("old" in "how old") so the
/// caller can leave it out of the topic words. A question opening with "did", "is"...
/// asks yes or no, whatever question word comes later, and one opening with a plain
/// "what" or "how" asks no one type; one that opens otherwise ("the director's
/// name?") takes the first question word found.
pub fn detect(words: &[String]) -> (Option<QType>, Option<usize>) {
    let opener = words.iter().position(|w| !PREAMBLE.contains(&w.as_str()));
    if opener.is_some_and(|i| YES_NO_OPENERS.contains(&words[i].as_str())) {
        return (None, None);
    }
    for (i, word) in words.iter().enumerate().skip(opener.unwrap_or(0)) {
        let (word, next) = (word.as_str(), words.get(i + 1).map(String::as_str));
        let found = match next {
            _ if HOW.contains(&word) => match next {
                Some(next) if COUNT.contains(&next) => Some((QType::Quantity, None)),
                Some("long") => Some((QType::Duration, Some(i + 1))),
                Some("old" | "tall" | "young") => Some((QType::Age, Some(i + 1))),
                _ => None,
            },
            Some(noun) if WHAT.contains(&word) && TIME_NOUNS.contains(&noun) => Some((QType::When, Some(i + 1))),
            _ => wh_type(word).map(|qtype| (qtype, None)),
        };
        if let Some((qtype, qualifier)) = found {
            return (Some(qtype), qualifier);
        }
        // A question that opens with a plain "what" or "how" asks for no one type: a
        // "when" or "who" after it starts a clause ("what did they say when...").
        if Some(i) == opener && (WHAT.contains(&word) || HOW.contains(&word)) {
            return (None, None);
        }
    }
    (None, None)
}

/// Words between "what" and the thing asked for, in "what kind of park".
const KIND_WORDS: &[&str] = &["kind", "kinda", "sort", "type", "of"];

/// Words that narrow the thing asked for without naming it: "what other bands",
/// "which two labels", "what exact day" ask for bands, labels and a day.
const NARROWING: &[&str] = &[
    "other",
    "else",
    "exact",
    "specific",
    "actual",
    "particular",
    "different",
    "same",
    "main",
    "two",
    "three",
    "four",
    "five",
];

/// The focus of a "which ...", "what ..." or "how many ..." question: the index of
/// the word naming the kind of thing asked for ("park" in "which park did they go
/// to", "volunteers" in "how many volunteers did they get"), if any. A fact that
/// never asks for that kind of thing likely mentions it without naming it, or
/// counts something else.
pub fn focus(words: &[String]) -> Option<usize> {
    let opener = words.iter().position(|w| !PREAMBLE.contains(&w.as_str()))?;
    if YES_NO_OPENERS.contains(&words[opener].as_str()) {
        return None;
    }
    let asks = |i: usize| {
        let (word, next) = (words[i].as_str(), words.get(i + 1).map(String::as_str));
        if WHAT.contains(&word) {
            Some(i + 1)
        } else if HOW.contains(&word) && next.is_some_and(|n| COUNT.contains(&n)) {
            Some(i + 2)
        } else {
            None
        }
    };
    let from = (opener..words.len()).find_map(asks)?;
    let noun = (from..words.len()).find(|&i| {
        let word = words[i].as_str();
        let after_of = i > 0 && words[i - 1] == "of" && matches!(word, "the" | "a" | "an");
        !(KIND_WORDS.contains(&word)
            || NARROWING.contains(&word)
            || after_of
            || word.bytes().all(|b| b.is_ascii_digit()))
    })?;
    let word = words[noun].as_str();
    (!crate::text::is_stopword(word)).then_some(noun)
}

/// The months' stems, as the analyzer stems them.
const MONTHS: &[&str] = &[
    "januari", "februari", "march", "april", "june", "juli", "august", "septemb", "octob", "novemb", "decemb", "feb",
    "sept",
];
/// Number words' stems the analyzer does not already write as digits.
const NUMBERS: &[&str] = &["forti", "million", "billion", "dozen"];

/// The types of answer `stem` would be if a question offered it for checking ("was
/// it shot in march", "like 10 min long"): a month or a year is a when, another
/// number a count or a length. Empty for any other word.
pub(super) fn offered(stem: &str) -> QTypes {
    let mut kinds = QTypes::default();
    let digits = !stem.is_empty() && stem.len() <= 12 && stem.bytes().all(|b| b.is_ascii_digit());
    let year = digits && stem.len() == 4 && (stem.starts_with("19") || stem.starts_with("20"));
    if MONTHS.contains(&stem) || year {
        kinds.insert(QType::When);
    } else if digits || NUMBERS.contains(&stem) {
        kinds.insert(QType::Quantity);
        kinds.insert(QType::Duration);
    }
    kinds
}

/// The stems of the days of the week, as the analyzer stems them.
const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
/// Stems that name a time of the clock besides "9am" and "10pm".
const CLOCK: &[&str] = &["a_m", "p_m", "noon", "midnight"];
/// Words that ask for the exact value ("what time exactly").
const EXACT: &[&str] = &["exact", "exactly", "precise", "precisely"];

/// How finely a "when" question asks: a month does not answer "what day", and a
/// morning does not answer "what time exactly".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Precision {
    Day,
    ClockTime,
}

/// The precision `stem` gives: a day of the week or of the month ("11th"), or a
/// time of the clock ("9am").
pub(super) fn precision_of(stem: &str) -> Option<Precision> {
    let ordinal = ["st", "nd", "rd", "th"].iter().find_map(|suffix| stem.strip_suffix(suffix));
    let digits = |d: &str| (1..=2).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit());
    let hour = ["am", "pm"].iter().find_map(|suffix| stem.strip_suffix(suffix));
    if WEEKDAYS.contains(&stem) || ordinal.is_some_and(digits) {
        Some(Precision::Day)
    } else if CLOCK.contains(&stem) || hour.is_some_and(digits) {
        Some(Precision::ClockTime)
    } else {
        None
    }
}

/// The precision a question with this focus asks for: "what day", "what date", or
/// "what time ... exactly" (a plain "what time did it launch" is answered by
/// "monday morning").
pub(super) fn asks_precision(focus: Option<&str>, words: &[String]) -> Option<Precision> {
    match focus {
        Some("day" | "date") => Some(Precision::Day),
        Some("time" | "hour") if words.iter().any(|w| EXACT.contains(&w.as_str())) => Some(Precision::ClockTime),
        _ => None,
    }
}

/// A set of question types, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QTypes(u8);

impl QTypes {
    pub fn insert(&mut self, qtype: QType) {
        self.0 |= qtype.bit();
    }

    pub fn contains(self, qtype: QType) -> bool {
        self.0 & qtype.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: QTypes) -> QTypes {
        QTypes(self.0 | other.0)
    }

    pub fn meets(self, other: QTypes) -> bool {
        self.0 & other.0 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = QType> {
        QType::ALL.into_iter().filter(move |q| self.contains(*q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::words;

    #[test]
    fn days_and_clock_times_are_precise() {
        for stem in ["monday", "sunday", "11th", "1st", "22nd", "3rd"] {
            assert_eq!(precision_of(stem), Some(Precision::Day), "{stem}");
        }
        for stem in ["9am", "10pm", "a_m", "noon"] {
            assert_eq!(precision_of(stem), Some(Precision::ClockTime), "{stem}");
        }
        for stem in ["februari", "2014", "11", "th", "100th", "day", "mond", "morn", "am", "120pm"] {
            assert_eq!(precision_of(stem), None, "{stem}");
        }
        let asks = |q: &str| {
            let w = words(q);
            asks_precision(focus(&w).map(|i| w[i].as_str()), &w)
        };
        assert_eq!(asks("what day did it launch"), Some(Precision::Day));
        assert_eq!(asks("what time exactly did it go live"), Some(Precision::ClockTime));
        assert_eq!(asks("what time did it go live"), None);
        assert_eq!(asks("what month was the shoot"), None);
    }

    fn qtype(text: &str) -> Option<QType> {
        detect(&words(text)).0
    }

    #[test]
    fn questions_of_whether_something_is_so() {
        for yes_no in
            ["was the shoot in march", "they filmed it in march right?", "ok so didnt it get 100 million views"]
        {
            assert!(asks_whether(&words(yes_no)), "{yes_no}");
        }
        for other in ["whats 17 times 23", "when was the shoot", "the shoot was in march"] {
            assert!(!asks_whether(&words(other)), "{other}");
        }
    }

    #[test]
    fn months_and_numbers_are_offered_as_whens_and_measures() {
        let analyzer = crate::text::Analyzer::new(Vec::<Vec<String>>::new());
        for month in ["january", "February", "march", "april", "june", "july", "august", "september", "october"] {
            let stem = analyzer.stem(&month.to_lowercase());
            assert!(offered(&stem).contains(QType::When), "{month} as {stem}");
        }
        for month in ["november", "december"] {
            assert!(offered(&analyzer.stem(month)).contains(QType::When), "{month}");
        }
        assert!(offered("2014").contains(QType::When) && !offered("2014").contains(QType::Quantity));
        for number in ["10", "twenty", "hundred", "million", "five"] {
            let stem = analyzer.stem(number);
            assert!(offered(&stem).contains(QType::Quantity) && offered(&stem).contains(QType::Duration), "{number}");
        }
        for word in ["one", "may", "soko", "camera", "", "10k"] {
            assert!(offered(&analyzer.stem(word)).is_empty(), "{word}");
        }
    }

    #[test]
    fn reads_question_types_anywhere_in_the_question() {
        assert_eq!(qtype("hey bot quick question, who directed it"), Some(QType::Who));
        assert_eq!(qtype("how many cameras"), Some(QType::Quantity));
        assert_eq!(qtype("how long is the video"), Some(QType::Duration));
        assert_eq!(qtype("what time did soko film her kiss"), Some(QType::When));
        assert_eq!(qtype("HOW OLD is tatia"), Some(QType::Age));
        assert_eq!(qtype("what's the song called"), None);
        assert_eq!(qtype("how were the couples picked"), None);
        assert_eq!(qtype("did the kissers know when they were filmed"), None, "a yes/no question");
        assert_eq!(qtype("hey so was it staged? who said so"), None);
        assert_eq!(qtype("the director's name, who is it"), Some(QType::Who));
        assert_eq!(qtype("hwo directed it"), Some(QType::Who));
        // Chat's spellings arrive standard from `words`.
        assert_eq!(qtype("whos the director"), Some(QType::Who));
        assert_eq!(qtype("wen was it shot"), Some(QType::When));
        assert_eq!(qtype("wut year was it"), Some(QType::When));
        assert_eq!(qtype("what did they say when soko asked to kiss a girl"), None, "a clause, not the question");
        assert_eq!(qtype("how did andre react when she told him"), None);
        assert_eq!(qtype("what year did it come out"), Some(QType::When));
    }

    #[test]
    fn the_focus_is_the_kind_of_thing_asked_for() {
        let focus = |q: &str| {
            let words = crate::text::words(q);
            focus(&words).map(|i| words[i].clone())
        };
        assert_eq!(focus("which park did they go to"), Some("park".into()));
        assert_eq!(focus("ok so what kind of camera was it"), Some("camera".into()));
        assert_eq!(focus("whats the song called"), None, "a filler word is no focus");
        assert_eq!(focus("what did soko say"), None);
        // A time noun makes it a "when" and is its focus too: "what time" and "what
        // year" ask for different things.
        assert_eq!(focus("what year was it"), Some("year".into()));
        assert_eq!(qtype("what year was it"), Some(QType::When));
        assert_eq!(focus("did they say which park"), None, "yes or no");
        assert_eq!(focus("who made it"), None);
        assert_eq!(focus("what other bands has he produced"), Some("bands".into()));
        assert_eq!(focus("which 2 labels did she talk to"), Some("labels".into()));
        assert_eq!(focus("which of the couples went to lunch"), Some("couples".into()));
        // What a count counts.
        assert_eq!(focus("how many volunteers did they end up with"), Some("volunteers".into()));
        assert_eq!(focus("so how many of the kissers were models"), Some("kissers".into()));
        assert_eq!(focus("how much money did it take"), Some("money".into()));
        assert_eq!(focus("how much did it cost"), None, "a filler word is no focus");
        assert_eq!(focus("how long was the shoot"), None);
    }

    #[test]
    fn the_qualifier_of_the_question_form_is_pointed_out() {
        let w = words("how old is tatia");
        assert_eq!(detect(&w), (Some(QType::Age), Some(1)));
    }

    #[test]
    fn sets_hold_their_members() {
        let mut set = QTypes::default();
        set.insert(QType::When);
        set.insert(QType::Who);
        assert!(set.contains(QType::Who) && !set.contains(QType::Why));
        assert_eq!(set.iter().collect::<Vec<_>>(), [QType::Who, QType::When]);
    }
}
