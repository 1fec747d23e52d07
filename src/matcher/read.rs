//! Reading the entries' texts into terms, the part of building the index that needs
//! no shared state: words split, question types and focus found, stems taken and
//! synonyms folded. It is most of building the index, so it runs on a few threads,
//! each over a run of entries; interning the terms (which gives them their ids)
//! stays with the one index builder, in entry order, so the index is the same
//! whatever the number of threads.

use super::qtype::{self, QType};
use super::DocText;
use crate::text::{self, Analyzer, WordMap};

/// Most threads reading the texts. Past the cores there is nothing to gain.
const READING_THREADS: usize = 4;

/// A text read into terms, before they are interned.
pub(super) struct Read {
    /// Its terms, in order: stems with synonyms folded, filler dropped.
    pub terms: Vec<String>,
    /// Its stems before synonyms, filler left out: what the typo index corrects to.
    pub stems: Vec<String>,
}

/// An entry's texts, read.
pub(super) struct EntryRead {
    /// Each phrasing: the question type it asks, the stem of its focus, its terms.
    pub phrasings: Vec<(Option<QType>, Option<String>, Read)>,
    pub keywords: Vec<Read>,
    pub weak: Vec<Read>,
}

/// Every entry of `docs` read, in order, and each word met with its stem.
pub(super) fn read_all(analyzer: &Analyzer, docs: &[DocText]) -> (Vec<EntryRead>, WordMap<String, String>) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, READING_THREADS);
    let runs = balanced_runs(docs, threads);
    let parts: Vec<(Vec<EntryRead>, WordMap<String, String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = runs
            .into_iter()
            .map(|run| {
                scope.spawn(move || {
                    let mut reader = Reader { analyzer, memo: WordMap::default() };
                    let entries = run.iter().map(|doc| reader.entry(doc)).collect();
                    (entries, reader.memo)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let mut entries = Vec::with_capacity(docs.len());
    let mut stems = WordMap::default();
    for (part, memo) in parts {
        entries.extend(part);
        stems.extend(memo);
    }
    (entries, stems)
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
/// thousands of times.
struct Reader<'a> {
    analyzer: &'a Analyzer,
    memo: WordMap<String, String>,
}

impl Reader<'_> {
    fn entry(&mut self, doc: &DocText) -> EntryRead {
        let phrasings = doc
            .phrasings
            .iter()
            .map(|phrasing| {
                let words = text::words(phrasing);
                let (qtype, qualifier) = qtype::detect(&words);
                let focus = qtype::focus(&words).map(|i| self.analyzer.stem(&words[i]));
                (qtype, focus, self.read(&words, qualifier))
            })
            .collect();
        let keywords = doc.keywords.iter().map(|k| self.read(&text::words(k), None)).collect();
        let weak = doc.weak.iter().map(|w| self.read(&text::words(w), None)).collect();
        EntryRead { phrasings, keywords, weak }
    }

    /// The terms of `words`, the word at `qualifier` (of the question form) skipped.
    fn read(&mut self, words: &[String], qualifier: Option<usize>) -> Read {
        let (analyzer, memo) = (self.analyzer, &mut self.memo);
        let tokens = analyzer.tokens_with(words, qualifier, &mut |w| {
            memo.entry(w.to_string()).or_insert_with(|| analyzer.stem(w)).clone()
        });
        let stems = tokens.iter().filter(|t| !t.stop).map(|t| t.term.clone()).collect();
        let terms = analyzer.fold(&tokens).into_iter().map(|(term, _)| term).collect();
        Read { terms, stems }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &'static str) -> DocText<'static> {
        DocText { phrasings: vec![text], keywords: &[], weak: Vec::new(), about: &[] }
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
    fn reading_on_threads_reads_as_one_thread_does() {
        let analyzer = Analyzer::new(vec![vec!["song".to_string(), "music".to_string()]]);
        let docs: Vec<DocText> =
            ["who made the music", "which cameras were used", "where was it shot"].into_iter().map(doc).collect();
        let (entries, stems) = read_all(&analyzer, &docs);
        let mut one = Reader { analyzer: &analyzer, memo: WordMap::default() };
        for (entry, doc) in entries.iter().zip(&docs) {
            let alone = one.entry(doc);
            assert_eq!(entry.phrasings[0].2.terms, alone.phrasings[0].2.terms);
            assert_eq!(entry.phrasings[0].0, alone.phrasings[0].0);
        }
        assert_eq!(entries[0].phrasings[0].2.terms, ["made", "song"]);
        assert_eq!(stems.len(), one.memo.len());
    }
}
