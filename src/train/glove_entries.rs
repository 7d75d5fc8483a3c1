//! GloVe's training data: the corpus's co-occurrence counts, shuffled once from the run's seed
//! and read in that order every iteration. Progress is kept in corpus words like word2vec's runs
//! (one iteration = one pass over the corpus's words), so metrics, evaluations by words,
//! checkpoints and `compare` work the same for every model.
//!
//! The entries stay in memory while they fit in half of `--memory-gb` (then shuffled as they
//! always were, Fisher–Yates from the seed). Beyond that they go out of core, as the reference's
//! `shuffle` does: each half-budget block is shuffled and written to a temporary file as the
//! counts stream out, then the blocks are interleaved at random — each next entry drawn from a
//! block with probability proportional to what it has left, which makes the whole order a
//! uniform shuffle — into one file that every iteration reads a chunk at a time. Memory then
//! holds the weights and a chunk; the files go with the run (success, failure or Ctrl-C).

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::RngCore;

use crate::error::{Error, Result};
use crate::files::{ScratchDir, scratch_dir};
use crate::rng::{Rng, rng_for};
use crate::sampling::{CooccurConfig, count_cooccurrences};
use crate::text::{Corpus, Vocab};
use crate::train::{GloveOptions, Progress, TrainConfig, peak_memory_bytes};

/// A stream of the run's RNG reserved for the shuffle.
const SHUFFLE_STREAM: u64 = 0x5487;
/// Another, for the out-of-core shuffle's interleaving.
const INTERLEAVE_STREAM: u64 = 0x5488;
/// Bytes of one entry on disk: row and column (u32) and count (f32), little-endian.
const ENTRY_BYTES: usize = 12;

/// One non-zero co-occurrence count, as training reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub i: u32,
    pub j: u32,
    pub x: f32,
}

impl Entry {
    fn to_bytes(self) -> [u8; ENTRY_BYTES] {
        let mut bytes = [0u8; ENTRY_BYTES];
        bytes[..4].copy_from_slice(&self.i.to_le_bytes());
        bytes[4..8].copy_from_slice(&self.j.to_le_bytes());
        bytes[8..].copy_from_slice(&self.x.to_le_bytes());
        bytes
    }

    fn from_bytes(bytes: &[u8]) -> Entry {
        let word = |k: usize| bytes[k..k + 4].try_into().expect("4 bytes");
        Entry {
            i: u32::from_le_bytes(word(0)),
            j: u32::from_le_bytes(word(4)),
            x: f32::from_le_bytes(word(8)),
        }
    }
}

