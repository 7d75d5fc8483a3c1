//! Everything that defines a run; saved as JSON beside its outputs so any result can be redone.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::io::VectorFormat;

/// Which word2vec model to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Each context word predicts the centre word.
    #[default]
    Skipgram,
    /// The context words together (their mean, or sum) predict the centre word.
    Cbow,
    /// GloVe: word and context vectors fitted to the log co-occurrence counts.
    Glove,
}

/// Which of GloVe's vectors the output holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
pub enum GloveVectors {
    /// wᵢ + w̃ᵢ, as the reference saves by default.
    #[default]
    #[value(name = "word+context")]
    #[serde(rename = "word+context")]
    WordPlusContext,
    /// The word vectors wᵢ alone.
    #[value(name = "word")]
    #[serde(rename = "word")]
    Word,
}

/// Which objective the model trains.
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
    #[serde(default)]
    pub model: ModelKind,
    /// CBOW's hidden layer is the mean of the context vectors (else their sum).
    #[serde(default = "yes")]
    pub cbow_mean: bool,
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
    /// Benchmarks scored during and after training.
    #[serde(default)]
    pub eval: EvalConfig,
    /// Seconds between checkpoints; none: only on Ctrl-C.
    #[serde(default)]
    pub checkpoint_every: Option<f64>,
    /// Corpus ids (GloVe: co-occurrence entries) per fused step, and per unit of resumable
    /// progress.
    #[serde(default = "default_chunk_tokens")]
    pub chunk_tokens: usize,
    /// GloVe's settings (unused by word2vec's models).
    #[serde(default)]
    pub glove: GloveOptions,
}

/// GloVe's own settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GloveOptions {
    /// Counts at or above `x_max` weigh 1 in the loss, smaller ones (x / x_max)^alpha.
    pub x_max: f64,
    pub alpha: f64,
    /// Each gradient component is clipped to ±`grad_clip` (fused path: the reference's
    /// clipping of the rate-scaled gradient; autodiff path: Burn's clipping by value).
    pub grad_clip: f64,
    /// Memory for the co-occurrence counting table before sorted runs spill to disk, in GB.
    pub memory_gb: f64,
    /// Where spilled runs go (the system's temporary folder if `None`).
    pub temp_dir: Option<PathBuf>,
    /// The vectors the output holds.
    pub vectors: GloveVectors,
}

impl Default for GloveOptions {
    /// The reference's settings (`x_max` as the GloVe paper's 100).
    fn default() -> Self {
        GloveOptions {
            x_max: 100.0,
            alpha: 0.75,
            grad_clip: 100.0,
            memory_gb: 4.0,
            temp_dir: None,
            vectors: GloveVectors::WordPlusContext,
        }
    }
}

impl Default for TrainConfig {
    /// word2vec's skip-gram settings on the embedded corpus, one thread, on the CPU.
    fn default() -> Self {
        TrainConfig {
            corpus: Vec::new(),
            model: ModelKind::Skipgram,
            cbow_mean: true,
            loss: LossKind::Negative,
            update: UpdateKind::Fused,
            backend: BackendKind::Cpu,
            optimizer: OptimizerKind::Sgd,
            lr: 0.025,
            lr_schedule: LrSchedule::Linear,
            dim: 100,
            window: 5,
            negative: 5,
            sample: 1e-3,
            min_count: 5,
            max_vocab: None,
            epochs: 5,
            batch_size: 1024,
            seed: 1,
            threads: 1,
            gpu_cubes: 256,
            output: PathBuf::from("wordvec-output/vectors.txt"),
            format: VectorFormat::Text,
            eval: EvalConfig::default(),
            checkpoint_every: None,
            chunk_tokens: default_chunk_tokens(),
            glove: GloveOptions::default(),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_chunk_tokens() -> usize {
    crate::sampling::CHUNK_TOKENS
}

/// Benchmarks to score the vectors on, and how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalConfig {
    pub analogies: Option<PathBuf>,
    #[serde(default)]
    pub similarity: Vec<PathBuf>,
    /// Analogy answers are searched among this many most frequent words.
    #[serde(default = "default_restrict")]
    pub restrict: usize,
    /// Evaluations during training; the final one always runs when files are given.
    #[serde(default)]
    pub every: Option<EvalEvery>,
}

fn default_restrict() -> usize {
    30_000
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            analogies: None,
            similarity: Vec::new(),
            restrict: default_restrict(),
            every: None,
        }
    }
}

