//! GloVe's autodiff step: batches of the shuffled entries, the weighted least-squares loss from
//! the Burn module, `backward()`, and any Burn optimizer (gradients clipped by value).

use std::sync::Arc;

use burn::prelude::*;

use super::autodiff::ModuleTraining;
use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::kernels::LossSum;
use crate::model::{Glove, GloveConfig, Weighting};
use crate::text::Vocab;
use crate::train::checkpoint::{Checkpoint, Position};
use crate::train::driver::Step;
use crate::train::glove_entries::{ChunkBuffer, Entries};
use crate::train::schedule::Schedule;
use crate::train::trained::{TrainedModel, glove_vectors};
use crate::train::{GloveOptions, TrainConfig, build_optimizer};

pub(crate) struct AutodiffGlove<'a> {
    config: &'a TrainConfig,
    options: &'a GloveOptions,
    entries: &'a Entries,
    vocab: Arc<Vocab>,
    training: ModuleTraining<Glove>,
    /// The next batch of the iteration under way.
    next: usize,
    /// The batch, when the entries are read from disk.
    buffer: ChunkBuffer,
}

impl<'a> AutodiffGlove<'a> {
    /// The Burn module on `device`'s autodiff twin.
    pub fn new(
        config: &'a TrainConfig,
        options: &'a GloveOptions,
        entries: &'a Entries,
        vocab: Arc<Vocab>,
        device: &Device,
    ) -> Result<Self> {
        let model =
            GloveConfig::new(vocab.len(), config.dim).init(config.seed, &device.clone().autodiff());
        let optimizer = build_optimizer(
            config.optimizer,
            &config.optimizer_params,
            Some(options.grad_clip),
        )?;
        Ok(AutodiffGlove {
            training: ModuleTraining::new(model, optimizer),
            config,
            options,
            entries,
            vocab,
            next: 0,
            buffer: ChunkBuffer::default(),
        })
    }
}

impl Step for AutodiffGlove<'_> {
    fn restore(&mut self, checkpoint: &Checkpoint) -> Result<()> {
        self.training.restore(checkpoint)
    }

    fn begin_epoch(&mut self, position: &mut Position) -> Result<()> {
        self.next = position.begin_counted_epoch() as usize;
        Ok(())
    }

    fn train_unit(&mut self, position: &mut Position, schedule: &Schedule) -> Result<Option<f64>> {
        let len = self.entries.len();
        let size = self.config.batch_size;
        let start = self.next.saturating_mul(size);
        if start >= len {
            return Ok(None);
        }
        let end = (start + size).min(len);
        let batch = self.entries.slice(start, end, &mut self.buffer)?;
        let lr = schedule.at(position.words);
        let rows: Vec<u32> = batch.iter().map(|e| e.i).collect();
        let cols: Vec<u32> = batch.iter().map(|e| e.j).collect();
        let counts: Vec<f32> = batch.iter().map(|e| e.x).collect();
        let weighting = Weighting {
            x_max: self.options.x_max,
            alpha: self.options.alpha,
        };
        self.training.step(lr, batch.len(), |model| {
            model.loss(&rows, &cols, &counts, weighting)
        });
        self.next += 1;
        position.consumed[0] += 1;
        position.words = self.entries.words_at(position.epoch, start + batch.len());
        Ok(Some(lr))
    }

    fn loss_due(&self) -> bool {
        self.training.loss_due()
    }

    fn read_loss(&mut self, words: u64, lr: f64) -> Result<LossSum> {
        self.training.read_loss(words, lr)
    }

    fn embeddings(&self) -> Embeddings {
        let model = self.training.model();
        let values = glove_vectors(
            self.options.vectors,
            model.word.weight.val(),
            model.context.weight.val(),
        );
        Embeddings::new(self.vocab.word_list(), self.config.dim, values)
            .expect("the model has one row per vocabulary word")
    }

    fn checkpoint_parts(&self) -> Result<Vec<(String, Vec<u8>)>> {
        self.training.checkpoint_parts()
    }

    fn into_model(self) -> TrainedModel {
        TrainedModel::Glove {
            model: self.training.into_model(),
            vectors: self.options.vectors,
        }
    }

    fn logs_iterations(&self) -> bool {
        true
    }
}
