//! Words that carry no topic: English function words, question words (their meaning
//! is read separately, as the question's type) and the filler of chat ("hey bot,
//! quick question"), and chat spellings of question words ("wat", "hwo"). Dropping them keeps them from diluting the words that matter.

use std::sync::LazyLock;

use super::WordSet;

/// Sorted, so that a duplicate stands out.
const STOPWORDS: &[&str] = &[
    "a", "about", "actually", "after", "again", "all", "also", "am", "an", "and", "any", "anybody",
    "anyone", "anything", "anyway", "anyways", "anywhere", "apologies", "are", "aren", "as", "ask",
    "at", "basically", "be", "been", "being", "bot", "btw", "but", "by", "called", "can", "could",
    "couldn", "curious", "d", "dear", "did", "didn", "do", "does", "doesn", "doing", "don", "dunno",
    "during", "even", "everybody", "everyone", "everything", "everywhere", "exactly", "for",
    "forget", "forgot", "from", "get", "gets", "getting", "go", "going", "got", "guess", "guys",
    "had", "hadn", "has", "hasn", "have", "haven", "having", "he", "hello", "help", "her", "here",
    "hers", "hey", "hi", "him", "his", "hiya", "hmm", "honestly", "how", "hw", "hwo", "i", "if",
    "im", "in", "into", "is", "isn", "it", "its", "ive", "just", "kind", "kinda", "know", "let",
    "like", "literally", "ll", "lmao", "lol", "m", "many", "may", "maybe", "me", "might", "mind",
    "more", "most", "much", "must", "my", "name", "named", "obvious", "obviously", "of", "oh", "ok",
    "okay", "omg", "on", "or", "our", "out", "please", "pls", "plz", "probably", "q", "question",
    "quick", "random", "re", "really", "remember", "right", "s", "say", "seriously", "she",
    "should", "so", "some", "somebody", "someone", "something", "somewhere", "sorry", "sort",
    "sorta", "t", "tell", "than", "thank", "thanks", "that", "thats", "the", "their", "theirs",
    "them", "then", "there", "these", "they", "thing", "this", "tho", "those", "though", "thx",
    "to", "too", "u", "uh", "um", "umm", "up", "us", "ve", "very", "wait", "wanna", "want", "was",
    "wasn", "wat", "way", "we", "wen", "were", "weren", "what", "whats", "when", "whens", "wher",
    "where", "wheres", "which", "while", "whn", "who", "whom", "whos", "whose", "wht", "why",
    "will", "with", "wonder", "wondering", "would", "wouldn", "wut", "wy", "y", "ya", "yall",
    "yeah", "yes", "yo", "you", "your", "yours",
];

pub fn is_stopword(word: &str) -> bool {
    static SET: LazyLock<WordSet<&str>> = LazyLock::new(|| STOPWORDS.iter().copied().collect());
    SET.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_unique() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]), "STOPWORDS must stay sorted");
    }

    #[test]
    fn recognises_filler_but_not_topics() {
        assert!(is_stopword("hey") && is_stopword("the") && is_stopword("who"));
        assert!(!is_stopword("kiss") && !is_stopword("song") && !is_stopword("never"));
    }
}
