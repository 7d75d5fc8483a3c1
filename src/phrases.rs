//! Learning phrases from a corpus, as word2vec's `word2phrase` and gensim's `Phrases` do: a pass
//! counts every word and every candidate (two words next to each other on a line, with any
//! connector words between them) keyed by the words' ids, each thread over whole lines of its
//! part into its own tables (the candidates' memory-bounded), merged at the end; each candidate
//! is then scored from its count and its two words', and those above the
//! threshold are the pass's phrases. A later pass counts the text joined by the earlier ones, so
//! phrases grow a word a pass. The counting follows gensim's `_learn_vocab` and the scores its
//! scorers exactly, so tables compare entry for entry; the table applies as the corpus is read
//! ([`crate::text::PhraseTable`]).

use std::ops::Range;
use std::path::Path;

use std::hash::{BuildHasher, Hash};

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::error::{Error, Result};
use crate::text::{Corpus, Phrase, PhraseTable, TokenSink};

/// How a candidate is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Scoring {
    /// word2vec's `(count(ab) − min_count) / (count(a) · count(b)) · entries`, with gensim's
    /// number of entries counted (words and candidates) for word2phrase's corpus size.
    #[default]
    Default,
    /// Normalised pointwise mutual information, `ln(p(ab) / (p(a) p(b))) / −ln p(ab)`, in
    /// [−1, 1] (Bouma 2009).
    Npmi,
}

/// gensim's `ENGLISH_CONNECTOR_WORDS`: articles, prepositions and conjunctions that may sit
/// inside a phrase (`bank_of_america`) but never start or end one.
pub const ENGLISH_CONNECTORS: [&str; 15] = [
    "a", "an", "the", "for", "of", "with", "without", "at", "from", "to", "in", "on", "by", "and",
    "or",
];

/// gensim's `max_vocab_size`: entries (words and candidates) the counting table holds before it
/// prunes its rarest.
pub const MAX_ENTRIES: usize = 40_000_000;

/// What a phrase is, and how it is looked for.
#[derive(Debug, Clone)]
pub struct PhraseSettings {
    pub scoring: Scoring,
    /// A candidate scoring above it is a phrase.
    pub threshold: f64,
    /// The candidate count the default scoring subtracts; the least count npmi scores.
    pub min_count: u64,
    pub connectors: Vec<String>,
    /// Entries counted before the rarest are pruned.
    pub max_entries: usize,
    pub passes: usize,
    pub threads: usize,
}

/// What a pass counted and found.
#[derive(Debug, Clone, Default)]
pub struct PassStats {
    /// Tokens read, connector words included.
    pub words: u64,
    /// Entries in the counting table at the end: words (not connectors) and candidates.
    pub entries: u64,
    /// Times the table was pruned.
    pub prunings: u32,
    pub phrases: usize,
}

impl PhraseSettings {
    /// Refuses settings no table could come from.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Config(m.to_string()));
        if self.passes == 0 {
            return bad("--passes must be at least 1");
        }
        if !self.threshold.is_finite() {
            return bad("--threshold must be a number");
        }
        if self.scoring == Scoring::Npmi && !(-1.0..1.0).contains(&self.threshold) {
            return bad("npmi scores lie between -1 and 1: give --threshold below 1 (0.5, say)");
        }
        if self.max_entries == 0 || self.threads == 0 {
            return bad("--max-entries and --threads must be at least 1");
        }
        if self
            .connectors
            .iter()
            .any(|c| c.is_empty() || c.contains(' '))
        {
            return bad("a connector word is one token, not empty");
        }
        Ok(())
    }

    /// The score of a candidate seen `together` times whose words were seen `a` and `b` times,
    /// in a pass of `words` tokens whose table holds `entries` entries.
    pub fn score(&self, a: u64, b: u64, together: u64, entries: u64, words: u64) -> f64 {
        match self.scoring {
            Scoring::Default => {
                let denominator = (a * b) as f64;
                (together as f64 - self.min_count as f64) / denominator * entries as f64
            }
            Scoring::Npmi if together >= self.min_count => {
                let words = words as f64;
                let (pa, pb, pab) = (a as f64 / words, b as f64 / words, together as f64 / words);
                (pab / (pa * pb)).ln() / -pab.ln()
            }
            Scoring::Npmi => f64::NEG_INFINITY,
        }
    }
}

/// Learns `settings.passes` passes of phrases from `corpus`, each pass's figures handed to
/// `report` as it ends.
pub fn learn(
    corpus: &Corpus,
    settings: &PhraseSettings,
    mut report: impl FnMut(usize, &PassStats),
) -> Result<PhraseTable> {
    settings.validate()?;
    let mut table = PhraseTable {
        connectors: settings.connectors.clone(),
        ..PhraseTable::default()
    };
    for pass in 1..=settings.passes {
        let read = match pass {
            1 => corpus.clone(),
            _ => corpus.clone().joined(Some(&table)),
        };
        let (phrases, stats) = learn_pass(&read, settings, pass)?;
        report(pass, &stats);
        table.phrases.extend(phrases);
    }
    Ok(table)
}

