//! The flags themselves (clap's declaration of every `train` setting, given or not) and the
//! config their values describe, every default they leave open from [`TrainConfig::for_model`].

use std::path::{Path, PathBuf};

use clap::Args;

use super::ReadingFlags;

use crate::io::VectorFormat;
use crate::kernels::Batching;
use crate::model::{Architecture, Subwords};
use crate::text::STDIN;
use crate::train::{
    BackendKind, EvalConfig, EvalEvery, GloveOptions, GloveVectors, LossKind, LrSchedule,
    ModelKind, ModelOptions, OptimizerKind, Precision, TrainConfig, UpdateKind, Word2VecOptions,
    parse_duration,
};

/// The flags' values, given or not (the `settings` group). A default that depends on the model,
/// optimizer or backend is the library's; the help shows it as [`super::document_defaults`] renders it.
#[derive(Args, Clone)]
#[group(id = "settings", multiple = true)]
pub(super) struct FlagValues {
    /// Vectors format [default: binary for `.bin`, text otherwise].
    #[arg(long, value_enum)]
    format: Option<VectorFormat>,
    /// Model: skip-gram, CBOW (context words averaged to predict the centre word), or GloVe
    /// (vectors fitted to the log co-occurrence counts).
    #[arg(long, value_enum, default_value_t = ModelKind::SkipGram)]
    model: ModelKind,
    /// CBOW: average the context vectors (`false`: sum them).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    cbow_mean: bool,
    /// Training objective.
    #[arg(long, value_enum, default_value_t = Word2VecOptions::default().loss)]
    loss: LossKind,
    /// The full softmax head's matrix products: f32, bf16 or f16 (f32 weights, softmax and
    /// loss), or auto (bf16, else f16, on a GPU that computes in them; f32 on the CPU).
    #[arg(long, value_enum, default_value_t = Word2VecOptions::default().precision)]
    precision: Precision,
    /// How skip-gram's fused step groups its examples: `pair` (word2vec's: each context word
    /// draws its own negatives and steps before the next) or `window` (a centre's window shares
    /// one draw and steps at once, pWord2Vec's HogBatch); for subword CBOW on the CPU, `window`
    /// reads each position's n-gram rows once as the window slides and writes them once
    /// [default: window under plain SGD and the row-wise rules for skip-gram with negative
    /// sampling on the CPU, for subword CBOW on the CPU, and under plain SGD for word-level
    /// models on a GPU; pair otherwise].
    #[arg(long, value_enum)]
    batching: Option<Batching>,
    /// Update path: fused (each example steps the rows it touches, in place: negative sampling
    /// and hierarchical softmax under every optimizer, GloVe under adagrad) or autodiff (Burn's
    /// autodiff and optimizers: any model, any backend).
    #[arg(long, value_enum)]
    update: Option<UpdateKind>,
    /// Where the model lives.
    #[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
    backend: BackendKind,
    /// Optimizer: on the fused path each is row-sparse ("lazy": rows a step does not touch
    /// keep their state), and the row-wise rules (one AdaGrad sum, or Adam's second moment, per
    /// row) are the fused path's alone; GloVe's fused path is the reference's AdaGrad.
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// Adam and AdamW: the first moment's decay (Burn's defaults, as the other rules' numbers).
    #[arg(long)]
    beta1: Option<f64>,
    /// Adam and AdamW: the second moment's decay.
    #[arg(long)]
    beta2: Option<f64>,
    /// Adam, AdamW, AdaGrad, RMSProp: added to the denominator.
    #[arg(long)]
    epsilon: Option<f64>,
    /// AdamW: decoupled weight decay; the others: an L2 penalty on the gradient.
    #[arg(long)]
    weight_decay: Option<f64>,
    /// SGD (0: word2vec's plain SGD) and RMSProp.
    #[arg(long)]
    momentum: Option<f64>,
    /// Initial learning rate: word2vec's for SGD; for the other optimizers each row-sparse
    /// rule's measured best where the model has a fused kernel on the backend (kept under
    /// `--update autodiff`), Burn's usual ones where it has none; GloVe's reference's.
    #[arg(long)]
    lr: Option<f64>,
    /// How the rate moves: linear decay to lr × 1e-4 (word2vec), or constant (GloVe's reference).
    #[arg(long, value_enum)]
    lr_schedule: Option<LrSchedule>,
    /// Vector dimension.
    #[arg(long, default_value_t = TrainConfig::default().dim)]
    dim: usize,
    /// Maximum distance between centre and context words (shrunk at random per word; GloVe
    /// counts every pair within it, weighted 1/distance).
    #[arg(long)]
    window: Option<usize>,
    /// Negative samples per pair.
    #[arg(long, default_value_t = Word2VecOptions::default().negative)]
    negative: usize,
    /// Noise words are drawn in proportion to count^X (word2vec's 0.75; 1: by frequency, 0:
    /// uniformly; negative values favour rare words, as in Caselles-Dupré et al. 2018).
    #[arg(long, default_value_t = Word2VecOptions::default().ns_exponent, allow_negative_numbers = true)]
    ns_exponent: f64,
    /// fastText's subword model: each word's input vector is the mean of its own row and the
    /// rows of its character n-grams, so rare and unseen words get vectors from their parts.
    /// Shorthand for --minn 3 --maxn 6.
    #[arg(long)]
    subwords: bool,
    /// Subword model: the shortest character n-gram.
    #[arg(long, default_value_t = Subwords::FASTTEXT.minn)]
    minn: usize,
    /// Subword model: the longest character n-gram; above 0 turns the model on (0 without
    /// --subwords, 6 with it).
    #[arg(long)]
    maxn: Option<usize>,
    /// Subword model: the hash buckets (input rows) the n-grams share.
    #[arg(long, default_value_t = Subwords::FASTTEXT.bucket)]
    bucket: usize,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = Word2VecOptions::default().sample)]
    sample: f64,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = TrainConfig::default().min_count)]
    min_count: u64,
    /// Train on this vocabulary (`word count` lines, as `wordvec vocab` writes them, most
    /// frequent first) instead of counting the corpus: its words and counts set the ids, the
    /// schedule, subsampling and noise; corpus words outside it are skipped.
    #[arg(long, conflicts_with_all = ["min_count", "max_vocab"])]
    vocab: Option<PathBuf>,
    #[command(flatten)]
    reading: ReadingFlags,
    /// Start the input vectors of the words this file has from it (any format `eval` reads;
    /// the other words start at random). Skip-gram and CBOW.
    #[arg(long)]
    init_vectors: Option<PathBuf>,
    /// Keep the rows taken from --init-vectors as they are (gensim's lockf 0); the other words
    /// train around them. Fused update path.
    #[arg(long, requires = "init_vectors")]
    lock_init: bool,
    /// Keep at most this many words; also bounds memory while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Passes over the corpus (GloVe: over its co-occurrence entries).
    #[arg(long)]
    epochs: Option<usize>,
    /// Pairs per step on the autodiff path.
    #[arg(long, default_value_t = TrainConfig::default().batch_size)]
    batch_size: usize,
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// GPU cubes (groups of 32 units) training at once on the fused path, each walking its share
    /// of a chunk in order: fewer stays closer to word2vec's sequential SGD, more is faster;
    /// 0 gives every 64 positions a cube.
    #[arg(long, default_value_t = TrainConfig::default().gpu_cubes)]
    gpu_cubes: u32,
    /// Corpus ids (GloVe: co-occurrence entries) per fused step: the unit of progress, loss
    /// read-back and checkpoints.
    #[arg(long, default_value_t = TrainConfig::default().chunk_tokens)]
    chunk_tokens: usize,
    /// GloVe: counts at or above this weigh 1 in the loss, smaller ones (x / x_max)^alpha.
    #[arg(long, default_value_t = GloveOptions::default().x_max)]
    x_max: f64,
    /// GloVe: the exponent of the weighting.
    #[arg(long, default_value_t = GloveOptions::default().alpha)]
    alpha: f64,
    /// GloVe: each gradient component is clipped to ±this.
    #[arg(long, default_value_t = GloveOptions::default().grad_clip)]
    grad_clip: f64,
    /// GloVe: memory for counting co-occurrences (GB); beyond it sorted runs spill to disk.
    #[arg(long, default_value_t = GloveOptions::default().memory_gb)]
    memory_gb: f64,
    /// GloVe: folder for spilled runs [default: the system's temporary folder].
    #[arg(long)]
    temp_dir: Option<PathBuf>,
    /// GloVe: the vectors written: word + context (the reference's default) or the word
    /// vectors only.
    #[arg(long, value_enum, default_value_t = GloveOptions::default().vectors)]
    glove_vectors: GloveVectors,
    /// Evaluate on --analogies/--similarity during training: `epoch`, or every N words (500k, 2M).
    /// Figures go to metrics.jsonl; the final evaluation always runs.
    #[arg(long, value_parser = str::parse::<EvalEvery>)]
    eval_every: Option<EvalEvery>,
    /// Save a checkpoint this often (90s, 15m, 2h); Ctrl-C always saves one before stopping.
    #[arg(long, value_parser = parse_duration)]
    checkpoint_every: Option<f64>,
}

