//! Reading the entries' texts into terms, the part of building the index that needs
//! no shared state: words split, question types and focus found, stems taken and
//! synonyms folded. It is most of building the index, so it runs on a few threads,
//! each over a run of entries. Each thread also numbers its run's terms and sorts
//! each entry's stems, so that the one index builder hashes each distinct term once
//! per run instead of every use of it; it gives the terms their ids in run order, so
//! the index is the same whatever the number of threads.

use super::qtype::{self, QType};
use super::DocText;
use crate::text::{self, Analyzer, WordMap};

/// Most threads reading the texts. Past the cores there is nothing to gain.
const READING_THREADS: usize = 4;

/// A text's terms, in order, as numbers local to its run (see [`Run::terms`]):
/// stems with synonyms folded, filler dropped.
pub(super) type Terms = Vec<u32>;

/// An entry's texts, read.
pub(super) struct EntryRead {
    /// Each phrasing: the question type it asks, the stem of its focus, its terms.
    pub phrasings: Vec<(Option<QType>, Option<String>, Terms)>,
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
        workers.into_iter().map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
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
/// thousands of times.
struct Reader<'a> {
    analyzer: &'a Analyzer,
    memo: WordMap<String, String>,
    /// The run's terms numbered: `terms[number]`, and the number of each.
    numbers: WordMap<String, u32>,
    terms: Vec<String>,
    /// The stems of the entry being read.
    stems: Vec<String>,
}

impl<'a> Reader<'a> {
    fn new(analyzer: &'a Analyzer) -> Reader<'a> {
        Reader { analyzer, memo: WordMap::default(), numbers: WordMap::default(), terms: Vec::new(), stems: Vec::new() }
    }

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
        let mut stems = std::mem::take(&mut self.stems);
        stems.sort_unstable();
        stems.dedup();
        EntryRead { phrasings, keywords, weak, stems }
    }

    /// The terms of `words`, the word at `qualifier` (of the question form) skipped;
    /// their stems go to the entry's.
    fn read(&mut self, words: &[String], qualifier: Option<usize>) -> Terms {
        let (analyzer, memo) = (self.analyzer, &mut self.memo);
        let tokens = analyzer.tokens_with(words, qualifier, &mut |w| {
            // Nearly every word was met before: look it up without allocating a key.
            if let Some(stem) = memo.get(w) {
                return stem.clone();
            }
            let stem = analyzer.stem(w);
            memo.insert(w.to_string(), stem.clone());
            stem
        });
        self.stems.extend(tokens.iter().filter(|t| !t.stop).map(|t| t.term.clone()));
        analyzer.fold(&tokens).into_iter().map(|(term, _)| self.number(term)).collect()
    }

    /// The run's number for `term`, a new one if the run has not used it yet.
    fn number(&mut self, term: String) -> u32 {
        if let Some(&n) = self.numbers.get(&term) {
            return n;
        }
        let n = self.terms.len() as u32;
        self.terms.push(term.clone());
        self.numbers.insert(term, n);
        n
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
