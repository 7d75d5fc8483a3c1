//! GloVe's co-occurrence counts (Pennington et al. 2014, as the reference `cooccur` computes
//! them): within each line, every pair of vocabulary words at most `window` apart adds 1/distance,
//! in both directions when symmetric. Counting runs in a bounded table; when it outgrows its
//! memory budget it is sorted and spilled to a run file, and the runs are merged at the end (in
//! levels, at most `MERGE_FAN_IN` files open at once), so a corpus whose matrix does not fit in
//! memory is counted all the same. Counts are kept as exact
//! integer multiples of 1/lcm(1..=window), so the result does not depend on the order of the
//! additions: spilled or not, the matrix is the same to the last bit. Run files live in a
//! temporary folder removed on success and on failure; each ends in a CRC-32, so a truncated or
//! damaged one is an error naming it, never a wrong count.

mod runs;

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

pub use self::runs::RunReader;
use self::runs::{MERGE_FAN_IN, RunWriter, Source, merge, merge_levels};
use super::{SentenceSink, Subsampler};
use crate::error::{Error, Result};
use crate::files::scratch_dir;
use crate::rng::rng_for;
use crate::text::{Corpus, Vocab};

/// How counts are made.
#[derive(Debug, Clone)]
pub struct CooccurConfig {
    /// Largest distance between two counted words.
    pub window: usize,
    /// Count (a, b) and (b, a) for each pair (GloVe's default), else only (earlier, later).
    pub symmetric: bool,
    /// Bytes the counting table may use before it spills to disk.
    pub memory_bytes: usize,
    /// Where the run files' temporary folder goes (the system's temporary folder if `None`).
    pub temp_dir: Option<PathBuf>,
}

/// One non-zero entry of the matrix, vocabulary ids from 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cooccurrence {
    pub i: u32,
    pub j: u32,
    pub x: f64,
}

/// What counting did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CooccurStats {
    /// Vocabulary words read.
    pub tokens: u64,
    /// Non-zero entries emitted.
    pub entries: u64,
    /// Sorted runs written to disk (0: the matrix fit in memory).
    pub runs: usize,
}

/// A count's numerator (the count × lcm(1..=window)) while it sits in the counting table: u64
/// where no count of the corpus can outgrow it (every usual window), which halves the table, and
/// u128 otherwise. Run files and the merge always use u128.
trait Numerator: Copy + Default + std::ops::AddAssign + Into<u128> {
    /// What one entry of the counting table costs at its peak: the hash map's slot with its
    /// control byte and spare capacity (up to twice the entries after a growth), and its place
    /// in the sort buffer while it spills.
    const ENTRY_BYTES: usize;
    /// `weight`, known to fit.
    fn narrow(weight: u128) -> Self;
}

impl Numerator for u64 {
    const ENTRY_BYTES: usize = 48;
    fn narrow(weight: u128) -> Self {
        weight as u64
    }
}

impl Numerator for u128 {
    const ENTRY_BYTES: usize = 80;
    fn narrow(weight: u128) -> Self {
        weight
    }
}

/// The widest window whose weights 1/d stay exact (lcm(1..=60) ≈ 9.4e24 leaves 10^13 of
/// headroom in a u128 for the counts themselves).
pub const MAX_COOCCUR_WINDOW: usize = 60;

/// lcm(1, 2, …, n): every weight 1/d, d ≤ n, is a whole multiple of its inverse.
fn weight_scale(n: usize) -> u128 {
    fn gcd(a: u128, b: u128) -> u128 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    (1..=n as u128).fold(1, |l, d| l / gcd(l, d) * d)
}

