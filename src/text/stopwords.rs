//! Words that carry no topic: English function words, question words (their meaning
//! is read separately, as the question's type) and the filler of chat ("hey bot,
//! quick question"). Dropping them keeps them from diluting the words that matter.

/// Sorted, so that lookup is a binary search.
const STOPWORDS: &[&str] = &[
    "a", "about", "actually", "after", "again", "all", "also", "am", "an", "and", "any",
    "anybody", "anyone", "anything", "are", "aren", "as", "ask", "at", "be", "been",
    "being", "bot", "btw", "but", "by", "can", "could", "couldn", "curious", "d", "dear",
    "did", "didn", "do", "does", "doesn", "doing", "don", "exactly", "for", "from", "get",
    "gets", "getting", "go", "going", "got", "guys", "had", "hadn", "has", "hasn", "have",
    "haven", "having", "he", "hello", "help", "her", "here", "hers", "hey", "hi", "him",
    "his", "hiya", "how", "i", "if", "im", "in", "into", "is", "isn", "it", "its", "ive",
    "just", "kind", "kinda", "know", "let", "like", "ll", "lol", "m", "many", "may", "me", "might",
    "mind", "more", "most", "much", "must", "my", "of", "oh", "ok", "okay", "on", "or",
    "our", "out", "please", "pls", "plz", "q", "question", "quick", "re", "really", "right", "s",
    "say", "she", "should", "so", "some", "sort", "t", "tell", "than", "thank", "thanks",
    "that", "thats", "the", "their", "theirs", "them", "then", "there", "these", "they",
    "thing", "this", "those", "thx", "to", "too", "u", "uh", "um", "up", "us", "ve",
    "very", "wanna", "want", "was", "wasn", "way", "we", "were", "weren", "what", "whats",
    "when", "whens", "where", "wheres", "which", "while", "who", "whom", "whos", "whose",
    "why", "will", "with", "wonder", "wondering", "would", "wouldn", "y", "ya", "yall",
    "yeah", "yes", "yo", "you", "your", "yours",
];

pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
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
