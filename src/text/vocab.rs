//! The vocabulary: words with their corpus counts in frequency order, built in bounded memory.

use std::io::Write;
use std::path::Path;

use hashbrown::HashTable;

use super::counts::word_hash;
use crate::error::{Error, Result};
use crate::files::{atomic_write, numbered_lines};

/// Words kept for training, most frequent first, with the id each word trains under. Held
/// compactly — the words' text one after another, and a table of ids hashed by word — so that
/// tens of millions of words fit in a few bytes more than their text each.
#[derive(Debug, Clone)]
pub struct Vocab {
    /// Every word's UTF-8, in id order.
    text: String,
    /// Word `i` is `text[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    counts: Vec<u64>,
    index: HashTable<u32>,
}

impl Default for Vocab {
    fn default() -> Self {
        Vocab::with_capacity(0, 0)
    }
}

/// What counting saw, for the log.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct VocabStats {
    /// Every token of the corpus, kept or not.
    pub tokens: u64,
    /// Distinct words seen (before `min_count`; a lower bound once pruning started).
    pub distinct: u64,
    /// Times the counting table was pruned to stay within `max_vocab`.
    pub prunings: u32,
}

impl Vocab {
    pub(super) fn with_capacity(words: usize, bytes: usize) -> Self {
        let mut starts = Vec::with_capacity(words + 1);
        starts.push(0);
        Vocab {
            text: String::with_capacity(bytes),
            starts,
            counts: Vec::with_capacity(words),
            index: HashTable::with_capacity(words),
        }
    }

    /// Adds `word` with the next id; false (and nothing added) if it is there already.
    pub(super) fn push(&mut self, word: &str, count: u64) -> bool {
        let hash = word_hash(word.as_bytes());
        if self.index.find(hash, |&id| self.word(id) == word).is_some() {
            return false;
        }
        let id = self.counts.len() as u32;
        self.text.push_str(word);
        self.starts.push(self.text.len());
        self.counts.push(count);
        let (text, starts) = (&self.text, &self.starts);
        self.index.insert_unique(hash, id, |&id| {
            word_hash(&text.as_bytes()[starts[id as usize]..starts[id as usize + 1]])
        });
        true
    }

    /// A vocabulary from `(word, count)` pairs already in the order the ids should follow; a
    /// repeated word keeps its first place.
    pub fn from_counts(entries: Vec<(String, u64)>) -> Self {
        let bytes = entries.iter().map(|(w, _)| w.len()).sum();
        let mut vocab = Vocab::with_capacity(entries.len(), bytes);
        for (word, count) in &entries {
            vocab.push(word, *count);
        }
        vocab
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// The id a token trains under, if it is in the vocabulary.
    pub fn id(&self, token: &[u8]) -> Option<u32> {
        self.index
            .find(word_hash(token), |&id| self.word(id).as_bytes() == token)
            .copied()
    }

    pub fn word(&self, id: u32) -> &str {
        &self.text[self.starts[id as usize]..self.starts[id as usize + 1]]
    }

    /// The words in id order.
    pub fn words(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len() as u32).map(|id| self.word(id))
    }

    /// The words in id order, owned (what [`crate::embeddings::Embeddings`] holds).
    pub fn word_list(&self) -> Vec<String> {
        self.words().map(str::to_owned).collect()
    }

    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Occurrences of all kept words: the number of words one epoch trains over.
    pub fn total_count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Writes `word count` lines, most frequent first.
    pub fn save(&self, path: &Path) -> Result<()> {
        atomic_write(path, |w| {
            for (word, count) in self.words().zip(&self.counts) {
                writeln!(w, "{word} {count}")?;
            }
            Ok(())
        })
    }