/// Counts `corpus` over `vocab` and hands every non-zero entry to `emit`, in (i, j) order.
pub fn count_cooccurrences(
    corpus: &Corpus,
    vocab: &Vocab,
    config: &CooccurConfig,
    emit: impl FnMut(Cooccurrence) -> Result<()>,
) -> Result<CooccurStats> {
    if config.window == 0 || config.window > MAX_COOCCUR_WINDOW {
        return Err(Error::Config(format!(
            "the co-occurrence window must be between 1 and {MAX_COOCCUR_WINDOW}"
        )));
    }
    // No count exceeds the sum of every weight the corpus adds: two per pair of positions.
    let bound = (vocab.total_count() as u128)
        .saturating_mul(2 * config.window as u128)
        .saturating_mul(weight_scale(config.window));
    if bound < u64::MAX as u128 {
        count_with::<u64>(corpus, vocab, config, emit)
    } else {
        count_with::<u128>(corpus, vocab, config, emit)
    }
}

fn count_with<N: Numerator>(
    corpus: &Corpus,
    vocab: &Vocab,
    config: &CooccurConfig,
    mut emit: impl FnMut(Cooccurrence) -> Result<()>,
) -> Result<CooccurStats> {
    let window = config.window;
    let scale = weight_scale(window);
    let weights: Vec<N> = (0..=window as u128)
        .map(|d| N::narrow(scale.checked_div(d).unwrap_or(0)))
        .collect();
    let scratch = scratch_dir("wordvec-cooccur-", config.temp_dir.as_deref())?;
    // Pairs of frequent words go to a dense array (a quarter of the budget: a larger one is
    // slower, its cells further apart; and never more cells than
    // the corpus has increments, so a small corpus keeps a small array), the rest to the table.
    let increments = (vocab.total_count() as usize).saturating_mul(2 * window);
    let dense_bytes = (config.memory_bytes / 4).min(increments.saturating_mul(size_of::<N>()));
    let mut dense = DenseCounts::<N>::within(vocab.len(), dense_bytes);
    let limit = (config.memory_bytes.saturating_sub(dense.bytes()) / N::ENTRY_BYTES).max(1);
    let mut table: FxHashMap<u64, N> = FxHashMap::default();
    let mut runs: Vec<PathBuf> = Vec::new();
    let mut stats = CooccurStats::default();
    let keep_all = Subsampler::new(vocab.counts(), 0.0);
    let mut rng = rng_for(0, 0);
    let mut add = |table: &mut FxHashMap<u64, N>, i: u32, j: u32, weight: N| match dense.slot(i, j)
    {
        Some(cell) => dense.cells[cell] += weight,
        None => *table.entry(key(i, j)).or_default() += weight,
    };
    let mut sink = SentenceSink::new(vocab, &keep_all, &mut rng, |sentence, read, _| {
        stats.tokens += read;
        for (pos, &later) in sentence.iter().enumerate() {
            for distance in 1..=window.min(pos) {
                let earlier = sentence[pos - distance];
                let weight = weights[distance];
                add(&mut table, earlier, later, weight);
                if config.symmetric {
                    add(&mut table, later, earlier, weight);
                }
            }
            if table.len() > limit {
                runs.push(spill(&mut table, scratch.path(), runs.len())?);
            }
        }
        Ok(())
    });
    corpus.scan(0..corpus.total_bytes(), &mut sink)?;
    sink.finish()?;
    // Every source in (i, j) order: the spilled runs, what the table holds now, the dense array.
    let mut rest: Vec<(u64, N)> = table.into_iter().collect();
    rest.sort_unstable_by_key(|e| e.0);
    stats.runs = runs.len();
    let runs = merge_levels(runs, scratch.path(), MERGE_FAN_IN)?;
    let mut readers = runs
        .iter()
        .map(|p| RunReader::open(p))
        .collect::<Result<Vec<_>>>()?;
    let mut sources: Vec<Source<'_>> = readers
        .iter_mut()
        .map(|r| Box::new(move || r.next_entry()) as Source<'_>)
        .collect();
    let mut rest = rest.into_iter().map(|(k, x)| (k, x.into()));
    sources.push(Box::new(move || Ok(rest.next())));
    let mut cells = dense.entries();
    sources.push(Box::new(move || Ok(cells.next())));
    merge(sources, &mut |k: u64, numerator: u128| {
        stats.entries += 1;
        emit(entry(k, numerator as f64 / scale as f64))
    })?;
    Ok(stats)
}

/// The counts of pairs of frequent words, held densely as the reference does: with ids in
/// frequency order, row i keeps the columns j < min(vocab, max_product / (i + 1)), so the most
/// frequent words have whole rows and rarer ones shorter ones — the pairs that take most of the
/// increments, counted without hashing.
struct DenseCounts<N> {
    /// Where each row starts in `cells`; one more than the rows.
    offsets: Vec<usize>,
    cells: Vec<N>,
}

impl<N: Numerator> DenseCounts<N> {
    /// The largest such array within `bytes` for a vocabulary of `words`.
    fn within(words: usize, bytes: usize) -> Self {
        let cap = bytes / std::mem::size_of::<N>();
        let cells = |max_product: usize| -> usize {
            (0..words).map(|i| (max_product / (i + 1)).min(words)).sum()
        };
        // The largest max_product whose array fits (cells grows with it).
        let (mut lo, mut hi) = (0usize, words.saturating_mul(words));
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if cells(mid) <= cap {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        let mut offsets = Vec::with_capacity(words + 1);
        let mut total = 0;
        offsets.push(0);
        for i in 0..words {
            total += (lo / (i + 1)).min(words);
            offsets.push(total);
        }
        DenseCounts {
            offsets,
            cells: vec![N::default(); total],
        }
    }

    fn bytes(&self) -> usize {
        self.cells.len() * std::mem::size_of::<N>() + self.offsets.len() * 8
    }

    #[inline]
    fn slot(&self, i: u32, j: u32) -> Option<usize> {
        let (start, end) = (self.offsets[i as usize], self.offsets[i as usize + 1]);
        let cell = start + j as usize;
        (cell < end).then_some(cell)
    }

    /// The non-zero cells in (i, j) order.
    fn entries(&self) -> impl Iterator<Item = (u64, u128)> + '_ {
        self.offsets
            .windows(2)
            .enumerate()
            .flat_map(move |(i, row)| {
                self.cells[row[0]..row[1]]
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| Into::<u128>::into(**x) != 0)
                    .map(move |(j, &x)| (key(i as u32, j as u32), x.into()))
            })
    }
}

