//! The set phrases of chat that wrap a question without asking anything: "late to
//! the party but", "asking for a friend", "sorry if this was asked already". Their
//! words one by one are topic words ("party", "friend", "asked"), so the stop list
//! cannot drop them; as a phrase they say nothing of what is asked, and a matcher
//! that reads them takes them for words no fact accounts for.
//!
//! Written from how fan servers and forums open and pad a question, not from any
//! one question set. A phrase is dropped only whole, word for word.

use std::sync::LazyLock;

use super::WordMap;

const FILLER: &[&str] = &[
    "late to the party",
    "asking for a friend",
    "sorry if this was asked already",
    "sorry if this was already asked",
    "sorry if this has been asked",
    "sorry if this has been asked before",
    "sorry if this was asked before",
    "sorry if this is a dumb question",
    "sorry if this is a stupid question",
    "sorry if this is obvious",
    "sorry for the dumb question",
    "sorry to bother",
    "sorry to ask",
    "this might be a dumb question",
    "this might be a stupid question",
    "might be a dumb question",
    "dumb question",
    "stupid question",
    "silly question",
    "random question",
    "quick question",
    "quick q",
    "dumb q",
    "stupid q",
    "silly q",
    "random q",
    "i cant remember",
    "i can't remember",
    "cant remember",
    "can't remember",
    "i forget",
    "i forgot",
    "yes or no",
    "genuine question",
    "honest question",
    "serious question",
    "real quick",
    "random but",
    "random thought",
    "real talk",
    "no offense",
    "not gonna lie",
    "to be honest",
    "just wondering",
    "just curious",
    "out of curiosity",
    "for the record",
    "correct me if i'm wrong",
    "correct me if im wrong",
    "if i remember correctly",
    "if i remember right",
    "if i recall correctly",
    "just rewatched it",
    "just rewatched",
    "just watched it",
    "just watched",
    "just saw it",
    "i keep forgetting",
    "i always forget",
    "been wondering for ages",
    "been wondering",
    "for ages",
    "help me out here",
    "help me out",
    "please remind me",
    "pls remind me",
    "remind me",
    "settle this",
    "settle a debate",
    "settle an argument",
    "new here",
    "long time lurker",
    "first time posting",
    "thanks in advance",
    "thank you in advance",
    "ty in advance",
    "hot take",
    "can someone tell me",
    "can anyone tell me",
    "can somebody tell me",
    "can someone explain",
    "does anyone know",
    "does anybody know",
    "anyone know",
    "anybody know",
    "can you tell me",
    "could you tell me",
    "i need to know",
    "i gotta know",
    "i have to know",
    "i was wondering",
    "now i'm wondering",
    "now im wondering",
    "i'm curious",
    "im curious",
    "i'm confused",
    "im confused",
    "i'm crying",
    "im crying",
    "in your opinion",
    "if you know",
    "not sure if you know",
    "not sure if u know",
    "please answer",
    "pls answer",
    "quick one",
];

/// Each phrase's words, by its first word.
static PHRASES: LazyLock<WordMap<String, Vec<Vec<String>>>> = LazyLock::new(|| {
    let mut map: WordMap<String, Vec<Vec<String>>> = WordMap::default();
    for phrase in FILLER {
        let words = super::words(phrase);
        map.entry(words[0].clone()).or_default().push(words);
    }
    // Longest first: "help me out here" before "help me out".
    for phrases in map.values_mut() {
        phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    }
    map
});

/// `words` without the chat phrases in them, unless nothing else is left (then the
/// phrase was the question: "does anyone know"). Most questions hold none, and cost
/// a lookup of each word and no allocation.
pub fn drop_filler(words: &mut Vec<String>) {
    let found = filler_in(words);
    if found.is_empty() {
        return;
    }
    let mut at = 0;
    words.retain(|_| {
        let keep = !found.iter().any(|r| r.contains(&at));
        at += 1;
        keep
    });
}

/// `words` as [`drop_filler`] leaves them, if it would change them: a copy is made
/// only then.
pub fn without_filler(words: &[String]) -> Option<Vec<String>> {
    let found = filler_in(words);
    (!found.is_empty()).then(|| {
        let kept = words.iter().enumerate().filter(|(i, _)| !found.iter().any(|r| r.contains(i)));
        kept.map(|(_, w)| w.clone()).collect()
    })
}

/// Where the chat phrases stand in `words`; none if nothing else would be left.
fn filler_in(words: &[String]) -> Vec<std::ops::Range<usize>> {
    let mut found: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let phrase = PHRASES.get(&words[i]).and_then(|phrases| phrases.iter().find(|p| words[i..].starts_with(p)));
        match phrase {
            Some(phrase) => {
                found.push(i..i + phrase.len());
                i += phrase.len();
            }
            None => i += 1,
        }
    }
    let dropped: usize = found.iter().map(|r| r.len()).sum();
    if dropped == words.len() {
        found.clear();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(text: &str) -> String {
        let mut words = super::super::words(text);
        drop_filler(&mut words);
        words.join(" ")
    }

    #[test]
    fn a_phrase_goes_whole_and_its_words_alone_stay() {
        assert_eq!(dropped("late to the party but who directed it"), "but who directed it");
        assert_eq!(dropped("was there a party after the shoot"), "was there a party after the shoot");
        assert_eq!(dropped("asking for a friend: were they friends"), "were they friends");
        assert_eq!(dropped("who's the friend she was asking for"), "who the friend she was asking for");
    }

    #[test]
    fn the_longest_phrase_wins_and_repeats_go_too() {
        assert_eq!(dropped("help me out here, who sang"), "who sang");
        assert_eq!(dropped("quick question quick question who sang"), "who sang");
        assert_eq!(dropped("sorry if this has been asked before who sang"), "who sang");
    }

    #[test]
    fn a_question_of_filler_alone_is_kept() {
        assert_eq!(dropped("does anyone know"), "does anyone know");
        assert_eq!(dropped(""), "");
    }

    #[test]
    fn every_phrase_has_two_words_or_more() {
        for phrase in FILLER {
            assert!(super::super::words(phrase).len() >= 2, "{phrase}: one word belongs in the stop list");
        }
    }
}
