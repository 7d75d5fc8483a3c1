//! The kinds and settings a run is made of: which model, objective, update path, optimizer (with
//! its hyper-parameters), schedule, backend and evaluation, each with its serialized name and its
//! flag's value name.

use std::path::PathBuf;

use burn::prelude::Device;
use burn::tensor::FloatDType;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::kernels::{Batching, FusedOptimizer};
use crate::model::{Architecture, Subwords};

/// Which model to train, by name: the `model` field of a saved config and the `--model` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ModelKind {
    /// Each context word predicts the centre word.
    #[default]
    #[serde(rename = "skipgram")]
    #[cfg_attr(feature = "cli", value(name = "skipgram"))]
    SkipGram,
    /// The context words together (their mean, or sum) predict the centre word.
    #[serde(rename = "cbow")]
    Cbow,
    /// GloVe: word and context vectors fitted to the log co-occurrence counts.
    #[serde(rename = "glove")]
    Glove,
}

/// Which of GloVe's vectors the output holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum GloveVectors {
    /// wᵢ + w̃ᵢ, as the reference saves by default.
    #[default]
    #[cfg_attr(feature = "cli", value(name = "word+context"))]
    #[serde(rename = "word+context")]
    WordPlusContext,
    /// The word vectors wᵢ alone.
    #[cfg_attr(feature = "cli", value(name = "word"))]
    #[serde(rename = "word")]
    Word,
}

/// Which objective a word2vec model trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// Full softmax over the vocabulary with cross-entropy: exact, O(vocab) per pair.
    Softmax,
    /// Negative sampling: the centre word against noise words drawn by frequency.
    Negative,
    /// word2vec's hierarchical softmax: σ along the target's path in a Huffman tree of the
    /// vocabulary, O(log vocab) per example.
    Hierarchical,
}

/// The floating-point type of the full softmax head's matrix products (autodiff path). The
/// weights, the softmax and the loss stay f32; only the products that cost 2·dim·vocab
/// operations per example run narrower, where the device computes faster in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// f32 throughout.
    #[default]
    F32,
    /// bfloat16 products: f32's range, 8 bits of mantissa.
    Bf16,
    /// Half-precision products: 11 bits of mantissa, range to 65,504.
    F16,
    /// On a GPU, bf16 where the device computes in it, else f16, else f32; f32 on the CPU,
    /// whose products are no faster narrower.
    Auto,
}

impl Precision {
    /// The type the head's products run in on `device`; an error names a type the device
    /// cannot compute in.
    pub fn dtype(self, backend: BackendKind, device: &Device) -> Result<FloatDType> {
        let supported = |dtype: FloatDType| device.supports_dtype(dtype);
        let chosen = match self {
            Precision::F32 => FloatDType::F32,
            Precision::Bf16 => FloatDType::BF16,
            Precision::F16 => FloatDType::F16,
            Precision::Auto => match backend {
                BackendKind::Cpu | BackendKind::Ndarray => FloatDType::F32,
                BackendKind::Wgpu | BackendKind::Cuda => [FloatDType::BF16, FloatDType::F16]
                    .into_iter()
                    .find(|&t| supported(t))
                    .unwrap_or(FloatDType::F32),
            },
        };
        if !supported(chosen) {
            return Err(Error::Config(format!(
                "--precision {self:?}: the {backend:?} device has no {chosen:?} arithmetic; use f32 or auto"
            )));
        }
        Ok(chosen)
    }
}

/// How weights are updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum UpdateKind {
    /// Row-sparse in-place updates (word2vec's SGD, or AdaGrad) by the backend's fused kernel:
    /// the fast path for negative sampling and GloVe.
    Fused,
    /// Burn autodiff and any Burn optimizer, on any backend: the experimenting path.
    Autodiff,
}

/// The optimizers: Burn's five, on both update paths (row-sparse on the fused one), and two
/// row-wise rules of the fused path alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    Sgd,
    Adam,
    Adamw,
    Adagrad,
    Rmsprop,
    /// Row-wise AdaGrad, as embedding-table trainers use it (fbgemm, DLRM): one squared-gradient
    /// sum per row (the mean over its columns) instead of one per weight.
    RowwiseAdagrad,
    /// Adam with one second moment per row (the mean of the squared gradient over its columns;
    /// fbgemm's partial row-wise Adam); the first moment stays per weight.
    RowwiseAdam,
}