/// One pass: every word and candidate counted, then every candidate scored.
fn learn_pass(
    corpus: &Corpus,
    settings: &PhraseSettings,
    pass: usize,
) -> Result<(Vec<Phrase>, PassStats)> {
    let Counts {
        words: names,
        counts,
        connector,
        mut pairs,
        mut bridged,
        longer,
        prunings,
        ..
    } = count(corpus, settings)?;
    let words: u64 = counts.iter().sum();
    if words == 0 {
        let first = corpus.paths().next().expect("a corpus has a file");
        return Err(Error::invalid(first, "the corpus holds no words"));
    }
    pairs.flush_all();
    bridged.flush_all();
    let distinct = connector.iter().filter(|&&c| c == NOT_CONNECTOR).count();
    let candidates = pairs.len() + bridged.len() + longer.len();
    let stats = PassStats {
        words,
        entries: (distinct + candidates) as u64,
        prunings,
        phrases: 0,
    };
    let name = |id: u32| String::from_utf8_lossy(&names[id as usize]).into_owned();
    // A candidate from `a` to `b` seen `together` times, as a phrase if it scores as one (its
    // tokens made only then).
    let phrase = |a: u32, b: u32, together: u64, tokens: &dyn Fn() -> Vec<String>| {
        let (na, nb) = (counts[a as usize], counts[b as usize]);
        let score = settings.score(na, nb, together, stats.entries, stats.words);
        (score > settings.threshold).then(|| Phrase {
            pass,
            tokens: tokens(),
            score,
            count: together,
        })
    };
    let mut phrases: Vec<Phrase> = (longer.iter())
        .filter_map(|(ids, &together)| {
            let (a, b) = (ids[0], ids[ids.len() - 1]);
            phrase(a, b, together, &|| ids.iter().map(|&id| name(id)).collect())
        })
        .collect();
    phrases.extend(pairs.score(settings.threads, |key, together| {
        let (a, b) = ((key >> 32) as u32, key as u32);
        phrase(a, b, together, &|| vec![name(a), name(b)])
    }));
    phrases.extend(bridged.score(settings.threads, |key, together| {
        let (a, b) = ((key as u64 >> 32) as u32, key as u32);
        let packed = (key >> 64) as u64;
        let tokens = || {
            let codes = (0..8).rev().map(|i| (packed >> (8 * i)) as u8);
            let between = codes.filter(|&c| c != NOT_CONNECTOR);
            let between = between.map(|c| settings.connectors[c as usize - 1].clone());
            std::iter::once(name(a))
                .chain(between)
                .chain([name(b)])
                .collect()
        };
        phrase(a, b, together, &tokens)
    }));
    // Highest score first; ties by their tokens, so the table never depends on threads.
    phrases.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.tokens.cmp(&y.tokens)));
    let stats = PassStats {
        phrases: phrases.len(),
        ..stats
    };
    Ok((phrases, stats))
}

