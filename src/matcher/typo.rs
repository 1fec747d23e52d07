//! Typo tolerance without scanning the vocabulary: a deletion index (the SymSpell
//! idea). Every vocabulary word is stored under each string obtained by deleting up
//! to two of its characters; a misspelt word shares one of those keys with every word
//! within reach, so a lookup costs a few dozen hash probes whatever the vocabulary's
//! size, and only the handful of candidates found are measured with strsim.

use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;

use crate::text::WordMap;

/// Words this short are never corrected: one edit turns them into too many others.
const MIN_CORRECTED_CHARS: usize = 4;
/// Words of three characters are corrected only for a letter they dropped ("kis",
/// "sng"): one probe, of the word itself among the longer words' deletions. A
/// changed or extra letter in so short a word makes too many other words.
const DROPPED_LETTER_CHARS: usize = 3;
/// Words this long are never corrected, nor indexed as corrections. A lookup hashes
/// every two-character deletion of the word, which grows with the cube of its length
/// (a 500-character "word" took 300 ms); the longest word in the documents has 15
/// characters, and a real typo of a longer one is rare enough to leave unread.
pub const MAX_CORRECTED_CHARS: usize = 20;

/// How many edits a word of `chars` characters may be away from its correction.
pub fn max_edits(chars: usize) -> usize {
    match chars {
        0..MIN_CORRECTED_CHARS => 0,
        MIN_CORRECTED_CHARS..=7 => 1,
        8..=MAX_CORRECTED_CHARS => 2,
        _ => 0,
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TypoIndex {
    words: Vec<String>,
    /// How common each word is; a tie between candidates goes to the commoner one.
    counts: Vec<u32>,
    /// Deletion key -> the word with it, or ([`SHARED`] set) the place in `shared`
    /// of the words with it. Most keys belong to one word, and a list for each was
    /// most of building the index.
    deletes: WordMap<u64, u32>,
    shared: Vec<Vec<u32>>,
}

/// Marks a [`TypoIndex::deletes`] value as a place in `shared`.
const SHARED: u32 = 1 << 31;

impl TypoIndex {
    /// `words` with the number of facts each occurs in.
    pub fn new<'a>(words: impl IntoIterator<Item = (&'a str, u32)>) -> Self {
        let words = words.into_iter();
        let mut index = TypoIndex::default();
        // About 40 keys for a word of the usual length.
        index.deletes.reserve(words.size_hint().0 * 40);
        for (word, count) in words {
            let chars: Vec<char> = word.chars().collect();
            if max_edits(chars.len()) == 0 || word.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let id = index.words.len() as u32;
            index.words.push(word.to_string());
            index.counts.push(count);
            // Store deletions as deep as any query may reach, so that a long misspelt
            // query still meets a shorter word.
            for_each_deletion(&chars, 2, &mut |key| index.insert(key, id));
        }
        index
    }

    /// Files word `id` under deletion `key`; ids come in order, so a repeat is last.
    fn insert(&mut self, key: u64, id: u32) {
        match self.deletes.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(id);
            }
            Entry::Occupied(slot) if *slot.get() == id => {}
            Entry::Occupied(mut slot) if *slot.get() & SHARED == 0 => {
                let first = slot.insert(SHARED | self.shared.len() as u32);
                self.shared.push(vec![first, id]);
            }
            Entry::Occupied(slot) => {
                let ids = &mut self.shared[(*slot.get() & !SHARED) as usize];
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// The words filed under deletion `key`.
    fn filed(&self, key: u64) -> &[u32] {
        match self.deletes.get(&key) {
            None => &[],
            Some(value) if value & SHARED == 0 => std::slice::from_ref(value),
            Some(value) => &self.shared[(value & !SHARED) as usize],
        }
    }

    /// The vocabulary word closest to `word` within its edit allowance, if any.
    #[cfg(test)]
    pub fn correct(&self, word: &str) -> Option<&str> {
        let mut unbounded = usize::MAX;
        self.correct_within(word, &mut unbounded)
    }

    /// [`TypoIndex::correct`], if looking `word` up probes at most `budget` keys;
    /// the keys probed are taken from `budget`. Shared by the words of one question,
    /// it bounds the question's typo work whatever it holds.
    pub fn correct_within(&self, word: &str, budget: &mut usize) -> Option<&str> {
        let chars: Vec<char> = word.chars().collect();
        let (limit, depth) = match max_edits(chars.len()) {
            0 if chars.len() == DROPPED_LETTER_CHARS => (1, 0),
            limit => (limit, limit),
        };
        if limit == 0 || word.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let cost = deletions(chars.len(), depth);
        if cost > *budget {
            return None;
        }
        *budget -= cost;
        // Ties go to the commoner word, then to the alphabetically first: never to an
        // id, whose order follows a hash map's and so changes from run to run.
        let mut best: Option<(usize, std::cmp::Reverse<u32>, &str)> = None;
        for_each_deletion(&chars, depth, &mut |key| {
            for &id in self.filed(key) {
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

/// How many keys [`for_each_deletion`] produces for a word of `len` characters.
fn deletions(len: usize, depth: usize) -> usize {
    match depth {
        0 => 1,
        1 => 1 + len,
        _ => 1 + len + len * len.saturating_sub(1) / 2,
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
        assert_eq!(idx.correct("kiz"), None, "three letters are corrected only for a dropped letter");
        assert_eq!(idx.correct("iss"), None, "nor for a dropped first letter");
        assert_eq!(idx.correct("ki"), None);
        assert_eq!(idx.correct("python"), None);
        assert_eq!(idx.correct("sokoban"), None);
        assert_eq!(idx.correct("iss"), None);
        assert_eq!(index(&[("morn", 3)]).correct("born"), None, "a changed first letter is another word");
    }

    #[test]
    fn three_letters_get_back_a_dropped_letter() {
        let idx = index(&[("kiss", 40), ("song", 7), ("video", 9)]);
        assert_eq!(idx.correct("kis"), Some("kiss"));
        assert_eq!(idx.correct("sng"), Some("song"));
        assert_eq!(idx.correct("vid"), None, "two dropped letters are too far for three");
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
        assert_eq!((max_edits(MAX_CORRECTED_CHARS), max_edits(MAX_CORRECTED_CHARS + 1)), (2, 0));
    }

    #[test]
    fn a_lookup_costs_its_keys_and_stops_at_the_budget() {
        let idx = index(&[("direct", 3), ("photograph", 1)]);
        let mut counted = 0;
        for_each_deletion(&"photgrahp".chars().collect::<Vec<_>>(), 2, &mut |_| counted += 1);
        assert_eq!(deletions(9, 2), counted);
        let mut budget = deletions(9, 2) + deletions(7, 1) - 1;
        assert_eq!(idx.correct_within("photgrahp", &mut budget), Some("photograph"));
        assert_eq!(budget, deletions(7, 1) - 1);
        assert_eq!(idx.correct_within("directd", &mut budget), None, "one key short");
        assert_eq!(budget, deletions(7, 1) - 1, "a refused lookup costs nothing");
    }

    #[test]
    fn overlong_words_are_neither_corrected_nor_indexed() {
        let long = "a".repeat(MAX_CORRECTED_CHARS + 1);
        let idx = index(&[(long.as_str(), 1), ("awesome", 1)]);
        assert_eq!(idx.correct(&long), None, "not indexed, so not even found as typed");
        assert_eq!(idx.correct(&format!("{long}x")), None);
        assert_eq!(idx.correct(&"awesomme".repeat(60)), None, "a 480-character word is not looked up");
        assert!(idx.words.is_empty() || idx.words.iter().all(|w| w.chars().count() <= MAX_CORRECTED_CHARS));
    }
}
