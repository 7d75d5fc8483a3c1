//! GloVe's fused step: chunks of the shuffled entries go through the backend's GloVe kernel
//! ([`glove_step`]), the reference's AdaGrad, Hogwild, in place.

use std::sync::Arc;

use burn::prelude::*;

use crate::embeddings::Embeddings;
use crate::error::{Error, Result};
use crate::kernels::{GloveSettings, GloveWeights, LossSum, glove_step, read_glove_loss};
use crate::model::{Glove, GloveConfig};
use crate::tensors::{matrix, to_host};
use crate::text::Vocab;
use crate::train::checkpoint::{Checkpoint, Position};
use crate::train::divergence::check_loss;
use crate::train::driver::Step;
use crate::train::glove_entries::{ChunkBuffer, Entries, Entry};
use crate::train::schedule::Schedule;
use crate::train::trained::{TrainedModel, glove_vectors};
use crate::train::{GloveOptions, TrainConfig};

/// Chunks between loss read-backs.
const READ_LOSS_EVERY: usize = 4;
/// The checkpoint's parts, in the order of [`GloveWeights`]' fields.
const PARTS: [&str; 4] = ["word", "context", "word-sq", "context-sq"];

pub(crate) struct FusedGlove<'a> {
    config: &'a TrainConfig,
    options: &'a GloveOptions,
    entries: &'a Entries,
    vocab: Arc<Vocab>,
    device: Device,
    /// Always present between calls; taken while the kernel owns them.
    weights: Option<GloveWeights>,
    /// Entries per step.
    chunk: usize,
    /// The next chunk of the iteration under way.
    next: usize,
    /// The chunk, when the entries are read from disk.
    buffer: ChunkBuffer,
    pending: Vec<Tensor<2>>,
}

impl<'a> FusedGlove<'a> {
    /// The reference's start: small random rows, no squared gradients yet.
    pub fn new(
        config: &'a TrainConfig,
        options: &'a GloveOptions,
        entries: &'a Entries,
        vocab: Arc<Vocab>,
        device: &Device,
    ) -> Self {
        let (word, context) = GloveConfig::new(vocab.len(), config.dim).init_packed(config.seed);
        let shape = [vocab.len(), config.dim + 1];
        let weights = GloveWeights {
            word: matrix(word, shape, device),
            context: matrix(context, shape, device),
            word_sq: Tensor::zeros(shape, device),
            context_sq: Tensor::zeros(shape, device),
        };
        // Entries per step: `--chunk-tokens`, smaller where there are few entries (an iteration
        // still has about 32 loss readings) and at most 2^24 (the step's counts stay exact in
        // f32).
        let chunk = (entries.len() / 32)
            .max(4096)
            .min(config.chunk_tokens)
            .min(1 << 24);
        FusedGlove {
            config,
            options,
            entries,
            vocab,
            device: device.clone(),
            weights: Some(weights),
            chunk,
            next: 0,
            buffer: ChunkBuffer::default(),
            pending: Vec::with_capacity(READ_LOSS_EVERY),
        }
    }

    fn weights(&self) -> &GloveWeights {
        self.weights
            .as_ref()
            .expect("the weights are back after each step")
    }
}

impl Step for FusedGlove<'_> {
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        let shape = [self.vocab.len(), self.config.dim + 1];
        let part = |name: &str| checkpoint.tensor(name, shape, &self.device);
        self.weights = Some(GloveWeights {
            word: part(PARTS[0])?,
            context: part(PARTS[1])?,
            word_sq: part(PARTS[2])?,
            context_sq: part(PARTS[3])?,
        });
        Ok(())
    }

    fn begin_epoch(&mut self, position: &mut Position) -> Result<()> {
        self.next = position.begin_counted_epoch() as usize;
        Ok(())
    }

    fn train_unit(&mut self, position: &mut Position, schedule: &Schedule) -> Result<Option<f64>> {
        let len = self.entries.len();
        let start = self.next.saturating_mul(self.chunk);
        if start >= len {
            return Ok(None);
        }
        let end = (start + self.chunk).min(len);
        let part = self.entries.slice(start, end, &mut self.buffer)?;
        let lr = schedule.at(position.words);
        let (pairs, counts) = entry_tensors(part, &self.device);
        let settings = GloveSettings {
            lr: lr as f32,
            x_max: self.options.x_max as f32,
            alpha: self.options.alpha as f32,
            grad_clip: self.options.grad_clip as f32,
            threads: self.config.threads as u32,
            gpu_cubes: self.config.gpu_cubes,
        };
        let weights = self
            .weights
            .take()
            .expect("the weights are back after each step");
        let (updated, loss) = glove_step(weights, pairs, counts, settings);
        self.weights = Some(updated);
        self.pending.push(loss);
        self.next += 1;
        position.consumed[0] += 1;
        position.words = self.entries.words_at(position.epoch, start + part.len());
        Ok(Some(lr))
    }

    fn loss_due(&self) -> bool {
        self.pending.len() == READ_LOSS_EVERY
    }

    /// The loss of the chunks read back, or the error for weights that broke: an entry whose
    /// error was not finite (the step skipped it, the run stops) or a loss that overflowed.
    fn read_loss(&mut self, words: u64, lr: f64) -> Result<LossSum> {
        let (loss, non_finite) = read_glove_loss(std::mem::take(&mut self.pending));
        if non_finite > 0 {
            return Err(Error::Diverged {
                loss: f64::NAN,
                step: words,
                lr,
                checkpoint: None,
            });
        }
        check_loss(loss, words, lr)?;
        Ok(loss)
    }

    fn embeddings(&self) -> Embeddings {
        let weights = self.weights();
        let dim = self.config.dim;
        let vectors = |t: &Tensor<2>| t.clone().slice([0..self.vocab.len(), 0..dim]);
        let values = glove_vectors(
            self.options.vectors,
            vectors(&weights.word),
            vectors(&weights.context),
        );
        Embeddings::new(self.vocab.word_list(), dim, values)
            .expect("the weights have one row per vocabulary word")
    }

    fn checkpoint_parts(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let w = self.weights();
        let tensors = [&w.word, &w.context, &w.word_sq, &w.context_sq];
        Ok(PARTS
            .iter()
            .zip(tensors)
            .map(|(name, t)| Checkpoint::tensor_blob(name, t))
            .collect())
    }

    fn into_model(mut self) -> TrainedModel {
        let weights = self
            .weights
            .take()
            .expect("the weights are back after each step");
        let model = Glove::from_packed(
            &to_host(weights.word),
            &to_host(weights.context),
            self.config.dim,
            &self.device,
        );
        TrainedModel::Glove {
            model,
            vectors: self.options.vectors,
        }
    }

    fn logs_iterations(&self) -> bool {
        true
    }
}

/// The chunk's (row, column) ids and counts as tensors on `device`.
fn entry_tensors(part: &[Entry], device: &Device) -> (Tensor<1, Int>, Tensor<1>) {
    let pairs: Vec<i32> = part.iter().flat_map(|e| [e.i as i32, e.j as i32]).collect();
    let counts: Vec<f32> = part.iter().map(|e| e.x).collect();
    let n = part.len();
    (
        Tensor::from_data(TensorData::new(pairs, [2 * n]), device),
        Tensor::from_data(TensorData::new(counts, [n]), device),
    )
}
