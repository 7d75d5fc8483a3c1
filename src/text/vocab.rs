//! The vocabulary: words with their corpus counts in frequency order, built in bounded memory.

use std::io::Write;
use std::ops::Range;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::corpus::{Corpus, TokenSink};
use super::counts::WordCounts;
use crate::error::{Error, Result};
use crate::files::{atomic_write, numbered_lines};

/// Words kept for training, most frequent first, with the id each word trains under.
#[derive(Debug, Clone)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: FxHashMap<Box<[u8]>, u32>,
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

/// How many times `max_vocab` entries the counting table may hold before it is pruned.
const TABLE_FACTOR: usize = 10;

/// Counts words while streaming, pruning rare ones when the table outgrows its budget
/// (word2vec's ReduceVocab) so memory stays bounded on corpora with huge vocabularies.
pub struct VocabBuilder {
    counts: WordCounts,
    table_limit: usize,
    min_reduce: u64,
    stats: VocabStats,
}

impl VocabBuilder {
    /// `max_vocab` caps the final vocabulary; the counting table may hold ten times that before
    /// pruning, so that the words finally kept are counted (almost always) exactly.
    pub fn new(max_vocab: Option<usize>) -> Self {
        VocabBuilder {
            counts: WordCounts::default(),
            table_limit: max_vocab.map_or(usize::MAX, |m| m.max(1).saturating_mul(TABLE_FACTOR)),
            min_reduce: 1,
            stats: VocabStats::default(),
        }
    }

    /// Adds one occurrence of `word`.
    pub fn add(&mut self, word: &[u8]) {
        self.stats.tokens += 1;
        if self.counts.add(word, 1) && self.counts.len() > self.table_limit {
            self.prune();
        }
    }

    /// Adds the counts of another part of the corpus (counted with the same `max_vocab`).
    pub fn merge(&mut self, other: VocabBuilder) {
        self.stats.tokens += other.stats.tokens;
        self.stats.prunings += other.stats.prunings;
        self.min_reduce = self.min_reduce.max(other.min_reduce);
        self.counts.absorb(other.counts);
        if self.counts.len() > self.table_limit {
            self.prune();
        }
    }

    fn prune(&mut self) {
        while self.counts.len() > self.table_limit / 2 {
            let floor = self.min_reduce;
            self.counts.retain(|c| c > floor);
            self.min_reduce += 1;
            self.stats.prunings += 1;
        }
    }

    /// Keeps words seen at least `min_count` times, at most `max_vocab` of them, most frequent
    /// first (ties in byte order, so the result never depends on hashing or threads).
    pub fn finish(
        mut self,
        min_count: u64,
        max_vocab: Option<usize>,
    ) -> (Vec<(String, u64)>, VocabStats) {
        self.stats.distinct = self.counts.len() as u64;
        let mut entries: Vec<(String, u64)> = self
            .counts
            .iter()
            .filter(|&(_, c)| c >= min_count)
            // Tokens were checked as UTF-8 when counted through `Vocab::build`.
            .map(|(w, c)| (String::from_utf8_lossy(w).into_owned(), c))
            .collect();
        entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(max) = max_vocab {
            entries.truncate(max);
        }
        (entries, self.stats)
    }

    /// Counts the tokens whose first byte lies in `range` of the corpus.
    fn count(corpus: &Corpus, range: Range<u64>, max_vocab: Option<usize>) -> Result<Self> {
        let mut builder = VocabBuilder::new(max_vocab);
        corpus.scan(range, &mut CountingSink(&mut builder))?;
        Ok(builder)
    }

    /// Counts the corpus on `threads` threads, each over its own byte range, and adds the parts
    /// up: the counts are exact and the same for any number of threads unless pruning began.
    fn count_parallel(corpus: &Corpus, max_vocab: Option<usize>, threads: usize) -> Result<Self> {
        let whole = 0..corpus.total_bytes();
        if threads <= 1 {
            return Self::count(corpus, whole, max_vocab);
        }
        let parts: Vec<Result<Self>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| s.spawn(move || Self::count(corpus, corpus.part(t, threads), max_vocab)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a counting thread panicked"))
                .collect()
        });
        let mut total: Option<Self> = None;
        for part in parts {
            match part {
                Ok(part) => match &mut total {
                    Some(total) => total.merge(part),
                    None => total = Some(part),
                },
                // A part that starts inside a file counts its lines from there: count again
                // from the start, on one thread, so the error names the first bad line exactly.
                Err(e) => return Self::count(corpus, whole, max_vocab).and(Err(e)),
            }
        }
        Ok(total.expect("at least two parts"))
    }
}

