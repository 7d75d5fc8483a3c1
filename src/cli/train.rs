//! `train`: build the vocabulary, train, write the outputs, evaluate when asked; `--resume`
//! continues a stopped run from its checkpoint.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use clap::Args;
use wordvec::eval::Benchmarks;
use wordvec::io::VectorFormat;
use wordvec::synthetic;
use wordvec::text::{Corpus, Vocab};
use wordvec::train::{
    BackendKind, CHECKPOINT_FILE, Checkpoint, EvalConfig, EvalEvery, GloveOptions, GloveVectors,
    LossKind, LrSchedule, ModelKind, OptimizerKind, Progress, RunControl, TrainConfig, UpdateKind,
    parse_duration, remove_checkpoints, run_dir, save_outputs, select_device, train,
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
    #[arg(long, value_enum, default_value_t = ModelKind::Skipgram)]
    model: ModelKind,
    /// CBOW: average the context vectors (`false`: sum them).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    cbow_mean: bool,
    /// Training objective.
    #[arg(long, value_enum, default_value_t = LossKind::Negative)]
    loss: LossKind,
    /// Update path [default: fused for negative sampling with sgd or adagrad, and for GloVe with
    /// adagrad; autodiff otherwise (and on ndarray)].
    #[arg(long, value_enum)]
    update: Option<UpdateKind>,
    /// Where the model lives.
    #[arg(long, value_enum, default_value_t = BackendKind::Cpu)]
    backend: BackendKind,
    /// Optimizer: sgd (word2vec) and adagrad on either path, any other on the autodiff path
    /// [default: sgd; adagrad for GloVe].
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerKind>,
    /// Initial learning rate [default: 0.025 for sgd (0.05 for CBOW, as word2vec), 0.05 for
    /// adagrad, 0.001 otherwise].
    #[arg(long)]
    lr: Option<f64>,
    /// [default: linear; constant for GloVe, as its reference].
    #[arg(long, value_enum)]
    lr_schedule: Option<LrSchedule>,
    /// Vector dimension.
    #[arg(long, default_value_t = 100)]
    dim: usize,
    /// Maximum distance between centre and context words (shrunk at random per word; GloVe
    /// counts every pair within it, weighted 1/distance) [default: 5; 10 for GloVe].
    #[arg(long)]
    window: Option<usize>,
    /// Negative samples per pair.
    #[arg(long, default_value_t = 5)]
    negative: usize,
    /// Subsampling threshold for frequent words (0 disables).
    #[arg(long, default_value_t = 1e-3)]
    sample: f64,
    /// Ignore words seen fewer times.
    #[arg(long, default_value_t = 5)]
    min_count: u64,
    /// Keep at most this many words; also bounds memory while counting.
    #[arg(long)]
    max_vocab: Option<usize>,
    /// Passes over the corpus (GloVe: over its co-occurrence entries) [default: 5; 15 for GloVe].
    #[arg(long)]
    epochs: Option<usize>,
    /// Pairs per step on the autodiff path.
    #[arg(long, default_value_t = 1024)]
    batch_size: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Worker threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// GPU cubes (groups of 32 units) training at once on the fused path, each walking its share
    /// of a chunk in order: fewer stays closer to word2vec's sequential SGD, more is faster;
    /// 0 gives every 64 positions a cube.
    #[arg(long, default_value_t = 256)]
    gpu_cubes: u32,
    /// Corpus ids (GloVe: co-occurrence entries) per fused step: the unit of progress, loss
    /// read-back and checkpoints.
    #[arg(long, default_value_t = wordvec::sampling::CHUNK_TOKENS)]
    chunk_tokens: usize,
    /// GloVe: counts at or above this weigh 1 in the loss, smaller ones (x / x_max)^alpha.
    #[arg(long, default_value_t = 100.0)]
    x_max: f64,
    /// GloVe: the exponent of the weighting.
    #[arg(long, default_value_t = 0.75)]
    alpha: f64,
    /// GloVe: each gradient component is clipped to ±this.
    #[arg(long, default_value_t = 100.0)]
    grad_clip: f64,
    /// GloVe: memory for counting co-occurrences (GB); beyond it sorted runs spill to disk.
    #[arg(long, default_value_t = 4.0)]
    memory_gb: f64,
    /// GloVe: folder for spilled runs [default: the system's temporary folder].
    #[arg(long)]
    temp_dir: Option<PathBuf>,
    /// GloVe: the vectors written: word + context (the reference's default) or the word
    /// vectors only.
    #[arg(long, value_enum, default_value_t = GloveVectors::WordPlusContext)]
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
        "corpus", "output", "format", "model", "cbow_mean", "loss", "update", "backend", "optimizer", "lr",
        "lr_schedule", "dim", "window", "negative", "sample", "min_count", "max_vocab", "epochs",
        "batch_size", "seed", "threads", "gpu_cubes", "chunk_tokens", "eval_every",
        "checkpoint_every", "analogies", "similarity", "restrict", "x_max", "alpha", "grad_clip",
        "memory_gb", "temp_dir", "glove_vectors",
    ])]
    resume: Option<PathBuf>,
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
    fn config(&self, corpus: Vec<PathBuf>) -> TrainConfig {
        let glove = self.model == ModelKind::Glove;
        let optimizer = self.optimizer.unwrap_or(if glove {
            OptimizerKind::Adagrad
        } else {
            OptimizerKind::Sgd
        });
        let update = self
            .update
            .unwrap_or(match (self.model, self.loss, optimizer) {
                (ModelKind::Glove, _, OptimizerKind::Adagrad)
                    if self.backend != BackendKind::Ndarray =>
                {
                    UpdateKind::Fused
                }
                (ModelKind::Glove, _, _) => UpdateKind::Autodiff,
                (_, LossKind::Negative, OptimizerKind::Sgd | OptimizerKind::Adagrad) => {
                    UpdateKind::Fused
                }
                _ => UpdateKind::Autodiff,
            });
        let lr = self.lr.unwrap_or(match optimizer {
            OptimizerKind::Sgd if self.model == ModelKind::Cbow => 0.05,
            OptimizerKind::Sgd => 0.025,
            OptimizerKind::Adagrad => 0.05,
            _ => 0.001,
        });
        TrainConfig {
            corpus: corpus.iter().map(|p| absolute(p)).collect(),
            model: self.model,
            cbow_mean: self.cbow_mean,
            loss: self.loss,
            update,
            backend: self.backend,
            optimizer,
            lr,
            lr_schedule: self.lr_schedule.unwrap_or(if glove {
                LrSchedule::Constant
            } else {
                LrSchedule::Linear
            }),
            dim: self.dim,
            window: self.window.unwrap_or(if glove { 10 } else { 5 }),
            negative: self.negative,
            sample: self.sample,
            min_count: self.min_count,
            max_vocab: self.max_vocab,
            epochs: self.epochs.unwrap_or(if glove { 15 } else { 5 }),
            batch_size: self.batch_size,
            seed: self.seed,
            threads: self
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            gpu_cubes: self.gpu_cubes,
            format: self
                .format
                .unwrap_or_else(|| VectorFormat::from_extension(&self.output)),
            output: absolute(&self.output),
            eval: EvalConfig {
                analogies: self.eval.analogies.as_deref().map(absolute),
                similarity: self.eval.similarity.iter().map(|p| absolute(p)).collect(),
                restrict: self.eval.restrict,
                every: self.eval_every,
            },
            checkpoint_every: self.checkpoint_every,
            chunk_tokens: self.chunk_tokens,
            glove: GloveOptions {
                x_max: self.x_max,
                alpha: self.alpha,
                grad_clip: self.grad_clip,
                memory_gb: self.memory_gb,
                temp_dir: self.temp_dir.as_deref().map(absolute),
                vectors: self.glove_vectors,
            },
        }
    }
}

