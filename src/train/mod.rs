//! Training: the run's configuration, device selection, the schedule, and one loop per update
//! path, each written once for every Burn device.

mod autodiff;
mod checkpoint;
mod config;
mod device;
mod fused;
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
    BackendKind, EvalConfig, EvalEvery, LossKind, LrSchedule, ModelKind, OptimizerKind,
    TrainConfig, UpdateKind, parse_duration,
};
pub use device::select_device;
pub use metrics::{METRICS_FILE, MetricRecord, MetricsLog, read_metrics};
pub use monitor::{RunControl, run_dir};
pub use optimizer::build_optimizer;
pub use outputs::{OutputPaths, RunSummary, save_outputs};
pub use progress::Progress;
pub use schedule::linear_lr;

use std::sync::Arc;

use burn::prelude::Device;

use crate::embeddings::Embeddings;
use crate::error::Result;
use crate::model::SkipGram;
use crate::text::{Corpus, Vocab};

/// A finished run: the model on its device and what it cost.
pub struct Trained {
    pub model: SkipGram,
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
            self.model.input_vectors(),
        )
        .expect("the model has one row per vocabulary word")
    }
}

/// Trains skip-gram on `corpus` as `config` says, on `device`; `control` says how to report,
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

/// Fails with a clear message once the loss stops being a number.
pub(crate) fn check_finite(loss: f64, step: u64, lr: f64) -> Result<()> {
    if loss.is_finite() {
        Ok(())
    } else {
        Err(crate::Error::Diverged { loss, step, lr })
    }
}
