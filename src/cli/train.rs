//! `train`: flags to a [`TrainConfig`] (every default the flags leave open comes from
//! [`TrainConfig::for_model`]), then the library's [`Run`]; `--resume` continues a stopped run from
//! its checkpoint.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use clap::Args;
use wordvec::io::VectorFormat;
use wordvec::kernels::Batching;
use wordvec::model::Architecture;
use wordvec::text::{STDIN, Tokenizer};
use wordvec::train::{
    BackendKind, EvalConfig, EvalEvery, GloveOptions, GloveVectors, LossKind, LrSchedule,
    ModelKind, ModelOptions, OptimizerKind, Precision, Run, RunOptions, TrainConfig, UpdateKind,
    Word2VecOptions, parse_duration,
};

use super::eval::EvalSets;

#[derive(Args, Clone)]
pub struct TrainArgs {
    /// Corpus files (plain UTF-8 text, whitespace-separated tokens, one sentence per line).
    /// Without it, trains on the embedded synthetic corpus and evaluates on its own questions.
    #[arg(long, num_args = 1..)]
    corpus: Vec<PathBuf>,
    /// Vectors file; the vocabulary, model record, config, metrics.jsonl and checkpoints are
    /// written beside it (its folder is the run directory).
    #[arg(long, default_value = "wordvec-output/vectors.txt")]
    pub output: PathBuf,
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
    /// one draw and steps at once, pWord2Vec's HogBatch) [default: window under plain SGD for
    /// skip-gram with negative sampling, and for everything on a GPU; pair otherwise].
    #[arg(long, value_enum)]
    batching: Option<Batching>,
    /// Update path [default: fused for negative sampling and hierarchical softmax (every
    /// optimizer) and for GloVe with adagrad; autodiff otherwise (and on ndarray)].
    #[arg(long, value_enum)]
    update: Option<UpdateKind>,
    /// Where the model lives.
    #[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
    backend: BackendKind,
    /// Optimizer: on the fused path each is row-sparse ("lazy": rows a step does not touch
    /// keep their state); GloVe's fused path is the reference's AdaGrad [default: sgd;
    /// adagrad for GloVe; adam for the full softmax].
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// Adam and AdamW: the first moment's decay [default: 0.9, Burn's].
    #[arg(long)]
    beta1: Option<f64>,
    /// Adam and AdamW: the second moment's decay [default: 0.999].
    #[arg(long)]
    beta2: Option<f64>,
    /// Adam, AdamW, AdaGrad, RMSProp: added to the denominator [default: 1e-5].
    #[arg(long)]
    epsilon: Option<f64>,
    /// AdamW: decoupled weight decay; the others: an L2 penalty on the gradient [default: 1e-4
    /// for AdamW, 0 otherwise].
    #[arg(long)]
    weight_decay: Option<f64>,
    /// SGD (0: word2vec's plain SGD) and RMSProp [default: 0 for SGD, 0.9 for RMSProp].
    #[arg(long)]
    momentum: Option<f64>,
    /// Initial learning rate [default: 0.025 for sgd (0.05 for CBOW, as word2vec); on the fused
    /// path 0.01 for adam and adamw, 0.001 for rmsprop, 0.1 for adagrad; GloVe's adagrad 0.05;
    /// 0.001 on the autodiff path].
    #[arg(long)]
    lr: Option<f64>,
    /// [default: linear; constant for GloVe, as its reference].
    #[arg(long, value_enum)]
    lr_schedule: Option<LrSchedule>,
    /// Vector dimension.
    #[arg(long, default_value_t = defaults().dim)]
    dim: usize,
    /// Maximum distance between centre and context words (shrunk at random per word; GloVe
    /// counts every pair within it, weighted 1/distance) [default: 5; 10 for GloVe].
    #[arg(long)]
    window: Option<usize>,
    /// Negative samples per pair.
    #[arg(long, default_value_t = Word2VecOptions::default().negative)]
    negative: usize,
    /// Noise words are drawn in proportion to count^X (word2vec's 0.75; 1: by frequency, 0:
    /// uniformly; negative values favour rare words, as in Caselles-Dupré et al. 2018).
    #[arg(long, default_value_t = Word2VecOptions::default().ns_exponent, allow_negative_numbers = true)]
    ns_exponent: f64,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = Word2VecOptions::default().sample)]
    sample: f64,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = defaults().min_count)]
    min_count: u64,
    /// Train on this vocabulary (`word count` lines, as `wordvec vocab` writes them, most
    /// frequent first) instead of counting the corpus: its words and counts set the ids, the
    /// schedule, subsampling and noise; corpus words outside it are skipped.
    #[arg(long, conflicts_with_all = ["min_count", "max_vocab"])]
    vocab: Option<PathBuf>,
    /// Fold the corpus to lower case (Unicode's rules) before counting and training.
    #[arg(long)]
    lowercase: bool,
    /// How the corpus is cut into tokens: at whitespace (word2vec's), or each piece further at
    /// Unicode word boundaries, punctuation dropped.
    #[arg(long, value_enum, default_value_t = Tokenizer::Whitespace)]
    tokenizer: Tokenizer,
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
    /// Passes over the corpus (GloVe: over its co-occurrence entries) [default: 5; 15 for GloVe].
    #[arg(long)]
    epochs: Option<usize>,
    /// Pairs per step on the autodiff path.
    #[arg(long, default_value_t = defaults().batch_size)]
    batch_size: usize,
    #[arg(long, default_value_t = defaults().seed)]
    seed: u64,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// GPU cubes (groups of 32 units) training at once on the fused path, each walking its share
    /// of a chunk in order: fewer stays closer to word2vec's sequential SGD, more is faster;
    /// 0 gives every 64 positions a cube.
    #[arg(long, default_value_t = defaults().gpu_cubes)]
    gpu_cubes: u32,
    /// Corpus ids (GloVe: co-occurrence entries) per fused step: the unit of progress, loss
    /// read-back and checkpoints.
    #[arg(long, default_value_t = defaults().chunk_tokens)]
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
    /// Continue the stopped run in this folder from its checkpoint, with its own settings.
    #[arg(long, conflicts_with_all = [
        "corpus", "output", "format", "model", "cbow_mean", "loss", "precision", "batching", "update", "backend", "optimizer",
        "beta1", "beta2", "epsilon", "weight_decay", "momentum", "lr",
        "vocab", "lowercase", "tokenizer", "init_vectors", "lock_init", "lr_schedule", "dim", "window", "negative", "ns_exponent", "sample", "min_count", "max_vocab", "epochs",
        "batch_size", "seed", "threads", "gpu_cubes", "chunk_tokens", "eval_every",
        "checkpoint_every", "analogies", "similarity", "restrict", "x_max", "alpha", "grad_clip",
        "memory_gb", "temp_dir", "glove_vectors",
    ])]
    resume: Option<PathBuf>,
    /// Continue training the finished skip-gram or CBOW run in this folder on --corpus (new
    /// text): its settings, its vocabulary grown by the new text's words that reach its
    /// min-count, its weights; the learning-rate schedule starts over; a new run is written to
    /// --output. What the earlier text taught fades as the new one trains.
    #[arg(long = "continue", requires = "corpus", conflicts_with_all = [
        "resume", "format", "model", "cbow_mean", "loss", "precision", "batching", "update", "backend", "optimizer",
        "beta1", "beta2", "epsilon", "weight_decay", "momentum", "lr",
        "vocab", "lowercase", "tokenizer", "init_vectors", "lock_init", "lr_schedule", "dim", "window", "negative", "ns_exponent", "sample", "min_count", "max_vocab", "epochs",
        "batch_size", "seed", "threads", "gpu_cubes", "chunk_tokens", "eval_every",
        "checkpoint_every", "x_max", "alpha", "grad_clip", "memory_gb", "temp_dir", "glove_vectors",
    ])]
    continue_from: Option<PathBuf>,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Print the final evaluation as one JSON object (see `eval --json`).
    #[arg(long)]
    json: bool,
    /// Evaluate the vectors on these benchmarks (when training ends, and as --eval-every says).
    #[command(flatten)]
    eval: EvalSets,
}

