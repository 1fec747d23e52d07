//! The analyzer turns words into the terms the matcher indexes: filler dropped,
//! number words as digits, English stems, and the fact base's synonym groups folded
//! into one term each.

use rust_stemmers::{Algorithm, Stemmer};

use super::{is_stopword, words, WordMap};

/// A word on its way to becoming a term.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// The stem, or the word itself for a filler word.
    pub term: String,
    /// How much the matcher trusts it: 1.0 as typed, less for a corrected typo.
    pub weight: f32,
    /// A filler word: it can complete a synonym phrase ("ok go", "the designer") but
    /// is dropped otherwise.
    pub stop: bool,
}

impl Token {
    pub fn new(term: impl Into<String>, weight: f32, stop: bool) -> Token {
        Token { term: term.into(), weight, stop }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Analyzer {
    /// Made again when read back: it is rules, not data.
    #[serde(skip, default = "english")]
    stemmer: Stemmer,
    /// First stem of a synonym phrase -> every phrase starting with it (longest first)
    /// and the term it stands for.
    synonyms: WordMap<String, Vec<(Vec<String>, String)>>,
}

fn english() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer").field("synonyms", &self.synonyms.len()).finish()
    }
}

impl Analyzer {
    /// Builds an analyzer whose synonym groups map every member to the group's first
    /// entry. A member of several words ("the french singer") matches that sequence.
    pub fn new<G, W>(groups: G) -> Self
    where
        G: IntoIterator<Item = W>,
        W: AsRef<[String]>,
    {
        let mut analyzer = Analyzer { stemmer: english(), synonyms: WordMap::default() };
        for group in groups {
            let group = group.as_ref();
            let Some(canonical) = group.first().map(|head| {
                analyzer.tokens(&words(head), None).into_iter().map(|t| t.term).collect::<Vec<_>>().join("_")
            }) else {
                continue;
            };
            if canonical.is_empty() {
                continue;
            }
            for member in group {
                let phrase: Vec<String> = analyzer.tokens(&words(member), None).into_iter().map(|t| t.term).collect();
                if let Some(first) = phrase.first().cloned() {
                    analyzer.synonyms.entry(first).or_default().push((phrase, canonical.clone()));
                }
            }
        }
        for phrases in analyzer.synonyms.values_mut() {
            phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
            phrases.dedup_by(|a, b| a.0 == b.0);
        }
        analyzer
    }

    /// The stems of the topic words of `text`, before synonyms.
    pub fn stems(&self, text: &str) -> Vec<String> {
        words(text).iter().filter(|w| !is_stopword(w)).map(|w| self.stem(w)).collect()
    }

    /// Every word of `words` as a token (filler words marked, the word at `skip`
    /// left out), before synonyms.
    pub fn tokens(&self, words: &[String], skip: Option<usize>) -> Vec<Token> {
        self.tokens_with(words, skip, &mut |w| self.stem(w))
    }

    /// `tokens`, with the stemming done by `stem` (a memo, when indexing thousands of
    /// texts that share their words).
    pub fn tokens_with(
        &self,
        words: &[String],
        skip: Option<usize>,
        stem: &mut impl FnMut(&str) -> String,
    ) -> Vec<Token> {
        let token = |w: &String, stem: &mut dyn FnMut(&str) -> String| {
            if is_stopword(w) {
                Token::new(w.as_str(), 1.0, true)
            } else {
                Token::new(stem(w), 1.0, false)
            }
        };
        words.iter().enumerate().filter(|(i, _)| Some(*i) != skip).map(|(_, w)| token(w, stem)).collect()
    }

    /// The stem of one word, with number words written as digits.
    pub fn stem(&self, word: &str) -> String {
        match number_word(word) {
            Some(digits) => digits.to_string(),
            None => self.stemmer.stem(word).into_owned(),
        }
    }

    /// Every synonym phrase whose first token is `term`, longest first, with the term
    /// it stands for: what [`Analyzer::fold`] tries at each token.
    pub fn phrases_from(&self, term: &str) -> Option<&[(Vec<String>, String)]> {
        self.synonyms.get(term).map(Vec::as_slice)
    }