impl EvalConfig {
    pub fn is_empty(&self) -> bool {
        self.analogies.is_none() && self.similarity.is_empty()
    }
}

/// When to evaluate during training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvalEvery {
    /// At the end of every epoch.
    Epoch,
    /// Every so many corpus words.
    Words(u64),
}

impl std::str::FromStr for EvalEvery {
    type Err = String;

    /// `epoch`, or a word count such as `500000`, `500k` or `2M`.
    fn from_str(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("epoch") {
            return Ok(EvalEvery::Epoch);
        }
        let (digits, scale) = match s.as_bytes().last() {
            Some(b'k' | b'K') => (&s[..s.len() - 1], 1_000),
            Some(b'm' | b'M') => (&s[..s.len() - 1], 1_000_000),
            _ => (s, 1),
        };
        match digits.parse::<u64>() {
            Ok(n) if n > 0 => Ok(EvalEvery::Words(n * scale)),
            _ => Err(format!(
                "'{s}' is neither `epoch` nor a positive word count (such as 500000, 500k, 2M)"
            )),
        }
    }
}

/// Parses `90`, `90s`, `15m`, `2h` into seconds.
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let (digits, scale) = match s.as_bytes().last() {
        Some(b's') => (&s[..s.len() - 1], 1.0),
        Some(b'm') => (&s[..s.len() - 1], 60.0),
        Some(b'h') => (&s[..s.len() - 1], 3600.0),
        _ => (s, 1.0),
    };
    match digits.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n * scale),
        _ => Err(format!("'{s}' is not a duration such as 90s, 15m or 2h")),
    }
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
        if self.chunk_tokens == 0 {
            return bad("--chunk-tokens must be at least 1");
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
        if self.model == ModelKind::Glove {
            return self.validate_glove();
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
        self.validate_eval()
    }

    fn validate_eval(&self) -> crate::Result<()> {
        // The embedded corpus brings its own questions.
        if self.eval.every.is_some() && self.eval.is_empty() && !self.corpus.is_empty() {
            return Err(crate::Error::Config(
                "--eval-every needs --analogies or --similarity".into(),
            ));
        }
        Ok(())
    }

    fn validate_glove(&self) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::Config(m.to_string()));
        let glove = &self.glove;
        if !(glove.x_max.is_finite() && glove.x_max > 0.0) {
            return bad("--x-max must be a positive number");
        }
        if !(glove.alpha.is_finite() && glove.alpha >= 0.0) {
            return bad("--alpha must be zero or positive");
        }
        if !(glove.grad_clip.is_finite() && glove.grad_clip > 0.0) {
            return bad("--grad-clip must be a positive number");
        }
        if !(glove.memory_gb.is_finite() && glove.memory_gb > 0.0) {
            return bad("--memory-gb must be a positive number");
        }
        if self.window > crate::sampling::MAX_COOCCUR_WINDOW {
            return Err(crate::Error::Config(format!(
                "--window must be at most {} for GloVe (its 1/distance weights are counted exactly)",
                crate::sampling::MAX_COOCCUR_WINDOW
            )));
        }
        if self.update == UpdateKind::Fused && self.optimizer != OptimizerKind::Adagrad {
            return bad(
                "GloVe's fused update is the reference's AdaGrad: use --update autodiff to train GloVe with another optimizer",
            );
        }
        if self.update == UpdateKind::Fused && self.backend == BackendKind::Ndarray {
            return bad(
                "GloVe's fused update has kernels for the cpu, wgpu and cuda backends: use --update autodiff on ndarray",
            );
        }
        self.validate_eval()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_every_parses_epochs_and_word_counts() {
        assert_eq!("epoch".parse(), Ok(EvalEvery::Epoch));
        assert_eq!("500000".parse(), Ok(EvalEvery::Words(500_000)));
        assert_eq!("500k".parse(), Ok(EvalEvery::Words(500_000)));
        assert_eq!("2M".parse(), Ok(EvalEvery::Words(2_000_000)));
        assert!("0".parse::<EvalEvery>().is_err());
        assert!("often".parse::<EvalEvery>().unwrap_err().contains("often"));
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90"), Ok(90.0));
        assert_eq!(parse_duration("15m"), Ok(900.0));
        assert_eq!(parse_duration("2h"), Ok(7200.0));
        assert_eq!(parse_duration("0.5s"), Ok(0.5));
        assert!(parse_duration("-1m").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