    /// Reads a file written by [`Vocab::save`] (or word2vec's `-save-vocab`).
    pub fn load(path: &Path) -> Result<Self> {
        let mut vocab = Vocab::default();
        for line in numbered_lines(path)? {
            let (n, line) = line?;
            if line.trim().is_empty() {
                continue;
            }
            let mut fields = line.split_whitespace();
            let (Some(word), Some(count), None) = (fields.next(), fields.next(), fields.next())
            else {
                return Err(Error::parse(path, n, "expected `word count`"));
            };
            let count: u64 = count.parse().map_err(|_| {
                Error::parse(path, n, format!("count '{count}' is not a whole number"))
            })?;
            if !vocab.push(word, count) {
                return Err(Error::parse(
                    path,
                    n,
                    format!("word '{word}' appears twice"),
                ));
            }
        }
        if vocab.is_empty() {
            return Err(Error::invalid(path, "the vocabulary file is empty"));
        }
        Ok(vocab)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::counting::{SHARDS, TABLE_FACTOR};
    use crate::text::{Corpus, VocabBuilder};

    fn pairs(vocab: &Vocab) -> Vec<(String, u64)> {
        vocab
            .word_list()
            .into_iter()
            .zip(vocab.counts().iter().copied())
            .collect()
    }

    #[test]
    fn counts_sorts_and_applies_min_count() {
        let mut b = VocabBuilder::new(None);
        for w in "b a c a b a d".split(' ') {
            b.add(w.as_bytes());
        }
        let (vocab, stats) = b.finish(2, None);
        assert_eq!(pairs(&vocab), [("a".into(), 3), ("b".into(), 2)]);
        assert_eq!(
            (vocab.id(b"b"), vocab.id(b"c"), vocab.word(0)),
            (Some(1), None, "a")
        );
        assert_eq!(stats.tokens, 7);
        assert_eq!(stats.distinct, 4);
    }

    #[test]
    fn pruning_bounds_the_table_and_keeps_frequent_words() {
        let mut b = VocabBuilder::new(Some(100));
        for i in 0..100_000u32 {
            // Ten frequent words among a stream of 90,000 distinct rare ones.
            b.add(format!("f{}", i % 10).as_bytes());
            if i % 10 != 0 {
                b.add(format!("rare{i}").as_bytes());
            }
            // Each shard holds its share of the budget, rounded up.
            assert!(b.distinct() <= 100 * TABLE_FACTOR + SHARDS);
        }
        let (vocab, stats) = b.finish(1, Some(100));
        assert!(stats.prunings > 0);
        assert!(vocab.len() <= 100);
        let top: Vec<_> = vocab.words().take(10).collect();
        for i in 0..10 {
            assert!(top.contains(&format!("f{i}").as_str()), "{top:?}");
        }
    }

    #[test]
    fn max_vocab_keeps_the_most_frequent() {
        let mut b = VocabBuilder::new(Some(2));
        for w in "a a a b b c".split(' ') {
            b.add(w.as_bytes());
        }
        let (vocab, _) = b.finish(1, Some(2));
        assert_eq!(pairs(&vocab), [("a".into(), 3), ("b".into(), 2)]);
    }

    #[test]
    fn save_load_round_trip_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vocab::from_counts(vec![("the".into(), 10), ("cat".into(), 3)]);
        let p = dir.path().join("vocab.txt");
        v.save(&p).unwrap();
        let back = Vocab::load(&p).unwrap();
        assert_eq!(pairs(&back), pairs(&v));
        assert_eq!(back.counts(), v.counts());
        assert_eq!(back.id(b"cat"), Some(1));

        std::fs::write(&p, "the 10\ncat x\n").unwrap();
        let e = Vocab::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("vocab.txt:2") && e.contains("whole number"),
            "{e}"
        );
        std::fs::write(&p, "the 10\nthe 3\n").unwrap();
        let e = Vocab::load(&p).unwrap_err().to_string();
        assert!(e.contains(":2") && e.contains("twice"), "{e}");
    }

    #[test]
    fn any_number_of_threads_counts_the_same_vocabulary() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for f in 0..3 {
            let text: String = (0..2000)
                .map(|i| {
                    format!(
                        "w{} x{}{}",
                        (i * 7 + f) % 97,
                        i % 13,
                        if i % 11 == 0 { "\n" } else { " " }
                    )
                })
                .collect();
            let p = dir.path().join(format!("part{f}.txt"));
            std::fs::write(&p, text).unwrap();
            paths.push(p);
        }
        let corpus = Corpus::open(&paths).unwrap();
        let (one, one_stats) = Vocab::build(&corpus, 2, None, 1).unwrap();
        for threads in [2, 3, 7] {
            let (many, stats) = Vocab::build(&corpus, 2, None, threads).unwrap();
            assert_eq!(pairs(&many), pairs(&one), "{threads} threads");
            assert_eq!(
                (stats.tokens, stats.distinct),
                (one_stats.tokens, one_stats.distinct)
            );
        }
        assert_eq!(one_stats.tokens, 3 * 2 * 2000);
    }

    #[test]
    fn invalid_utf8_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.txt");
        // Far enough into the file that the second thread's part starts before it.
        let mut text = "good words\n".repeat(50).into_bytes();
        text.extend_from_slice(b"more good words\n".repeat(50).as_slice());
        text.extend_from_slice(b"bad \xff\xfe word\n");
        std::fs::write(&p, text).unwrap();
        let corpus = Corpus::open(&[&p]).unwrap();
        let e = Vocab::build(&corpus, 1, None, 2).unwrap_err().to_string();
        assert!(e.contains("bad.txt:101") && e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn nothing_reaching_min_count_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rare.txt");
        std::fs::write(&p, b"each word once\n").unwrap();
        let corpus = Corpus::open(&[&p]).unwrap();
        let e = Vocab::build(&corpus, 5, None, 2).unwrap_err().to_string();
        assert!(e.contains("rare.txt") && e.contains("min_count"), "{e}");
    }
}