/// Counts `corpus` on the settings' threads, each over whole lines of its part into its own
/// tables, merged at the end. A bad token is named at its exact line: a part that starts inside
/// a file counts its lines from there, so the corpus is read again from its start on one thread.
fn count(corpus: &Corpus, settings: &PhraseSettings) -> Result<Counts> {
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
struct Partitioned<K> {
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

    fn flush_all(&mut self) {
        for p in 0..PARTITIONS {
            self.flush(p);
        }
    }

    fn len(&self) -> usize {
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
    fn score(
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
const NOT_CONNECTOR: u8 = 0;
/// The code of a connector beyond the 254th of the list: its candidates keep all their ids.
const UNPACKED: u8 = u8::MAX;

/// A part's counts: its words by id (in the order first seen), and every candidate's count —
/// two words next to each other by their two ids; with connectors between, by the two ids and
/// the connectors packed, or (more than eight, or a list of more than 254) by all its ids.
#[derive(Default)]
struct Counts {
    ids: FxHashMap<Box<[u8]>, u32>,
    /// Each id's word, count, and connector code (its 1-based place in the list, or 0).
    words: Vec<Box<[u8]>>,
    counts: Vec<u64>,
    connector: Vec<u8>,
    pairs: Partitioned<u64>,
    bridged: Partitioned<u128>,
    longer: FxHashMap<Box<[u32]>, u64>,
    prunings: u32,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(scoring: Scoring, threshold: f64, min_count: u64) -> PhraseSettings {
        PhraseSettings {
            scoring,
            threshold,
            min_count,
            connectors: vec!["of".into()],
            max_entries: MAX_ENTRIES,
            passes: 1,
            threads: 1,
        }
    }

    fn corpus(dir: &Path, text: &str) -> Corpus {
        let path = dir.join("c.txt");
        std::fs::write(&path, text).unwrap();
        Corpus::open(&[path]).unwrap()
    }

    #[test]
    fn scores_match_a_count_by_hand() {
        // Lines: "new york is big" ×3, "new cars of york" ×1, "york new" ×1.
        let dir = tempfile::tempdir().unwrap();
        let text = "new york is big\n".repeat(3) + "new cars of york\nyork new\n";
        let c = corpus(dir.path(), &text);
        let s = settings(Scoring::Default, -1e300, 1);
        let table = learn(&c, &s, |_, _| {}).unwrap();
        // Words: new 5, york 5, is 3, big 3, cars 1 (of is a connector) — 5 words. Candidates:
        // new·york 3, york·is 3, is·big 3, new·cars 1, cars·of·york 1, york·new 1 — 6. Tokens:
        // 12 + 4 + 2 = 18.
        let (entries, words): (f64, f64) = (11.0, 18.0);
        let find = |tokens: &str| {
            let t: Vec<&str> = tokens.split(' ').collect();
            let p = table.phrases.iter().find(|p| p.tokens == t);
            p.unwrap_or_else(|| panic!("{tokens} missing"))
        };
        assert_eq!(find("new york").count, 3);
        assert_eq!(find("new york").score, (3.0 - 1.0) / (5.0 * 5.0) * entries);
        assert_eq!(find("cars of york").score, 0.0);
        assert_eq!(find("is big").score, 2.0 / 9.0 * entries);
        assert_eq!(table.phrases.len(), 6);
        let npmi = settings(Scoring::Npmi, -1.0, 1);
        let table = learn(&c, &npmi, |_, _| {}).unwrap();
        let p = &table
            .phrases
            .iter()
            .find(|p| p.tokens == ["is", "big"])
            .unwrap();
        let (pa, pab) = (3.0 / words, 3.0 / words);
        assert!((p.score - (pab / (pa * pa)).ln() / -pab.ln()).abs() < 1e-12);
    }

    #[test]
    fn the_threshold_min_count_and_passes_decide_what_is_a_phrase() {
        let dir = tempfile::tempdir().unwrap();
        let text = "new york times said\n".repeat(20) + &"old news papers today\n".repeat(20);
        let c = corpus(dir.path(), &text);
        let mut s = settings(Scoring::Default, 0.0, 5);
        s.passes = 2;
        let mut figures = Vec::new();
        let table = learn(&c, &s, |pass, stats| figures.push((pass, stats.words))).unwrap();
        assert_eq!(figures, [(1, 160), (2, 80)]);
        let second: Vec<String> = table
            .phrases
            .iter()
            .filter(|p| p.pass == 2)
            .map(Phrase::joined)
            .collect();
        assert!(
            second.contains(&"new_york_times_said".to_string()),
            "{second:?}"
        );
        // A candidate seen fewer times than min_count never scores above 0.
        s.min_count = 21;
        s.passes = 1;
        assert!(learn(&c, &s, |_, _| {}).unwrap().phrases.is_empty());
    }

    #[test]
    fn candidates_with_many_connectors_keep_every_token() {
        // Two connectors pack into the candidate's key; nine do not, and keep all their ids.
        let dir = tempfile::tempdir().unwrap();
        let nine = ["of"; 9].join(" ");
        let text =
            "x new of of york y\n".repeat(30) + &format!("p bank {nine} rome q\n").repeat(30);
        let c = corpus(dir.path(), &text);
        let mut s = settings(Scoring::Default, 0.0, 5);
        s.threads = 2;
        let table = learn(&c, &s, |_, _| {}).unwrap();
        let joined: Vec<String> = table.phrases.iter().map(Phrase::joined).collect();
        assert!(joined.contains(&"new_of_of_york".to_string()), "{joined:?}");
        let long = format!("bank_{}_rome", ["of"; 9].join("_"));
        assert!(joined.contains(&long), "{joined:?}");
    }

    #[test]
    fn threads_and_bad_settings() {
        let dir = tempfile::tempdir().unwrap();
        let text = "a b c d e f\n".repeat(500) + &"b c x y\n".repeat(300);
        let c = corpus(dir.path(), &text);
        let one = learn(&c, &settings(Scoring::Default, 1.0, 5), |_, _| {}).unwrap();
        let mut s = settings(Scoring::Default, 1.0, 5);
        s.threads = 3;
        assert_eq!(learn(&c, &s, |_, _| {}).unwrap(), one);
        s.scoring = Scoring::Npmi;
        let e = learn(&c, &s, |_, _| {}).unwrap_err().to_string();
        assert!(e.contains("--threshold"), "{e}");
    }
}
