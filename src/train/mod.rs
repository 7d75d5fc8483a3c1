//! Training: the run's configuration, device selection, the schedule, and one loop per update
//! path, each written once for every Burn device.

mod autodiff;
mod checkpoint;
mod config;
mod device;
mod fused;
mod glove;
mod metrics;
mod monitor;
mod optimizer;
mod outputs;
mod progress;
mod schedule;

pub use checkpoint::{
    CHECKPOINT_FILE, Checkpoint, PREVIOUS_CHECKPOINT_FILE, Position, remove_checkpoints,
};
pub use config::{
    BackendKind, EvalConfig, EvalEvery, GloveOptions, GloveVectors, LossKind, LrSchedule,
    ModelKind, OptimizerKind, TrainConfig, UpdateKind, parse_duration,
};
pub use device::select_device;
pub use metrics::{METRICS_FILE, MetricRecord, MetricsLog, read_metrics};
pub use monitor::{RunControl, run_dir};
pub use optimizer::build_optimizer;
pub use outputs::{OutputPaths, RunSummary, save_outputs};
pub use progress::{Progress, peak_memory_bytes};
pub use schedule::linear_lr;

use std::sync::Arc;

use burn::prelude::Device;

use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::kernels::ChunkLoss;
use crate::model::{Glove, SkipGram};
use crate::text::{Corpus, Vocab};

/// A trained model, whichever it is.
#[derive(Debug, Clone)]
pub enum TrainedModel {
    SkipGram(SkipGram),
    /// GloVe, with the choice of vectors its output holds.
    Glove {
        model: Glove,
        vectors: GloveVectors,
    },
}

impl TrainedModel {
    pub fn dim(&self) -> usize {
        match self {
            TrainedModel::SkipGram(m) => m.dim(),
            TrainedModel::Glove { model, .. } => model.dim(),
        }
    }

    /// The vectors users keep, [vocab, dim] on the host: word2vec's input vectors, GloVe's word
    /// vectors or their sum with the context vectors.
    pub fn word_vectors(&self) -> Vec<f32> {
        match self {
            TrainedModel::SkipGram(m) => m.input_vectors(),
            TrainedModel::Glove { model, vectors } => glove::chosen_vectors(
                *vectors,
                model.word.weight.val(),
                model.context.weight.val(),
            ),
        }
    }

    /// The other set, [vocab, dim] on the host: word2vec's output vectors, GloVe's context
    /// vectors.
    pub fn output_vectors(&self) -> Vec<f32> {
        match self {
            TrainedModel::SkipGram(m) => m.output_vectors(),
            TrainedModel::Glove { model, .. } => model.context_vectors(),
        }
    }

    /// The Burn record of the module, as bytes.
    pub fn record_bytes(&self) -> std::result::Result<Vec<u8>, burn::store::RecordError> {
        use burn::module::Module;
        let bytes = match self {
            TrainedModel::SkipGram(m) => m.clone().into_record().into_bytes()?,
            TrainedModel::Glove { model, .. } => model.clone().into_record().into_bytes()?,
        };
        Ok(bytes.to_vec())
    }
}

/// A finished run: the model on its device and what it cost.
pub struct Trained {
    pub model: TrainedModel,
    pub vocab: Arc<Vocab>,
    /// Mean loss per pair over each epoch.
    pub epoch_losses: Vec<f64>,
    /// Vocabulary words read over all epochs (before subsampling).
    pub words: u64,
    pub seconds: f64,
    /// The final evaluation, when the run had benchmarks.
    pub report: Option<crate::eval::EvalReport>,
}

impl Trained {
    /// The input vectors with their words: read back from the device once, then shared by the
    /// output files and the evaluation.
    pub fn embeddings(&self) -> Embeddings {
        Embeddings::new(
            self.vocab.words().to_vec(),
            self.model.dim(),
            self.model.word_vectors(),
        )
        .expect("the model has one row per vocabulary word")
    }
}

/// Trains the model of `config` on `corpus`, on `device`; `control` says how to report,
/// what to evaluate, when to checkpoint and stop, and which checkpoint to continue from (its
/// vocabulary must be `vocab`).
pub fn train(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Arc<Vocab>,
    device: &Device,
    control: &mut RunControl,
) -> Result<Trained> {
    config.validate()?;
    if config.model == ModelKind::Glove {
        return glove::train(config, corpus, vocab, device, control);
    }
    match config.update {
        UpdateKind::Fused => fused::train(config, corpus, vocab, device, control),
        UpdateKind::Autodiff => autodiff::train(config, corpus, vocab, device, control),
    }
}

/// The schedule of `config` at `words_done` of `total_words`.
pub(crate) fn lr_for(config: &TrainConfig, words_done: u64, total_words: u64) -> f64 {
    linear_lr(
        config.lr,
        config.lr_schedule == LrSchedule::Linear,
        words_done,
        total_words,
    )
}

/// Fails with a clear message once a read-back loss shows broken weights (see
/// [`ChunkLoss::diverged`]), at `words` words with rate `lr`.
pub(crate) fn check_loss(loss: ChunkLoss, words: u64, lr: f64) -> Result<()> {
    if !loss.diverged() {
        return Ok(());
    }
    let value = if loss.sum.is_finite() {
        f64::INFINITY
    } else {
        loss.sum
    };
    Err(crate::Error::Diverged {
        loss: value,
        step: words,
        lr,
    })
}

/// Fails with a clear message once the loss stops being a number.
pub(crate) fn check_finite(loss: f64, step: u64, lr: f64) -> Result<()> {
    if loss.is_finite() {
        Ok(())
    } else {
        Err(crate::Error::Diverged { loss, step, lr })
    }
}