impl OptimizerKind {
    /// A row-wise rule, which only the fused kernels have.
    pub fn is_rowwise(self) -> bool {
        matches!(
            self,
            OptimizerKind::RowwiseAdagrad | OptimizerKind::RowwiseAdam
        )
    }
}

/// The optimizer's hyper-parameters, with Burn's names and defaults; each optimizer reads those
/// that apply to it (RMSProp's smoothing α stays Burn's 0.99, momentum's dampening Burn's 0.1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OptimizerParams {
    /// Adam and AdamW: the first moment's decay.
    pub beta1: f64,
    /// Adam and AdamW: the second moment's decay.
    pub beta2: f64,
    /// Adam, AdamW, AdaGrad and RMSProp: added to the denominator.
    pub epsilon: f64,
    /// AdamW: decoupled weight decay; the others: an L2 penalty added to the gradient.
    pub weight_decay: f64,
    /// SGD (0: plain SGD, as word2vec) and RMSProp.
    pub momentum: f64,
}

impl OptimizerParams {
    /// Burn's defaults for `kind`: β 0.9 / 0.999, ε 1e-5, weight decay 0 (AdamW 1e-4),
    /// momentum 0 for SGD and 0.9 for RMSProp.
    pub fn burn_defaults(kind: OptimizerKind) -> Self {
        OptimizerParams {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-5,
            weight_decay: if kind == OptimizerKind::Adamw {
                1e-4
            } else {
                0.0
            },
            momentum: if kind == OptimizerKind::Rmsprop {
                0.9
            } else {
                0.0
            },
        }
    }

    /// The row-sparse rule the fused kernels apply for `kind` with these numbers.
    pub fn fused(&self, kind: OptimizerKind) -> FusedOptimizer {
        let (beta1, beta2, epsilon) = (self.beta1 as f32, self.beta2 as f32, self.epsilon as f32);
        let (weight_decay, momentum) = (self.weight_decay as f32, self.momentum as f32);
        match kind {
            OptimizerKind::Sgd if momentum == 0.0 && weight_decay == 0.0 => FusedOptimizer::Sgd,
            OptimizerKind::Sgd => FusedOptimizer::Momentum {
                momentum,
                dampening: if momentum == 0.0 {
                    0.0
                } else {
                    MOMENTUM_DAMPENING
                },
                weight_decay,
            },
            OptimizerKind::Adagrad => FusedOptimizer::AdaGrad {
                epsilon,
                weight_decay,
            },
            OptimizerKind::Adam | OptimizerKind::Adamw => FusedOptimizer::Adam {
                beta1,
                beta2,
                epsilon,
                weight_decay,
                decoupled: kind == OptimizerKind::Adamw,
            },
            OptimizerKind::Rmsprop => FusedOptimizer::RmsProp {
                alpha: RMSPROP_ALPHA,
                momentum,
                epsilon,
                weight_decay,
            },
            OptimizerKind::RowwiseAdagrad => FusedOptimizer::RowAdaGrad {
                epsilon,
                weight_decay,
            },
            OptimizerKind::RowwiseAdam => FusedOptimizer::RowAdam {
                beta1,
                beta2,
                epsilon,
                weight_decay,
            },
        }
    }
}

/// Burn's default smoothing constant of RMSProp.
pub(crate) const RMSPROP_ALPHA: f32 = 0.99;
/// Burn's default dampening of SGD's momentum.
pub(crate) const MOMENTUM_DAMPENING: f32 = 0.1;

/// How the learning rate moves over the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum LrSchedule {
    /// Linear decay to lr × 1e-4 over all epochs, as word2vec.
    Linear,
    Constant,
}

/// Where the weights live and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
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

/// The settings of the model being trained; the rest of [`TrainConfig`] applies to every model.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelOptions {
    /// Skip-gram or CBOW.
    Word2Vec(Word2VecOptions),
    Glove(GloveOptions),
}

