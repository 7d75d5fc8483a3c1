//! Counting a corpus's words on several threads into one table: the hash space is split into
//! shards, each a [`WordCounts`] behind its own lock, and each thread gathers its tokens by shard
//! and adds them a batch at a time. Memory is one table's whatever the thread count (a table
//! per thread would hold most of a Zipf vocabulary once per thread), and the counts are exact.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::corpus::{Corpus, TokenSink};
use super::counts::{RankedWords, WordCounts, word_hash};
use super::vocab::{Vocab, VocabStats};
use crate::error::{Error, Result};

/// How many times `max_vocab` entries the counting table may hold before it is pruned.
pub(super) const TABLE_FACTOR: usize = 10;

/// Shards of the table: enough that threads seldom wait on one another.
pub(super) const SHARDS: usize = 64;

/// A shard's table may always hold this many words, however small `max_vocab` is.
const SHARD_FLOOR: usize = 16;

/// Tokens a thread gathers for one shard before it takes the shard's lock.
const BATCH: usize = 1024;

/// The shard of a word's hash: bits the shard's own table uses for neither its bucket (the low
/// bits) nor its tag (the top seven).
fn shard_of(hash: u64) -> usize {
    (hash >> 32) as usize % SHARDS
}

/// One shard's words, pruned on its own when it outgrows its share of the budget.
#[derive(Default)]
struct Shard {
    counts: WordCounts,
    min_reduce: u64,
    prunings: u32,
}

impl Shard {
    fn add(&mut self, word: &[u8], hash: u64, n: u64, limit: usize) {
        if self.counts.add(word, hash, n) && self.counts.len() > limit {
            // word2vec's ReduceVocab: drop the rarest until half the budget is left.
            while self.counts.len() > limit / 2 {
                let floor = self.min_reduce.max(1);
                self.counts.retain(|c| c > floor);
                self.min_reduce = floor + 1;
                self.prunings += 1;
            }
        }
    }
}

/// Counts words while streaming, pruning rare ones when the table outgrows its budget
/// (word2vec's ReduceVocab) so memory stays bounded on corpora with huge vocabularies.
pub struct VocabBuilder {
    shards: Vec<Mutex<Shard>>,
    shard_limit: usize,
    tokens: AtomicU64,
}

impl VocabBuilder {
    /// `max_vocab` caps the final vocabulary; the counting table may hold ten times that before
    /// pruning, so that the words finally kept are counted (almost always) exactly.
    pub fn new(max_vocab: Option<usize>) -> Self {
        VocabBuilder::with_table_limit(max_vocab.map(|m| m.max(1).saturating_mul(TABLE_FACTOR)))
    }

    /// Counts whose table is pruned (word2vec's ReduceVocab, shard by shard) once it holds more
    /// than `entries` entries.
    fn with_table_limit(entries: Option<usize>) -> Self {
        VocabBuilder {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            shard_limit: entries.map_or(usize::MAX, |m| m.div_ceil(SHARDS).max(SHARD_FLOOR)),
            tokens: AtomicU64::new(0),
        }
    }

    /// Adds one occurrence of `word`.
    pub fn add(&mut self, word: &[u8]) {
        self.add_count(word, 1);
    }

    /// Adds `count` occurrences of `word` (another count's, merged into this one).
    pub(crate) fn add_count(&mut self, word: &[u8], count: u64) {
        *self.tokens.get_mut() += count;
        let hash = word_hash(word);
        let shard = self.shards[shard_of(hash)]
            .get_mut()
            .expect("no counting thread panicked");
        shard.add(word, hash, count, self.shard_limit);
    }

    /// Every word counted and its count, shard by shard.
    pub(crate) fn for_each(&mut self, mut each: impl FnMut(&[u8], u64)) {
        for shard in &mut self.shards {
            let shard = shard.get_mut().expect("no counting thread panicked");
            shard.counts.iter().for_each(|(w, c)| each(w, c));
        }
    }

    /// Words in the table now.
    pub fn distinct(&mut self) -> usize {
        self.shards
            .iter_mut()
            .map(|s| {
                s.get_mut()
                    .expect("no counting thread panicked")
                    .counts
                    .len()
            })
            .sum()
    }

    /// Keeps words seen at least `min_count` times, at most `max_vocab` of them, most frequent
    /// first (ties in byte order, so the result never depends on hashing or threads).
    pub fn finish(self, min_count: u64, max_vocab: Option<usize>) -> (Vocab, VocabStats) {
        let mut stats = VocabStats {
            tokens: self.tokens.into_inner(),
            ..VocabStats::default()
        };
        let ranked: Vec<RankedWords> = self
            .shards
            .into_iter()
            .map(|s| {
                let shard = s.into_inner().expect("no counting thread panicked");
                stats.distinct += shard.counts.len() as u64;
                stats.prunings += shard.prunings;
                shard.counts.into_ranked(min_count, max_vocab)
            })
            .collect();
        // Each shard is in rank order already: merge them, highest count (then lowest bytes)
        // first.
        let words = ranked.iter().map(RankedWords::len).sum::<usize>();
        let words = max_vocab.map_or(words, |m| words.min(m));
        let bytes = ranked.iter().map(RankedWords::bytes).sum();
        let mut vocab = Vocab::with_capacity(words, bytes);
        let mut heads: Vec<_> = ranked.iter().map(|r| r.iter().peekable()).collect();
        let mut heap: BinaryHeap<(u64, Reverse<&[u8]>, usize)> = heads
            .iter_mut()
            .enumerate()
            .filter_map(|(i, h)| h.next().map(|(w, c)| (c, Reverse(w), i)))
            .collect();
        while vocab.len() < words {
            let Some((count, Reverse(word), shard)) = heap.pop() else {
                break;
            };
            // Tokens were checked as UTF-8 when counted through `Vocab::build`.
            vocab.push(&String::from_utf8_lossy(word), count);
            if let Some((w, c)) = heads[shard].next() {
                heap.push((c, Reverse(w), shard));
            }
        }
        (vocab, stats)
    }