fn key(i: u32, j: u32) -> u64 {
    ((i as u64) << 32) | j as u64
}

fn entry(key: u64, x: f64) -> Cooccurrence {
    Cooccurrence {
        i: (key >> 32) as u32,
        j: key as u32,
        x,
    }
}

/// Writes the table, sorted, as run file `n` of `dir` and empties it.
fn spill<N: Numerator>(table: &mut FxHashMap<u64, N>, dir: &Path, n: usize) -> Result<PathBuf> {
    let path = dir.join(format!("run-{n:05}.bin"));
    let mut entries: Vec<(u64, N)> = table.drain().collect();
    entries.sort_unstable_by_key(|e| e.0);
    let mut run = RunWriter::create(&path)?;
    for &(k, x) in &entries {
        run.push(k, x.into())?;
    }
    run.finish()?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TEXT: &str =
        "the cat sat on the mat with the cat\nthe dog sat\non the mat the dog ran\nrare\n";

    fn setup(dir: &Path) -> (Corpus, Vocab) {
        let p = dir.join("c.txt");
        std::fs::write(&p, TEXT).unwrap();
        let corpus = Corpus::open(&[&p]).unwrap();
        let (vocab, _) = Vocab::build(&corpus, 1, None, 1).unwrap();
        (corpus, vocab)
    }

    /// Every pair within each line, by hand.
    fn brute_force(vocab: &Vocab, window: usize, symmetric: bool) -> HashMap<(u32, u32), f64> {
        let mut counts = HashMap::new();
        for line in TEXT.lines() {
            let ids: Vec<u32> = line
                .split_whitespace()
                .map(|w| vocab.id(w.as_bytes()).unwrap())
                .collect();
            for a in 0..ids.len() {
                for b in a + 1..ids.len().min(a + window + 1) {
                    let w = 1.0 / (b - a) as f64;
                    *counts.entry((ids[a], ids[b])).or_insert(0.0) += w;
                    if symmetric {
                        *counts.entry((ids[b], ids[a])).or_insert(0.0) += w;
                    }
                }
            }
        }
        counts
    }

    fn counted(
        corpus: &Corpus,
        vocab: &Vocab,
        config: &CooccurConfig,
    ) -> (Vec<Cooccurrence>, CooccurStats) {
        let mut out = Vec::new();
        let stats = count_cooccurrences(corpus, vocab, config, |c| {
            out.push(c);
            Ok(())
        })
        .unwrap();
        (out, stats)
    }

    #[test]
    fn counts_match_a_brute_force_count_with_and_without_spilling() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, vocab) = setup(dir.path());
        let scratch = dir.path().join("scratch");
        std::fs::create_dir(&scratch).unwrap();
        for symmetric in [true, false] {
            for window in [1, 3, 10] {
                let want = brute_force(&vocab, window, symmetric);
                // 10 GB never spills; 3 entries' worth spills every few words.
                for memory_bytes in [10 << 30, 3 * <u64 as Numerator>::ENTRY_BYTES] {
                    let config = CooccurConfig {
                        window,
                        symmetric,
                        memory_bytes,
                        temp_dir: Some(scratch.clone()),
                    };
                    let (got, stats) = counted(&corpus, &vocab, &config);
                    assert_eq!(stats.runs > 0, memory_bytes < 1 << 20, "{stats:?}");
                    assert_eq!(
                        got.len(),
                        want.len(),
                        "window {window}, {memory_bytes} bytes"
                    );
                    assert!(got.windows(2).all(|w| (w[0].i, w[0].j) < (w[1].i, w[1].j)));
                    for c in &got {
                        let x = want[&(c.i, c.j)];
                        assert!((c.x - x).abs() < 1e-9, "({}, {}): {} vs {x}", c.i, c.j, c.x);
                    }
                    // Spilled or not, the same bits.
                    let (whole, _) = counted(
                        &corpus,
                        &vocab,
                        &CooccurConfig {
                            memory_bytes: 10 << 30,
                            ..config.clone()
                        },
                    );
                    assert_eq!(got, whole);
                    // The wide numerators (for windows or corpora whose counts could outgrow
                    // a u64) count the same.
                    let mut wide = Vec::new();
                    count_with::<u128>(&corpus, &vocab, &config, |c| {
                        wide.push(c);
                        Ok(())
                    })
                    .unwrap();
                    assert_eq!(got, wide);
                    assert_eq!(stats.entries, got.len() as u64);
                    assert_eq!(stats.tokens, 19);
                    // The run files went with their folder.
                    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0);
                }
            }
        }
    }

    #[test]
    fn the_dense_array_keeps_the_frequent_pairs_within_its_bytes() {
        // 12 u64 cells for 6 words: max_product 5 gives rows of 5, 2, 1, 1, 1 and 0 (6 would
        // need 14).
        let mut dense = DenseCounts::<u64>::within(6, 100);
        let rows: Vec<usize> = dense.offsets.windows(2).map(|r| r[1] - r[0]).collect();
        assert_eq!(rows, [5, 2, 1, 1, 1, 0]);
        assert_eq!(dense.slot(0, 4), Some(4));
        assert_eq!(dense.slot(0, 5), None);
        assert_eq!(dense.slot(1, 1), Some(6));
        assert_eq!(dense.slot(4, 0), Some(9));
        assert_eq!(dense.slot(5, 0), None);
        dense.cells[6] = 7;
        dense.cells[1] = 2;
        let cells: Vec<(u64, u128)> = dense.entries().collect();
        assert_eq!(cells, [(key(0, 1), 2), (key(1, 1), 7)]);
        // Room for everything: the whole matrix.
        assert_eq!(DenseCounts::<u64>::within(6, 1 << 20).cells.len(), 36);
        assert!(DenseCounts::<u64>::within(6, 0).cells.is_empty());
    }

    #[test]
    fn weights_are_exact_multiples() {
        assert_eq!(weight_scale(10), 2520);
        assert_eq!(weight_scale(1), 1);
        let scale = weight_scale(MAX_COOCCUR_WINDOW);
        assert!((1..=MAX_COOCCUR_WINDOW as u128).all(|d| scale.is_multiple_of(d)));
        assert!(u128::MAX / scale > 10u128.pow(13));
    }

    #[test]
    fn a_failure_removes_the_run_files_too() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, vocab) = setup(dir.path());
        let config = CooccurConfig {
            window: 5,
            symmetric: true,
            memory_bytes: <u64 as Numerator>::ENTRY_BYTES,
            temp_dir: Some(dir.path().to_path_buf()),
        };
        let r = count_cooccurrences(&corpus, &vocab, &config, |_| {
            Err(Error::Config("disk full".into()))
        });
        assert!(r.is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["c.txt"]);
    }

    #[test]
    fn runs_merged_in_levels_keep_every_sum_and_leave_no_other_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = Vec::new();
        let mut want: std::collections::BTreeMap<u64, u128> = Default::default();
        for n in 0..7u64 {
            let mut table: FxHashMap<u64, u64> = FxHashMap::default();
            for k in 0..20u64 {
                let key = (k * 7 + n * 3) % 23;
                *table.entry(key).or_default() += k + 1;
                *want.entry(key).or_default() += (k + 1) as u128;
            }
            runs.push(spill(&mut table, dir.path(), n as usize).unwrap());
        }
        // Fan-in 2: 7 runs → 4 → 2, over two levels.
        let left = merge_levels(runs, dir.path(), 2).unwrap();
        assert_eq!(left.len(), 2);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let mut readers: Vec<RunReader> =
            left.iter().map(|p| RunReader::open(p).unwrap()).collect();
        let sources: Vec<Source<'_>> = readers
            .iter_mut()
            .map(|r| Box::new(move || r.next_entry()) as Source<'_>)
            .collect();
        let mut got = Vec::new();
        merge(sources, &mut |k, x| {
            got.push((k, x));
            Ok(())
        })
        .unwrap();
        assert_eq!(got, want.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn truncated_or_damaged_run_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut table: FxHashMap<u64, u128> =
            (0..10u64).map(|k| (k * 7, k as u128 * 2520)).collect();
        let path = spill(&mut table, dir.path(), 0).unwrap();
        let read_all = |p: &Path| -> Result<usize> {
            let mut r = RunReader::open(p)?;
            let mut n = 0;
            while r.next_entry()?.is_some() {
                n += 1;
            }
            Ok(n)
        };
        assert_eq!(read_all(&path).unwrap(), 10);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 30]).unwrap();
        let e = read_all(&path).unwrap_err().to_string();
        assert!(
            e.contains("run-00000.bin") && e.contains("truncated") && e.contains("entry 9 of 10"),
            "{e}"
        );
        let mut damaged = bytes.clone();
        damaged[40] ^= 1;
        std::fs::write(&path, &damaged).unwrap();
        let e = read_all(&path).unwrap_err().to_string();
        assert!(e.contains("checksum"), "{e}");
        std::fs::write(&path, b"not a run").unwrap();
        let e = read_all(&path).unwrap_err().to_string();
        assert!(e.contains("truncated") || e.contains("magic"), "{e}");
    }
}
