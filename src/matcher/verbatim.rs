//! Word for word: the runs of three words a question shares with an entry's
//! quotes. A fan who repeats a document's words ("it was such a ___ experience",
//! "a slit bag of eels") is asking about the passage that has them, and so about
//! the entry that cites it, even where the words around them are all chat.
//!
//! A fan retelling a quote shifts it into reported speech ("If I don't create, I
//! die" becomes "she said if she doesnt create she..."), so persons, and the forms
//! of "do" and "be", are read as one word each on both sides ([`reported`]).
//!
//! Stop words count here, unlike in the rest of the matcher: "it worked because"
//! is a phrase, "worked" alone is a word. A run must still hold a word that is not
//! filler, and only a run that one entry alone quotes counts: one that several
//! quote ("the first kiss video") tells them apart no better than the words alone.

use crate::text::{self, WordMap};
use serde::{Deserialize, Serialize};

/// Three words side by side, as numbered by [`Verbatim`].
pub(super) type Trigram = [u32; 3];

/// A run quoted by more entries than this tells little about which one is meant.
/// Measured on the sets never harvested (blind12 to blind18, holdout, holdout2),
/// one against two, three, five or any: 24 to 27 more right answers with 2 more
/// wrong, where two or more let in 6 to 14 more wrong answers.
const MAX_HOLDERS: usize = 1;
/// Shared runs past this add nothing: three are a quote five words long.
pub(super) const ENOUGH: usize = 3;

/// The three-word runs of every entry's quotes.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Verbatim {
    /// Each word of the quotes: its number, and whether it is not filler.
    words: WordMap<String, Word>,
    /// Each entry's runs, sorted, each once: those with a word that is not filler
    /// and held by at most [`MAX_HOLDERS`] entries.
    entries: Vec<Vec<Trigram>>,
}

/// A word's number, and whether it is not filler (it says something).
type Word = (u32, bool);

impl Verbatim {
    /// The runs of each entry's quotes, entries in index order.
    pub(super) fn new<'q, 's: 'q>(quotes: impl Iterator<Item = &'q [&'s str]>) -> Verbatim {
        let mut words: WordMap<String, Word> = WordMap::default();
        let mut entries: Vec<Vec<Trigram>> = quotes
            .map(|texts| {
                let mut runs = Vec::new();
                for &quote in texts {
                    let numbered = text::words(quote).into_iter().map(|w| {
                        let w = reported(&w).map_or(w, str::to_string);
                        let next = (words.len() as u32, !text::is_stopword(&w));
                        *words.entry(w).or_insert(next)
                    });
                    telling(numbered.map(Some), &mut runs);
                }
                runs.sort_unstable();
                runs.dedup();
                runs
            })
            .collect();
        let mut holders: WordMap<Trigram, usize> = WordMap::default();
        for run in entries.iter().flatten() {
            *holders.entry(*run).or_default() += 1;
        }
        for runs in &mut entries {
            runs.retain(|run| holders[run] <= MAX_HOLDERS);
        }
        Verbatim { words, entries }
    }

    /// The question's runs that some quote could share, sorted, each once. A word
    /// no quote has breaks a run.
    pub(super) fn runs_of(&self, words: &[String]) -> Vec<Trigram> {
        let mut runs = Vec::new();
        telling(words.iter().map(|w| self.words.get(reported(w).unwrap_or(w)).copied()), &mut runs);
        runs.sort_unstable();
        runs.dedup();
        runs
    }

    /// How many of `runs` (sorted) entry `doc`'s quotes have, up to [`ENOUGH`].
    pub(super) fn shared(&self, doc: usize, runs: &[Trigram]) -> usize {
        let held = &self.entries[doc];
        if held.is_empty() {
            return 0;
        }
        runs.iter().filter(|run| held.binary_search(run).is_ok()).take(ENOUGH).count()
    }
}

/// The word standing for `word` in any person or tense of reported speech, where it
/// has one: a pronoun, or a form of "do" or "be" (negative forms apart). Each stands
/// for a word that is itself a stop word, so a run still needs a word that says
/// something.
fn reported(word: &str) -> Option<&'static str> {
    Some(match word {
        "i" | "me" | "my" | "mine" | "myself" | "you" | "your" | "yours" | "yourself" | "he" | "him" | "his"
        | "himself" | "she" | "her" | "hers" | "herself" | "we" | "us" | "our" | "ours" | "ourselves" | "they"
        | "them" | "their" | "theirs" | "themselves" => "she",
        "do" | "does" | "did" => "do",
        "don" | "doesn" | "didn" => "don",
        "am" | "is" | "are" | "was" | "were" => "is",
        "isn" | "aren" | "wasn" | "weren" => "isn",
        _ => return None,
    })
}

/// Pushes to `runs` the runs of three words of `words` (`None`: a word that breaks
/// runs) that hold a word that is not filler.
fn telling(words: impl Iterator<Item = Option<Word>>, runs: &mut Vec<Trigram>) {
    let mut last: [Word; 3] = [(0, false); 3];
    let mut unbroken = 0;
    for word in words {
        let Some(word) = word else {
            unbroken = 0;
            continue;
        };
        last = [last[1], last[2], word];
        unbroken += 1;
        if unbroken >= 3 && last.iter().any(|w| w.1) {
            runs.push([last[0].0, last[1].0, last[2].0]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text::words(text)
    }

    #[test]
    fn a_question_repeating_a_quote_shares_its_runs() {
        let verbatim = Verbatim::new(
            [
                &["I think it worked because it was such a genuine experience"][..],
                &["without it looking like a slit bag of eels being electrocuted"],
            ]
            .into_iter(),
        );
        // "it worked because", "worked because it", "because it was", "it was such"...
        let runs = verbatim.runs_of(&words("soko thinks it worked bc it was such a what experience"));
        assert_eq!(verbatim.shared(0, &runs), ENOUGH);
        assert_eq!(verbatim.shared(1, &runs), 0);
        let runs = verbatim.runs_of(&words("whats the slit bag of eels line about"));
        assert_eq!(verbatim.shared(1, &runs), 2, "\"slit bag of\", \"bag of eels\"");
        assert_eq!(verbatim.shared(0, &runs), 0);
    }

    #[test]
    fn a_quote_retold_in_reported_speech_shares_its_runs() {
        let verbatim = Verbatim::new([&["If I don't create, I die."][..], &["I am so glad we did it"]].into_iter());
        // "she doesn create", "doesn create she".
        let runs = verbatim.runs_of(&words("soko said if she doesn't create she what"));
        assert_eq!(verbatim.shared(0, &runs), 2, "{runs:?}");
        assert_eq!(verbatim.shared(1, &runs), 0);
        let runs = verbatim.runs_of(&words("she said she was so glad they did what"));
        assert_eq!(verbatim.shared(1, &runs), ENOUGH, "{runs:?}");
        // A negative is not its positive.
        let runs = verbatim.runs_of(&words("so if she does create she lives"));
        assert_eq!(verbatim.shared(0, &runs), 0, "{runs:?}");
    }

    #[test]
    fn filler_and_runs_quoted_twice_share_nothing() {
        let verbatim = Verbatim::new(
            [&["the first kiss video"][..], &["see the first kiss video"], &["and it was the end of it"]].into_iter(),
        );
        let runs = verbatim.runs_of(&words("was it the first kiss video"));
        assert!((0..3).all(|doc| verbatim.shared(doc, &runs) == 0), "{runs:?}");
        // A word no quote has breaks the run it stands in.
        let runs = verbatim.runs_of(&words("first kiss clip video"));
        assert!(runs.is_empty(), "{runs:?}");
    }
}