impl FlagValues {
    /// The config the values describe: the model's settings from its flags, every default the
    /// flags leave open from the library.
    pub(super) fn config(
        &self,
        corpus: &[PathBuf],
        output: &Path,
        eval: EvalConfig,
    ) -> TrainConfig {
        self.config_of_kind(self.model, corpus, output, eval)
    }

    /// [`FlagValues::config`] for a model of `kind`, whatever `--model` says: what the flags
    /// give each setting of an earlier run's model.
    pub(super) fn config_of_kind(
        &self,
        kind: ModelKind,
        corpus: &[PathBuf],
        output: &Path,
        eval: EvalConfig,
    ) -> TrainConfig {
        let flags = self;
        let model = match kind {
            ModelKind::Glove => ModelOptions::Glove(GloveOptions {
                x_max: flags.x_max,
                alpha: flags.alpha,
                grad_clip: flags.grad_clip,
                memory_gb: flags.memory_gb,
                temp_dir: flags.temp_dir.as_deref().map(absolute),
                vectors: flags.glove_vectors,
            }),
            kind => ModelOptions::Word2Vec(Word2VecOptions {
                architecture: match kind {
                    ModelKind::Cbow => Architecture::Cbow {
                        mean: flags.cbow_mean,
                    },
                    _ => Architecture::SkipGram,
                },
                loss: flags.loss,
                negative: flags.negative,
                ns_exponent: flags.ns_exponent,
                sample: flags.sample,
                precision: flags.precision,
                batching: flags.batching,
                subwords: flags.subwords(),
            }),
        };
        let mut config = TrainConfig::for_model(model, flags.optimizer, flags.backend);
        config.corpus = corpus.iter().map(|p| absolute(p)).collect();
        config.vocab = flags.vocab.as_deref().map(absolute);
        config.lowercase = flags.reading.lowercase;
        config.tokenizer = flags.reading.tokenizer;
        config.phrases = flags.reading.phrases.as_deref().map(absolute);
        config.init_vectors = flags.init_vectors.as_deref().map(absolute);
        config.lock_init = flags.lock_init;
        config.update = flags.update.unwrap_or(config.update);
        let params = &mut config.optimizer_params;
        params.beta1 = flags.beta1.unwrap_or(params.beta1);
        params.beta2 = flags.beta2.unwrap_or(params.beta2);
        params.epsilon = flags.epsilon.unwrap_or(params.epsilon);
        params.weight_decay = flags.weight_decay.unwrap_or(params.weight_decay);
        params.momentum = flags.momentum.unwrap_or(params.momentum);
        config.lr = flags.lr.unwrap_or(config.lr);
        config.lr_schedule = flags.lr_schedule.unwrap_or(config.lr_schedule);
        config.dim = flags.dim;
        config.window = flags.window.unwrap_or(config.window);
        config.min_count = flags.min_count;
        config.max_vocab = flags.max_vocab;
        config.epochs = flags.epochs.unwrap_or(config.epochs);
        config.batch_size = flags.batch_size;
        config.seed = flags.seed;
        config.threads = flags.threads.unwrap_or(config.threads);
        config.gpu_cubes = flags.gpu_cubes;
        config.format = flags
            .format
            .unwrap_or_else(|| VectorFormat::from_extension(output));
        config.output = absolute(output);
        config.eval = EvalConfig {
            analogies: eval.analogies.as_deref().map(absolute),
            similarity: eval.similarity.iter().map(|p| absolute(p)).collect(),
            restrict: eval.restrict,
            every: flags.eval_every,
        };
        config.checkpoint_every = flags.checkpoint_every;
        config.chunk_tokens = flags.chunk_tokens;
        config
    }
}

impl FlagValues {
    /// The subword settings the flags ask for: on when the longest n-gram is above 0.
    fn subwords(&self) -> Option<Subwords> {
        let maxn = self.maxn.unwrap_or(match self.subwords {
            true => Subwords::FASTTEXT.maxn,
            false => 0,
        });
        (maxn > 0).then_some(Subwords {
            minn: self.minn,
            maxn,
            bucket: self.bucket,
        })
    }
}

/// `path` from the root, so a resumed run finds it from anywhere; `-` (standard input) stays.
pub(super) fn absolute(path: &Path) -> PathBuf {
    if path == Path::new(STDIN) {
        return path.to_path_buf();
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