struct CountingSink<'a>(&'a mut VocabBuilder);

impl TokenSink for CountingSink<'_> {
    fn token(&mut self, token: &[u8], file: &Path, line: u64) -> Result<()> {
        if let Err(e) = std::str::from_utf8(token) {
            return Err(Error::parse(
                file,
                line,
                format!(
                    "invalid UTF-8 (byte {} of a token); convert the file to UTF-8",
                    e.valid_up_to() + 1
                ),
            ));
        }
        self.0.add(token);
        Ok(())
    }
}

impl Vocab {
    /// Counts the corpus in one streaming pass, split among `threads` threads.
    pub fn build(
        corpus: &Corpus,
        min_count: u64,
        max_vocab: Option<usize>,
        threads: usize,
    ) -> Result<(Self, VocabStats)> {
        let builder = VocabBuilder::count_parallel(corpus, max_vocab, threads)?;
        let (entries, stats) = builder.finish(min_count, max_vocab);
        let first = corpus.paths().next().expect("a corpus has a file");
        if stats.tokens == 0 {
            return Err(Error::invalid(first, "the corpus holds no words"));
        }
        if entries.is_empty() {
            return Err(Error::invalid(
                first,
                format!(
                    "no word occurs at least {min_count} times (min_count) in {} tokens; lower --min-count",
                    stats.tokens
                ),
            ));
        }
        Ok((Self::from_counts(entries), stats))
    }

    /// A vocabulary from `(word, count)` pairs already in the order the ids should follow.
    pub fn from_counts(entries: Vec<(String, u64)>) -> Self {
        let mut index = FxHashMap::default();
        let mut words = Vec::with_capacity(entries.len());
        let mut counts = Vec::with_capacity(entries.len());
        for (i, (w, c)) in entries.into_iter().enumerate() {
            index.insert(w.as_bytes().into(), i as u32);
            words.push(w);
            counts.push(c);
        }
        Vocab {
            words,
            counts,
            index,
        }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The id a token trains under, if it is in the vocabulary.
    pub fn id(&self, token: &[u8]) -> Option<u32> {
        self.index.get(token).copied()
    }

    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    pub fn words(&self) -> &[String] {
        &self.words
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
            for (word, count) in self.words.iter().zip(&self.counts) {
                writeln!(w, "{word} {count}")?;
            }
            Ok(())
        })
    }

    /// Reads a file written by [`Vocab::save`] (or word2vec's `-save-vocab`).
    pub fn load(path: &Path) -> Result<Self> {
        let mut entries = Vec::new();
        let mut seen = FxHashMap::default();
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
            if seen.insert(word.to_string(), n).is_some() {
                return Err(Error::parse(
                    path,
                    n,
                    format!("word '{word}' appears twice"),
                ));
            }
            entries.push((word.to_string(), count));
        }
        if entries.is_empty() {
            return Err(Error::invalid(path, "the vocabulary file is empty"));
        }
        Ok(Self::from_counts(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sorts_and_applies_min_count() {
        let mut b = VocabBuilder::new(None);
        for w in "b a c a b a d".split(' ') {
            b.add(w.as_bytes());
        }
        let (entries, stats) = b.finish(2, None);
        assert_eq!(entries, vec![("a".into(), 3), ("b".into(), 2)]);
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
            assert!(b.counts.len() <= 100 * TABLE_FACTOR + 1);
        }
        let (entries, stats) = b.finish(1, Some(100));
        assert!(stats.prunings > 0);
        assert!(entries.len() <= 100);
        let top: Vec<_> = entries.iter().take(10).map(|(w, _)| w.as_str()).collect();
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
        let (entries, _) = b.finish(1, Some(2));
        assert_eq!(entries, vec![("a".into(), 3), ("b".into(), 2)]);
    }

    #[test]
    fn save_load_round_trip_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let v = Vocab::from_counts(vec![("the".into(), 10), ("cat".into(), 3)]);
        let p = dir.path().join("vocab.txt");
        v.save(&p).unwrap();
        let back = Vocab::load(&p).unwrap();
        assert_eq!(back.words(), v.words());
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
            assert_eq!(many.words(), one.words(), "{threads} threads");
            assert_eq!(many.counts(), one.counts(), "{threads} threads");
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
