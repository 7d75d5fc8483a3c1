//! Everything that defines a run, with every default in one place ([`TrainConfig::for_model`]);
//! saved as JSON beside its outputs (and in checkpoints) so any result can be redone.
//!
//! The settings are tagged by model — [`ModelOptions::Word2Vec`] or [`ModelOptions::Glove`] —
//! so a GloVe run cannot carry a negative-sampling loss, nor word2vec GloVe's weighting. On disk
//! the config keeps its flat form ([`ConfigFile`]), so files written before the split still load.

use std::path::PathBuf;

use burn::prelude::Device;
use burn::tensor::FloatDType;
use serde::{Deserialize, Serialize};

use crate::io::VectorFormat;
use crate::kernels::{Batching, FusedOptimizer};
use crate::model::Architecture;
use crate::text::Tokenizer;

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
    /// Negative sampling (word2vec's SGNS).
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
    pub fn dtype(self, backend: BackendKind, device: &Device) -> crate::Result<FloatDType> {
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
            return Err(crate::Error::Config(format!(
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

/// Burn optimizers offered on the autodiff path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum OptimizerKind {
    Sgd,
    Adam,
    Adamw,
    Adagrad,
    Rmsprop,
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
}

impl Word2VecOptions {
    /// The batching the fused step runs with on `backend` under `optimizer`: as set, else whole
    /// windows under plain SGD — on a GPU always, where a window's rows read once and added to
    /// atomically once keep a cube fast and lose no update (the GPU's windowed kernel runs SGD
    /// alone); on the CPU for skip-gram with negative sampling, where it trains better vectors
    /// faster than word2vec's per-pair steps (enwiki-17m, three seeds: 37.83% analogy against
    /// gensim's 35.90–36.04% and per-pair's 36.14%, at 1.4× per-pair's words/s), but not for
    /// hierarchical softmax, where it lost 0.8 points on enwiki-1m — and per pair otherwise.
    pub fn batching_on(&self, backend: BackendKind, optimizer: &FusedOptimizer) -> Batching {
        let sgd = *optimizer == FusedOptimizer::Sgd;
        let gpu = matches!(backend, BackendKind::Wgpu | BackendKind::Cuda);
        let skipgram_negative =
            self.architecture == Architecture::SkipGram && self.loss == LossKind::Negative;
        self.batching
            .unwrap_or(match sgd && (gpu || skipgram_negative) {
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

/// A complete description of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ConfigFile", into = "ConfigFile")]
pub struct TrainConfig {
    /// Corpus files; empty means the embedded synthetic corpus.
    pub corpus: Vec<PathBuf>,
    /// A fixed vocabulary (`word count` lines, as `wordvec vocab` writes) instead of counting
    /// the corpus; `min_count` and `max_vocab` do not apply to it.
    pub vocab: Option<PathBuf>,
    /// Fold the corpus to lower case before counting and training.
    pub lowercase: bool,
    /// How the corpus is cut into tokens.
    pub tokenizer: Tokenizer,
    /// Pretrained vectors (any format `eval` reads) for the input rows of the words they have
    /// (word2vec only).
    pub init_vectors: Option<PathBuf>,
    /// Keep the rows taken from `init_vectors` as they are (gensim's `vectors_lockf` 0).
    pub lock_init: bool,
    pub model: ModelOptions,
    pub update: UpdateKind,
    pub backend: BackendKind,
    pub optimizer: OptimizerKind,
    /// The optimizer's hyper-parameters (Burn's defaults for it unless set).
    pub optimizer_params: OptimizerParams,
    pub lr: f64,
    pub lr_schedule: LrSchedule,
    pub dim: usize,
    /// Largest distance between centre and context words (word2vec shrinks it at random per
    /// word; GloVe counts every pair within it, weighted 1/distance).
    pub window: usize,
    pub min_count: u64,
    pub max_vocab: Option<usize>,
    /// Passes over the corpus (GloVe: over its co-occurrence entries).
    pub epochs: usize,
    /// Examples per step on the autodiff path.
    pub batch_size: usize,
    pub seed: u64,
    pub threads: usize,
    /// Cubes training at once on a GPU (fused path); 0: one per 64 positions of a chunk.
    pub gpu_cubes: u32,
    pub output: PathBuf,
    pub format: VectorFormat,
    /// Benchmarks scored during and after training.
    pub eval: EvalConfig,
    /// Seconds between checkpoints; none: only on Ctrl-C.
    pub checkpoint_every: Option<f64>,
    /// Corpus ids (GloVe: co-occurrence entries) per fused step, and per unit of resumable
    /// progress.
    pub chunk_tokens: usize,
}

impl TrainConfig {
    /// A run of `model` with every other setting at its default for that model, trained by
    /// `optimizer` (`None`: the model's own, SGD for word2vec as word2vec.c, AdaGrad for GloVe as
    /// its reference, Adam for the full softmax as the seed model trained) on `backend`. The defaults that depend on the model:
    /// - update: fused wherever a kernel exists (negative sampling with SGD or AdaGrad, GloVe
    ///   with AdaGrad, on every backend but ndarray), else autodiff;
    /// - learning rate: 0.025 for SGD (0.05 for CBOW, as word2vec); on word2vec's fused path,
    ///   where each touched row takes its own step, 0.01 for Adam and AdamW, 0.001 for RMSProp
    ///   and 0.1 for AdaGrad (measured: docs/benchmarks.md); else 0.05 for AdaGrad (GloVe's
    ///   reference) and 0.001 for the others (on the autodiff path's batch-mean loss);
    /// - schedule: linear decay, constant for GloVe (as its reference);
    /// - window 5 (GloVe 10), epochs 5 (GloVe 15).
    ///
    /// The threads default to every core.
    pub fn for_model(
        model: ModelOptions,
        optimizer: Option<OptimizerKind>,
        backend: BackendKind,
    ) -> TrainConfig {
        let glove = matches!(model, ModelOptions::Glove(_));
        let softmax = matches!(&model, ModelOptions::Word2Vec(w) if w.loss == LossKind::Softmax);
        // The full softmax trains on the autodiff path, whose loss is a batch's mean: plain SGD
        // at word2vec's rate barely moves it (enwiki-1m: the loss stays at ln(vocab) over the
        // first 25k words), Adam does not care about the scale.
        let optimizer = optimizer.unwrap_or(if glove {
            OptimizerKind::Adagrad
        } else if softmax {
            OptimizerKind::Adam
        } else {
            OptimizerKind::Sgd
        });
        let has_kernel = backend != BackendKind::Ndarray
            && match &model {
                ModelOptions::Glove(_) => optimizer == OptimizerKind::Adagrad,
                // Every optimizer has a row-sparse rule for negative sampling and hierarchical
                // softmax.
                ModelOptions::Word2Vec(w) => w.loss != LossKind::Softmax,
            };
        let word2vec_kernel = has_kernel && !glove;
        let lr = match optimizer {
            OptimizerKind::Sgd if model.kind() == ModelKind::Cbow => 0.05,
            OptimizerKind::Sgd => 0.025,
            // The fused row-sparse rules' rates, from the sweeps in docs/benchmarks.md.
            OptimizerKind::Adagrad if word2vec_kernel => 0.1,
            OptimizerKind::Adam | OptimizerKind::Adamw if word2vec_kernel => 0.01,
            OptimizerKind::Rmsprop if word2vec_kernel => 0.001,
            // GloVe's reference rate; Burn's usual ones on the dense autodiff path.
            OptimizerKind::Adagrad => 0.05,
            _ => 0.001,
        };
        TrainConfig {
            corpus: Vec::new(),
            vocab: None,
            lowercase: false,
            tokenizer: Tokenizer::Whitespace,
            init_vectors: None,
            lock_init: false,
            update: if has_kernel {
                UpdateKind::Fused
            } else {
                UpdateKind::Autodiff
            },
            backend,
            optimizer,
            optimizer_params: OptimizerParams::burn_defaults(optimizer),
            lr,
            lr_schedule: if glove {
                LrSchedule::Constant
            } else {
                LrSchedule::Linear
            },
            dim: 100,
            window: if glove { 10 } else { 5 },
            min_count: 5,
            max_vocab: None,
            epochs: if glove { 15 } else { 5 },
            batch_size: 1024,
            seed: 1,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            gpu_cubes: 256,
            output: PathBuf::from("wordvec-output/vectors.txt"),
            format: VectorFormat::Text,
            eval: EvalConfig::default(),
            checkpoint_every: None,
            chunk_tokens: crate::sampling::CHUNK_TOKENS,
            model,
        }
    }

    /// word2vec's settings, when the model is skip-gram or CBOW.
    pub fn word2vec(&self) -> Option<&Word2VecOptions> {
        match &self.model {
            ModelOptions::Word2Vec(w) => Some(w),
            ModelOptions::Glove(_) => None,
        }
    }

    /// GloVe's settings, when the model is GloVe.
    pub fn glove(&self) -> Option<&GloveOptions> {
        match &self.model {
            ModelOptions::Glove(g) => Some(g),
            ModelOptions::Word2Vec(_) => None,
        }
    }
}

impl Default for TrainConfig {
    /// word2vec's skip-gram with negative sampling, on the CPU, on the embedded corpus.
    fn default() -> Self {
        TrainConfig::for_model(ModelOptions::default(), None, BackendKind::Cpu)
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
        let p = &self.optimizer_params;
        if !(0.0..1.0).contains(&p.beta1) || !(0.0..1.0).contains(&p.beta2) {
            return bad("--beta1 and --beta2 must be at least 0 and below 1");
        }
        if !(p.epsilon.is_finite() && p.epsilon > 0.0) {
            return bad("--epsilon must be a positive number");
        }
        if !(p.weight_decay.is_finite() && p.weight_decay >= 0.0) {
            return bad("--weight-decay must be zero or positive");
        }
        if !(0.0..1.0).contains(&p.momentum) {
            return bad("--momentum must be at least 0 and below 1");
        }
        // The embedded corpus brings its own questions.
        if self.eval.every.is_some() && self.eval.is_empty() && !self.corpus.is_empty() {
            return bad("--eval-every needs --analogies or --similarity");
        }
        match &self.model {
            ModelOptions::Word2Vec(w) => self.validate_word2vec(w),
            ModelOptions::Glove(g) => self.validate_glove(g),
        }
    }

    fn validate_word2vec(&self, w: &Word2VecOptions) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::Config(m.to_string()));
        if !(w.sample.is_finite() && w.sample >= 0.0) {
            return bad("--sample must be zero or positive");
        }
        if self.lock_init && self.init_vectors.is_none() {
            return bad("--lock-init keeps the rows of --init-vectors: give that file too");
        }
        if self.lock_init && self.update != UpdateKind::Fused {
            return bad(
                "--lock-init runs on the fused update path (the default for negative sampling and hierarchical softmax)",
            );
        }
        if !w.ns_exponent.is_finite() {
            return bad("--ns-exponent must be a finite number");
        }
        if w.loss == LossKind::Negative && w.negative == 0 {
            return bad("--loss negative needs --negative of at least 1");
        }
        if w.loss != LossKind::Softmax && w.precision != Precision::F32 {
            return bad("--precision sets the full softmax's products: use it with --loss softmax");
        }
        if w.batching.is_some() && self.update != UpdateKind::Fused {
            return bad(
                "--batching groups the fused step's examples: the autodiff path batches by --batch-size",
            );
        }
        let gpu = matches!(self.backend, BackendKind::Wgpu | BackendKind::Cuda);
        let sgd = self.optimizer_params.fused(self.optimizer) == FusedOptimizer::Sgd;
        if w.batching == Some(Batching::Window) && gpu && !sgd {
            return bad(
                "on a GPU, --batching window runs plain SGD (the stateful optimizers and momentum step per pair there): use --batching pair, or --optimizer sgd without --momentum",
            );
        }
        if self.update == UpdateKind::Autodiff {
            return Ok(());
        }
        if w.loss == LossKind::Softmax {
            return bad("the full softmax is dense: use --update autodiff with --loss softmax");
        }
        if self.backend == BackendKind::Ndarray {
            return bad(
                "the fused update has kernels for the cpu, wgpu and cuda backends: use --update autodiff on ndarray",
            );
        }
        Ok(())
    }

    fn validate_glove(&self, glove: &GloveOptions) -> crate::Result<()> {
        let bad = |m: &str| Err(crate::Error::Config(m.to_string()));
        if self.init_vectors.is_some() {
            return bad("--init-vectors starts skip-gram and CBOW runs, not GloVe");
        }
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
        Ok(())
    }
}

/// A config as files hold it: one flat object, as every version has written it. The model's own
/// settings sit beside the others — word2vec's (`cbow_mean`, `loss`, `negative`, `sample`) for
/// skip-gram and CBOW, `glove` for GloVe — and files from before the tagged config, which hold
/// both, load too.
#[derive(Serialize, Deserialize)]
struct ConfigFile {
    corpus: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vocab: Option<PathBuf>,
    #[serde(default)]
    lowercase: bool,
    #[serde(default)]
    tokenizer: Tokenizer,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    init_vectors: Option<PathBuf>,
    #[serde(default)]
    lock_init: bool,
    #[serde(default)]
    model: ModelKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cbow_mean: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    loss: Option<LossKind>,
    update: UpdateKind,
    backend: BackendKind,
    optimizer: OptimizerKind,
    /// Absent from files written before the flags existed: Burn's defaults, as they trained.
    #[serde(default)]
    optimizer_params: Option<OptimizerParams>,
    lr: f64,
    lr_schedule: LrSchedule,
    dim: usize,
    window: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    negative: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ns_exponent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sample: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    precision: Option<Precision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    batching: Option<Batching>,
    min_count: u64,
    max_vocab: Option<usize>,
    epochs: usize,
    batch_size: usize,
    seed: u64,
    threads: usize,
    #[serde(default)]
    gpu_cubes: u32,
    output: PathBuf,
    format: VectorFormat,
    #[serde(default)]
    eval: EvalConfig,
    #[serde(default)]
    checkpoint_every: Option<f64>,
    #[serde(default = "default_chunk_tokens")]
    chunk_tokens: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    glove: Option<GloveOptions>,
}

fn default_chunk_tokens() -> usize {
    crate::sampling::CHUNK_TOKENS
}

impl From<ConfigFile> for TrainConfig {
    fn from(file: ConfigFile) -> Self {
        let defaults = Word2VecOptions::default();
        let word2vec = |architecture| {
            ModelOptions::Word2Vec(Word2VecOptions {
                architecture,
                loss: file.loss.unwrap_or(defaults.loss),
                negative: file.negative.unwrap_or(defaults.negative),
                ns_exponent: file.ns_exponent.unwrap_or(defaults.ns_exponent),
                sample: file.sample.unwrap_or(defaults.sample),
                precision: file.precision.unwrap_or(defaults.precision),
                // Fused runs from before batching existed trained per pair.
                batching: match file.update {
                    UpdateKind::Fused => Some(file.batching.unwrap_or(Batching::Pair)),
                    UpdateKind::Autodiff => file.batching,
                },
            })
        };
        let model = match file.model {
            ModelKind::SkipGram => word2vec(Architecture::SkipGram),
            ModelKind::Cbow => word2vec(Architecture::Cbow {
                mean: file.cbow_mean.unwrap_or(true),
            }),
            ModelKind::Glove => ModelOptions::Glove(file.glove.clone().unwrap_or_default()),
        };
        TrainConfig {
            corpus: file.corpus,
            vocab: file.vocab,
            lowercase: file.lowercase,
            tokenizer: file.tokenizer,
            init_vectors: file.init_vectors,
            lock_init: file.lock_init,
            model,
            update: file.update,
            backend: file.backend,
            optimizer: file.optimizer,
            optimizer_params: file
                .optimizer_params
                .unwrap_or_else(|| OptimizerParams::burn_defaults(file.optimizer)),
            lr: file.lr,
            lr_schedule: file.lr_schedule,
            dim: file.dim,
            window: file.window,
            min_count: file.min_count,
            max_vocab: file.max_vocab,
            epochs: file.epochs,
            batch_size: file.batch_size,
            seed: file.seed,
            threads: file.threads,
            gpu_cubes: file.gpu_cubes,
            output: file.output,
            format: file.format,
            eval: file.eval,
            checkpoint_every: file.checkpoint_every,
            chunk_tokens: file.chunk_tokens,
        }
    }
}

impl From<TrainConfig> for ConfigFile {
    fn from(config: TrainConfig) -> Self {
        let kind = config.model.kind();
        let (word2vec, glove) = match config.model {
            ModelOptions::Word2Vec(w) => (Some(w), None),
            ModelOptions::Glove(g) => (None, Some(g)),
        };
        ConfigFile {
            corpus: config.corpus,
            vocab: config.vocab,
            lowercase: config.lowercase,
            tokenizer: config.tokenizer,
            init_vectors: config.init_vectors,
            lock_init: config.lock_init,
            model: kind,
            cbow_mean: word2vec.and_then(|w| match w.architecture {
                Architecture::Cbow { mean } => Some(mean),
                Architecture::SkipGram => None,
            }),
            loss: word2vec.map(|w| w.loss),
            update: config.update,
            backend: config.backend,
            optimizer: config.optimizer,
            optimizer_params: Some(config.optimizer_params),
            lr: config.lr,
            lr_schedule: config.lr_schedule,
            dim: config.dim,
            window: config.window,
            negative: word2vec.map(|w| w.negative),
            ns_exponent: word2vec.map(|w| w.ns_exponent),
            sample: word2vec.map(|w| w.sample),
            precision: word2vec.map(|w| w.precision),
            // As the fused step resolves it, so a resumed or continued run batches as it did.
            batching: word2vec
                .filter(|_| config.update == UpdateKind::Fused)
                .map(|w| {
                    let optimizer = config.optimizer_params.fused(config.optimizer);
                    w.batching_on(config.backend, &optimizer)
                }),
            min_count: config.min_count,
            max_vocab: config.max_vocab,
            epochs: config.epochs,
            batch_size: config.batch_size,
            seed: config.seed,
            threads: config.threads,
            gpu_cubes: config.gpu_cubes,
            output: config.output,
            format: config.format,
            eval: config.eval,
            checkpoint_every: config.checkpoint_every,
            chunk_tokens: config.chunk_tokens,
            glove,
        }
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

    #[test]
    fn defaults_follow_the_model_and_optimizer() {
        let cbow = TrainConfig::for_model(
            ModelOptions::of_kind(ModelKind::Cbow),
            None,
            BackendKind::Cpu,
        );
        assert_eq!(
            (cbow.update, cbow.optimizer, cbow.lr),
            (UpdateKind::Fused, OptimizerKind::Sgd, 0.05)
        );
        let glove = TrainConfig::for_model(
            ModelOptions::of_kind(ModelKind::Glove),
            None,
            BackendKind::Cpu,
        );
        assert_eq!(
            (glove.update, glove.optimizer, glove.lr),
            (UpdateKind::Fused, OptimizerKind::Adagrad, 0.05)
        );
        assert_eq!(
            (glove.window, glove.epochs, glove.lr_schedule),
            (10, 15, LrSchedule::Constant)
        );
        let adam = TrainConfig::for_model(
            ModelOptions::default(),
            Some(OptimizerKind::Adam),
            BackendKind::Cpu,
        );
        assert_eq!(
            (adam.update, adam.lr),
            (UpdateKind::Fused, 0.01),
            "every optimizer has a fused rule"
        );
        let softmax = ModelOptions::Word2Vec(Word2VecOptions {
            loss: LossKind::Softmax,
            ..Word2VecOptions::default()
        });
        let softmax = TrainConfig::for_model(softmax, None, BackendKind::Cpu);
        assert_eq!(
            (softmax.update, softmax.optimizer, softmax.lr),
            (UpdateKind::Autodiff, OptimizerKind::Adam, 0.001)
        );
        let ndarray = TrainConfig::for_model(ModelOptions::default(), None, BackendKind::Ndarray);
        assert_eq!(ndarray.update, UpdateKind::Autodiff);
        let hierarchical = ModelOptions::Word2Vec(Word2VecOptions {
            loss: LossKind::Hierarchical,
            ..Word2VecOptions::default()
        });
        let hierarchical = TrainConfig::for_model(hierarchical, None, BackendKind::Cpu);
        assert_eq!(
            (hierarchical.update, hierarchical.lr),
            (UpdateKind::Fused, 0.025)
        );
        for config in [cbow, glove, adam, ndarray, hierarchical, softmax] {
            config.validate().unwrap();
        }
        // The products' precision belongs to the full softmax alone.
        let half_negative = ModelOptions::Word2Vec(Word2VecOptions {
            precision: Precision::F16,
            ..Word2VecOptions::default()
        });
        let e = TrainConfig::for_model(half_negative, None, BackendKind::Cpu)
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("--precision") && e.contains("softmax"), "{e}");
        // Windows are the GPU's default under SGD; its windowed kernel runs SGD alone.
        let windowed = ModelOptions::Word2Vec(Word2VecOptions {
            batching: Some(Batching::Window),
            ..Word2VecOptions::default()
        });
        let mut adam = TrainConfig::for_model(
            windowed.clone(),
            Some(OptimizerKind::Adam),
            BackendKind::Wgpu,
        );
        let e = adam.validate().unwrap_err().to_string();
        assert!(e.contains("--batching window") && e.contains("SGD"), "{e}");
        adam.backend = BackendKind::Cpu;
        adam.validate().unwrap();
        let mut autodiff = TrainConfig::for_model(windowed, None, BackendKind::Cpu);
        autodiff.update = UpdateKind::Autodiff;
        let e = autodiff.validate().unwrap_err().to_string();
        assert!(e.contains("--batching") && e.contains("autodiff"), "{e}");
        let w = Word2VecOptions::default();
        let (sgd, adagrad) = (
            FusedOptimizer::Sgd,
            FusedOptimizer::AdaGrad {
                epsilon: 1e-10,
                weight_decay: 0.0,
            },
        );
        assert_eq!(w.batching_on(BackendKind::Cpu, &sgd), Batching::Window);
        assert_eq!(w.batching_on(BackendKind::Cpu, &adagrad), Batching::Pair);
        assert_eq!(w.batching_on(BackendKind::Wgpu, &sgd), Batching::Window);
        assert_eq!(w.batching_on(BackendKind::Cuda, &adagrad), Batching::Pair);
        let tree = Word2VecOptions {
            loss: LossKind::Hierarchical,
            ..w
        };
        assert_eq!(tree.batching_on(BackendKind::Cpu, &sgd), Batching::Pair);
        assert_eq!(tree.batching_on(BackendKind::Wgpu, &sgd), Batching::Window);
        let cbow = Word2VecOptions {
            architecture: Architecture::Cbow { mean: true },
            ..w
        };
        assert_eq!(cbow.batching_on(BackendKind::Cpu, &sgd), Batching::Pair);
    }

    /// A config written before the settings were tagged by model: flat, with word2vec's fields
    /// and GloVe's both present whatever the model.
    fn flat_file(model: &str) -> String {
        format!(
            r#"{{"corpus":["/data/c.txt"],"model":"{model}","cbow_mean":false,"loss":"negative",
            "update":"fused","backend":"cpu","optimizer":"sgd","lr":0.05,"lr_schedule":"linear",
            "dim":50,"window":5,"negative":7,"sample":0.0001,"min_count":5,"max_vocab":null,
            "epochs":5,"batch_size":1024,"seed":3,"threads":2,"gpu_cubes":256,
            "output":"/runs/a/vectors.txt","format":"text","eval":{{"analogies":null,
            "similarity":[],"restrict":30000,"every":null}},"checkpoint_every":null,
            "chunk_tokens":100000,"glove":{{"x_max":50.0,"alpha":0.75,"grad_clip":100.0,
            "memory_gb":4.0,"temp_dir":null,"vectors":"word"}}}}"#
        )
    }

    #[test]
    fn configs_saved_before_the_tagged_settings_still_load() {
        let cbow: TrainConfig = serde_json::from_str(&flat_file("cbow")).unwrap();
        let w = cbow.word2vec().unwrap();
        assert_eq!(w.architecture, Architecture::Cbow { mean: false });
        assert_eq!((w.negative, w.sample, cbow.seed), (7, 1e-4, 3));
        // Fused runs from before `--batching` stepped per pair, and resume so.
        assert_eq!(w.batching, Some(Batching::Pair));
        let skipgram: TrainConfig = serde_json::from_str(&flat_file("skipgram")).unwrap();
        let w = skipgram.word2vec().unwrap();
        assert_eq!(w.architecture, Architecture::SkipGram);
        assert_eq!(w.batching, Some(Batching::Pair));
        let glove: TrainConfig = serde_json::from_str(&flat_file("glove")).unwrap();
        let g = glove.glove().unwrap();
        assert_eq!((g.x_max, g.vectors), (50.0, GloveVectors::Word));
        assert!(glove.word2vec().is_none());
    }

    #[test]
    fn configs_round_trip_through_their_file_form() {
        for kind in [ModelKind::SkipGram, ModelKind::Cbow, ModelKind::Glove] {
            let mut config =
                TrainConfig::for_model(ModelOptions::of_kind(kind), None, BackendKind::Cpu);
            let json = serde_json::to_string(&config).unwrap();
            // The file holds the batching the run resolved, not "the default".
            if let ModelOptions::Word2Vec(w) = &mut config.model {
                w.batching = Some(w.batching_on(BackendKind::Cpu, &FusedOptimizer::Sgd));
            }
            assert_eq!(serde_json::from_str::<TrainConfig>(&json).unwrap(), config);
            // Each file holds its own model's settings only.
            assert_eq!(
                json.contains("\"glove\""),
                kind == ModelKind::Glove,
                "{json}"
            );
            assert_eq!(
                json.contains("\"negative\""),
                kind != ModelKind::Glove,
                "{json}"
            );
        }
    }
}