/// word2vec's own settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Word2VecOptions {
    pub architecture: Architecture,
    pub loss: LossKind,
    /// Noise words per example (negative sampling).
    pub negative: usize,
    /// Noise words are drawn in proportion to count^`ns_exponent` (word2vec: 0.75; 1 is the
    /// unigram distribution, 0 uniform).
    pub ns_exponent: f64,
    /// Subsampling threshold for frequent words (0 disables).
    pub sample: f64,
    /// The full softmax head's products (autodiff path).
    pub precision: Precision,
    /// How skip-gram's fused step groups its examples; `None`: the backend's default
    /// ([`Word2VecOptions::batching_on`]).
    pub batching: Option<Batching>,
    /// fastText's subword model: each word's input vector is the mean of its row and its
    /// character n-grams' rows; `None` trains word2vec's word-level model.
    pub subwords: Option<Subwords>,
}

impl Word2VecOptions {
    /// The batching the fused step runs with on `backend` under `optimizer`: as set, else whole
    /// windows under plain SGD — on a GPU always, where a window's rows read once and added to
    /// atomically once keep a cube fast and lose no update (the GPU's windowed kernel runs SGD
    /// alone); on the CPU for skip-gram with negative sampling, where it trains better vectors
    /// faster than word2vec's per-pair steps, but not for hierarchical softmax, where it trained
    /// worse ones (both measured in docs/benchmarks.md); and for the subword model's CBOW on
    /// the CPU, whose window of bags reads and writes each position's n-gram rows once instead
    /// of once per centre (1.76× the words/s on enwiki-1m, the same figures) — and per
    /// pair otherwise, the subword model's skip-gram among them, on every device: it reads and
    /// writes a centre's n-gram rows once a window either way, and per pair it is fastText's
    /// update, which trained better vectors. The row-wise rules window as SGD does on the CPU
    /// (word-level skip-gram with negative sampling): a row steps once per context there, as per
    /// pair, in one pass ([`crate::kernels::RowWise`]); the other stateful rules step a row once
    /// on a window's summed gradient, and keep per pair.
    pub fn batching_on(&self, backend: BackendKind, optimizer: &FusedOptimizer) -> Batching {
        let gpu = matches!(backend, BackendKind::Wgpu | BackendKind::Cuda);
        let row_wise = optimizer.row_wise().is_some() && !gpu && self.subwords.is_none();
        let rule_windows = *optimizer == FusedOptimizer::Sgd || row_wise;
        let cbow = matches!(self.architecture, Architecture::Cbow { .. });
        let skipgram_negative =
            self.architecture == Architecture::SkipGram && self.loss == LossKind::Negative;
        let windowed = match self.subwords {
            None => gpu || skipgram_negative,
            Some(_) => cbow && !gpu,
        };
        self.batching.unwrap_or(match rule_windows && windowed {
            true => Batching::Window,
            false => Batching::Pair,
        })
    }
}

impl Default for Word2VecOptions {
    /// word2vec's skip-gram with negative sampling.
    fn default() -> Self {
        Word2VecOptions {
            architecture: Architecture::SkipGram,
            loss: LossKind::Negative,
            negative: 5,
            ns_exponent: 0.75,
            sample: 1e-3,
            precision: Precision::F32,
            batching: None,
            subwords: None,
        }
    }
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

impl ModelOptions {
    /// The model `kind` with its own default settings.
    pub fn of_kind(kind: ModelKind) -> Self {
        let word2vec = |architecture| {
            ModelOptions::Word2Vec(Word2VecOptions {
                architecture,
                ..Word2VecOptions::default()
            })
        };
        match kind {
            ModelKind::SkipGram => word2vec(Architecture::SkipGram),
            ModelKind::Cbow => word2vec(Architecture::Cbow { mean: true }),
            ModelKind::Glove => ModelOptions::Glove(GloveOptions::default()),
        }
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            ModelOptions::Word2Vec(w) => match w.architecture {
                Architecture::SkipGram => ModelKind::SkipGram,
                Architecture::Cbow { .. } => ModelKind::Cbow,
            },
            ModelOptions::Glove(_) => ModelKind::Glove,
        }
    }
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions::Word2Vec(Word2VecOptions::default())
    }
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