/// Where a step reads its chunk when the entries are on disk: the raw bytes and the decoded
/// entries, both kept from chunk to chunk so that reading allocates only on the first.
#[derive(Default)]
pub(crate) struct ChunkBuffer {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

/// The shuffled entries and how they map to corpus words.
pub(crate) struct Entries {
    store: Store,
    len: usize,
    words_per_epoch: u64,
}

enum Store {
    Memory(Vec<Entry>),
    /// The shuffled entries in `file` (in a temporary folder removed with it).
    Disk {
        file: File,
        path: PathBuf,
        _dir: ScratchDir,
    },
}

impl Entries {
    /// Counts the co-occurrences of `corpus` and shuffles them, each phase reported with its
    /// time (and peak memory); an error when there is nothing to fit.
    pub fn count(
        config: &TrainConfig,
        options: &GloveOptions,
        corpus: &Corpus,
        vocab: &Vocab,
        progress: &Progress,
    ) -> Result<Entries> {
        let began = Instant::now();
        progress.log(&format!(
            "counting co-occurrences: window {}, 1/distance weights, up to {} GB in memory",
            config.window, options.memory_gb
        ));
        let budget = (options.memory_gb * 1e9) as usize;
        let mut blocks = Blocks::new(
            (budget / 2 / size_of::<Entry>()).max(1),
            options.temp_dir.as_deref(),
            config.seed,
        );
        let stats = count_cooccurrences(
            corpus,
            vocab,
            &CooccurConfig {
                window: config.window,
                symmetric: true,
                memory_bytes: budget,
                temp_dir: options.temp_dir.clone(),
            },
            |c| {
                blocks.push(Entry {
                    i: c.i,
                    j: c.j,
                    x: c.x as f32,
                })
            },
        )?;
        progress.log(&format!(
            "co-occurrences: {} non-zero entries from {} words, {} sorted run(s) spilled and merged, {:.1}s{}",
            stats.entries,
            stats.tokens,
            stats.runs,
            began.elapsed().as_secs_f64(),
            peak_note()
        ));
        if stats.entries == 0 {
            return Err(Error::Config(
                "the corpus has no two vocabulary words within --window of each other: nothing for GloVe to fit"
                    .into(),
            ));
        }
        let began = Instant::now();
        let (store, len, how) = blocks.finish(config.seed)?;
        progress.log(&format!(
            "shuffled {len} entries {how} in {:.1}s{}",
            began.elapsed().as_secs_f64(),
            peak_note()
        ));
        Ok(Entries {
            store,
            len,
            words_per_epoch: vocab.total_count(),
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Entries `start..end` of the training order: a slice of the entries in memory, or read
    /// from disk into `buffer` (whose memory every chunk reuses).
    pub fn slice<'a>(
        &'a self,
        start: usize,
        end: usize,
        buffer: &'a mut ChunkBuffer,
    ) -> Result<&'a [Entry]> {
        match &self.store {
            Store::Memory(entries) => Ok(&entries[start..end]),
            Store::Disk { file, path, .. } => {
                let ChunkBuffer { bytes, entries } = buffer;
                bytes.resize((end - start) * ENTRY_BYTES, 0);
                file.read_exact_at(bytes, (start * ENTRY_BYTES) as u64)
                    .map_err(|e| Error::io(path, e))?;
                entries.clear();
                entries.extend(bytes.chunks_exact(ENTRY_BYTES).map(Entry::from_bytes));
                Ok(entries)
            }
        }
    }

    /// Corpus words that count as done once `done` entries of iteration `epoch` are trained.
    pub fn words_at(&self, epoch: usize, done: usize) -> u64 {
        let part = self.words_per_epoch as u128 * done as u128 / self.len as u128;
        epoch as u64 * self.words_per_epoch + part as u64
    }
}

fn peak_note() -> String {
    peak_memory_bytes().map_or(String::new(), |b| {
        format!(", peak memory {:.2} GB", b as f64 / 1e9)
    })
}

/// The entries as they stream out of counting: in memory up to `block` entries; past that,
/// each full block shuffled and written to its own file.
struct Blocks {
    block: usize,
    temp_dir: Option<PathBuf>,
    current: Vec<Entry>,
    /// The folder of the block files, and each file with its number of entries.
    spilled: Option<(ScratchDir, Vec<(PathBuf, usize)>)>,
    rng: Rng,
}

impl Blocks {
    fn new(block: usize, temp_dir: Option<&Path>, seed: u64) -> Self {
        Blocks {
            block,
            temp_dir: temp_dir.map(Path::to_path_buf),
            current: Vec::new(),
            spilled: None,
            rng: rng_for(seed, INTERLEAVE_STREAM),
        }
    }

    fn push(&mut self, entry: Entry) -> Result<()> {
        self.current.push(entry);
        if self.current.len() >= self.block {
            self.spill()?;
        }
        Ok(())
    }

    /// Shuffles the block in memory and writes it to the next block file.
    fn spill(&mut self) -> Result<()> {
        use rand::seq::SliceRandom;
        if self.spilled.is_none() {
            let dir = scratch_dir("wordvec-glove-", self.temp_dir.as_deref())?;
            self.spilled = Some((dir, Vec::new()));
        }
        let (dir, files) = self.spilled.as_mut().expect("made above");
        let path = dir.path().join(format!("block-{:05}.bin", files.len()));
        self.current.shuffle(&mut self.rng);
        write_entries(&path, &self.current)?;
        files.push((path, self.current.len()));
        self.current.clear();
        Ok(())
    }