impl TrainArgs {
    /// The config the flags describe: the model's settings from its flags, every default the
    /// flags leave open from the library.
    fn config(&self) -> TrainConfig {
        let model = match self.model {
            ModelKind::Glove => ModelOptions::Glove(GloveOptions {
                x_max: self.x_max,
                alpha: self.alpha,
                grad_clip: self.grad_clip,
                memory_gb: self.memory_gb,
                temp_dir: self.temp_dir.as_deref().map(absolute),
                vectors: self.glove_vectors,
            }),
            kind => ModelOptions::Word2Vec(Word2VecOptions {
                architecture: match kind {
                    ModelKind::Cbow => Architecture::Cbow {
                        mean: self.cbow_mean,
                    },
                    _ => Architecture::SkipGram,
                },
                loss: self.loss,
                negative: self.negative,
                ns_exponent: self.ns_exponent,
                sample: self.sample,
                precision: self.precision,
                batching: self.batching,
            }),
        };
        let mut config = TrainConfig::for_model(model, self.optimizer, self.backend);
        config.corpus = self.corpus.iter().map(|p| absolute(p)).collect();
        config.vocab = self.vocab.as_deref().map(absolute);
        config.lowercase = self.lowercase;
        config.tokenizer = self.tokenizer;
        config.init_vectors = self.init_vectors.as_deref().map(absolute);
        config.lock_init = self.lock_init;
        config.update = self.update.unwrap_or(config.update);
        let params = &mut config.optimizer_params;
        params.beta1 = self.beta1.unwrap_or(params.beta1);
        params.beta2 = self.beta2.unwrap_or(params.beta2);
        params.epsilon = self.epsilon.unwrap_or(params.epsilon);
        params.weight_decay = self.weight_decay.unwrap_or(params.weight_decay);
        params.momentum = self.momentum.unwrap_or(params.momentum);
        config.lr = self.lr.unwrap_or(config.lr);
        config.lr_schedule = self.lr_schedule.unwrap_or(config.lr_schedule);
        config.dim = self.dim;
        config.window = self.window.unwrap_or(config.window);
        config.min_count = self.min_count;
        config.max_vocab = self.max_vocab;
        config.epochs = self.epochs.unwrap_or(config.epochs);
        config.batch_size = self.batch_size;
        config.seed = self.seed;
        config.threads = self.threads.unwrap_or(config.threads);
        config.gpu_cubes = self.gpu_cubes;
        config.format = self
            .format
            .unwrap_or_else(|| VectorFormat::from_extension(&self.output));
        config.output = absolute(&self.output);
        config.eval = EvalConfig {
            analogies: self.eval.analogies.as_deref().map(absolute),
            similarity: self.eval.similarity.iter().map(|p| absolute(p)).collect(),
            restrict: self.eval.restrict,
            every: self.eval_every,
        };
        config.checkpoint_every = self.checkpoint_every;
        config.chunk_tokens = self.chunk_tokens;
        config
    }
}

