//! Counting a pass's words and candidates: each thread over whole lines of its part interns its
//! own words and counts candidates by their ids, in partitions small enough to stay in the cache;
//! the parts are merged, and later scored, partition by partition on all threads.

use std::hash::{BuildHasher, Hash};
use std::ops::Range;
use std::path::Path;

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::settings::PhraseSettings;
use crate::error::{Error, Result};
use crate::text::{Corpus, Phrase, TokenSink};

/// Counts `corpus` on the settings' threads, each over whole lines of its part into its own
/// tables, merged at the end. A bad token is named at its exact line: a part that starts inside
/// a file counts its lines from there, so the corpus is read again from its start on one thread.
pub(super) fn count(corpus: &Corpus, settings: &PhraseSettings) -> Result<Counts> {
    let threads = settings.threads;
    let limit = (settings.max_entries / threads).max(1);
    let parts: Vec<Range<u64>> = (0..threads)
        .map(|t| corpus.line_part(t, threads))
        .collect::<Result<_>>()?;
    let counted: Vec<Result<Counts>> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                s.spawn(move || {
                    let mut sink = Candidates::new(&settings.connectors, limit);
                    corpus.scan(part, &mut sink)?;
                    Ok(sink.counts)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    });
    let mut parts = Vec::with_capacity(threads);
    for part in counted {
        match part {
            Ok(part) => parts.push(part),
            Err(e) if threads > 1 => {
                let mut again = Candidates::new(&settings.connectors, limit);
                return corpus.scan(0..corpus.total_bytes(), &mut again).and(Err(e));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Counts::merge(parts))
}

/// Partitions of the candidates' counts: keys are gathered per partition and added a batch at a
/// time, so each batch works in one partition's table, small enough to stay in the cache,
/// instead of one random access into a table of millions per candidate.
const PARTITIONS: usize = 256;
const PAIR_BATCH: usize = 1024;

/// Candidates' counts by key, in partitions.
pub(super) struct Partitioned<K> {
    tables: Vec<FxHashMap<K, u64>>,
    pending: Vec<Vec<K>>,
    /// Entries in the tables (not counting the pending keys).
    held: usize,
}

impl<K> Default for Partitioned<K> {
    fn default() -> Self {
        Partitioned {
            tables: (0..PARTITIONS).map(|_| FxHashMap::default()).collect(),
            pending: (0..PARTITIONS).map(|_| Vec::new()).collect(),
            held: 0,
        }
    }
}

impl<K: Copy + Eq + Hash> Partitioned<K> {
    fn partition(key: K) -> usize {
        (FxBuildHasher.hash_one(key) >> 56) as usize
    }

    /// Counts one occurrence of `key`.
    fn add(&mut self, key: K) {
        let p = Self::partition(key);
        self.pending[p].push(key);
        if self.pending[p].len() == PAIR_BATCH {
            self.flush(p);
        }
    }

    fn flush(&mut self, p: usize) {
        let table = &mut self.tables[p];
        let before = table.len();
        for key in self.pending[p].drain(..) {
            *table.entry(key).or_default() += 1;
        }
        self.held += table.len() - before;
    }

    pub(super) fn flush_all(&mut self) {
        for p in 0..PARTITIONS {
            self.flush(p);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.held
    }

    /// Drops the entries counted `floor` times or fewer.
    fn retain_above(&mut self, floor: u64) {
        self.flush_all();
        for table in &mut self.tables {
            table.retain(|_, n| *n > floor);
        }
        self.held = self.tables.iter().map(|t| t.len()).sum();
    }

    /// Every entry, its key mapped by `remap`, gathered by the partition of its new key.
    fn gather(mut self, remap: impl Fn(K) -> K) -> Vec<Vec<(K, u64)>> {
        self.flush_all();
        let mut gathered: Vec<Vec<(K, u64)>> = (0..PARTITIONS).map(|_| Vec::new()).collect();
        for (key, n) in self.tables.into_iter().flatten() {
            let key = remap(key);
            gathered[Self::partition(key)].push((key, n));
        }
        gathered
    }
}

impl<K: Copy + Eq + Hash + Send + Sync> Partitioned<K> {
    /// Adds other parts' gathered entries, partition by partition, the partitions shared among
    /// `threads` threads.
    fn add_gathered(&mut self, parts: Vec<Vec<Vec<(K, u64)>>>, threads: usize) {
        self.flush_all();
        let mut by_partition: Vec<Vec<Vec<(K, u64)>>> =
            (0..PARTITIONS).map(|_| Vec::new()).collect();
        for part in parts {
            for (p, entries) in part.into_iter().enumerate() {
                by_partition[p].push(entries);
            }
        }
        let share = PARTITIONS.div_ceil(threads.max(1));
        std::thread::scope(|s| {
            let tables = self.tables.chunks_mut(share);
            for (tables, entries) in tables.zip(by_partition.chunks_mut(share)) {
                s.spawn(move || {
                    for (table, entries) in tables.iter_mut().zip(entries) {
                        for (key, n) in entries.drain(..).flatten() {
                            *table.entry(key).or_default() += n;
                        }
                    }
                });
            }
        });
        self.held = self.tables.iter().map(|t| t.len()).sum();
    }

    /// The phrases `phrase` makes of the entries, the partitions shared among `threads` threads.
    pub(super) fn score(
        &self,
        threads: usize,
        phrase: impl Fn(K, u64) -> Option<Phrase> + Sync,
    ) -> Vec<Phrase> {
        let share = PARTITIONS.div_ceil(threads.max(1));
        let phrase = &phrase;
        std::thread::scope(|s| {
            let handles: Vec<_> = (self.tables.chunks(share))
                .map(|tables| {
                    s.spawn(move || {
                        let entries = tables.iter().flatten();
                        entries
                            .filter_map(|(&key, &n)| phrase(key, n))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            (handles.into_iter())
                .flat_map(|h| h.join().expect("a scoring thread panicked"))
                .collect()
        })
    }
}

/// The two words of a candidate as one key: first << 32 | second.
fn pair_key(first: u32, second: u32) -> u64 {
    (first as u64) << 32 | second as u64
}

/// A candidate's connectors packed into 64 bits, a byte each (its 1-based place in the list of
/// connector words), when there are at most eight of them and each has such a place.
fn packed_connectors(codes: impl ExactSizeIterator<Item = u8>) -> Option<u64> {
    if codes.len() > 8 {
        return None;
    }
    let mut packed = 0u64;
    for code in codes {
        if code == UNPACKED {
            return None;
        }
        packed = packed << 8 | code as u64;
    }
    Some(packed)
}

/// The connector code of a word that is none.
pub(super) const NOT_CONNECTOR: u8 = 0;
/// The code of a connector beyond the 254th of the list: its candidates keep all their ids.
const UNPACKED: u8 = u8::MAX;

/// A part's counts: its words by id (in the order first seen), and every candidate's count —
/// two words next to each other by their two ids; with connectors between, by the two ids and
/// the connectors packed, or (more than eight, or a list of more than 254) by all its ids.
#[derive(Default)]
pub(super) struct Counts {
    ids: FxHashMap<Box<[u8]>, u32>,
    /// Each id's word, count, and connector code (its 1-based place in the list, or 0).
    pub words: Vec<Box<[u8]>>,
    pub counts: Vec<u64>,
    pub connector: Vec<u8>,
    pub pairs: Partitioned<u64>,
    pub bridged: Partitioned<u128>,
    pub longer: FxHashMap<Box<[u32]>, u64>,
    pub prunings: u32,
}

impl Counts {
    /// The id of `word`, given it if new (checked as UTF-8 then).
    fn id(&mut self, word: &[u8], connectors: &[String], at: (&Path, u64)) -> Result<u32> {
        if let Some(&id) = self.ids.get(word) {
            return Ok(id);
        }
        if let Err(e) = std::str::from_utf8(word) {
            return Err(Error::parse(
                at.0,
                at.1,
                format!(
                    "invalid UTF-8 (byte {} of a token); convert the file to UTF-8",
                    e.valid_up_to() + 1
                ),
            ));
        }
        let id = self.words.len() as u32;
        self.ids.insert(word.into(), id);
        self.words.push(word.into());
        self.counts.push(0);
        let place = connectors.iter().position(|c| c.as_bytes() == word);
        let code = place.map_or(NOT_CONNECTOR, |i| (i + 1).min(UNPACKED as usize) as u8);
        self.connector.push(code);
        Ok(id)
    }

    /// The parts' counts as one: the first part's ids stay; the others' words are added to it
    /// (few: one thread), then their candidates, remapped and gathered by partition (a thread a
    /// part), are added partition by partition on as many threads.
    fn merge(mut parts: Vec<Counts>) -> Counts {
        if parts.is_empty() {
            return Counts::default();
        }
        let threads = parts.len();
        let mut total = parts.remove(0);
        let maps: Vec<Vec<u32>> = parts.iter().map(|part| total.add_words(part)).collect();
        type Gathered = (Vec<Vec<(u64, u64)>>, Vec<Vec<(u128, u64)>>);
        let gathered: Vec<Gathered> = std::thread::scope(|s| {
            let handles: Vec<_> = (parts.iter_mut().zip(&maps))
                .map(|(part, ids)| {
                    let pairs = std::mem::take(&mut part.pairs);
                    let bridged = std::mem::take(&mut part.bridged);
                    s.spawn(move || {
                        let remap = |key: u64| {
                            pair_key(ids[(key >> 32) as usize], ids[key as u32 as usize])
                        };
                        let bridge = |key: u128| (key >> 64) << 64 | remap(key as u64) as u128;
                        (pairs.gather(remap), bridged.gather(bridge))
                    })
                })
                .collect();
            (handles.into_iter())
                .map(|h| h.join().expect("a merging thread panicked"))
                .collect()
        });
        let (pairs, bridged): (Vec<_>, Vec<_>) = gathered.into_iter().unzip();
        total.pairs.add_gathered(pairs, threads);
        total.bridged.add_gathered(bridged, threads);
        for (part, ids) in parts.into_iter().zip(&maps) {
            for (key, n) in part.longer {
                let key: Box<[u32]> = key.iter().map(|&id| ids[id as usize]).collect();
                *total.longer.entry(key).or_default() += n;
            }
            total.prunings += part.prunings;
        }
        total
    }

    /// Adds `other`'s words and their counts; gives each of its ids the id here.
    fn add_words(&mut self, other: &Counts) -> Vec<u32> {
        let mut ids = Vec::with_capacity(other.words.len());
        for (word, &n) in other.words.iter().zip(&other.counts) {
            let id = match self.ids.get(word) {
                Some(&id) => id,
                None => {
                    let id = self.words.len() as u32;
                    self.ids.insert(word.clone(), id);
                    self.words.push(word.clone());
                    self.counts.push(0);
                    self.connector.push(other.connector[ids.len()]);
                    id
                }
            };
            self.counts[id as usize] += n;
            ids.push(id);
        }
        ids
    }
}

/// Counts each word of a part and each candidate — the word before on the line, the connectors
/// since, and this word — as gensim's `_learn_vocab` counts them; the candidates are pruned of
/// their rarest when they outgrow `limit`, as gensim prunes its table.
struct Candidates<'c> {
    connectors: &'c [String],
    counts: Counts,
    limit: usize,
    min_reduce: u64,
    /// The candidate under way: its first word and any connectors.
    open: Vec<u32>,
}

impl<'c> Candidates<'c> {
    fn new(connectors: &'c [String], limit: usize) -> Self {
        Candidates {
            connectors,
            counts: Counts::default(),
            limit,
            min_reduce: 1,
            open: Vec::new(),
        }
    }

    fn prune(&mut self) {
        let floor = self.min_reduce;
        self.counts.pairs.retain_above(floor);
        self.counts.bridged.retain_above(floor);
        self.counts.longer.retain(|_, n| *n > floor);
        self.min_reduce += 1;
        self.counts.prunings += 1;
    }
}

impl TokenSink for Candidates<'_> {
    fn token(&mut self, token: &[u8], file: &Path, line: u64) -> Result<()> {
        let id = self.counts.id(token, self.connectors, (file, line))?;
        self.counts.counts[id as usize] += 1;
        if self.counts.connector[id as usize] != NOT_CONNECTOR {
            if !self.open.is_empty() {
                self.open.push(id);
            }
            return Ok(());
        }
        let counts = &mut self.counts;
        match self.open[..] {
            [] => {}
            [first] => counts.pairs.add(pair_key(first, id)),
            [first, ref between @ ..] => {
                let codes = between.iter().map(|&c| counts.connector[c as usize]);
                match packed_connectors(codes) {
                    Some(packed) => {
                        let key = (packed as u128) << 64 | pair_key(first, id) as u128;
                        counts.bridged.add(key);
                    }
                    None => {
                        self.open.push(id);
                        // Allocated only when new.
                        match counts.longer.get_mut(&self.open[..]) {
                            Some(n) => *n += 1,
                            None => {
                                counts.longer.insert(self.open[..].into(), 1);
                            }
                        }
                    }
                }
            }
        }
        if counts.pairs.len() + counts.bridged.len() + counts.longer.len() > self.limit {
            self.prune();
        }
        self.open.clear();
        self.open.push(id);
        Ok(())
    }

    fn line_end(&mut self) -> Result<()> {
        self.open.clear();
        Ok(())
    }
}