    /// The entries in training order: shuffled in memory as ever when they fit in one block,
    /// else the shuffled blocks interleaved at random into one file.
    fn finish(mut self, seed: u64) -> Result<(Store, usize, &'static str)> {
        if self.spilled.is_none() {
            let mut entries = std::mem::take(&mut self.current);
            shuffle(&mut entries, seed);
            let len = entries.len();
            return Ok((Store::Memory(entries), len, "in memory"));
        }
        if !self.current.is_empty() {
            self.spill()?;
        }
        let (dir, files) = self.spilled.take().expect("spilled above");
        let path = dir.path().join("entries.bin");
        let len = interleave(&files, &path, &mut self.rng)?;
        for (block, _) in &files {
            std::fs::remove_file(block).map_err(|e| Error::io(block, e))?;
        }
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let store = Store::Disk {
            file,
            path,
            _dir: dir,
        };
        Ok((store, len, "out of core"))
    }
}

fn write_entries(path: &Path, entries: &[Entry]) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    entries
        .iter()
        .try_for_each(|e| w.write_all(&e.to_bytes()))
        .and_then(|()| w.flush())
        .map_err(|e| Error::io(path, e))
}

/// Writes the entries of the shuffled `blocks` into `out`, each next one from a block drawn
/// with probability proportional to the entries it has left; returns how many.
fn interleave(blocks: &[(PathBuf, usize)], out: &Path, rng: &mut Rng) -> Result<usize> {
    let mut readers = blocks
        .iter()
        .map(|(path, _)| {
            File::open(path)
                .map(|f| BufReader::with_capacity(1 << 20, f))
                .map_err(|e| Error::io(path, e))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut left: Vec<u64> = blocks.iter().map(|&(_, n)| n as u64).collect();
    let mut total: u64 = left.iter().sum();
    let file = File::create(out).map_err(|e| Error::io(out, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let mut entry = [0u8; ENTRY_BYTES];
    let written = total as usize;
    while total > 0 {
        // Uniform in 0..total, then the block whose share holds it.
        let mut pick = ((rng.next_u64() as u128 * total as u128) >> 64) as u64;
        let mut b = 0;
        while pick >= left[b] {
            pick -= left[b];
            b += 1;
        }
        readers[b]
            .read_exact(&mut entry)
            .map_err(|e| Error::io(&blocks[b].0, e))?;
        w.write_all(&entry).map_err(|e| Error::io(out, e))?;
        left[b] -= 1;
        total -= 1;
    }
    w.flush().map_err(|e| Error::io(out, e))?;
    Ok(written)
}

/// Fisher–Yates from the run's seed: the same order on every machine, so a resumed run meets
/// the entries as the first part did.
fn shuffle(entries: &mut [Entry], seed: u64) {
    use rand::seq::SliceRandom;
    entries.shuffle(&mut rng_for(seed, SHUFFLE_STREAM));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_core_shuffle_keeps_every_entry_and_mixes_the_blocks() {
        let entries: Vec<Entry> = (0..1000u32)
            .map(|k| Entry {
                i: k,
                j: k % 7,
                x: k as f32 * 0.5,
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut blocks = Blocks::new(128, Some(dir.path()), 9);
        for &e in &entries {
            blocks.push(e).unwrap();
        }
        let (store, len, how) = blocks.finish(9).unwrap();
        assert_eq!((len, how), (1000, "out of core"));
        let stored = Entries {
            store,
            len,
            words_per_epoch: 1,
        };
        let mut buffer = ChunkBuffer::default();
        let order = stored.slice(0, len, &mut buffer).unwrap().to_vec();
        let mut sorted = order.clone();
        sorted.sort_by_key(|e| e.i);
        assert_eq!(sorted, entries, "every entry once, unchanged");
        // The first block's entries (i < 128) are spread over the whole order, not bunched.
        let first_half = order[..500].iter().filter(|e| e.i < 128).count();
        assert!(
            (40..=90).contains(&first_half),
            "{first_half} of 128 in the first half"
        );
        // A chunk read from the middle is the same entries as the whole read.
        assert_eq!(
            stored.slice(300, 310, &mut buffer).unwrap(),
            &order[300..310]
        );
        // Only the final file is left; it goes with the entries.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        drop(stored);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn entries_that_fit_are_shuffled_in_memory_as_before() {
        let entries: Vec<Entry> = (0..50u32).map(|k| Entry { i: k, j: 1, x: 1.0 }).collect();
        let mut blocks = Blocks::new(100, None, 3);
        for &e in &entries {
            blocks.push(e).unwrap();
        }
        let (store, len, how) = blocks.finish(3).unwrap();
        assert_eq!((len, how), (50, "in memory"));
        let mut want = entries.clone();
        shuffle(&mut want, 3);
        assert!(matches!(store, Store::Memory(got) if got == want));
    }
}
