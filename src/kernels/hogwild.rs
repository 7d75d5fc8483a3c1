//! Skip-gram negative sampling on the CPU, word2vec style: every thread streams its own part of
//! the corpus, samples its own windows and negatives, and updates the shared vectors in place
//! without locks (Hogwild, Recht et al. 2011). No allocation per step; the inner loops are dot
//! products and axpys over `dim` that the compiler vectorises.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::embeddings::dot;
use crate::error::{Error, Result};
use crate::sampling::{NegativeSampler, Rng, SentenceSink, Subsampler, reduced_window, rng_for};
use crate::text::{Corpus, Vocab};

use super::sigmoid::{MAX_EXP, SigmoidTable};

/// The two weight matrices a skip-gram negative-sampling step touches, [vocab, dim] row-major:
/// word2vec's syn0 (input) and syn1neg (output).
#[derive(Debug, Clone)]
pub struct SgnsBuffers {
    pub input: Vec<f32>,
    pub output: Vec<f32>,
    pub dim: usize,
}

/// Settings of one fused run.
#[derive(Debug, Clone)]
pub struct HogwildConfig {
    pub window: usize,
    pub negative: usize,
    pub threads: usize,
    pub seed: u64,
    /// Learning rate at the start of the run.
    pub lr: f64,
    /// Whether the rate decays linearly to `lr × 1e-4` over `total_words`.
    pub linear_decay: bool,
    /// Vocabulary words over all epochs: the schedule's horizon.
    pub total_words: u64,
}

impl HogwildConfig {
    /// The rate once `words_done` words of the run have been read.
    pub fn lr_at(&self, words_done: u64) -> f64 {
        crate::train::linear_lr(self.lr, self.linear_decay, words_done, self.total_words)
    }
}

/// Counters shared between the workers and whoever reports progress.
#[derive(Debug, Default)]
pub struct EpochRun {
    /// Vocabulary words read in the whole run so far (drives the schedule).
    pub words_done: AtomicU64,
    /// Sum of the pair losses so far, as f64 bits (`f64::to_bits`).
    loss_sum: AtomicU64,
    pub pairs: AtomicU64,
    /// Set to ask the workers to stop at the next sentence.
    pub stop: AtomicBool,
}

impl EpochRun {
    pub fn starting_at(words_done: u64) -> Self {
        let run = EpochRun::default();
        run.words_done.store(words_done, Ordering::Relaxed);
        run
    }

    pub fn loss_sum(&self) -> f64 {
        f64::from_bits(self.loss_sum.load(Ordering::Relaxed))
    }

    fn add_loss(&self, loss: f64) {
        let _ = self
            .loss_sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + loss).to_bits())
            });
    }
}

/// A pointer to the shared weights. Workers write rows through it without synchronisation, as
/// Hogwild prescribes: a race costs at most a lost sparse update, never memory safety beyond the
/// float values themselves, and every row index is checked against the vocabulary.
#[derive(Clone, Copy)]
struct Shared {
    input: *mut f32,
    output: *mut f32,
    rows: usize,
    dim: usize,
}

// SAFETY: the pointers outlive the scoped worker threads (they borrow `SgnsBuffers` mutably for
// the whole epoch), and concurrent unsynchronised row updates are the Hogwild algorithm itself.
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    /// # Safety
    /// `id < rows`; the caller never holds two slices of the same matrix row at once.
    #[inline]
    unsafe fn input_row<'a>(self, id: u32) -> &'a mut [f32] {
        debug_assert!((id as usize) < self.rows);
        unsafe { std::slice::from_raw_parts_mut(self.input.add(id as usize * self.dim), self.dim) }
    }

    /// # Safety
    /// As [`Shared::input_row`].
    #[inline]
    unsafe fn output_row<'a>(self, id: u32) -> &'a mut [f32] {
        debug_assert!((id as usize) < self.rows);
        unsafe { std::slice::from_raw_parts_mut(self.output.add(id as usize * self.dim), self.dim) }
    }
}

/// How often (in words) a worker publishes its progress and refreshes its learning rate,
/// as word2vec does.
const REFRESH_WORDS: u64 = 10_000;

