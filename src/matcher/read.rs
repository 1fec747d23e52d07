//! Reading the entries' texts into terms, the part of building the index that needs
//! no shared state: words split, question types and focus found, stems taken and
//! synonyms folded. It is most of building the index, so it runs on a few threads,
//! each over a run of entries. Each thread also numbers its run's terms and sorts
//! each entry's stems, so that the one index builder hashes each distinct term once
//! per run instead of every use of it; it gives the terms their ids in run order, so
//! the index is the same whatever the number of threads.

use super::qtype::{self, QType};
use super::DocText;
use crate::text::{self, longest_phrase, Analyzer, WordMap};

/// Most threads reading the texts. Past the cores there is nothing to gain.
const READING_THREADS: usize = 4;

/// A text's terms, in order, as numbers local to its run (see [`Run::terms`]):
/// stems with synonyms folded, filler dropped.
pub(super) type Terms = Vec<u32>;

/// An entry's texts, read.
pub(super) struct EntryRead {
    /// Each phrasing: the question type it asks, the stem of its focus, its terms.
    pub phrasings: Vec<(Option<QType>, Option<String>, Terms)>,
    /// Each phrasing's words, hashed ([`text::hash_words`]).
    pub said: Vec<u64>,
    pub keywords: Vec<Terms>,
    pub weak: Vec<Terms>,
    /// The stems of all its texts before synonyms, filler left out, sorted, each
    /// once: what the typo index corrects to.
    pub stems: Vec<String>,
}

/// A run of entries read by one thread.
pub(super) struct Run {
    pub entries: Vec<EntryRead>,
    /// Each term the run uses, by its local number: in the order the run first uses
    /// them, which is the order the index gives them ids in.
    pub terms: Vec<String>,
}

/// Every entry of `docs` read, in runs, in order, and each word met with its stem.
pub(super) fn read_all(analyzer: &Analyzer, docs: &[DocText]) -> (Vec<Run>, WordMap<String, String>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, READING_THREADS);
    let runs = balanced_runs(docs, threads);
    let parts: Vec<(Run, WordMap<String, String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = runs
            .into_iter()
            .map(|run| {
                scope.spawn(move || {
                    let mut reader = Reader::new(analyzer);
                    let entries = run.iter().map(|doc| reader.entry(doc)).collect();
                    (Run { entries, terms: reader.terms }, reader.memo)
                })
            })
            .collect();
        workers.into_iter().map(crate::joined).collect()
    });
    let mut runs = Vec::with_capacity(parts.len());
    let mut stems = WordMap::default();
    for (run, memo) in parts {
        runs.push(run);
        stems.extend(memo);
    }
    (runs, stems)
}

/// `docs` cut into at most `threads` runs of about the same amount of text: the
/// facts' quotes are long and the gaps' phrasings short, so equal counts would not
/// be equal work.
fn balanced_runs<'d, 'a>(docs: &'d [DocText<'a>], threads: usize) -> Vec<&'d [DocText<'a>]> {
    let size = |d: &DocText| -> usize {
        d.phrasings.iter().chain(&d.weak).map(|t| t.len()).sum::<usize>()
            + d.keywords.iter().map(String::len).sum::<usize>()
    };
    let total: usize = docs.iter().map(size).sum();
    let share = total.div_ceil(threads.max(1)).max(1);
    let mut runs = Vec::with_capacity(threads);
    let (mut start, mut filled) = (0, 0);
    for (i, doc) in docs.iter().enumerate() {
        filled += size(doc);
        if filled >= share && runs.len() + 1 < threads {
            runs.push(&docs[start..=i]);
            (start, filled) = (i + 1, 0);
        }
    }
    if start < docs.len() || runs.is_empty() {
        runs.push(&docs[start..]);
    }
    runs
}

/// One thread's reading, with its own memo of stems: a fact base repeats its words
/// thousands of times. Each word is looked up once per use, as the token it makes;
/// everything after (its stem, the synonym phrases it may open, its term's number)
/// is read off that token's slot, not hashed again.
struct Reader<'a> {
    analyzer: &'a Analyzer,
    /// Each word met, not filler, with its stem: the matcher's memo for questions.
    memo: WordMap<String, String>,
    /// Each word met, as its token: the token's slot and whether it is filler.
    tokens: WordMap<String, (u32, bool)>,
    /// The tokens by slot: a stem, or a filler word as typed.
    slots: Vec<Slot<'a>>,
    slot_of: WordMap<String, u32>,
    /// The run's terms numbered: `terms[number]`, and the number of each.
    numbers: WordMap<String, u32>,
    terms: Vec<String>,
    /// The slots of the entry's stems so far.
    stems: Vec<u32>,
    /// The text being read, as slots and whether each is filler.
    read: Vec<(u32, bool)>,
}