    /// Counts what `scan` hands the sink for the part `range` of the corpus into these counts.
    fn count(&self, corpus: &Corpus, range: Range<u64>, scan: &impl Scan) -> Result<()> {
        let mut sink = CountingSink {
            builder: self,
            pending: (0..SHARDS).map(|_| Pending::default()).collect(),
            tokens: 0,
        };
        scan(corpus, range, &mut sink)?;
        sink.flush_all();
        Ok(())
    }

    /// Counts the corpus's tokens on `threads` threads, each over its own byte range.
    pub(super) fn count_corpus(
        corpus: &Corpus,
        max_vocab: Option<usize>,
        threads: usize,
    ) -> Result<Self> {
        VocabBuilder::count_share(corpus, max_vocab, threads, (0, 1))
    }

    /// Counts share `share.0` of `share.1` equal shares of the corpus (whole lines each) on
    /// `threads` threads: a distributed run's process counts its own.
    pub(crate) fn count_share(
        corpus: &Corpus,
        max_vocab: Option<usize>,
        threads: usize,
        (share, shares): (usize, usize),
    ) -> Result<Self> {
        let builder = VocabBuilder::new(max_vocab);
        let tokens = |corpus: &Corpus, range, sink: &mut CountingSink| corpus.scan(range, sink);
        builder.count_with(corpus, (share * threads, shares * threads), threads, tokens)
    }

    /// Counts, on `threads` threads each over its own byte range of the corpus (parts
    /// `first..first + threads` of `parts`), what `scan` hands the counting sink (the corpus's
    /// tokens, or entries made of them).
    fn count_with(
        self,
        corpus: &Corpus,
        (first, parts): (usize, usize),
        threads: usize,
        scan: impl Scan,
    ) -> Result<Self> {
        let builder = self;
        let whole = 0..corpus.total_bytes();
        if parts <= 1 {
            builder.count(corpus, whole, &scan)?;
            return Ok(builder);
        }
        // Whole lines a part, so that what spans words of a line is counted once, whole.
        let parts: Vec<Range<u64>> = (first..first + threads)
            .map(|t| corpus.line_part(t, parts))
            .collect::<Result<_>>()?;
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let (builder, scan) = (&builder, &scan);
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| s.spawn(move || builder.count(corpus, part, scan)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a counting thread panicked"))
                .collect()
        });
        match results.into_iter().find_map(Result::err) {
            None => Ok(builder),
            // A part that starts inside a file counts its lines from there: count again from
            // the start, on one thread, so the error names the first bad line exactly.
            Some(e) => {
                let again = VocabBuilder::with_table_limit(None);
                again.count(corpus, whole, &scan).and(Err(e))
            }
        }
    }
}

/// How a counting thread reads its part of the corpus into the counting sink.
trait Scan: Fn(&Corpus, Range<u64>, &mut CountingSink) -> Result<()> + Sync {}

impl<F: Fn(&Corpus, Range<u64>, &mut CountingSink) -> Result<()> + Sync> Scan for F {}

/// One shard's tokens gathered by one thread: their bytes one after another, and each one's
/// hash and end.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    words: Vec<(u64, usize)>,
}

/// A counting thread's side: checks each token and gathers it for its shard.
struct CountingSink<'b> {
    builder: &'b VocabBuilder,
    pending: Vec<Pending>,
    tokens: u64,
}

impl CountingSink<'_> {
    fn flush(&mut self, shard: usize) {
        let pending = &mut self.pending[shard];
        let mut table = self.builder.shards[shard]
            .lock()
            .expect("no counting thread panicked");
        let mut start = 0;
        for &(hash, end) in &pending.words {
            table.add(
                &pending.bytes[start..end],
                hash,
                1,
                self.builder.shard_limit,
            );
            start = end;
        }
        pending.bytes.clear();
        pending.words.clear();
    }

    fn flush_all(&mut self) {
        for shard in 0..SHARDS {
            self.flush(shard);
        }
        self.builder
            .tokens
            .fetch_add(self.tokens, Ordering::Relaxed);
        self.tokens = 0;
    }
}

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
        self.tokens += 1;
        let hash = word_hash(token);
        let shard = shard_of(hash);
        let pending = &mut self.pending[shard];
        pending.bytes.extend_from_slice(token);
        pending.words.push((hash, pending.bytes.len()));
        if pending.words.len() == BATCH {
            self.flush(shard);
        }
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
        VocabBuilder::count_corpus(corpus, max_vocab, threads)?
            .finish_for(corpus, min_count, max_vocab)
    }
}

impl VocabBuilder {
    /// [`VocabBuilder::finish`] on the counts of `corpus`, refusing a corpus without words or
    /// without a word that reaches `min_count`.
    pub(crate) fn finish_for(
        self,
        corpus: &Corpus,
        min_count: u64,
        max_vocab: Option<usize>,
    ) -> Result<(Vocab, VocabStats)> {
        let (vocab, stats) = self.finish(min_count, max_vocab);
        let first = corpus.paths().next().expect("a corpus has a file");
        if stats.tokens == 0 {
            return Err(Error::invalid(first, "the corpus holds no words"));
        }
        if vocab.is_empty() {
            return Err(Error::invalid(
                first,
                format!(
                    "no word occurs at least {min_count} times (min_count) in {} tokens; lower --min-count",
                    stats.tokens
                ),
            ));
        }
        Ok((vocab, stats))
    }
}
