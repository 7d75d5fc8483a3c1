//! Everything that defines a run, with every default in one place ([`TrainConfig::for_model`]);
//! saved as JSON beside its outputs (and in checkpoints) so any result can be redone.
//!
//! The settings are tagged by model — [`ModelOptions::Word2Vec`] or [`ModelOptions::Glove`] —
//! so a GloVe run cannot carry a negative-sampling loss, nor word2vec GloVe's weighting. On disk
//! the config keeps its flat form (`file`), so files written before the split still load.
//! The kinds and per-model settings are in `options`, the checks in `validate`.

mod file;
mod options;
mod validate;

use std::path::PathBuf;

pub use self::options::{
    BackendKind, EvalConfig, EvalEvery, GloveOptions, GloveVectors, LossKind, LrSchedule,
    ModelKind, ModelOptions, OptimizerKind, OptimizerParams, Precision, UpdateKind,
    Word2VecOptions, parse_duration,
};
pub(crate) use self::options::{MOMENTUM_DAMPENING, RMSPROP_ALPHA};
use crate::io::VectorFormat;
use crate::text::Tokenizer;

/// A complete description of a training run.
#[derive(Debug, Clone, PartialEq)]
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
    /// A phrase table whose phrases are joined as the corpus is read (`wordvec phrases`).
    pub phrases: Option<PathBuf>,
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
    /// `optimizer` (`None`: the model's own) on `backend`. This is the one place the defaults are
    /// written; the command line's help shows them as this function gives them. What follows the
    /// model: the optimizer (word2vec.c's SGD, GloVe's reference's AdaGrad, Adam for the full
    /// softmax), the update path (fused wherever a kernel exists, else autodiff), the learning
    /// rate (word2vec's for SGD; on word2vec's fused path, where each touched row takes its own
    /// step, each rule's best in the sweeps of docs/benchmarks.md; GloVe's reference's; Burn's
    /// usual ones on the autodiff path's batch-mean loss), the schedule, window and epochs
    /// (GloVe's reference's for GloVe). The threads default to every core.
    pub fn for_model(
        model: ModelOptions,
        optimizer: Option<OptimizerKind>,
        backend: BackendKind,
    ) -> TrainConfig {
        let glove = matches!(model, ModelOptions::Glove(_));
        let softmax = matches!(&model, ModelOptions::Word2Vec(w) if w.loss == LossKind::Softmax);
        // The full softmax trains on the autodiff path, whose loss is a batch's mean: plain SGD
        // at word2vec's rate barely moves it (its loss stays near ln(vocab)), Adam does not care
        // about the scale.
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
            OptimizerKind::Adagrad | OptimizerKind::RowwiseAdagrad if word2vec_kernel => 0.1,
            OptimizerKind::Adam | OptimizerKind::Adamw | OptimizerKind::RowwiseAdam
                if word2vec_kernel =>
            {
                0.01
            }
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
            phrases: None,
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

    /// The subword model's settings, when skip-gram or CBOW trains it.
    pub fn subwords(&self) -> Option<crate::model::Subwords> {
        self.word2vec().and_then(|w| w.subwords)
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::kernels::{Batching, FusedOptimizer};
    use crate::model::Architecture;

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
        // The row-wise rules window where SGD does on the CPU, not on a GPU.
        let rowwise_adam = FusedOptimizer::RowAdam {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-5,
            weight_decay: 0.0,
        };
        assert_eq!(
            w.batching_on(BackendKind::Cpu, &rowwise_adam),
            Batching::Window
        );
        assert_eq!(
            w.batching_on(BackendKind::Wgpu, &rowwise_adam),
            Batching::Pair
        );
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
        // The subword model: per pair but for CBOW's window of bags on the CPU.
        let subwords = Some(crate::model::Subwords {
            minn: 3,
            maxn: 6,
            bucket: 100,
        });
        let subword_cbow = Word2VecOptions { subwords, ..cbow };
        let subword_skipgram = Word2VecOptions { subwords, ..w };
        assert_eq!(
            subword_cbow.batching_on(BackendKind::Cpu, &sgd),
            Batching::Window
        );
        assert_eq!(
            subword_cbow.batching_on(BackendKind::Cpu, &adagrad),
            Batching::Pair
        );
        assert_eq!(
            subword_cbow.batching_on(BackendKind::Wgpu, &sgd),
            Batching::Pair
        );
        assert_eq!(
            subword_skipgram.batching_on(BackendKind::Cpu, &sgd),
            Batching::Pair
        );
        assert_eq!(
            subword_skipgram.batching_on(BackendKind::Cpu, &rowwise_adam),
            Batching::Pair
        );
        assert_eq!(
            subword_skipgram.batching_on(BackendKind::Wgpu, &sgd),
            Batching::Pair
        );
    }
}