/// Trains one epoch over `corpus` with `config.threads` workers and returns once all finished.
/// Progress is visible in `run` while it works.
#[allow(clippy::too_many_arguments)]
pub fn train_epoch(
    buffers: &mut SgnsBuffers,
    corpus: &Corpus,
    vocab: &Vocab,
    subsampler: &Subsampler,
    negatives: &NegativeSampler,
    config: &HogwildConfig,
    epoch: usize,
    run: &EpochRun,
) -> Result<()> {
    let dim = buffers.dim;
    assert_eq!(buffers.input.len(), vocab.len() * dim);
    assert_eq!(buffers.output.len(), vocab.len() * dim);
    let shared = Shared {
        input: buffers.input.as_mut_ptr(),
        output: buffers.output.as_mut_ptr(),
        rows: vocab.len(),
        dim,
    };
    let table = SigmoidTable::default();
    let threads = config.threads.max(1);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let table = &table;
                s.spawn(move || {
                    let mut rng = rng_for(config.seed, ((epoch as u64) << 16) | (t as u64 + 1));
                    let mut worker = Worker {
                        shared,
                        table,
                        negatives,
                        config,
                        run,
                        grad: vec![0.0; dim],
                        lr: config.lr_at(run.words_done.load(Ordering::Relaxed)) as f32,
                        unpublished_words: 0,
                        loss: 0.0,
                        pairs: 0,
                    };
                    let mut sink = SentenceSink::new(
                        vocab,
                        subsampler,
                        &mut rng,
                        |sentence, read, rng: &mut Rng| worker.sentence(sentence, read, rng),
                    );
                    corpus.scan(corpus.part(t, threads), &mut sink)?;
                    sink.finish()?;
                    worker.publish();
                    Ok::<(), Error>(())
                })
            })
            .collect();
        let mut result = Ok(());
        for w in workers {
            let r = w
                .join()
                .unwrap_or_else(|_| Err(Error::Config("a training thread panicked".into())));
            if result.is_ok() {
                result = r;
            }
        }
        result
    })
}

struct Worker<'a> {
    shared: Shared,
    table: &'a SigmoidTable,
    negatives: &'a NegativeSampler,
    config: &'a HogwildConfig,
    run: &'a EpochRun,
    grad: Vec<f32>,
    lr: f32,
    unpublished_words: u64,
    loss: f64,
    pairs: u64,
}

impl Worker<'_> {
    fn sentence(&mut self, sentence: &[u32], words_read: u64, rng: &mut Rng) -> Result<()> {
        if self.run.stop.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        for (i, &center) in sentence.iter().enumerate() {
            let b = reduced_window(rng, self.config.window);
            let lo = i.saturating_sub(b);
            let hi = (i + b).min(sentence.len() - 1);
            for (j, &context) in sentence.iter().enumerate().take(hi + 1).skip(lo) {
                if j != i {
                    // As word2vec: the context word's input vector predicts the centre word.
                    self.pair(context, center, rng);
                }
            }
        }
        self.unpublished_words += words_read;
        if self.unpublished_words >= REFRESH_WORDS {
            self.publish();
        }
        Ok(())
    }

    /// Shares progress and loss, and follows the schedule from the run-wide word count.
    fn publish(&mut self) {
        let done = self
            .run
            .words_done
            .fetch_add(self.unpublished_words, Ordering::Relaxed)
            + self.unpublished_words;
        self.unpublished_words = 0;
        self.run.add_loss(self.loss);
        self.run.pairs.fetch_add(self.pairs, Ordering::Relaxed);
        self.loss = 0.0;
        self.pairs = 0;
        self.lr = self.config.lr_at(done) as f32;
    }

    /// One example and its negatives: word2vec's inner loop. `input` owns the input vector that
    /// is trained to predict `target` against negatives.
    #[inline]
    fn pair(&mut self, input: u32, target: u32, rng: &mut Rng) {
        // SAFETY: ids come from the vocabulary, so they are < rows; the input row and the output
        // rows live in different matrices, and each output row is released before the next.
        let v = unsafe { self.shared.input_row(input) };
        self.grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0f32;
        for d in 0..=self.config.negative {
            let (output, label) = if d == 0 {
                (target, 1.0f32)
            } else {
                let w = self.negatives.sample(rng);
                if w == target {
                    continue;
                }
                (w, 0.0)
            };
            let u = unsafe { self.shared.output_row(output) };
            let f = dot(v, u);
            let signed = if label == 1.0 { f } else { -f };
            loss -= self.table.log_sigmoid(signed);
            let g = if f > MAX_EXP {
                label - 1.0
            } else if f < -MAX_EXP {
                label
            } else {
                label - self.table.sigmoid(f)
            } * self.lr;
            axpy(g, u, &mut self.grad);
            axpy(g, v, u);
        }
        for (x, g) in v.iter_mut().zip(&self.grad) {
            *x += g;
        }
        self.loss += loss as f64;
        self.pairs += 1;
    }
}

/// y += a·x, vectorised.
#[inline]
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}