/// `path` from the root, so a run can be resumed from any folder.
fn absolute(path: &Path) -> PathBuf {
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

/// The embedded corpus written to a temporary folder (removed when the guard drops).
struct Scratch {
    _dir: tempfile::TempDir,
    corpus: PathBuf,
}

fn embedded_corpus(quiet: bool) -> anyhow::Result<Scratch> {
    let dir = tempfile::tempdir()?;
    let corpus = dir.path().join("synthetic.txt");
    synthetic::write_corpus(&corpus)?;
    if !quiet {
        eprintln!("no --corpus given: training on the embedded synthetic corpus");
    }
    Ok(Scratch { _dir: dir, corpus })
}

/// The benchmarks a run scores itself on: its files, or the embedded corpus's own questions.
fn benchmarks_for(config: &TrainConfig) -> anyhow::Result<Option<Benchmarks>> {
    if config.corpus.is_empty() {
        return Ok(Some(Benchmarks::from_sets(
            Some(("embedded analogies".into(), synthetic::analogy_questions())),
            vec![("embedded similarity".into(), synthetic::similarity_pairs())],
            config.eval.restrict,
        )));
    }
    if config.eval.is_empty() {
        return Ok(None);
    }
    Ok(Some(Benchmarks::load(
        config.eval.analogies.as_deref(),
        &config.eval.similarity,
        config.eval.restrict,
    )?))
}

/// What a run needs besides its config, made ready before the long part.
struct Prepared {
    /// Keeps the embedded corpus's folder until the run ends.
    _scratch: Option<Scratch>,
    device: burn::prelude::Device,
    benchmarks: Option<Benchmarks>,
    corpus: Corpus,
}

/// The device, the benchmarks (read first, so a typo fails at once) and the corpus of `config`
/// (the embedded one written out when it names none).
fn prepare(config: &TrainConfig, quiet: bool) -> anyhow::Result<Prepared> {
    let scratch = config
        .corpus
        .is_empty()
        .then(|| embedded_corpus(quiet))
        .transpose()?;
    let device = select_device(config.backend)?;
    let benchmarks = benchmarks_for(config)?;
    let paths = match &scratch {
        Some(s) => vec![s.corpus.clone()],
        None => config.corpus.clone(),
    };
    Ok(Prepared {
        corpus: Corpus::open(&paths)?,
        _scratch: scratch,
        device,
        benchmarks,
    })
}

pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    let stop = stop_flag();
    let result = match &args.resume {
        Some(dir) => resume(dir, &args, stop),
        None => start(&args, stop),
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
    let config = args.config(args.corpus.clone());
    config.validate()?;
    let Prepared {
        _scratch,
        device,
        benchmarks,
        corpus,
    } = prepare(&config, args.quiet)?;
    let (vocab, stats) = Vocab::build(&corpus, config.min_count, config.max_vocab)?;
    if !args.quiet {
        eprintln!(
            "vocabulary: {} words (min_count {}) of {} distinct; {} tokens; {} on {:?}, {} thread(s)",
            vocab.len(),
            config.min_count,
            stats.distinct,
            stats.tokens,
            match config.update {
                UpdateKind::Fused => "fused sparse update",
                UpdateKind::Autodiff => "autodiff",
            },
            config.backend,
            config.threads
        );
    }
    let control = RunControl {
        progress: Progress::new(vocab.total_count() * config.epochs as u64, args.quiet),
        benchmarks,
        stop,
        resume: None,
        stats,
        write_files: true,
    };
    finish(&config, &corpus, vocab, &device, control, args)
}

fn resume(dir: &Path, args: &TrainArgs, stop: Arc<AtomicBool>) -> anyhow::Result<()> {
    let (checkpoint, warning) = Checkpoint::load_latest(dir)?;
    if let Some(w) = warning {
        eprintln!("warning: {w}");
    }
    let mut config = checkpoint.config.clone();
    // The run directory may have moved since: its outputs stay in it.
    if let Some(name) = config.output.file_name() {
        config.output = dir.join(name);
    }
    let Prepared {
        _scratch,
        device,
        benchmarks,
        corpus,
    } = prepare(&config, args.quiet)?;
    if !args.quiet {
        eprintln!(
            "resuming {} at epoch {}, {} words, from {}",
            dir.display(),
            checkpoint.position.epoch + 1,
            checkpoint.position.words,
            checkpoint.source.display()
        );
    }
    let vocab = checkpoint.vocab.clone();
    let control = RunControl {
        progress: Progress::new(vocab.total_count() * config.epochs as u64, args.quiet),
        benchmarks,
        stop,
        stats: checkpoint.stats.clone(),
        resume: Some(checkpoint),
        write_files: true,
    };
    finish(&config, &corpus, vocab, &device, control, args)
}

/// Trains, writes the outputs and prints the final evaluation.
fn finish(
    config: &TrainConfig,
    corpus: &Corpus,
    vocab: Vocab,
    device: &burn::prelude::Device,
    mut control: RunControl,
    args: &TrainArgs,
) -> anyhow::Result<()> {
    let trained = train(config, corpus, Arc::new(vocab), device, &mut control).map_err(|e| {
        let checkpoint = run_dir(config).join(CHECKPOINT_FILE);
        match e {
            wordvec::Error::Diverged { .. } if checkpoint.exists() => anyhow::anyhow!(
                "{e}; the last good checkpoint stays in {}",
                checkpoint.display()
            ),
            e => e.into(),
        }
    })?;
    control.progress.finish();
    let embeddings = trained.embeddings();
    let (paths, summary) = save_outputs(config, &trained, &embeddings, &control.stats)?;
    remove_checkpoints(&run_dir(config))?;
    if !args.quiet {
        eprintln!(
            "trained {} words in {:.1}s ({:.0} words/s); vectors in {}",
            summary.words_trained,
            summary.seconds,
            summary.words_per_second,
            paths.vectors.display()
        );
    }
    match &trained.report {
        Some(report) if args.json => println!("{}", serde_json::to_string(report)?),
        Some(report) => print!("{report}"),
        None => {}
    }
    Ok(())
}
