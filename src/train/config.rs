//! Everything that defines a run; saved as JSON beside its outputs so any result can be redone.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::io::VectorFormat;

/// Which objective the skip-gram model trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// Full softmax over the vocabulary with cross-entropy: exact, O(vocab) per pair.
    Softmax,
    /// Negative sampling (word2vec's SGNS).
    Negative,
}

/// How weights are updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum UpdateKind {
    /// Row-sparse in-place updates (word2vec's SGD, or AdaGrad) by the backend's fused kernel:
    /// the fast path for negative sampling.
    Fused,
    /// Burn autodiff and any Burn optimizer, on any backend: the experimenting path.
    Autodiff,
}

/// Burn optimizers offered on the autodiff path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    Sgd,
    Adam,
    Adamw,
    Adagrad,
    Rmsprop,
}

/// How the learning rate moves over the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LrSchedule {
    /// Linear decay to lr × 1e-4 over all epochs, as word2vec.
    Linear,
    Constant,
}

/// Where the weights live and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum BackendKind {
    /// Burn's Flex CPU backend.
    Cpu,
    /// Burn's wgpu backend (Vulkan, Metal, DirectX; a software Vulkan driver works too).
    Wgpu,
    /// burn-ndarray (deprecated upstream; needs the `ndarray` feature).
    Ndarray,
    /// CUDA (needs the `cuda` feature).
    Cuda,
}

/// A complete description of a training run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Corpus files; empty means the embedded synthetic corpus.
    pub corpus: Vec<PathBuf>,
    pub loss: LossKind,
    pub update: UpdateKind,
    pub backend: BackendKind,
    pub optimizer: OptimizerKind,
    pub lr: f64,
    pub lr_schedule: LrSchedule,
    pub dim: usize,
    pub window: usize,
    pub negative: usize,
    pub sample: f64,
    pub min_count: u64,
    pub max_vocab: Option<usize>,
    pub epochs: usize,
    pub batch_size: usize,
    pub seed: u64,
    pub threads: usize,
    /// Cubes training at once on a GPU (fused path); 0: one per 64 positions of a chunk.
    #[serde(default)]
    pub gpu_cubes: u32,
    pub output: PathBuf,
    pub format: VectorFormat,
}

impl TrainConfig {
    /// Rejects settings that cannot train, before any work is done.
    pub fn validate(&self) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::Config(m.to_string()));
        if self.dim == 0 {
            return bad("--dim must be at least 1");
        }
        if self.window == 0 {
            return bad("--window must be at least 1");
        }
        if self.epochs == 0 {
            return bad("--epochs must be at least 1");
        }
        if self.batch_size == 0 {
            return bad("--batch-size must be at least 1");
        }
        if self.threads == 0 {
            return bad("--threads must be at least 1");
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad("--lr must be a positive number");
        }
        if !(self.sample.is_finite() && self.sample >= 0.0) {
            return bad("--sample must be zero or positive");
        }
        if self.loss == LossKind::Negative && self.negative == 0 {
            return bad("--loss negative needs --negative of at least 1");
        }
        if self.loss == LossKind::Softmax && self.update == UpdateKind::Fused {
            return bad("the full softmax is dense: use --update autodiff with --loss softmax");
        }
        if self.update == UpdateKind::Fused
            && !matches!(self.optimizer, OptimizerKind::Sgd | OptimizerKind::Adagrad)
        {
            return bad(
                "the fused update does SGD or AdaGrad: use --update autodiff to train with another optimizer",
            );
        }
        if self.update == UpdateKind::Fused && self.backend == BackendKind::Ndarray {
            return bad(
                "the fused update has kernels for the cpu, wgpu and cuda backends: use --update autodiff on ndarray",
            );
        }
        Ok(())
    }
}
