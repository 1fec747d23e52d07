//! Typo tolerance without scanning the vocabulary: a deletion index (the SymSpell
//! idea). Every vocabulary word is stored under each string obtained by deleting up
//! to two of its characters; a misspelt word shares one of those keys with every word
//! within reach, so a lookup costs a few dozen hash probes whatever the vocabulary's
//! size, and only the handful of candidates found are measured with strsim.

use std::collections::HashMap;

/// Words this short are never corrected: one edit turns them into too many others.
const MIN_CORRECTED_CHARS: usize = 4;

/// How many edits a word of `chars` characters may be away from its correction.
pub fn max_edits(chars: usize) -> usize {
    match chars {
        0..MIN_CORRECTED_CHARS => 0,
        MIN_CORRECTED_CHARS..=7 => 1,
        _ => 2,
    }
}

#[derive(Debug, Default)]
pub struct TypoIndex {
    words: Vec<String>,
    /// How common each word is; a tie between candidates goes to the commoner one.
    counts: Vec<u32>,
    deletes: HashMap<u64, Vec<u32>>,
}

impl TypoIndex {
    /// `words` with the number of facts each occurs in.
    pub fn new<'a>(words: impl IntoIterator<Item = (&'a str, u32)>) -> Self {
        let mut index = TypoIndex::default();
        for (word, count) in words {
            let chars: Vec<char> = word.chars().collect();
            if chars.len() < MIN_CORRECTED_CHARS || word.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let id = index.words.len() as u32;
            index.words.push(word.to_string());
            index.counts.push(count);
            // Store deletions as deep as any query may reach, so that a long misspelt
            // query still meets a shorter word.
            for_each_deletion(&chars, 2, &mut |key| {
                let ids = index.deletes.entry(key).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            });
        }
        index
    }

    /// The vocabulary word closest to `word` within its edit allowance, if any.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let chars: Vec<char> = word.chars().collect();
        let limit = max_edits(chars.len());
        if limit == 0 || word.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Ties go to the commoner word, then to the alphabetically first: never to an
        // id, whose order follows a hash map's and so changes from run to run.
        let mut best: Option<(usize, std::cmp::Reverse<u32>, &str)> = None;
        for_each_deletion(&chars, limit, &mut |key| {
            for &id in self.deletes.get(&key).into_iter().flatten() {
                let candidate = &self.words[id as usize];
                // Typists rarely get the first letter wrong, and a "correction" that
                // changes it mostly turns one real word into another ("born", "morn").
                if candidate.chars().next() != chars.first().copied() {
                    continue;
                }
                let distance = strsim::osa_distance(word, candidate);
                if distance <= limit && distance <= max_edits(candidate.chars().count()).max(1) {
                    let rank = (distance, std::cmp::Reverse(self.counts[id as usize]), candidate.as_str());
                    if best.is_none_or(|b| rank < b) {
                        best = Some(rank);
                    }
                }
            }
        });
        best.map(|(_, _, word)| word)
    }
}

/// Calls `f` with the hash of `chars` and of every string made by deleting up to
/// `depth` (at most 2) of its characters, duplicates included (callers tolerate
/// them). Hashes skip the deleted positions instead of building the strings: this
/// runs for every word of the vocabulary at start-up.
fn for_each_deletion(chars: &[char], depth: usize, f: &mut impl FnMut(u64)) {
    let without = |skip: [usize; 2]| hash(chars.iter().enumerate().filter(|(k, _)| !skip.contains(k)).map(|(_, c)| *c));
    f(hash(chars.iter().copied()));
    if depth == 0 {
        return;
    }
    for i in 0..chars.len() {
        f(without([i, usize::MAX]));
        if depth >= 2 {
            for j in i + 1..chars.len() {
                f(without([i, j]));
            }
        }
    }
}

/// FNV-1a: keys are short and hashing them is the lookup's whole cost.
fn hash(chars: impl Iterator<Item = char>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in chars {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(words: &[(&str, u32)]) -> TypoIndex {
        TypoIndex::new(words.iter().copied())
    }

    #[test]
    fn corrects_within_the_edit_allowance() {
        let idx = index(&[("direct", 3), ("pilieva", 9), ("photograph", 1), ("kiss", 40)]);
        assert_eq!(idx.correct("directd"), Some("direct"));
        assert_eq!(idx.correct("pilieve"), Some("pilieva"));
        assert_eq!(idx.correct("photgrahp"), Some("photograph"));
        assert_eq!(idx.correct("ksis"), Some("kiss"), "a transposition is one edit");
    }

    #[test]
    fn refuses_short_words_and_far_misses() {
        let idx = index(&[("kiss", 40), ("soko", 12)]);
        assert_eq!(idx.correct("kis"), None, "three letters are never corrected");
        assert_eq!(idx.correct("python"), None);
        assert_eq!(idx.correct("sokoban"), None);
        assert_eq!(idx.correct("iss"), None);
        assert_eq!(index(&[("morn", 3)]).correct("born"), None, "a changed first letter is another word");
    }

    #[test]
    fn ties_go_to_the_commoner_word() {
        let idx = index(&[("park", 1), ("part", 5)]);
        assert_eq!(idx.correct("parx"), Some("part"));
    }

    #[test]
    fn ties_do_not_depend_on_insertion_order() {
        // Regression: ids followed a hash map's order, so the same typo could be
        // corrected differently from one run to the next.
        let a = index(&[("stare", 2), ("store", 2)]);
        let b = index(&[("store", 2), ("stare", 2)]);
        assert_eq!(a.correct("stxre"), Some("stare"));
        assert_eq!(b.correct("stxre"), Some("stare"));
    }

    #[test]
    fn edit_allowance_grows_with_length() {
        assert_eq!((max_edits(3), max_edits(4), max_edits(7), max_edits(8)), (0, 1, 1, 2));
    }
}