    /// Folds synonym phrases into their group's term, longest phrase first, then
    /// drops the filler words left over. A folded phrase is trusted as much as its
    /// least trusted word.
    pub fn fold(&self, tokens: &[Token]) -> Vec<(String, f32)> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            let matched = self
                .phrases_from(&tokens[i].term)
                .and_then(|phrases| longest_phrase(phrases, &tokens[i..], |t| &t.term));
            match matched {
                Some((phrase, canonical)) => {
                    let weight = tokens[i..i + phrase.len()].iter().map(|t| t.weight).fold(1.0, f32::min);
                    out.push((canonical.clone(), weight));
                    i += phrase.len();
                }
                None => {
                    if !tokens[i].stop {
                        out.push((tokens[i].term.clone(), tokens[i].weight));
                    }
                    i += 1;
                }
            }
        }
        out
    }

    /// The terms of a trusted text (a curated phrasing or answer): stems, then synonyms.
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.fold(&self.tokens(&words(text), None)).into_iter().map(|(t, _)| t).collect()
    }
}

/// The longest of `phrases` (a token's, from [`Analyzer::phrases_from`]) that
/// `tokens` open with, each token's text given by `text`: the one rule of folding,
/// shared by [`Analyzer::fold`] and the index's reader, which keeps its tokens as
/// numbers.
pub fn longest_phrase<'p, 's, T>(
    phrases: &'p [(Vec<String>, String)],
    tokens: &'s [T],
    text: impl Fn(&'s T) -> &'s str,
) -> Option<&'p (Vec<String>, String)> {
    phrases
        .iter()
        .find(|(phrase, _)| phrase.len() <= tokens.len() && phrase.iter().zip(tokens).all(|(p, t)| p == text(t)))
}

/// Number words as the digits the documents mostly use ("five cameras", "5 million").
fn number_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "two" => "2",
        "three" => "3",
        "four" => "4",
        "five" => "5",
        "six" => "6",
        "seven" => "7",
        "eight" => "8",
        "nine" => "9",
        "ten" => "10",
        "eleven" => "11",
        "twelve" => "12",
        "fifteen" => "15",
        "twenty" => "20",
        "thirty" => "30",
        "fifty" => "50",
        "hundred" => "100",
        "thousand" => "1000",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(groups: &[&[&str]]) -> Analyzer {
        let owned: Vec<Vec<String>> = groups.iter().map(|g| g.iter().map(|s| s.to_string()).collect()).collect();
        Analyzer::new(owned)
    }

    #[test]
    fn stems_drop_filler_and_spell_numbers() {
        let a = groups(&[]);
        assert_eq!(a.stems("hey bot, how many cameras were there? five?"), ["camera", "5"]);
    }

    #[test]
    fn synonyms_fold_to_the_first_member() {
        let a =
            groups(&[&["song", "music", "soundtrack"], &["soko", "the french singer"], &["first kiss", "the short"]]);
        assert_eq!(a.terms("who made the soundtrack"), ["made", "song"]);
        assert_eq!(a.terms("the French singer's music"), ["soko", "song"]);
        assert_eq!(a.terms("who shot First Kiss"), ["shot", "first_kiss"]);
    }

    #[test]
    fn folded_phrase_takes_its_least_trusted_weight() {
        let a = groups(&[&["first kiss"]]);
        let folded = a.fold(&[Token::new("first", 1.0, false), Token::new("kiss", 0.8, false)]);
        assert_eq!(folded, [("first_kiss".to_string(), 0.8)]);
    }

    #[test]
    fn phrases_made_of_filler_words_survive() {
        let a = groups(&[&["ok go", "okgo"], &["coker", "the designer"]]);
        assert_eq!(a.terms("is anyone from OK Go in it?"), ["ok_go"]);
        assert_eq!(a.terms("who is the designer"), ["coker"]);
        assert_eq!(a.terms("the designer"), ["coker"]);
        assert_eq!(a.terms("a designer"), ["design"], "without the article it is just the word");
    }
}
