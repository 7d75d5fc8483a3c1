//! GloVe's training data: the corpus's co-occurrence counts, shuffled once from the run's seed
//! and read in that order every iteration. Progress is kept in corpus words like word2vec's runs
//! (one iteration = one pass over the corpus's words), so metrics, evaluations by words,
//! checkpoints and `compare` work the same for every model.

use std::time::Instant;

use crate::error::{Error, Result};
use crate::rng::rng_for;
use crate::sampling::{CooccurConfig, count_cooccurrences};
use crate::text::{Corpus, Vocab};
use crate::train::{GloveOptions, Progress, TrainConfig, peak_memory_bytes};

/// A stream of the run's RNG reserved for the shuffle.
const SHUFFLE_STREAM: u64 = 0x5487;

/// One non-zero co-occurrence count, as training reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Entry {
    pub i: u32,
    pub j: u32,
    pub x: f32,
}

/// The shuffled entries and how they map to corpus words.
pub(crate) struct Entries {
    entries: Vec<Entry>,
    words_per_epoch: u64,
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
        let mut entries = Vec::new();
        let stats = count_cooccurrences(
            corpus,
            vocab,
            &CooccurConfig {
                window: config.window,
                symmetric: true,
                memory_bytes: (options.memory_gb * 1e9) as usize,
                temp_dir: options.temp_dir.clone(),
            },
            |c| {
                entries.push(Entry {
                    i: c.i,
                    j: c.j,
                    x: c.x as f32,
                });
                Ok(())
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
        if entries.is_empty() {
            return Err(Error::Config(
                "the corpus has no two vocabulary words within --window of each other: nothing for GloVe to fit"
                    .into(),
            ));
        }
        let began = Instant::now();
        shuffle(&mut entries, config.seed);
        progress.log(&format!(
            "shuffled {} entries in {:.1}s",
            entries.len(),
            began.elapsed().as_secs_f64()
        ));
        Ok(Entries {
            entries,
            words_per_epoch: vocab.total_count(),
        })
    }

    /// The entries in training order.
    pub fn all(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Corpus words that count as done once `done` entries of iteration `epoch` are trained.
    pub fn words_at(&self, epoch: usize, done: usize) -> u64 {
        let part = self.words_per_epoch as u128 * done as u128 / self.entries.len() as u128;
        epoch as u64 * self.words_per_epoch + part as u64
    }
}

fn peak_note() -> String {
    peak_memory_bytes().map_or(String::new(), |b| {
        format!(", peak memory {:.2} GB", b as f64 / 1e9)
    })
}

/// Fisher–Yates from the run's seed: the same order on every machine, so a resumed run meets
/// the entries as the first part did.
fn shuffle(entries: &mut [Entry], seed: u64) {
    use rand::seq::SliceRandom;
    entries.shuffle(&mut rng_for(seed, SHUFFLE_STREAM));
}
