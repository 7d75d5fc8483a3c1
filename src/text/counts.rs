//! Word counts in compact memory: every distinct word's bytes once in one arena, and a hash table
//! of 16-byte slots (where the word lies in the arena, and its count).
//!
//! A `HashMap<Box<[u8]>, u64>` costs a heap allocation (with its allocator overhead) and a
//! 24-byte slot per word — about 100 bytes a word — which put 20 M distinct words at 2 GB. Here a
//! word costs its bytes plus a slot, and no allocation of its own.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Bits of a slot's `span` that hold the word's length (tokens are at most 1000 bytes).
const LEN_BITS: u32 = 16;

#[derive(Clone, Copy)]
struct Slot {
    /// Arena offset << LEN_BITS | length.
    span: u64,
    count: u64,
}

impl Slot {
    fn range(self) -> std::ops::Range<usize> {
        let start = (self.span >> LEN_BITS) as usize;
        start..start + (self.span & ((1 << LEN_BITS) - 1)) as usize
    }
}

/// Distinct words and how often each was seen.
#[derive(Default)]
pub(crate) struct WordCounts {
    arena: Vec<u8>,
    slots: HashTable<Slot>,
}

/// The hash both [`WordCounts`] and the vocabulary's index file words under.
pub(crate) fn word_hash(word: &[u8]) -> u64 {
    FxBuildHasher.hash_one(word)
}

impl WordCounts {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Adds `n` occurrences of `word`, whose [`word_hash`] is `h`; true when the word is new.
    pub fn add(&mut self, word: &[u8], h: u64, n: u64) -> bool {
        assert!(
            word.len() < 1 << LEN_BITS,
            "a token of {} bytes",
            word.len()
        );
        let arena = &self.arena;
        if let Some(slot) = self.slots.find_mut(h, |s| &arena[s.range()] == word) {
            slot.count += n;
            return false;
        }
        let span = ((self.arena.len() as u64) << LEN_BITS) | word.len() as u64;
        self.arena.extend_from_slice(word);
        let arena = &self.arena;
        self.slots
            .insert_unique(h, Slot { span, count: n }, |s| word_hash(&arena[s.range()]));
        true
    }

    /// Keeps the words whose count passes `keep`, and gives back the arena space of the others.
    pub fn retain(&mut self, mut keep: impl FnMut(u64) -> bool) {
        let old = std::mem::take(&mut self.arena);
        let arena = &mut self.arena;
        self.slots.retain(|slot| {
            if !keep(slot.count) {
                return false;
            }
            let word = &old[slot.range()];
            slot.span = ((arena.len() as u64) << LEN_BITS) | word.len() as u64;
            arena.extend_from_slice(word);
            true
        });
        self.arena.shrink_to_fit();
    }

    /// Every word with its count, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.slots.iter().map(|s| (&self.arena[s.range()], s.count))
    }

    /// The words seen at least `min_count` times, most frequent first (ties in byte order, so
    /// the order never depends on hashing), at most `max` of them. The hash table is given back
    /// as the slots are taken out, before the caller builds anything from them.
    pub fn into_ranked(self, min_count: u64, max: Option<usize>) -> RankedWords {
        let mut slots: Vec<Slot> = self
            .slots
            .into_iter()
            .filter(|s| s.count >= min_count)
            .collect();
        let arena = self.arena;
        slots.sort_unstable_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| arena[a.range()].cmp(&arena[b.range()]))
        });
        if let Some(max) = max {
            slots.truncate(max);
        }
        RankedWords { arena, slots }
    }
}

/// Counted words in rank order (see [`WordCounts::into_ranked`]).
pub(crate) struct RankedWords {
    arena: Vec<u8>,
    slots: Vec<Slot>,
}

impl RankedWords {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// The bytes of all the words together.
    pub fn bytes(&self) -> usize {
        self.slots.iter().map(|s| s.range().len()).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], u64)> {
        self.slots.iter().map(|s| (&self.arena[s.range()], s.count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(counts: &WordCounts) -> Vec<(String, u64)> {
        let mut v: Vec<_> = counts
            .iter()
            .map(|(w, c)| (String::from_utf8(w.to_vec()).unwrap(), c))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn counts_words_like_a_hash_map_through_growth_and_pruning() {
        let mut counts = WordCounts::default();
        let mut reference = std::collections::HashMap::<String, u64>::new();
        for i in 0..20_000u64 {
            let word = format!("w{}", (i * i) % 7919);
            let fresh = counts.add(word.as_bytes(), word_hash(word.as_bytes()), 1);
            assert_eq!(fresh, !reference.contains_key(&word));
            *reference.entry(word).or_default() += 1;
        }
        let mut expected: Vec<_> = reference.clone().into_iter().collect();
        expected.sort();
        assert_eq!(sorted(&counts), expected);

        counts.retain(|c| c > 4);
        reference.retain(|_, c| *c > 4);
        let mut expected: Vec<_> = reference.clone().into_iter().collect();
        expected.sort();
        assert_eq!(sorted(&counts), expected);
        let kept_bytes: usize = reference.keys().map(String::len).sum();
        assert_eq!(
            counts.arena.len(),
            kept_bytes,
            "pruned words' bytes are freed"
        );

        for word in ["w1", "new", "new", ""] {
            counts.add(word.as_bytes(), word_hash(word.as_bytes()), 2);
            *reference.entry(word.to_string()).or_default() += 2;
        }
        let mut expected: Vec<_> = reference.into_iter().collect();
        expected.sort();
        assert_eq!(sorted(&counts), expected);

        // Ranked: by count, then bytes; rare words and those past `max` left out.
        expected.retain(|(_, c)| *c >= 6);
        expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        expected.truncate(40);
        let ranked = counts.into_ranked(6, Some(40));
        let got: Vec<(String, u64)> = ranked
            .iter()
            .map(|(w, c)| (String::from_utf8(w.to_vec()).unwrap(), c))
            .collect();
        assert_eq!(got, expected);
        assert_eq!(
            ranked.bytes(),
            expected.iter().map(|(w, _)| w.len()).sum::<usize>()
        );
    }
}