/// A token's text and what the reader learned of it once.
struct Slot<'a> {
    text: String,
    /// The synonym phrases it opens, longest first.
    phrases: Option<&'a [(Vec<String>, String)]>,
    /// Its term's number, once it has been one.
    term: Option<u32>,
}

impl<'a> Reader<'a> {
    fn new(analyzer: &'a Analyzer) -> Reader<'a> {
        Reader {
            analyzer,
            memo: WordMap::default(),
            tokens: WordMap::default(),
            slots: Vec::new(),
            slot_of: WordMap::default(),
            numbers: WordMap::default(),
            terms: Vec::new(),
            stems: Vec::new(),
            read: Vec::new(),
        }
    }

    fn entry(&mut self, doc: &DocText) -> EntryRead {
        let mut said = Vec::with_capacity(doc.phrasings.len());
        let phrasings = doc
            .phrasings
            .iter()
            .map(|phrasing| {
                let words = text::words(phrasing);
                // Hashed as a fan's question is, its chat wrapping dropped: "pls answer:
                // where did..." asked as written is that phrasing.
                said.push(text::hash_words(text::without_filler(&words).as_deref().unwrap_or(&words)));
                let (qtype, qualifier) = qtype::detect(&words);
                let focus = qtype::focus(&words).map(|i| self.stem(&words[i]));
                (qtype, focus, self.read(&words, qualifier))
            })
            .collect();
        let keywords = doc.keywords.iter().map(|k| self.read(&text::words(k), None)).collect();
        let weak = doc.weak.iter().map(|w| self.read(&text::words(w), None)).collect();
        let mut slots = std::mem::take(&mut self.stems);
        slots.sort_unstable();
        slots.dedup();
        let mut stems: Vec<String> = slots.iter().map(|&slot| self.slots[slot as usize].text.clone()).collect();
        stems.sort_unstable();
        EntryRead { phrasings, said, keywords, weak, stems }
    }

    /// The terms of `words`, the word at `qualifier` (of the question form) skipped;
    /// their stems go to the entry's. As [`Analyzer::tokens`] then
    /// [`Analyzer::fold`], on slots.
    fn read(&mut self, words: &[String], qualifier: Option<usize>) -> Terms {
        let mut read = std::mem::take(&mut self.read);
        read.clear();
        for (i, word) in words.iter().enumerate() {
            if Some(i) != qualifier {
                let (slot, stop) = self.token(word);
                read.push((slot, stop));
                if !stop {
                    self.stems.push(slot);
                }
            }
        }
        let mut terms = Vec::with_capacity(read.len());
        let mut i = 0;
        while i < read.len() {
            let (slot, stop) = read[i];
            let slots = &self.slots;
            let matched = slots[slot as usize]
                .phrases
                .and_then(|phrases| longest_phrase(phrases, &read[i..], |t| &slots[t.0 as usize].text));
            match matched {
                Some((phrase, canonical)) => {
                    terms.push(self.number(canonical));
                    i += phrase.len();
                }
                None => {
                    if !stop {
                        terms.push(self.term_of(slot));
                    }
                    i += 1;
                }
            }
        }
        self.read = read;
        terms
    }

    /// `word` as a token: its slot, and whether it is filler (kept as typed).
    fn token(&mut self, word: &str) -> (u32, bool) {
        if let Some(&token) = self.tokens.get(word) {
            return token;
        }
        let stop = text::is_stopword(word);
        let text = if stop { word.to_string() } else { self.stem(word) };
        let slot = match self.slot_of.get(&text) {
            Some(&slot) => slot,
            None => {
                let slot = self.slots.len() as u32;
                let phrases = self.analyzer.phrases_from(&text);
                self.slot_of.insert(text.clone(), slot);
                self.slots.push(Slot { text, phrases, term: None });
                slot
            }
        };
        self.tokens.insert(word.to_string(), (slot, stop));
        (slot, stop)
    }

    /// The stem of `word`, from the memo.
    fn stem(&mut self, word: &str) -> String {
        if let Some(stem) = self.memo.get(word) {
            return stem.clone();
        }
        let stem = self.analyzer.stem(word);
        self.memo.insert(word.to_string(), stem.clone());
        stem
    }

    /// The number of the term a slot's token stands for.
    fn term_of(&mut self, slot: u32) -> u32 {
        if let Some(n) = self.slots[slot as usize].term {
            return n;
        }
        let text = std::mem::take(&mut self.slots[slot as usize].text);
        let n = self.number(&text);
        let slot = &mut self.slots[slot as usize];
        (slot.text, slot.term) = (text, Some(n));
        n
    }

    /// The run's number for `term`, a new one if the run has not used it yet.
    fn number(&mut self, term: &str) -> u32 {
        if let Some(&n) = self.numbers.get(term) {
            return n;
        }
        let n = self.terms.len() as u32;
        self.terms.push(term.to_string());
        self.numbers.insert(term.to_string(), n);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &'static str) -> DocText<'static> {
        DocText { phrasings: vec![text], keywords: &[], weak: Vec::new(), quotes: Vec::new(), about: &[] }
    }

    #[test]
    fn runs_cover_every_entry_once_in_order() {
        let docs: Vec<DocText> = ["a", "bb", "cccccccc", "d", "ee", "f"].into_iter().map(doc).collect();
        for threads in 1..=8 {
            let runs = balanced_runs(&docs, threads);
            assert!(!runs.is_empty() && runs.len() <= threads);
            let flat: Vec<&str> = runs.iter().flat_map(|r| r.iter().map(|d| d.phrasings[0])).collect();
            assert_eq!(flat, ["a", "bb", "cccccccc", "d", "ee", "f"], "{threads} threads");
        }
        assert_eq!(balanced_runs(&[], 2).len(), 1);
    }

    #[test]
    fn the_reader_reads_terms_as_the_analyzer_does() {
        // Its slots are a cache of Analyzer::tokens then Analyzer::fold: the same
        // terms, synonym phrases of several words and filler inside them included.
        let analyzer = Analyzer::new(vec![
            vec!["song".to_string(), "music".to_string(), "the soundtrack".to_string()],
            vec!["soko".to_string(), "the french singer".to_string(), "stephanie sokolinski".to_string()],
            vec!["wren".to_string(), "the label".to_string()],
        ]);
        let mut reader = Reader::new(&analyzer);
        for text in [
            "who made the music",
            "did the french singer write the soundtrack",
            "the french singers song and the french",
            "stephanie sokolinski and the label, the label's founder",
            "the the french singer singer",
            "",
        ] {
            let numbers = reader.read(&text::words(text), None);
            let terms: Vec<&str> = numbers.iter().map(|&n| reader.terms[n as usize].as_str()).collect();
            assert_eq!(terms, analyzer.terms(text), "{text:?}");
        }
    }

    #[test]
    fn reading_on_threads_reads_as_one_thread_does() {
        let analyzer = Analyzer::new(vec![vec!["song".to_string(), "music".to_string()]]);
        let docs: Vec<DocText> =
            ["who made the music", "which cameras were used", "where was it shot"].into_iter().map(doc).collect();
        let (runs, stems) = read_all(&analyzer, &docs);
        let mut one = Reader::new(&analyzer);
        let named = |terms: &[String], numbers: &Terms| -> Vec<String> {
            numbers.iter().map(|&n| terms[n as usize].clone()).collect()
        };
        let entries = runs.iter().flat_map(|run| run.entries.iter().map(move |entry| (run, entry)));
        for ((run, entry), doc) in entries.zip(&docs) {
            let alone = one.entry(doc);
            assert_eq!(named(&run.terms, &entry.phrasings[0].2), named(&one.terms, &alone.phrasings[0].2));
            assert_eq!(entry.phrasings[0].0, alone.phrasings[0].0);
            assert_eq!(entry.stems, alone.stems);
        }
        assert_eq!(named(&runs[0].terms, &runs[0].entries[0].phrasings[0].2), ["made", "song"]);
        assert_eq!(stems.len(), one.memo.len());
    }
}