/// The library's defaults for the model-independent flags.
fn defaults() -> TrainConfig {
    TrainConfig::default()
}

/// `path` from the root, so a resumed run finds it from anywhere; `-` (standard input) stays.
fn absolute(path: &Path) -> PathBuf {
    if path == Path::new(STDIN) {
        return path.to_path_buf();
    }
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Set by the first Ctrl-C (the run saves a checkpoint and stops); a second one exits at once.
/// One handler per process, shared by every run a sweep makes.
pub fn stop_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let seen = flag.clone();
        let installed = ctrlc::set_handler(move || {
            if seen.swap(true, Ordering::SeqCst) {
                eprintln!("\nsecond Ctrl-C: stopping without saving");
                std::process::exit(130);
            }
            eprintln!("\nCtrl-C: saving a checkpoint, then stopping (press again to abort)");
        });
        if let Err(e) = installed {
            eprintln!("warning: Ctrl-C will not save a checkpoint: {e}");
        }
        flag
    })
    .clone()
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let stop = stop_flag();
    let result = match (&args.resume, &args.continue_from) {
        (Some(dir), _) => resume(dir, &args, stop),
        (None, Some(previous)) => continue_from(previous, &args, stop),
        (None, None) => start(&args, stop),
    };
    match result {
        Err(e) if was_stopped(&e) => {
            eprintln!("{e}");
            std::process::exit(130);
        }
        other => other,
    }
}

/// Whether a run ended because it was asked to stop (and saved a checkpoint): exit code 130.
pub(super) fn was_stopped(e: &anyhow::Error) -> bool {
    matches!(e.downcast_ref(), Some(wordvec::Error::Stopped { .. }))
}

pub(super) fn start(args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let run = Run::start(args.config(), options(args, stop))?;
    finish(run, args)
}

fn resume(dir: &Path, args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    finish(Run::resume(dir, options(args, stop))?, args)
}

fn continue_from(previous: &Path, args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let config = args.config();
    // The new run's benchmarks when given, else the finished run's.
    let eval = (!config.eval.is_empty()).then_some(config.eval);
    let options = options(args, stop);
    let run = Run::continue_from(previous, config.corpus, config.output, eval, options)?;
    finish(run, args)
}

fn options(args: &TrainArgs, stop: Arc<AtomicBool>) -> RunOptions {
    RunOptions {
        quiet: args.quiet,
        stop,
        write_files: true,
    }
}

/// Trains, writes the outputs and prints the final evaluation.
fn finish(run: Run, args: &TrainArgs) -> anyhow::Result<()> {
    let finished = run.finish()?;
    if !args.quiet {
        eprintln!(
            "trained {} words in {:.1}s ({:.0} words/s); vectors in {}",
            finished.summary.words_trained,
            finished.summary.seconds,
            finished.summary.words_per_second,
            finished.paths.vectors.display()
        );
    }
    match &finished.trained.report {
        Some(report) if args.json => println!("{}", serde_json::to_string(report)?),
        Some(report) => print!("{report}"),
        None => {}
    }
    Ok(())
}
